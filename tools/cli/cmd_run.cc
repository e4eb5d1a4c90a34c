// floatlm run: checks out seats, runs a command while holding them, checks them in
// when it exits, and passes its exit status on (128+N when killed by signal N).
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli_common.h"
#include "floatlm/floatlm.hpp"

namespace po = boost::program_options;

namespace floatlm::cli {
namespace {

constexpr const char* kUsage =
    "floatlm run [-c PORT@HOST] -f FEATURE[:VERSION] [-f ...] [--seats N] [--wait SECS]\n"
    "            [--on-lost warn|term|kill] [--vendor-key VENDOR=FILE.pub ...] -- CMD ARGS...";

// What to do to the command when a seat is really lost (removed by an admin, timed out,
// expired, its pool gone): warn only (the default), or end the command.
enum class OnLost { kWarn, kTerm, kKill };
constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP};

volatile sig_atomic_t g_child = 0;

// Runs on whichever thread the kernel picks; kill() is async-signal-safe. Signals
// from the terminal (Ctrl-C: si_code SI_KERNEL) already reach the child, which shares
// our process group, so only signals sent by a process (kill: si_code <= 0) are passed on.
void ForwardSignal(int sig, siginfo_t* info, void*) {
  const pid_t child = g_child;
  if (child > 0 && (info == nullptr || info->si_code <= 0)) ::kill(child, sig);
}

// Forks and execs `command`; returns the shell-style status of the child.
int RunChild(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const std::string& word : command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);

  struct sigaction forward {};
  forward.sa_sigaction = ForwardSignal;
  sigemptyset(&forward.sa_mask);
  forward.sa_flags = SA_RESTART | SA_SIGINFO;
  struct sigaction previous[3];
  for (int i = 0; i < 3; ++i) sigaction(kForwarded[i], &forward, &previous[i]);

  const pid_t pid = ::fork();
  if (pid < 0) {
    PrintError(std::string("fork: ") + std::strerror(errno));
    return kExitError;
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec: the parent has threads.
    // The command must not outlive the wrapper that holds its seats.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() == 1) ::_exit(128 + SIGTERM);  // the wrapper died before prctl
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig : kForwarded) sigaction(sig, &dfl, nullptr);
    ::execvp(argv[0], argv.data());
    const int err = errno;
    const char prefix[] = "floatlm: cannot run ";
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, prefix, sizeof(prefix) - 1);
    n = ::write(STDERR_FILENO, argv[0], std::strlen(argv[0]));
    const char* reason = err == ENOENT ? ": command not found\n" : ": cannot execute\n";
    n = ::write(STDERR_FILENO, reason, std::strlen(reason));
    ::_exit(err == ENOENT ? 127 : 126);
  }
  g_child = pid;
  int status = 0;
  pid_t done;
  do {
    done = ::waitpid(pid, &status, 0);
  } while (done < 0 && errno == EINTR);
  g_child = 0;
  for (int i = 0; i < 3; ++i) sigaction(kForwarded[i], &previous[i], nullptr);
  if (done < 0) {
    PrintError(std::string("waitpid: ") + std::strerror(errno));
    return kExitError;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kExitError;
}

// "--vendor-key VENDOR=FILE.pub": the vendor and its public key's PEM text.
std::pair<std::string, std::string> ReadVendorKey(const std::string& spec) {
  const std::size_t eq = spec.find('=');
  if (eq == 0 || eq == std::string::npos || eq + 1 == spec.size()) {
    throw UsageError("--vendor-key needs VENDOR=FILE.pub, e.g. --vendor-key acme=acme.pub");
  }
  const std::string file = spec.substr(eq + 1);
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    throw floatlm::Error(FLOATLM_E_BAD_ARGUMENT,
                         "--vendor-key: cannot read " + file + ": " + std::strerror(errno));
  }
  std::string pem;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && pem.size() < 64 * 1024) pem.append(buf, n);
  std::fclose(f);
  return {spec.substr(0, eq), pem};
}

}  // namespace

