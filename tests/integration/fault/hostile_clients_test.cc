// Hostile clients against the real floatlmd on loopback. In every case a well-behaved
// client holds a seat and heartbeats throughout; it must keep its seat, and its round
// trips are reported (median, p99) with only a generous sanity bound asserted: these
// tests share a machine and must not fail on its load.
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"
#include "fault_util.h"
#include "raw_client.h"

namespace p = floatlm::proto;
using floatlm::Errc;
using floatlm::testing::DaemonFixture;
using floatlm::testing::Frame;
using floatlm::testing::RawClient;
using floatlm::testing::SeatHolder;
using namespace std::chrono_literals;

namespace {

std::string License(int features = 1) {
  std::string text = "VENDOR demo\nFEATURE cad demo 2027.0 permanent 4 DUP_GROUP=UH SN=F-1\n";
  // More features make a longer status reply, so a non-reader's backlog grows faster.
  for (int i = 1; i < features; ++i) {
    text += "FEATURE feature_" + std::to_string(i) + " demo 1.0 permanent 2 SN=F-" +
            std::to_string(i + 1) + "\n";
  }
  return text;
}

// alice@ws1 says HELLO on `c` and checks out cad.
p::Granted GrantAlice(RawClient& c) {
  c.Hello("alice", "ws1");
  auto granted = c.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(granted && std::holds_alternative<p::Granted>(*granted));
  return std::get<p::Granted>(*granted);
}

void CheckHolder(SeatHolder& holder, const char* test) {
  holder.Stop();
  BOOST_TEST_MESSAGE(test << ": seat holder " << holder.Summary());
  BOOST_TEST(holder.samples() > 0u);
  BOOST_TEST(holder.failures() == 0, "the well-behaved client lost its seat or a heartbeat");
  BOOST_TEST(holder.max_ms() < 1000.0, "a heartbeat took longer than a second");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_clients)

// The only slow test: the HELLO deadline is a fixed 10 s in the server.
BOOST_AUTO_TEST_CASE(silent_connection_is_dropped_after_the_hello_timeout) {
  DaemonFixture d(License());
  SeatHolder holder(d.port(), "cad");
  BOOST_REQUIRE(holder.has_seat());
  holder.Start();
  const auto start = std::chrono::steady_clock::now();
  auto silent = RawClient::Tcp(d.port());
  BOOST_TEST(!silent.WaitClosed(8s), "dropped before the 10 s HELLO deadline");
  BOOST_TEST(silent.WaitClosed(6s), "still open well after the 10 s HELLO deadline");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  BOOST_TEST_MESSAGE("silent connection closed after " << took.count() << " ms");
  CheckHolder(holder, "silent_connection");
  BOOST_TEST(d.log().find("event=client.idle_timeout") != std::string::npos, d.log());
}

BOOST_AUTO_TEST_CASE(client_that_never_reads_is_disconnected_and_others_are_not) {
  DaemonFixture d(License(60), "demo", {"--write-timeout", "2"});
  SeatHolder holder(d.port(), "cad");
  BOOST_REQUIRE(holder.has_seat());
  holder.Start();

  auto hog = RawClient::Tcp(d.port());
  hog.Hello("hog", "ws-hog");
  // A batch of JSON status requests per write; the replies are never read. The daemon
  // owes it at most 1 MiB beyond what the kernel buffers, then stops reading from it
  // (so these writes block), and hangs up once its replies have not moved for
  // --write-timeout. A write fails when the daemon has hung up.
  std::string batch;
  for (std::uint32_t i = 0; i < 100; ++i) batch += Frame(10 + i, p::Status{"", 1});
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool refused = false;
  while (std::chrono::steady_clock::now() < deadline) {
    hog.SendBytes(batch);
    if (d.log().find("event=client.slow_reader") != std::string::npos) {
      refused = true;
      break;
    }
  }
  BOOST_TEST(refused, "the daemon kept queueing replies for a client that does not read");
  BOOST_TEST(hog.WaitClosed(20s));
  BOOST_TEST(d.Running());
  CheckHolder(holder, "non_reader");
  // And the daemon still serves newcomers.
  auto late = RawClient::Tcp(d.port());
  late.Hello("late", "ws9");
  auto reply = late.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(reply);
  BOOST_TEST(std::holds_alternative<p::Granted>(*reply));
}

BOOST_AUTO_TEST_CASE(slow_drip_sender_is_served_correctly) {
  DaemonFixture d(License());
  SeatHolder holder(d.port(), "cad");
  BOOST_REQUIRE(holder.has_seat());
  holder.Start();

  auto drip = RawClient::Tcp(d.port());
  p::Hello hello;
  hello.user = "drip";
  hello.host = "ws-drip";
  const std::string bytes = Frame(1, hello) + Frame(2, p::Checkout{"cad", "2027.0", 0});
  for (char c : bytes) {
    drip.SendBytes(std::string(1, c));
    std::this_thread::sleep_for(50ms);
  }
  auto ok = drip.Receive(5s);
  BOOST_REQUIRE(ok);
  BOOST_TEST(ok->request_id == 1u);
  BOOST_TEST(std::holds_alternative<p::HelloOk>(ok->msg));
  auto granted = drip.Receive(5s);
  BOOST_REQUIRE(granted);
  BOOST_TEST(granted->request_id == 2u);
  BOOST_REQUIRE(std::holds_alternative<p::Granted>(granted->msg));
  BOOST_TEST(std::get<p::Granted>(granted->msg).feature == "cad");
  CheckHolder(holder, "slow_drip");
}

BOOST_AUTO_TEST_CASE(connections_beyond_the_limit_are_refused_and_seats_kept) {
  constexpr int kLimit = 50;
  DaemonFixture d(License(), "demo", {"--max-connections", std::to_string(kLimit)});
  SeatHolder holder(d.port(), "cad");
  BOOST_REQUIRE(holder.has_seat());
  holder.Start();

  // The holder is one connection; fill the rest, and make sure each was accepted.
  std::vector<RawClient> filled;
  for (int i = 1; i < kLimit; ++i) {
    filled.push_back(RawClient::Tcp(d.port()));
    filled.back().Hello("user" + std::to_string(i), "ws-flood");
  }
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    auto extra = RawClient::Tcp(d.port());
    auto reply = extra.Receive(5s);
    if (reply && std::holds_alternative<p::Error>(reply->msg) &&
        std::get<p::Error>(reply->msg).code == Errc::kTooManyConnections) {
      ++refused;
    }
    BOOST_TEST(extra.WaitClosed(5s), "a refused connection was left open");
  }
  BOOST_TEST(refused == 20);
  // Accepted clients keep working while the daemon is full.
  auto hb = filled.front().Call(7, p::Heartbeat{});
  BOOST_REQUIRE(hb);
  BOOST_TEST(std::holds_alternative<p::Ok>(*hb));
  // Closing one frees its slot for the next comer.
  filled.pop_back();
  std::this_thread::sleep_for(200ms);
  auto next = RawClient::Tcp(d.port());
  BOOST_TEST(next.Hello("next", "ws-next").client_id > 0u);
  CheckHolder(holder, "connection_flood");
}

