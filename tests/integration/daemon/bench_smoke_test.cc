// floatlm-bench keeps working: a one-second run of each mode against the real daemon and
// against its own echo server. Nothing here asserts a time; only that requests flowed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "daemon_fixture.h"

using floatlm::testing::BinPath;
using floatlm::testing::JsonNumber;
using floatlm::testing::ReadWholeFile;
using floatlm::testing::SpawnToFiles;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RunCommand;
using floatlm::testing::TempDir;
using namespace std::chrono_literals;

namespace {

// floatlm-bench drives each connection far past the default checkout rate: measure the
// daemon's path, not its --max-checkouts-per-second refusals (as scripts/bench does).
const std::vector<std::string> kNoRateLimit = {"--max-checkouts-per-second", "0"};

// An uncounted feature anyone may hold many times, and a 3-product collection for cascade.
const char* kLicense =
    "VENDOR demo\n"
    "FEATURE bench demo 1.0 permanent uncounted DUP_GROUP=NONE\n"
    "PACKAGE suite demo 1.0 COMPONENTS=\"A B C\" OPTIONS=SUITE\n"
    "FEATURE suite demo 1.0 permanent 20\n";

long Requests(const std::string& json) { return JsonNumber(json, "requests"); }

std::vector<std::string> BenchArgs(int port, const std::string& mode) {
  std::vector<std::string> argv = {BinPath("floatlm-bench"),
                                   "-c",
                                   std::to_string(port) + "@127.0.0.1",
                                   "--mode",
                                   mode,
                                   "--connections",
                                   "4",
                                   "--threads",
                                   "2",
                                   "--warmup",
                                   "0.2",
                                   "--json"};
  // A storm waits for the daemon to go away; the test kills it within a second or two.
  if (mode == "storm") {
    argv.insert(argv.end(), {"--duration", "30", "--storm-timeout", "20"});
  } else {
    argv.insert(argv.end(), {"--duration", "1"});
  }
  // Steady connections heartbeat at the daemon's pace (30 s); ask for 100 ms here.
  if (mode == "hold" || mode == "idle" || mode == "storm") {
    argv.insert(argv.end(), {"--heartbeat-ms", "100"});
  }
  if (mode == "hold" || mode == "storm") argv.insert(argv.end(), {"--leases", "3"});
  if (mode == "cascade") argv.insert(argv.end(), {"--features", "A,B,C"});
  return argv;
}

std::string Bench(int port, const std::string& mode) {
  std::string out;
  const int rc = RunCommand(BenchArgs(port, mode), &out);
  BOOST_TEST(rc == 0, mode << ": " << out);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_mode_moves_requests_through_the_daemon) {
  DaemonFixture d(kLicense, "demo", kNoRateLimit);
  for (const std::string mode : {"checkout", "heartbeat", "status", "hold", "idle", "cascade"}) {
    const std::string out = Bench(d.port(), mode);
    BOOST_TEST_MESSAGE(out);
    BOOST_TEST(Requests(out) > 0, mode << ": " << out);
  }
}

BOOST_AUTO_TEST_CASE(hold_mode_holds_every_lease_it_asked_for) {
  DaemonFixture d(kLicense, "demo", kNoRateLimit);
  const std::string out = Bench(d.port(), "hold");
  BOOST_TEST(JsonNumber(out, "leases_held") == 12, out);
  BOOST_TEST(JsonNumber(out, "errors") == 0, out);
}

BOOST_AUTO_TEST_CASE(cascade_mode_rides_the_collection_and_is_never_denied) {
  DaemonFixture d(kLicense, "demo", kNoRateLimit);
  const std::string out = Bench(d.port(), "cascade");
  BOOST_TEST(JsonNumber(out, "denials") == 0, out);
  BOOST_TEST(JsonNumber(out, "errors") == 0, out);
}

// The daemon is killed once every lease is held and started again on its port: the bench
// reconnects and gets every lease back by id and token.
BOOST_AUTO_TEST_CASE(storm_mode_reattaches_every_lease_after_a_kill_9) {
  DaemonFixture d(kLicense, "demo", kNoRateLimit);
  const auto argv = BenchArgs(d.port(), "storm");
  const auto out = d.dir() / "storm.json", err = d.dir() / "storm.err";
  const pid_t pid = SpawnToFiles(argv, out, err);
  BOOST_REQUIRE(pid > 0);
  bool filled = false;
  for (int i = 0; i < 400 && !filled; ++i) {
    std::this_thread::sleep_for(25ms);
    filled = ReadWholeFile(err).find("event=bench.filled leases=12 connections=4") != std::string::npos;
  }
  BOOST_TEST(filled, ReadWholeFile(err));
  d.Kill();
  d.Start();
  int status = 0;
  waitpid(pid, &status, 0);
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0, ReadWholeFile(err));
  const std::string json = ReadWholeFile(out);
  BOOST_TEST_MESSAGE(json);
  BOOST_TEST(ReadWholeFile(err).find("event=bench.reattached leases=12 ") != std::string::npos,
             ReadWholeFile(err));
  BOOST_TEST(JsonNumber(json, "reattached") == 12, json);
  BOOST_TEST(JsonNumber(json, "refused") == 0, json);
  BOOST_TEST(JsonNumber(json, "unresolved") == 0, json);
}

BOOST_AUTO_TEST_CASE(windows_report_a_p99_per_window) {
  DaemonFixture d(kLicense, "demo", kNoRateLimit);
  auto argv = BenchArgs(d.port(), "heartbeat");
  argv.insert(argv.end(), {"--windows-ms", "250"});
  std::string out;
  BOOST_TEST(RunCommand(argv, &out) == 0, out);
  std::smatch m;
  BOOST_REQUIRE_MESSAGE(std::regex_search(out, m, std::regex("\"p99_us\":\\[([0-9,]*)\\]")), out);
  // One second in windows of 250 ms: four full windows and the start of a fifth.
  const std::string list = m[1];
  BOOST_TEST(std::count(list.begin(), list.end(), ',') >= 3, out);
}

BOOST_AUTO_TEST_CASE(echo_mode_against_the_echo_server) {
  TempDir dir;
  const auto log = dir.path() / "echo.log";
  const pid_t pid = fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    if (!freopen(log.c_str(), "w", stderr)) _exit(126);
    execl(BinPath("floatlm-bench").c_str(), "floatlm-bench", "--echo-server", "--port", "0",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int port = 0;
  for (int i = 0; i < 100 && port == 0; ++i) {
    std::this_thread::sleep_for(50ms);
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::smatch m;
    if (std::regex_search(text, m, std::regex("port=(\\d+)"))) port = std::stoi(m[1]);
  }
  if (port != 0) {
    const std::string out = Bench(port, "echo");
    BOOST_TEST(Requests(out) > 0, out);
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  BOOST_TEST(port != 0);
}

BOOST_AUTO_TEST_CASE(bad_arguments_exit_2) {
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlm-bench"), "--mode", "nonsense"}, &out) == 2);
  BOOST_TEST(RunCommand({BinPath("floatlm-bench"), "-c", "nohost"}, &out) == 2);
  BOOST_TEST(RunCommand({BinPath("floatlm-bench"), "--connections", "0"}, &out) == 2);
  BOOST_TEST(RunCommand({BinPath("floatlm-bench"), "--mode", "cascade"}, &out) == 2);
  BOOST_TEST(RunCommand({BinPath("floatlm-bench"), "--mode", "hold", "--leases", "0"}, &out) == 2);
}