int RunRun(const std::vector<std::string>& args) {
  // Everything after "--" is the command, untouched by option parsing.
  std::vector<std::string> own(args.begin(), args.end());
  std::vector<std::string> command;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      own.assign(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(i));
      command.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
  }
  std::string servers;
  std::vector<std::string> features;
  std::vector<std::string> vendor_keys;
  int wait_seconds = 0;
  int seats = 1;
  std::string on_lost_text = "warn";
  po::options_description desc("floatlm run options");
  desc.add_options()("help,h", "show this help");
  AddServerOption(desc, &servers);
  desc.add_options()("feature,f", po::value(&features)->value_name("FEATURE[:VERSION]"),
                     "feature to check out (repeatable)")(
      "seats,n", po::value(&seats)->value_name("N"),
      "take N seats of each feature at once, all or none (default 1)")(
      "wait", po::value(&wait_seconds)->value_name("SECS"),
      "wait up to SECS in the queue for each seat")(
      "on-lost", po::value(&on_lost_text)->value_name("warn|term|kill"),
      "when a seat is lost for good (removed, timed out, expired): warn (default), or send "
      "the command SIGTERM or SIGKILL")(
      "vendor-key", po::value(&vendor_keys)->value_name("VENDOR=FILE.pub"),
      "accept only seats whose license lines VENDOR signed with this key (repeatable)")(
      "command", po::value<std::vector<std::string>>(), "command and arguments");
  po::positional_options_description positional;
  positional.add("command", -1);
  po::variables_map vm;
  if (!ParseArgs(own, desc, &positional, kUsage, &vm)) return kExitOk;
  if (vm.count("command") != 0) {
    // Tolerate a command without "--" as long as it has no options of its own.
    const auto& words = vm["command"].as<std::vector<std::string>>();
    command.insert(command.begin(), words.begin(), words.end());
  }
  if (wait_seconds < 0) throw UsageError("--wait needs a number of seconds >= 0");
  if (seats < 1 || seats > 1000) throw UsageError("--seats needs a number from 1 to 1000");
  OnLost on_lost = OnLost::kWarn;
  if (on_lost_text == "term") {
    on_lost = OnLost::kTerm;
  } else if (on_lost_text == "kill") {
    on_lost = OnLost::kKill;
  } else if (on_lost_text != "warn") {
    throw UsageError("--on-lost takes warn, term or kill, not '" + on_lost_text + "'");
  }
  if (features.empty()) throw UsageError("at least one -f FEATURE is required");
  if (command.empty()) throw UsageError("no command given after --");
  std::vector<FeatureSpec> specs;
  for (const std::string& f : features) specs.push_back(ParseFeature(f));
  const std::string server_list = ResolveServers(servers);

  try {
    floatlm::Options options;
    for (const std::string& spec : vendor_keys) {
      auto [vendor, pem] = ReadVendorKey(spec);
      options.VendorKey(std::move(vendor), std::move(pem));
    }
    floatlm::Client client(
        std::move(options)
            .Servers(server_list)
            .TlsCa(TlsCa())
            .App("floatlm-run:" + command.front().substr(0, 64))
            .OnQueue([](const std::string& feature, std::uint64_t position) {
              std::fprintf(stderr, "floatlm: waiting for %s: position %llu in the queue\n",
                           feature.c_str(), static_cast<unsigned long long>(position));
            })
            .OnLease([on_lost](std::uint64_t, floatlm_lease_event event, floatlm_status code,
                               const std::string& message) {
              if (event == FLOATLM_LEASE_REGAINED) {
                std::fprintf(stderr, "floatlm: seat regained: %s\n", message.c_str());
                return;
              }
              if (event != FLOATLM_LEASE_LOST) return;
              // Cut off from the server, the seat may come back when it is reachable again.
              if (code == FLOATLM_E_DISCONNECTED) {
                std::fprintf(stderr,
                             "floatlm: seat lost for now (%s): %s; it is taken back when the "
                             "server answers again\n",
                             floatlm_status_name(code), message.c_str());
                return;
              }
              std::fprintf(stderr, "floatlm: seat lost (%s): %s\n", floatlm_status_name(code),
                           message.c_str());
              const pid_t child = g_child;
              if (on_lost != OnLost::kWarn && child > 0) {
                const int sig = on_lost == OnLost::kTerm ? SIGTERM : SIGKILL;
                std::fprintf(stderr, "floatlm: ending the command (--on-lost=%s)\n",
                             on_lost == OnLost::kTerm ? "term" : "kill");
                ::kill(child, sig);
              }
            }));
    client.Connect();
    std::vector<floatlm::Lease> leases;
    for (const FeatureSpec& spec : specs) {
      try {
        leases.push_back(client.CheckoutSeats(spec.feature, static_cast<std::uint32_t>(seats),
                                              spec.version,
                                              static_cast<std::uint32_t>(wait_seconds)));
      } catch (const floatlm::Error& e) {
        // The vendor-key check's sentence already starts with the feature.
        PrintError(e.code() == FLOATLM_E_UNTRUSTED_LICENSE ? std::string(e.what())
                                                            : spec.feature + ": " + e.what());
        return ExitCodeFor(e.code());
      }
    }
    std::fflush(nullptr);
    const int status = RunChild(command);
    for (floatlm::Lease& lease : leases) {
      try {
        lease.Checkin();
      } catch (const floatlm::Error& e) {
        PrintError(std::string("checkin: ") + e.what());
      }
    }
    return status;
  } catch (const floatlm::Error& e) {
    PrintError(e.what());
    return ExitCodeFor(e.code());
  }
}

}  // namespace floatlm::cli
