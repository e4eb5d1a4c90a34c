// The floatlm CLI's status and run commands: exit codes (DESIGN.md section 8) and
// their effect on the real daemon.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"
#include "floatlm/floatlm.hpp"

using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RunCommand;

namespace {

constexpr const char* kLicense =
    "SERVER this_host ANY\n"
    "VENDOR demo\n"
    "FEATURE cad demo 1.0 permanent 2\n"
    "FEATURE cam demo 1.0 permanent 1\n";

// Runs `floatlm ARGS...` bounded to 30 s; output is stdout and stderr together.
int Floatlm(const std::vector<std::string>& args, std::string* out = nullptr,
            const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {"/usr/bin/timeout", "30", BinPath("floatlm")};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string ignored;
  return RunCommand(argv, out != nullptr ? out : &ignored, env);
}

struct Daemon {
  DaemonFixture daemon{kLicense};
  std::string server() const { return daemon.license_env(); }
  floatlm::Options As(const std::string& user) {
    return floatlm::Options().Servers(server()).Identity(user, "ws1");
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_usage)

BOOST_AUTO_TEST_CASE(bad_command_lines_exit_2) {
  BOOST_CHECK_EQUAL(Floatlm({}), 2);
  BOOST_CHECK_EQUAL(Floatlm({"frobnicate"}), 2);
  BOOST_CHECK_EQUAL(Floatlm({"status", "--no-such-option"}), 2);
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", "1@127.0.0.1", "--", "true"}), 2);  // no -f
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", "1@127.0.0.1", "-f", "cad"}), 2);   // no command
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", "1@127.0.0.1", "-f", ":1.0", "--", "true"}), 2);
  BOOST_CHECK_EQUAL(
      Floatlm({"run", "-c", "1@127.0.0.1", "-f", "cad", "--wait", "soon", "--", "true"}), 2);
}

// Typos get a hint and the usage exit code; every tool says its version.
BOOST_AUTO_TEST_CASE(typos_are_named_with_what_was_meant) {
  std::string command, option, server, version, vendor, daemon;
  BOOST_CHECK_EQUAL(Floatlm({"stauts"}, &command), 2);
  BOOST_TEST(command.find("unknown command \"stauts\" (did you mean \"status\"?)") !=
                 std::string::npos,
             command);
  BOOST_CHECK_EQUAL(Floatlm({"run", "--wiat", "3", "-f", "cad", "--", "true"}, &option), 2);
  BOOST_TEST(option.find("(did you mean --wait?)") != std::string::npos, option);
  BOOST_CHECK_EQUAL(Floatlm({"status", "-c", "127.0.0.1@27000"}, &server), 2);
  BOOST_TEST(server.find("is written HOST@PORT; the form is PORT@HOST: 27000@127.0.0.1") !=
                 std::string::npos,
             server);
  BOOST_CHECK_EQUAL(Floatlm({"--version"}, &version), 0);
  BOOST_TEST(version.find("floatlm ") == 0u, version);
  BOOST_CHECK_EQUAL(RunCommand({BinPath("floatlm-vendor"), "--version"}, &vendor), 0);
  BOOST_TEST(vendor.find("floatlm-vendor ") == 0u, vendor);
  BOOST_CHECK_EQUAL(RunCommand({BinPath("floatlmd"), "--version"}, &daemon), 0);
  BOOST_TEST(daemon.find("floatlmd ") == 0u, daemon);
}

// Nothing set: the license host itself, 27000@localhost (a connect error names it when no
// daemon listens there).
BOOST_AUTO_TEST_CASE(without_a_server_list_the_license_host_itself_is_asked) {
  std::string out, help;
  const int rc = Floatlm({"status"}, &out, {"FLOATLM_LICENSE="});
  BOOST_TEST(rc != 2, out);
  BOOST_TEST((rc == 0 || out.find("27000@localhost") != std::string::npos), out);
  BOOST_CHECK_EQUAL(Floatlm({"--help"}, &help), 0);
  BOOST_TEST(help.find("else 27000@localhost") != std::string::npos, help);
  BOOST_TEST(help.find("$FLOATLM_ADMIN_SOCKET") != std::string::npos, help);
}

BOOST_AUTO_TEST_CASE(help_exits_0) {
  std::string out;
  BOOST_CHECK_EQUAL(Floatlm({"--help"}, &out), 0);
  BOOST_CHECK(out.find("run") != std::string::npos);
  std::string run, remove;
  BOOST_CHECK_EQUAL(Floatlm({"run", "--help"}, &run), 0);
  BOOST_CHECK(run.find("--wait") != std::string::npos);
  BOOST_TEST(run.find("--command") == std::string::npos, run);  // the positional words are
  BOOST_CHECK_EQUAL(Floatlm({"remove", "--help"}, &remove), 0);  // in the usage line, not
  BOOST_TEST(remove.find("--words") == std::string::npos, remove);  // Boost's options
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_exits_1) {
  std::string out;
  BOOST_CHECK_EQUAL(Floatlm({"status", "-c", "1@127.0.0.1"}, &out), 1);
  BOOST_CHECK(out.find("1@127.0.0.1") != std::string::npos);
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", "1@127.0.0.1", "-f", "cad", "--", "true"}), 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(cli_daemon, Daemon)

BOOST_AUTO_TEST_CASE(run_passes_on_the_commands_exit_code) {
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", server(), "-f", "cad", "--", "sh", "-c", "exit 7"}), 7);
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", server(), "-f", "cad", "--", "true"}), 0);
  // Killed by a signal: 128 + the signal, as shells report it.
  BOOST_CHECK_EQUAL(
      Floatlm({"run", "-c", server(), "-f", "cad", "--", "sh", "-c", "kill -TERM $$"}), 143);
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", server(), "-f", "cad", "--", "/no/such/cmd"}), 127);
}

BOOST_AUTO_TEST_CASE(run_reads_the_server_from_floatlm_license) {
  BOOST_CHECK_EQUAL(Floatlm({"run", "-f", "cad:1.0", "-f", "cam", "--", "sh", "-c", "exit 5"},
                            nullptr, {"FLOATLM_LICENSE=" + server()}),
                    5);
}

BOOST_AUTO_TEST_CASE(run_holds_the_seat_while_the_command_runs_and_returns_it) {
  // The command itself asks for status: its own seat must be listed.
  std::string out;
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", server(), "-f", "cam", "--", BinPath("floatlm"), "status",
                             "-c", server(), "-f", "cam"},
                            &out, {"FLOATLM_USER=runner"}),
                    0);
  BOOST_TEST_MESSAGE("status inside run:\n" << out);
  BOOST_CHECK(out.find("runner") != std::string::npos);
  // Afterwards the single cam seat is free again.
  floatlm::Client a(As("alice"));
  a.Connect();
  BOOST_CHECK(a.Checkout("cam"));
}