// Found by fuzz_session (RELIABILITY.md, F1): a report range past INT64_MAX ms made the
// daemon compute `since - 7 days` as a signed overflow. The admin socket is used because
// the fixture runs as root; the same code serves ADMIN over TCP with the token.
BOOST_AUTO_TEST_CASE(admin_report_with_times_past_year_9999_is_refused) {
  DaemonFixture d(License());
  auto admin = RawClient::Unix((d.dir() / "admin.sock").string());
  auto reply = admin.Call(
      1, p::Admin{"report", {"9223372036854775808", "18446744073709551615", "text"}, ""});
  BOOST_REQUIRE(reply);
  BOOST_REQUIRE(std::holds_alternative<p::Error>(*reply));
  BOOST_TEST(static_cast<int>(std::get<p::Error>(*reply).code) ==
             static_cast<int>(Errc::kBadArgument));
  BOOST_TEST(d.Running());
  // A sane range still works.
  auto ok = admin.Call(2, p::Admin{"report", {"0", "4102444800000", "csv"}, ""});
  BOOST_REQUIRE(ok);
  BOOST_TEST(std::holds_alternative<p::StatusChunk>(*ok));
}

// Issue: a REATTACH with a holder's token took its lease from a live connection and the
// holder was not told (its next heartbeat silently counted 0 leases). Now the holder
// gets LEASE_LOST saying where the lease went, and the daemon warns.
BOOST_AUTO_TEST_CASE(a_lease_taken_from_a_live_connection_is_lost_there_loudly) {
  DaemonFixture d(License());
  auto owner = RawClient::Tcp(d.port());
  const auto lease = GrantAlice(owner);

  auto thief = RawClient::Tcp(d.port());
  thief.Hello("mallory", "ws6");
  auto taken = thief.Call(2, p::Reattach{lease.lease, lease.token});
  BOOST_REQUIRE(taken);
  BOOST_REQUIRE(std::holds_alternative<p::Granted>(*taken));

  auto lost = owner.Receive(5s);
  BOOST_REQUIRE(lost);
  BOOST_REQUIRE(std::holds_alternative<p::LeaseLost>(lost->msg));
  const auto& why = std::get<p::LeaseLost>(lost->msg);
  BOOST_TEST(why.lease == lease.lease);
  BOOST_TEST((why.code == Errc::kLeaseRemoved));
  BOOST_TEST(why.message.find("reattached by another connection") != std::string::npos, why.message);
  BOOST_TEST(why.message.find("mallory@ws6") != std::string::npos, why.message);
  BOOST_TEST(d.log().find("warn event=lease.taken_over lease=" + std::to_string(lease.lease)) !=
                 std::string::npos,
             d.log());
  // The owner's heartbeat now says what it holds: nothing.
  auto beat = owner.Call(3, p::Heartbeat{});
  BOOST_REQUIRE(beat && std::holds_alternative<p::Ok>(*beat));
  BOOST_TEST(std::get<p::Ok>(*beat).count == 0u);
}

