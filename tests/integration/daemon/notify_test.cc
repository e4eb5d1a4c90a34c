// floatlmd speaks systemd's notify protocol: the test plays systemd by owning the
// NOTIFY_SOCKET datagram socket and reading what the daemon sends.
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <regex>

#include "daemon_fixture.h"
#include "raw_client.h"

using floatlm::testing::DaemonFixture;
using floatlm::testing::RawClient;
using floatlm::testing::TempDir;
using namespace std::chrono_literals;

namespace {

// A bound datagram socket standing in for systemd, with the environment pointing at it
// while the fixture starts the daemon.
class FakeSystemd {
 public:
  FakeSystemd() {
    path_ = (dir_.path() / "notify.sock").string();
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    ::setenv("WATCHDOG_USEC", "400000", 1);  // pings expected every 200 ms
  }
  ~FakeSystemd() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::close(fd_);
  }
  // Next datagram, or "" after `timeout`.
  std::string Next(std::chrono::milliseconds timeout = 5s) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  // Reads datagrams until one contains `what`; returns it, or "" on timeout.
  std::string WaitFor(const std::string& what, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto msg = Next(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (msg.find(what) != std::string::npos) return msg;
    }
    return {};
  }

 private:
  TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

const char* kLicense = "VENDOR demo\nFEATURE cad demo 2027.0 permanent 2 SN=N-1\n";

}  // namespace

BOOST_AUTO_TEST_CASE(ready_comes_once_the_port_accepts) {
  FakeSystemd systemd;
  DaemonFixture d(kLicense);
  const std::string ready = systemd.WaitFor("READY=1");
  BOOST_REQUIRE_MESSAGE(!ready.empty(), "no READY=1 from the daemon");
  std::smatch m;
  BOOST_REQUIRE(std::regex_search(ready, m, std::regex("port (\\d+)")));
  BOOST_TEST(std::stoi(m[1]) == d.port());
  // The port named in READY accepts a client that gets served.
  auto c = RawClient::Tcp(d.port());
  c.Hello("alice", "ws1");
}

BOOST_AUTO_TEST_CASE(watchdog_pings_keep_coming) {
  FakeSystemd systemd;
  DaemonFixture d(kLicense);
  BOOST_REQUIRE(!systemd.WaitFor("READY=1").empty());
  int pings = 0;
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < until) {
    if (systemd.Next(500ms).find("WATCHDOG=1") != std::string::npos) ++pings;
  }
  BOOST_TEST(pings >= 4, "pings in 1.5 s: " << pings);
}

BOOST_AUTO_TEST_CASE(sighup_reports_reloading_then_ready) {
  FakeSystemd systemd;
  DaemonFixture d(kLicense);
  BOOST_REQUIRE(!systemd.WaitFor("READY=1").empty());
  d.Signal(SIGHUP);
  BOOST_TEST(!systemd.WaitFor("RELOADING=1").empty());
  BOOST_TEST(!systemd.WaitFor("READY=1").empty());
}

BOOST_AUTO_TEST_CASE(sigterm_reports_stopping_and_exits_cleanly) {
  FakeSystemd systemd;
  DaemonFixture d(kLicense);
  BOOST_REQUIRE(!systemd.WaitFor("READY=1").empty());
  d.Signal(SIGTERM);
  BOOST_TEST(!systemd.WaitFor("STOPPING=1").empty());
  BOOST_TEST(d.WaitExit(10s) == 0);
}
