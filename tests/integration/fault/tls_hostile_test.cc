// Hostile clients against a TLS port: garbage before the handshake, garbage in the middle
// of one, a handshake that never finishes, and a plain-TCP client. Each costs its sender
// the connection and nothing else: a TLS client holds a seat and heartbeats throughout.
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"
#include "fault_util.h"
#include "raw_client.h"
#include "test_certs.h"

namespace p = floatlm::proto;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RawClient;
using floatlm::testing::SeatHolder;
using floatlm::testing::TempDir;
using floatlm::testing::TestCertificates;
using namespace std::chrono_literals;

namespace {

constexpr const char* kLicense = "VENDOR demo\nFEATURE cad demo 2027.0 permanent 4 SN=T-1\n";

struct TlsDaemon {
  TempDir certs_dir;
  TestCertificates certs{certs_dir.path()};
  DaemonFixture daemon{kLicense, "demo", certs.DaemonArgs({"--hello-timeout", "2"})};
  SeatHolder holder{daemon.port(), "cad", 50ms, certs.ca.string()};

  TlsDaemon() {
    BOOST_REQUIRE(holder.has_seat());
    holder.Start();
  }
  void CheckHolder(const char* what) {
    holder.Stop();
    BOOST_TEST_MESSAGE(what << ": seat holder " << holder.Summary());
    BOOST_TEST(holder.samples() > 0u);
    BOOST_TEST(holder.failures() == 0, "the TLS client lost its seat or a heartbeat");
    BOOST_TEST(holder.max_ms() < 1000.0, "a heartbeat took longer than a second");
    BOOST_TEST(daemon.Running());
  }
};

// The first flight of a real TLS client: its ClientHello, made with memory BIOs.
std::string ClientHello() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  SSL_connect(ssl);  // wants to read the answer: the hello is in `out`
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string hello(data, static_cast<std::size_t>(size));
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return hello;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tls_hostile, TlsDaemon)

BOOST_AUTO_TEST_CASE(garbage_before_the_handshake_costs_only_that_connection) {
  auto junk = RawClient::Tcp(daemon.port());
  junk.SendBytes(std::string(4096, '\x17'));
  BOOST_TEST(junk.WaitClosed(3s), "a connection that sent garbage instead of a ClientHello stayed");
  // A plain floatlm frame is garbage to a TLS port as well.
  auto plain = RawClient::Tcp(daemon.port());
  std::string hello;
  p::EncodeFrame(1, p::Hello{p::kProtocolVersion, "eve", "ws-eve"}, hello);
  plain.SendBytes(hello);
  BOOST_TEST(plain.WaitClosed(3s), "a plain-TCP client was kept on the TLS port");
  BOOST_TEST(daemon.log().find("event=client.tls_failed") != std::string::npos, daemon.log());
  CheckHolder("garbage before the handshake");
}

BOOST_AUTO_TEST_CASE(garbage_in_the_middle_of_a_handshake_costs_only_that_connection) {
  auto half = RawClient::Tcp(daemon.port());
  half.SendBytes(ClientHello());
  // The daemon answers with its own flight; then the client sends nonsense records.
  std::this_thread::sleep_for(100ms);
  half.SendBytes(std::string("\x16\x03\x03\x00\x10", 5) + std::string(16, '\x42'));
  BOOST_TEST(half.WaitClosed(3s), "a handshake broken halfway stayed open");
  CheckHolder("garbage mid-handshake");
}

BOOST_AUTO_TEST_CASE(a_stalled_handshake_is_cut_at_the_hello_deadline) {
  const auto start = std::chrono::steady_clock::now();
  auto stalled = RawClient::Tcp(daemon.port());
  const std::string hello = ClientHello();
  stalled.SendBytes(hello.substr(0, hello.size() / 2));  // half a ClientHello, then nothing
  BOOST_TEST(!stalled.WaitClosed(1s), "cut before the 2 s deadline");
  BOOST_TEST(stalled.WaitClosed(5s), "a handshake that never finishes was kept");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  BOOST_TEST_MESSAGE("stalled handshake closed after " << took.count() << " ms");
  BOOST_TEST(daemon.log().find("handshake not completed within 2 s") != std::string::npos,
             daemon.log());
  CheckHolder("stalled handshake");
}

BOOST_AUTO_TEST_CASE(many_half_open_handshakes_do_not_stop_service) {
  std::vector<RawClient> stalled;
  for (int i = 0; i < 200; ++i) {
    stalled.push_back(RawClient::Tcp(daemon.port()));
    stalled.back().SendBytes(std::string("\x16\x03\x01", 3));
  }
  auto newcomer = RawClient::Tls(daemon.port(), certs.ca.string());
  newcomer.Hello("newcomer", "ws-new");
  auto reply = newcomer.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(reply);
  BOOST_TEST(std::holds_alternative<p::Granted>(*reply));
  CheckHolder("half-open handshakes");
}

BOOST_AUTO_TEST_SUITE_END()