BOOST_AUTO_TEST_CASE(run_denied_exits_3_with_the_reason) {
  floatlm::Client a(As("alice"));
  a.Connect();
  floatlm::Lease held = a.Checkout("cam");
  std::string out;
  BOOST_CHECK_EQUAL(
      Floatlm({"run", "-c", server(), "-f", "cam", "--", "true"}, &out, {"FLOATLM_USER=bob"}), 3);
  BOOST_TEST_MESSAGE("denied: " << out);
  BOOST_CHECK(out.find("cam") != std::string::npos);
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", server(), "-f", "nosuch", "--", "true"}), 3);
}

BOOST_AUTO_TEST_CASE(run_waits_for_a_seat_with_wait) {
  floatlm::Client a(As("alice"));
  a.Connect();
  floatlm::Lease held = a.Checkout("cam");
  // A background `run` queues; freeing the seat lets it through.
  std::string out;
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    held.Checkin();
  });
  const int rc = Floatlm({"run", "-c", server(), "-f", "cam", "--wait", "15", "--", "true"}, &out,
                         {"FLOATLM_USER=bob"});
  release.join();
  BOOST_CHECK_EQUAL(rc, 0);
  BOOST_CHECK(out.find("position") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(status_lists_holders_as_text_and_json) {
  floatlm::Client a(As("zed"));
  a.Connect();
  floatlm::Lease held = a.Checkout("cad");
  std::string out;
  BOOST_CHECK_EQUAL(Floatlm({"status", "-c", server()}, &out), 0);
  BOOST_TEST_MESSAGE("status:\n" << out);
  BOOST_CHECK(out.find("zed") != std::string::npos);
  std::string json;
  BOOST_CHECK_EQUAL(Floatlm({"status", "-c", server(), "-f", "cad", "--json"}, &json), 0);
  BOOST_CHECK(json.find('{') != std::string::npos);
  BOOST_CHECK(json.find("zed") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(cli_signals, Daemon)

BOOST_AUTO_TEST_CASE(run_forwards_sigterm_to_the_command) {
  // floatlm run in the background; its child traps TERM and exits 42 when it gets it.
  const std::string script = "trap 'exit 42' TERM; while :; do sleep 0.05; done";
  const std::string bin = BinPath("floatlm");
  const std::string srv = server();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.emplace_back("FLOATLM_USER=sigtest");
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = {bin, "run", "-c", srv, "-f", "cad", "--", "sh", "-c", script};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  // Wait until the seat is held (the command is about to run), then signal floatlm.
  floatlm::Client observer(As("observer"));
  observer.Connect();
  bool running = false;
  for (int i = 0; i < 200 && !running; ++i) {
    running = observer.Status("cad").find("sigtest") != std::string::npos;
    if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  BOOST_CHECK(running);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the shell has set its trap
  ::kill(pid, SIGTERM);
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 400 && done == 0; ++i) {
    done = ::waitpid(pid, &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    BOOST_FAIL("floatlm run did not exit after SIGTERM");
  }
  BOOST_CHECK(WIFEXITED(status));
  BOOST_CHECK_EQUAL(WEXITSTATUS(status), 42);
}

// `floatlm run` in the background, its output in a file; returns the wrapper's pid.
pid_t SpawnRun(const std::vector<std::string>& args, const std::string& out_path,
               const std::string& user) {
  std::vector<std::string> words = {BinPath("floatlm"), "run"};
  words.insert(words.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    ::setenv("FLOATLM_USER", user.c_str(), 1);
    ::setenv("FLOATLM_HOST", "ws1", 1);
    FILE* f = std::freopen(out_path.c_str(), "w", stderr);
    (void)f;
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid, int seconds) {
  int status = 0;
  for (int i = 0; i < seconds * 40; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool Holds(floatlm::Client& observer, const std::string& user) {
  for (int i = 0; i < 200; ++i) {
    if (observer.Status("cad").find(user) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

// After a daemon restart the wrapped job is told its seat came back.
BOOST_AUTO_TEST_CASE(run_says_when_a_seat_is_regained) {
  const std::string out = (daemon.dir() / "run-regained.txt").string();
  const pid_t pid = SpawnRun({"-c", server(), "-f", "cad", "--", "sleep", "4"}, out, "regainer");
  {
    floatlm::Client observer(As("observer"));
    observer.Connect();
    BOOST_REQUIRE(Holds(observer, "regainer"));
  }
  daemon.Stop();
  daemon.Start();
  BOOST_TEST(WaitExit(pid, 20) == 0, Slurp(out));
  BOOST_TEST(Slurp(out).find("floatlm: seat regained: reattached to lease") != std::string::npos,
             Slurp(out));
}

// --on-lost=term: an admin's removal ends the command, which would otherwise run unlicensed.
BOOST_AUTO_TEST_CASE(run_on_lost_term_ends_the_command_when_its_seat_is_removed) {
  const std::string out = (daemon.dir() / "run-lost.txt").string();
  const pid_t pid =
      SpawnRun({"-c", server(), "-f", "cad", "--on-lost", "term", "--", "sleep", "30"}, out, "loser");
  {
    floatlm::Client observer(As("observer"));
    observer.Connect();
    BOOST_REQUIRE(Holds(observer, "loser"));
  }
  std::string removed;
  BOOST_REQUIRE_EQUAL(RunCommand({BinPath("floatlm"), "remove", "cad", "loser", "ws1",
                                  "--admin-socket", (daemon.dir() / "admin.sock").string()},
                                 &removed),
                      0);
  BOOST_TEST(WaitExit(pid, 20) == 128 + SIGTERM, Slurp(out));
  const std::string text = Slurp(out);
  BOOST_TEST(text.find("floatlm: seat lost (lease_removed)") != std::string::npos, text);
  BOOST_TEST(text.find("ending the command (--on-lost=term)") != std::string::npos, text);
  BOOST_CHECK_EQUAL(Floatlm({"run", "-c", server(), "-f", "cad", "--on-lost", "soon", "--", "true"}),
                    2);
}

// The command dies with the wrapper: killing `floatlm run` does not leave it running
// without a seat.
BOOST_AUTO_TEST_CASE(run_takes_its_command_down_when_it_dies) {
  const std::string out = (daemon.dir() / "run-orphan.txt").string();
  const std::string pidfile = (daemon.dir() / "child.pid").string();
  const pid_t pid = SpawnRun({"-c", server(), "-f", "cad", "--", "sh", "-c",
                              "echo $$ > " + pidfile + "; exec sleep 30"},
                             out, "orphan");
  pid_t child = 0;
  for (int i = 0; i < 400 && child <= 0; ++i) {
    child = static_cast<pid_t>(std::atoi(Slurp(pidfile).c_str()));
    if (child <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  BOOST_REQUIRE(child > 0);
  ::kill(pid, SIGKILL);
  WaitExit(pid, 5);
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    // Dead: no such process, or a zombie waiting for whoever adopted it to reap it.
    const std::string stat = Slurp("/proc/" + std::to_string(child) + "/stat");
    const auto paren = stat.rfind(')');
    gone = ::kill(child, 0) != 0 || (paren != std::string::npos && paren + 2 < stat.size() &&
                                     stat[paren + 2] == 'Z');
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (!gone) ::kill(child, SIGKILL);
  BOOST_TEST(gone);
}

BOOST_AUTO_TEST_SUITE_END()
