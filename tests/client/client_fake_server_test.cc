// libfloatlm against a scripted server: the conversation, queueing, timeouts,
// heartbeats, reconnect and reattach, lease loss, failover and clean close.
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fake_server.h"
#include "floatlm/floatlm.hpp"

namespace proto = floatlm::proto;
using floatlm::testing::FakeServer;
using Reply = FakeServer::Reply;

namespace {

// A well-behaved server: every checkout is granted a new lease, reattach gives the
// lease back, status comes in two chunks. Tests change single behaviours.
struct Script {
  std::atomic<std::uint64_t> next_lease{100};
  std::atomic<bool> deny{false};
  std::atomic<bool> queue{false};
  std::atomic<bool> forget_leases{false};  // answer REATTACH with no_such_lease
  std::atomic<bool> mute_status{false};

  FakeServer::Handler handler() {
    return [this](const proto::Decoded& d) -> std::vector<Reply> {
      const std::uint32_t id = d.request_id;
      if (const auto* c = std::get_if<proto::Checkout>(&d.msg)) {
        if (deny) {
          return {{id, proto::Denied{floatlm::Errc::kAllSeatsInUse,
                                     "all 2 seats of cad are in use: alice@ws1, bob@ws2"}}};
        }
        const std::uint64_t lease = next_lease++;
        proto::Granted g{lease,       lease * 7, c->feature, "1.0", "cad 1.0 (site.lic:3)",
                         "permanent", false};
        if (queue) return {{id, proto::Queued{2}}, {id, proto::Queued{1}}, {id, g}};
        return {{id, g}};
      }
      if (const auto* r = std::get_if<proto::Reattach>(&d.msg)) {
        if (forget_leases)
          return {{id, proto::Denied{floatlm::Errc::kNoSuchLease, "unknown lease"}}};
        return {{id, proto::Granted{r->lease, r->token, "cad", "1.0", "pool", "permanent", false}}};
      }
      if (std::holds_alternative<proto::Status>(d.msg)) {
        if (mute_status) return {};
        return {{id, proto::StatusChunk{"part one, ", false}},
                {id, proto::StatusChunk{"part two", true}}};
      }
      if (std::holds_alternative<proto::Checkin>(d.msg) ||
          std::holds_alternative<proto::Heartbeat>(d.msg)) {
        return {{id, proto::Ok{}}};
      }
      return {};
    };
  }
};

// Collects lease events from the background thread.
struct Events {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<floatlm_lease_event, floatlm_status>> seen;
  std::string last_message;

  floatlm::LeaseCallback callback() {
    return [this](std::uint64_t, floatlm_lease_event e, floatlm_status code, const std::string& m) {
      std::lock_guard lk(mu);
      seen.emplace_back(e, code);
      last_message = m;
      cv.notify_all();
    };
  }
  bool WaitFor(floatlm_lease_event e, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, timeout, [&] {
      for (const auto& s : seen) {
        if (s.first == e) return true;
      }
      return false;
    });
  }
};

floatlm::Options FastOptions(const FakeServer& server) {
  return floatlm::Options().Servers(server.address()).App("unit").BackoffMs(20, 200);
}

template <class Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_fake_server)

BOOST_AUTO_TEST_CASE(hello_carries_identity_pid_and_app) {
  Script script;
  FakeServer server(script.handler());
  floatlm::Client client(FastOptions(server).Identity("carol", "ts7", "rdp-3"));
  client.Connect();
  const proto::Hello hello = server.last_hello();
  BOOST_CHECK_EQUAL(hello.user, "carol");
  BOOST_CHECK_EQUAL(hello.host, "ts7");
  BOOST_CHECK_EQUAL(hello.display, "rdp-3");
  BOOST_CHECK_EQUAL(hello.app, "unit");
  BOOST_CHECK_EQUAL(hello.pid, static_cast<std::uint64_t>(::getpid()));
  BOOST_CHECK_EQUAL(hello.proto_version, proto::kProtocolVersion);
}