// Issue: any local user who could read floatlm.db could copy a holder's reattach token
// out of it and take the lease. The file now holds the token's digest only: after a
// checkout (durable before its reply) and after a kill -9, no byte sequence of the state
// files is the token, in either byte order, and the holder still reattaches with it.
BOOST_AUTO_TEST_CASE(the_state_files_never_hold_a_reattach_token) {
  DaemonFixture d(License());
  auto owner = RawClient::Tcp(d.port());
  const auto lease = GrantAlice(owner);
  BOOST_REQUIRE(lease.token != 0u);
  d.Kill();

  std::string little(8, '\0');
  std::string big(8, '\0');
  for (int i = 0; i < 8; ++i) {
    little[i] = static_cast<char>(lease.token >> (8 * i));
    big[7 - i] = static_cast<char>(lease.token >> (8 * i));
  }
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(d.state_dir())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++files;
    BOOST_TEST(bytes.find(little) == std::string::npos, entry.path() << " holds the token");
    BOOST_TEST(bytes.find(big) == std::string::npos, entry.path() << " holds the token");
  }
  BOOST_TEST(files > 0u);

  d.Start();
  auto back = RawClient::Tcp(d.port());
  back.Hello("alice", "ws1");
  auto forged = back.Call(2, p::Reattach{lease.lease, lease.token ^ 1});
  BOOST_REQUIRE(forged && std::holds_alternative<p::Denied>(*forged));
  BOOST_TEST(static_cast<int>(std::get<p::Denied>(*forged).code) ==
             static_cast<int>(Errc::kBadToken));
  auto reply = back.Call(3, p::Reattach{lease.lease, lease.token});
  BOOST_REQUIRE(reply);
  BOOST_REQUIRE(std::holds_alternative<p::Granted>(*reply));
  BOOST_TEST(std::get<p::Granted>(*reply).token == lease.token);
}

BOOST_AUTO_TEST_SUITE_END()
