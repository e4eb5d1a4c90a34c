// A first run by hand, the way an admin tries floatlmd before installing the service:
// a relative --state, the default admin socket with its directory missing, and the log
// on a terminal. Each case starts the real floatlmd itself (the fixture prepares the
// signed license and key) and stops it before returning.
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"

namespace fs = std::filesystem;
using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RunCommand;
using namespace std::chrono_literals;

namespace {

const char* kLicense = "VENDOR demo\nFEATURE cad demo 2027.0 permanent 2 SN=F-1\n";

// A floatlmd started by the test: its output goes to `log` (or a terminal with `pty`).
class Daemon {
 public:
  // `cwd`: the directory it starts in. `pty`: stdout and stderr are a terminal, whose
  // output the test reads through Output().
  Daemon(std::vector<std::string> argv, const fs::path& cwd, const fs::path& log, bool pty)
      : log_(log) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (pty) {
      pid_ = ::forkpty(&master_, nullptr, nullptr, nullptr);
    } else {
      pid_ = ::fork();
    }
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      if (!pty) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      if (::chdir(cwd.c_str()) != 0) _exit(126);
      ::execv(args[0], args.data());
      _exit(127);
    }
    if (master_ >= 0) ::fcntl(master_, F_SETFL, O_NONBLOCK);
  }
  ~Daemon() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) ::close(master_);
  }

  std::string Output() {
    if (master_ < 0) return floatlm::testing::ReadWholeFile(log_);
    char buf[4096];
    for (ssize_t n; (n = ::read(master_, buf, sizeof buf)) > 0;) text_.append(buf, n);
    return text_;
  }
  // Waits until the output holds `what`; false after 15 s or when floatlmd exited.
  bool WaitFor(const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Output().find(what) != std::string::npos) return true;
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return Output().find(what) != std::string::npos;
      }
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  int Port() {
    std::smatch m;
    const std::string text = Output();
    static const std::regex kPort("event=server.listening.*? port=(\\d+)");
    BOOST_REQUIRE_MESSAGE(std::regex_search(text, m, kPort), text);
    return std::stoi(m[1]);
  }
  // SIGTERM, then the exit status.
  int Stop() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  int master_ = -1;
  std::string text_;
};

std::vector<std::string> Args(const DaemonFixture& d, const std::string& state,
                              std::vector<std::string> more) {
  std::vector<std::string> argv = {BinPath("floatlmd"), "--license", d.license_path().string(),
                                   "--vendor-keys", (d.dir() / "keys").string(), "--state", state,
                                   "--bind", "127.0.0.1", "--port", "0", "--allow-root"};
  argv.insert(argv.end(), more.begin(), more.end());
  return argv;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(first_run)

// `floatlm backup` replies with an absolute path even when the daemon was given a
// relative --state: the admin's shell is not in the daemon's directory.
BOOST_AUTO_TEST_CASE(a_backup_of_a_relative_state_directory_is_named_by_its_full_path) {
  DaemonFixture d(kLicense, "demo", {}, /*start=*/false);
  fs::create_directories(d.dir() / "here" / "state");
  const fs::path socket = d.dir() / "admin.sock";
  Daemon daemon(Args(d, "state", {"--admin-socket", socket.string()}), d.dir() / "here",
                d.dir() / "run.log", /*pty=*/false);
  BOOST_REQUIRE_MESSAGE(daemon.WaitFor("event=server.listening"), daemon.Output());
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlm"), "backup", "--admin-socket", socket.string()}, &out) ==
                 0,
             out);
  const fs::path dir = fs::canonical(d.dir() / "here" / "state" / "backups");
  BOOST_TEST(out.find("backup written: " + dir.string() + "/floatlm-") != std::string::npos, out);
  BOOST_TEST(daemon.Stop() == 0);
}

// Started by hand as root, floatlmd makes the default socket's directory /run/floatlm
// when it is missing. The test gives the daemon a /run of its own (a tmpfs in a private
// mount namespace), so the machine's /run is not touched.
BOOST_AUTO_TEST_CASE(the_default_socket_directory_is_made_when_missing) {
  DaemonFixture d(kLicense, "demo", {}, /*start=*/false);
  // As root a mount namespace is enough; otherwise a user namespace maps us to root in it.
  std::vector<std::string> argv = {"/usr/bin/unshare"};
  if (::geteuid() != 0) argv.push_back("--map-root-user");
  for (const char* a : {"--mount", "/bin/sh", "-c", "mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\""}) {
    argv.push_back(a);
  }
  for (auto& a : Args(d, (d.dir() / "state").string(), {})) argv.push_back(a);
  const bool host_had_it = fs::exists("/run/floatlm");
  Daemon daemon(argv, d.dir(), d.dir() / "run.log", /*pty=*/false);
  BOOST_REQUIRE_MESSAGE(daemon.WaitFor("event=server.listening"), daemon.Output());
  const std::string log = daemon.Output();
  BOOST_TEST(log.find("event=admin.socket_dir_created dir=/run/floatlm") != std::string::npos,
             log);
  BOOST_TEST(daemon.Stop() == 0, daemon.Output());
  BOOST_TEST(fs::exists("/run/floatlm") == host_had_it, "the machine's /run was not touched");
}

// On a terminal, each log line starts with its UTC time; in a file (or the journal,
// which stamps lines itself) it does not.
BOOST_AUTO_TEST_CASE(log_lines_on_a_terminal_carry_their_time) {
  DaemonFixture d(kLicense, "demo", {}, /*start=*/false);
  const std::vector<std::string> more = {"--admin-socket", (d.dir() / "admin.sock").string()};
  static const std::regex kStamped(R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z [a-z]+ event=server\.listening)");
  {
    Daemon daemon(Args(d, (d.dir() / "state").string(), more), d.dir(), d.dir() / "unused.log",
                  /*pty=*/true);
    BOOST_REQUIRE_MESSAGE(daemon.WaitFor("event=server.listening"), daemon.Output());
    BOOST_TEST(std::regex_search(daemon.Output(), kStamped), daemon.Output());
    daemon.Stop();
  }
  Daemon daemon(Args(d, (d.dir() / "state").string(), more), d.dir(), d.dir() / "file.log",
                /*pty=*/false);
  BOOST_REQUIRE_MESSAGE(daemon.WaitFor("event=server.listening"), daemon.Output());
  BOOST_TEST(!std::regex_search(daemon.Output(), kStamped), daemon.Output());
  const std::string text = "\n" + daemon.Output();
  BOOST_TEST(text.find("\ninfo event=server.listening") != std::string::npos, text);
  daemon.Stop();
}

BOOST_AUTO_TEST_SUITE_END()