BOOST_AUTO_TEST_CASE(a_grant_is_a_lease_and_checkin_returns_it) {
  Script script;
  FakeServer server(script.handler());
  floatlm::Client client(FastOptions(server));
  client.Connect();
  floatlm::Lease lease = client.Checkout("cad", "1.0");
  const floatlm_lease_info info = lease.Info();
  BOOST_CHECK_EQUAL(info.server_lease, 100u);
  BOOST_CHECK_EQUAL(std::string(info.feature), "cad");
  BOOST_CHECK_EQUAL(std::string(info.pool), "cad 1.0 (site.lic:3)");
  BOOST_CHECK_EQUAL(info.held, 1);
  lease.Checkin();
  BOOST_CHECK_EQUAL(server.count(proto::MsgType::kCheckin), 1);
}

// The fake server grants as a daemon from before COUNT does: one seat, whatever was
// asked. The library must not let the application run on it.
BOOST_AUTO_TEST_CASE(a_grant_of_fewer_seats_than_asked_is_handed_back) {
  Script script;
  FakeServer server(script.handler());
  floatlm::Client client(FastOptions(server));
  client.Connect();
  try {
    client.CheckoutSeats("cad", 4);
    BOOST_FAIL("a one-seat grant for a 4-seat checkout must fail");
  } catch (const floatlm::Error& e) {
    BOOST_TEST(e.code() == FLOATLM_E_UNSUPPORTED_VERSION);
    BOOST_TEST(std::string(e.what()).find("4 seats of 'cad' were asked for and the license "
                                          "server granted 1") != std::string::npos,
               e.what());
  }
  BOOST_TEST(server.count(proto::MsgType::kCheckin) == 1, "the seat was handed back");
  BOOST_TEST(client.CheckoutSeats("cad", 1).Info().seats == 1u);
}

