// libfloatlm over TLS against the real floatlmd: certificates made by the test, a
// checkout kept alive by heartbeats past its TTL, a wrong CA, a plain client at a TLS
// port and the other way round, and a reattach after a restart.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"
#include "floatlm/floatlm.hpp"
#include "test_certs.h"

using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::JsonNumber;
using floatlm::testing::RunCommand;
using floatlm::testing::TempDir;
using floatlm::testing::TestCertificates;
using namespace std::chrono_literals;

namespace {

constexpr const char* kLicense = "VENDOR demo\nFEATURE cad demo 2027.0 permanent 2\n";

struct Tls {
  TempDir dir;
  TestCertificates certs{dir.path()};
  DaemonFixture daemon{kLicense, "demo", certs.DaemonArgs({"--lease-ttl", "2"})};
  std::string server() const { return "tls:" + daemon.license_env(); }
  floatlm::Options As(const std::string& user, const std::string& ca) {
    return floatlm::Options()
        .Servers(server())
        .TlsCa(ca)
        .App("tls_client_test")
        .Identity(user, "ws1")
        .BackoffMs(50, 500)
        .RequestTimeoutMs(5000);
  }
};

std::string ConnectError(floatlm::Options options) {
  floatlm::Client client(std::move(options));
  try {
    client.Connect();
  } catch (const floatlm::Error& e) {
    BOOST_CHECK_EQUAL(e.code(), FLOATLM_E_CONNECT_FAILED);
    return e.what();
  }
  return "connected";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tls_client, Tls)

BOOST_AUTO_TEST_CASE(a_seat_over_tls_lives_on_heartbeats_past_its_ttl) {
  floatlm::Client alice(As("alice", certs.ca.string()));
  alice.Connect();
  floatlm::Lease lease = alice.Checkout("cad");
  std::this_thread::sleep_for(3500ms);  // past the 2 s TTL: heartbeats every 500 ms keep it
  BOOST_TEST(lease.Info().held == 1);
  BOOST_TEST(JsonNumber(alice.Status("cad", true), "in_use") == 1);
  lease.Checkin();
  BOOST_TEST(JsonNumber(alice.Status("cad", true), "in_use") == 0);
  BOOST_TEST(daemon.log().find("tls=on") != std::string::npos, daemon.log());
}

BOOST_AUTO_TEST_CASE(a_certificate_from_another_ca_fails_the_connect_naming_the_host) {
  const std::string why = ConnectError(As("alice", certs.other_ca.string()));
  BOOST_TEST(why.find(server() + ": server certificate does not verify") != std::string::npos,
             why);
}

BOOST_AUTO_TEST_CASE(a_missing_ca_file_is_named) {
  const std::string why = ConnectError(As("alice", (dir.path() / "nope.pem").string()));
  BOOST_TEST(why.find("nope.pem") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(a_plain_client_at_the_tls_port_fails_cleanly_and_harms_nobody) {
  floatlm::Client holder(As("holder", certs.ca.string()));
  holder.Connect();
  floatlm::Lease held = holder.Checkout("cad");
  const auto start = std::chrono::steady_clock::now();
  const std::string why = ConnectError(floatlm::Options()
                                           .Servers(daemon.license_env())
                                           .Identity("plain", "ws2")
                                           .RequestTimeoutMs(3000));
  BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
  BOOST_TEST(why.find(daemon.license_env()) != std::string::npos, why);
  BOOST_TEST(held.Info().held == 1);
  BOOST_TEST(JsonNumber(holder.Status("cad", true), "in_use") == 1);
}

BOOST_AUTO_TEST_CASE(a_tls_client_at_a_plain_port_fails_cleanly) {
  DaemonFixture plain(kLicense);
  const auto start = std::chrono::steady_clock::now();
  const std::string why = ConnectError(floatlm::Options()
                                           .Servers("tls:" + plain.license_env())
                                           .TlsCa(certs.ca.string())
                                           .Identity("alice", "ws1")
                                           .RequestTimeoutMs(3000));
  BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
  BOOST_TEST(why.find("tls:" + plain.license_env() + ": TLS handshake failed") != std::string::npos,
             why);
}

BOOST_AUTO_TEST_CASE(a_seat_over_tls_is_reattached_after_a_restart) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<floatlm_lease_event> events;
  floatlm::Client alice(As("alice", certs.ca.string())
                            .OnLease([&](std::uint64_t, floatlm_lease_event e, floatlm_status,
                                         const std::string&) {
                              std::lock_guard lk(mu);
                              events.push_back(e);
                              cv.notify_all();
                            }));
  alice.Connect();
  floatlm::Lease lease = alice.Checkout("cad");
  const std::uint64_t id = lease.Info().server_lease;
  daemon.Stop();
  daemon.Start();
  std::unique_lock lk(mu);
  BOOST_REQUIRE(cv.wait_for(lk, 15s, [&] { return !events.empty(); }));
  BOOST_CHECK_EQUAL(events.front(), FLOATLM_LEASE_REGAINED);
  lk.unlock();
  BOOST_TEST(lease.Info().server_lease == id);  // the same lease, not a second seat
}

BOOST_AUTO_TEST_CASE(floatlm_run_and_status_take_tls_servers) {
  std::string out;
  BOOST_CHECK_EQUAL(RunCommand({BinPath("floatlm"), "run", "-c", server(), "--tls-ca",
                                certs.ca.string(), "-f", "cad", "--", "/bin/true"},
                               &out),
                    0);
  BOOST_CHECK_EQUAL(RunCommand({BinPath("floatlm"), "--tls-ca", certs.ca.string(), "status",
                                "-c", server()},
                               &out),
                    0);
  BOOST_TEST(out.find("Users of cad") != std::string::npos, out);
  BOOST_CHECK_EQUAL(RunCommand({BinPath("floatlm"), "diag", "-c", server(), "cad"}, &out,
                               {"FLOATLM_TLS_CA=" + certs.ca.string()}),
                    0);
}

BOOST_AUTO_TEST_SUITE_END()
