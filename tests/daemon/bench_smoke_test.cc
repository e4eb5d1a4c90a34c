// floatlm-bench keeps working: a one-second run of each mode against the real daemon and
// against its own echo server. Nothing here asserts a time; only that requests flowed.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include "daemon_fixture.h"

using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RunCommand;
using floatlm::testing::TempDir;
using namespace std::chrono_literals;

namespace {

const char* kLicense = "VENDOR demo\nFEATURE bench demo 1.0 permanent uncounted DUP_GROUP=NONE\n";

long Requests(const std::string& json) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"requests\":(\\d+)"))) return -1;
  return std::stol(m[1]);
}

std::string Bench(int port, const std::string& mode) {
  std::string out;
  std::vector<std::string> argv = {BinPath("floatlm-bench"), "-c", std::to_string(port) + "@127.0.0.1",
                                   "--mode", mode, "--connections", "4", "--threads", "2",
                                   "--duration", "1", "--warmup", "0.2", "--json"};
  // Holding connections heartbeat at the daemon's pace (30 s); ask for 100 ms here.
  if (mode == "hold") argv.insert(argv.end(), {"--heartbeat-ms", "100"});
  const int rc = RunCommand(argv, &out);
  BOOST_TEST(rc == 0, mode << ": " << out);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_mode_moves_requests_through_the_daemon) {
  DaemonFixture d(kLicense);
  for (const std::string mode : {"checkout", "heartbeat", "status", "hold"}) {
    const std::string out = Bench(d.port(), mode);
    BOOST_TEST_MESSAGE(out);
    BOOST_TEST(Requests(out) > 0, mode << ": " << out);
  }
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
}