BOOST_AUTO_TEST_CASE(a_denial_carries_the_code_and_the_servers_sentence) {
  Script script;
  script.deny = true;
  FakeServer server(script.handler());
  floatlm::Client client(FastOptions(server));
  client.Connect();
  try {
    client.Checkout("cad");
    BOOST_FAIL("checkout should be denied");
  } catch (const floatlm::Error& e) {
    BOOST_CHECK_EQUAL(e.code(), FLOATLM_E_ALL_SEATS_IN_USE);
    BOOST_CHECK(std::string(e.what()).find("alice@ws1") != std::string::npos);
  }
  BOOST_CHECK(client.last_error().find("all 2 seats") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_queued_checkout_reports_its_position_then_gets_the_seat) {
  Script script;
  script.queue = true;
  FakeServer server(script.handler());
  std::vector<std::uint64_t> positions;
  floatlm::Client client(FastOptions(server).OnQueue(
      [&](const std::string&, std::uint64_t position) { positions.push_back(position); }));
  client.Connect();
  floatlm::Lease lease = client.Checkout("cad", "", 5);
  BOOST_CHECK(lease);
  BOOST_CHECK((positions == std::vector<std::uint64_t>{2, 1}));
}

BOOST_AUTO_TEST_CASE(status_concatenates_chunks_until_the_last) {
  Script script;
  FakeServer server(script.handler());
  floatlm::Client client(FastOptions(server));
  client.Connect();
  BOOST_CHECK_EQUAL(client.Status(), "part one, part two");
}

BOOST_AUTO_TEST_CASE(an_unanswered_request_times_out) {
  Script script;
  script.mute_status = true;
  FakeServer server(script.handler());
  floatlm::Client client(FastOptions(server).RequestTimeoutMs(300));
  client.Connect();
  const auto start = std::chrono::steady_clock::now();
  try {
    client.Status();
    BOOST_FAIL("status should time out");
  } catch (const floatlm::Error& e) {
    BOOST_CHECK_EQUAL(e.code(), FLOATLM_E_TIMED_OUT);
  }
  BOOST_CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

BOOST_AUTO_TEST_CASE(heartbeats_follow_the_servers_interval) {
  Script script;
  FakeServer server(script.handler());  // HELLO_OK says every 100 ms
  floatlm::Client client(FastOptions(server));
  client.Connect();
  floatlm::Lease lease = client.Checkout("cad");
  BOOST_CHECK(Eventually([&] { return server.count(proto::MsgType::kHeartbeat) >= 3; }));
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_is_reattached_with_the_same_lease) {
  Script script;
  FakeServer server(script.handler());
  Events events;
  floatlm::Client client(FastOptions(server).OnLease(events.callback()));
  client.Connect();
  floatlm::Lease lease = client.Checkout("cad");
  server.DropConnections();
  BOOST_REQUIRE(events.WaitFor(FLOATLM_LEASE_REGAINED));
  BOOST_CHECK_EQUAL(server.count(proto::MsgType::kReattach), 1);
  BOOST_CHECK_EQUAL(server.count(proto::MsgType::kCheckout), 1);
  BOOST_CHECK_EQUAL(lease.Info().server_lease, 100u);
  BOOST_CHECK(Eventually([&] { return client.connected(); }));
  BOOST_CHECK_EQUAL(client.Status(), "part one, part two");
}

BOOST_AUTO_TEST_CASE(a_server_that_forgot_the_lease_grants_a_fresh_one) {
  Script script;
  FakeServer server(script.handler());
  Events events;
  floatlm::Client client(FastOptions(server).OnLease(events.callback()));
  client.Connect();
  floatlm::Lease lease = client.Checkout("cad");
  script.forget_leases = true;
  server.Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few refused reconnects
  server.Start();
  BOOST_REQUIRE(events.WaitFor(FLOATLM_LEASE_REGAINED));
  BOOST_CHECK_EQUAL(server.count(proto::MsgType::kCheckout), 2);
  BOOST_CHECK_EQUAL(lease.Info().server_lease, 101u);
  BOOST_CHECK_EQUAL(lease.Info().held, 1);
}

BOOST_AUTO_TEST_CASE(an_outage_longer_than_the_ttl_loses_the_lease_until_the_server_returns) {
  Script script;
  FakeServer server(script.handler());  // HELLO_OK: TTL 4 s
  Events events;
  floatlm::Client client(FastOptions(server).OnLease(events.callback()));
  client.Connect();
  floatlm::Lease lease = client.Checkout("cad");
  server.Stop();
  BOOST_REQUIRE(events.WaitFor(FLOATLM_LEASE_LOST, std::chrono::seconds(10)));
  BOOST_CHECK_EQUAL(lease.Info().held, 0);
  {
    std::lock_guard lk(events.mu);
    BOOST_CHECK_EQUAL(events.seen.front().second, FLOATLM_E_DISCONNECTED);
  }
  server.Start();
  BOOST_REQUIRE(events.WaitFor(FLOATLM_LEASE_REGAINED, std::chrono::seconds(10)));
  BOOST_CHECK_EQUAL(lease.Info().held, 1);
}

BOOST_AUTO_TEST_CASE(lease_lost_from_the_server_fires_the_callback) {
  Script script;
  FakeServer server(script.handler());
  Events events;
  floatlm::Client client(FastOptions(server).OnLease(events.callback()));
  client.Connect();
  floatlm::Lease lease = client.Checkout("cad");
  server.Broadcast(proto::LeaseLost{100, floatlm::Errc::kLeaseRemoved, "removed by admin root"});
  BOOST_REQUIRE(events.WaitFor(FLOATLM_LEASE_LOST));
  {
    std::lock_guard lk(events.mu);
    BOOST_CHECK_EQUAL(events.seen.front().second, FLOATLM_E_LEASE_REMOVED);
    BOOST_CHECK_EQUAL(events.last_message, "removed by admin root");
  }
  BOOST_CHECK_EQUAL(lease.Info().held, 0);
  lease.Checkin();  // nothing to return: no CHECKIN on the wire
  BOOST_CHECK_EQUAL(server.count(proto::MsgType::kCheckin), 0);
}

BOOST_AUTO_TEST_CASE(callbacks_may_not_call_the_server) {
  Script script;
  FakeServer server(script.handler());
  std::atomic<int> inner{-1};
  floatlm::Client* self = nullptr;
  Events events;
  auto record = events.callback();
  floatlm::Client client(FastOptions(server).OnLease(
      [&](std::uint64_t l, floatlm_lease_event e, floatlm_status c, const std::string& m) {
        std::uint64_t id = 0;
        inner = floatlm_client_checkout(self->get(), "cad", nullptr, 0, &id);
        record(l, e, c, m);
      }));
  self = &client;
  client.Connect();
  floatlm::Lease lease = client.Checkout("cad");
  server.Broadcast(proto::LeaseLost{100, floatlm::Errc::kLeaseTimedOut, "timed out"});
  BOOST_REQUIRE(events.WaitFor(FLOATLM_LEASE_LOST));
  BOOST_CHECK_EQUAL(inner.load(), FLOATLM_E_BAD_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(the_next_server_in_the_list_is_tried) {
  Script script;
  FakeServer server(script.handler());
  floatlm::Client client(floatlm::Options().Servers("1@127.0.0.1:" + server.address()));
  client.Connect();
  BOOST_CHECK(client.connected());
}

BOOST_AUTO_TEST_CASE(close_checks_in_every_lease) {
  Script script;
  FakeServer server(script.handler());
  {
    floatlm::Client client(FastOptions(server));
    client.Connect();
    std::uint64_t a = 0, b = 0;
    BOOST_REQUIRE_EQUAL(floatlm_client_checkout(client.get(), "cad", nullptr, 0, &a), FLOATLM_OK);
    BOOST_REQUIRE_EQUAL(floatlm_client_checkout(client.get(), "cam", nullptr, 0, &b), FLOATLM_OK);
  }
  BOOST_CHECK_EQUAL(server.count(proto::MsgType::kCheckin), 2);
}

BOOST_AUTO_TEST_CASE(many_threads_share_one_client) {
  Script script;
  FakeServer server(script.handler());
  floatlm::Client client(FastOptions(server));
  client.Connect();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        floatlm::Lease lease = client.Checkout("cad");
        lease.Checkin();
        ok++;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_CHECK_EQUAL(ok.load(), 100);
  BOOST_CHECK_EQUAL(server.count(proto::MsgType::kCheckin), 100);
}

BOOST_AUTO_TEST_CASE(connect_from_several_threads_connects_once) {
  // Several threads connect one client at once (each believing it is the first): one
  // connects, the others are told the client is already connecting or connected, and a
  // checkout racing the connect gets a clear answer rather than a half-set client.
  Script script;
  FakeServer server(script.handler());
  floatlm::Client client(FastOptions(server));
  std::atomic<bool> go{false};
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!go) std::this_thread::yield();
      const floatlm_status rc = floatlm_client_connect(client.get());
      if (rc == FLOATLM_OK) {
        ++ok;
      } else if (rc == FLOATLM_E_BAD_ARGUMENT) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  threads.emplace_back([&] {
    while (!go) std::this_thread::yield();
    std::uint64_t lease = 0;
    const floatlm_status rc = floatlm_client_checkout(client.get(), "cad", nullptr, 0, &lease);
    if (rc == FLOATLM_OK) {
      BOOST_CHECK_EQUAL(floatlm_client_checkin(client.get(), lease), FLOATLM_OK);
    } else {
      BOOST_CHECK_EQUAL(rc, FLOATLM_E_DISCONNECTED);
    }
  });
  go = true;
  for (auto& t : threads) t.join();
  BOOST_CHECK_EQUAL(ok.load(), 1);
  BOOST_CHECK_EQUAL(refused.load(), 3);
  BOOST_CHECK_EQUAL(other.load(), 0);
  BOOST_CHECK_EQUAL(server.count(proto::MsgType::kHello), 1);
  BOOST_CHECK(client.connected());
  floatlm::Lease lease = client.Checkout("cad");
  lease.Checkin();
}

BOOST_AUTO_TEST_SUITE_END()
