// scripts/demo, the first command of the README, run against this build tree: it must
// reach its end within a bound (keys, a signed license, a tampered copy refused, two
// grants, a denial, a queued grant, the daemon stopped) and leave no daemon behind.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <string>

#include "command.h"

using floatlm::service_test::Quote;
using floatlm::service_test::Run;

namespace {

// A loopback port nothing listens on right now (the demo needs a fixed one).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  BOOST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(demo_runs_to_its_end_and_stops_its_daemon) {
  const std::string port = std::to_string(FreePort());
  const auto r = Run("FLOATLM_BUILD=" + Quote(FLOATLM_BUILD_DIR) + " FLOATLM_DEMO_PORT=" + port +
                         " " + Quote(std::string(FLOATLM_SOURCE_DIR) + "/scripts/demo"),
                     90);
  BOOST_TEST_MESSAGE(r.output);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(Has(r.output, "exit code: 3 (3 = denied)"), r.output);
  BOOST_TEST(Has(r.output, "carol is running cad"), r.output);
  BOOST_TEST(Has(r.output, "event=server.stopped"), r.output);
  BOOST_TEST(Has(r.output, "Done."), r.output);
  // "[f]" keeps pgrep's own command line from matching.
  BOOST_TEST(Run("pgrep -f -- '[f]loatlmd .*--port " + port + " '", 10).exit_code == 1,
             "a floatlmd of the demo is still running");
}
