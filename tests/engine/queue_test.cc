// Queued checkouts: FIFO per feature, positions, timeouts, grants when seats free.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

std::size_t PositionOf(const CheckoutResult& r) {
  BOOST_REQUIRE(std::holds_alternative<Queued>(r));
  return std::get<Queued>(r).position;
}

BOOST_FIXTURE_TEST_SUITE(engine_queue, EngineFixture)

BOOST_AUTO_TEST_CASE(queue_fifo_and_position) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView alice = Grant(Who("alice"), 1, "cad");
  BOOST_TEST(PositionOf(Try(Who("bob"), 2, "cad", std::nullopt, 60s, 20)) == 1u);
  BOOST_TEST(PositionOf(Try(Who("carol"), 3, "cad", std::nullopt, 60s, 30)) == 2u);
  BOOST_TEST(PositionOf(Try(Who("dave"), 4, "cad", std::nullopt, 60s, 40)) == 3u);
  auto pools = engine->Snapshot(clock.now());
  BOOST_REQUIRE(pools[0].queue.size() == 3u);
  BOOST_TEST(pools[0].queue[0].who.user == "bob");
  BOOST_TEST(pools[0].queue[2].who.user == "dave");
  BOOST_TEST((pools[0].queue[0].deadline == clock.now().mono + 60s));

  engine->Checkin(1, alice.id, clock.now());
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].lease.who.user == "bob");
  BOOST_TEST(events[0].tag == 20u);
  engine->Checkin(2, events[0].lease.id, clock.now());
  events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].lease.who.user == "carol");
  BOOST_TEST(engine->Snapshot(clock.now())[0].queue.size() == 1u);
  // The next one in line is told position 2 behind dave.
  BOOST_TEST(PositionOf(Try(Who("erin"), 5, "cad", std::nullopt, 60s)) == 2u);
}

BOOST_AUTO_TEST_CASE(queue_timeout_event) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  Grant(Who("alice"), 1, "cad");
  PositionOf(Try(Who("bob"), 2, "cad", std::nullopt, 10s, 77));
  clock.Advance(9s);
  Tick();
  BOOST_TEST(TakeOtherEvents().empty());
  clock.Advance(1s);
  Tick();
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kQueueTimeout));
  BOOST_TEST((events[0].reason == Errc::kQueueTimeout));
  BOOST_TEST(events[0].client == 2u);
  BOOST_TEST(events[0].tag == 77u);
  BOOST_TEST(engine->Snapshot(clock.now())[0].queue.empty());
}

BOOST_AUTO_TEST_CASE(queued_waiter_granted_on_checkin) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView alice = Grant(Who("alice"), 1, "cad");
  PositionOf(Try(Who("bob", "ws2"), 2, "cad", std::nullopt, 60s, 5));
  clock.Advance(3s);
  BOOST_TEST((CodeOf(engine->Checkin(1, alice.id, clock.now())) == Errc::kOk));
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kQueuedGranted));
  BOOST_TEST(events[0].client == 2u);
  BOOST_TEST(events[0].tag == 5u);
  const LeaseView& granted = events[0].lease;
  BOOST_TEST(granted.client == 2u);
  BOOST_TEST(granted.who.host == "ws2");
  BOOST_TEST((granted.expires == clock.now().mono + 120s));
  BOOST_TEST(engine->FindLease(granted.id).has_value());
  BOOST_TEST(engine->Heartbeat(2, clock.now()) == 1u);
  // The seat went to the waiter, not to whoever asks next.
  BOOST_TEST((Deny(Who("carol"), 3, "cad").code == Errc::kAllSeatsInUse));
}

BOOST_AUTO_TEST_CASE(waiter_granted_when_a_lease_times_out) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  Grant(Who("alice"), 1, "cad");
  clock.Advance(60s);
  PositionOf(Try(Who("bob"), 2, "cad", std::nullopt, 300s, 9));
  clock.Advance(60s);  // alice's TTL runs out
  Tick();
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 2u);
  BOOST_TEST((events[0].kind == Event::Kind::kLeaseEnded));
  BOOST_TEST((events[1].kind == Event::Kind::kQueuedGranted));
  BOOST_TEST(events[1].tag == 9u);
}

BOOST_AUTO_TEST_CASE(waiter_is_served_by_the_first_seat_that_fits_it) {
  ModelBuilder m;
  m.Add("cad", "2026.0", 1);
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView old_seat = Grant(Who("alice"), 1, "cad", "2026.0");
  Grant(Who("bob"), 2, "cad", "2026.0");
  PositionOf(Try(Who("carol"), 3, "cad", "2027.0", 60s, 1));  // only the 2027.0 pool fits
  PositionOf(Try(Who("dave"), 4, "cad", "2026.0", 60s, 2));   // either pool fits
  engine->Checkin(1, old_seat.id, clock.now());
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].lease.who.user == "dave");
  BOOST_TEST(events[0].lease.pool == 0u);
  BOOST_TEST(engine->Snapshot(clock.now())[1].queue.size() == 1u);
}

BOOST_AUTO_TEST_CASE(queue_only_for_seats_in_use) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1).lines[0].expiry = Day(2026, 1, 1);
  m.Add("cam", "2027.0", 1);
  Start(m);
  CheckoutResult expired = Try(Who("alice"), 1, "cad", std::nullopt, 60s);
  BOOST_REQUIRE(std::holds_alternative<Denial>(expired));
  BOOST_TEST((std::get<Denial>(expired).code == Errc::kExpired));
  CheckoutResult version = Try(Who("alice"), 1, "cam", "2030.0", 60s);
  BOOST_REQUIRE(std::holds_alternative<Denial>(version));
  BOOST_TEST((std::get<Denial>(version).code == Errc::kVersionNotLicensed));
  CheckoutResult unknown = Try(Who("alice"), 1, "sim", std::nullopt, 60s);
  BOOST_REQUIRE(std::holds_alternative<Denial>(unknown));
  BOOST_TEST((std::get<Denial>(unknown).code == Errc::kNoSuchFeature));
  // Without a wait a full pool is denied rather than queued.
  Grant(Who("bob"), 2, "cam");
  BOOST_TEST((Deny(Who("alice"), 1, "cam").code == Errc::kAllSeatsInUse));
}

BOOST_AUTO_TEST_CASE(disconnect_drops_queued_requests) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView alice = Grant(Who("alice"), 1, "cad");
  PositionOf(Try(Who("bob"), 2, "cad", std::nullopt, 60s));
  engine->Disconnect(2, clock.now());
  BOOST_TEST(engine->Snapshot(clock.now())[0].queue.empty());
  engine->Checkin(1, alice.id, clock.now());
  BOOST_TEST(TakeOtherEvents().empty());
  BOOST_TEST(engine->lease_count() == 0u);
}

BOOST_AUTO_TEST_CASE(full_queue_denies_with_the_holders) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  EngineConfig config = Config();
  config.max_queue_per_pool = 2;
  Start(m.Build(), std::move(config));
  Grant(Who("alice"), 1, "cad");
  PositionOf(Try(Who("bob"), 2, "cad", std::nullopt, 60s));
  PositionOf(Try(Who("carol"), 3, "cad", std::nullopt, 60s));
  CheckoutResult r = Try(Who("dave"), 4, "cad", std::nullopt, 60s);
  BOOST_REQUIRE(std::holds_alternative<Denial>(r));
  BOOST_TEST((std::get<Denial>(r).code == Errc::kAllSeatsInUse));
  BOOST_TEST(Contains(std::get<Denial>(r).message, "alice@ws1"));
  BOOST_TEST(Contains(std::get<Denial>(r).message, "queue is full"));
}

// Fairness: one user name cannot fill a feature's queue, and neither can one address
// with made-up names; the others still get in line, and a freed place is usable again.
BOOST_AUTO_TEST_CASE(one_user_or_one_address_cannot_fill_the_queue) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  EngineConfig config = Config();
  config.max_queue_per_user = 3;
  config.max_queue_per_address = 5;
  Start(m.Build(), std::move(config));
  Grant(Who("alice"), 1, "cad");
  for (ClientId c = 10; c < 13; ++c) PositionOf(Try(Who("mallory"), c, "cad", std::nullopt, 60s));
  CheckoutResult r = Try(Who("mallory"), 13, "cad", std::nullopt, 60s);
  BOOST_REQUIRE(std::holds_alternative<Denial>(r));
  BOOST_TEST((std::get<Denial>(r).code == Errc::kAllSeatsInUse));
  BOOST_TEST(Contains(std::get<Denial>(r).message, "mallory already has 3 checkouts of cad waiting"),
             std::get<Denial>(r).message);
  PositionOf(Try(Who("bob"), 2, "cad", std::nullopt, 60s));  // another user still queues

  Identity forged = Who("m1");
  forged.peer = "10.6.6.6";
  for (int i = 0; i < 5; ++i) {
    forged.user = "m" + std::to_string(i);
    PositionOf(Try(forged, 20 + i, "cad", std::nullopt, 60s));
  }
  forged.user = "m5";
  r = Try(forged, 25, "cad", std::nullopt, 60s);
  BOOST_REQUIRE(std::holds_alternative<Denial>(r));
  BOOST_TEST(Contains(std::get<Denial>(r).message, "5 checkouts from address 10.6.6.6"),
             std::get<Denial>(r).message);
  engine->Disconnect(20, clock.now());  // one of them gives up: its place is free
  PositionOf(Try(forged, 25, "cad", std::nullopt, 60s));
  PositionOf(Try(Who("carol"), 3, "cad", std::nullopt, 60s));  // other addresses unaffected
}

BOOST_AUTO_TEST_CASE(queued_requests_of_one_holder_share_the_seat_one_of_them_gets) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView carol = Grant(Who("carol"), 1, "cad");
  PositionOf(Try(Who("bob"), 2, "cad", std::nullopt, 60s, 1));
  PositionOf(Try(Who("alice"), 3, "cad", std::nullopt, 60s, 2));
  PositionOf(Try(Who("bob"), 4, "cad", std::nullopt, 60s, 3));  // bob's second process
  engine->Checkin(1, carol.id, clock.now());
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 2u);
  BOOST_TEST(events[0].tag == 1u);
  BOOST_TEST(events[1].tag == 3u);
  BOOST_TEST(events[1].lease.shared);
  BOOST_TEST(InUse(0) == 1);
  auto pools = engine->Snapshot(clock.now());
  BOOST_REQUIRE(pools[0].queue.size() == 1u);
  BOOST_TEST(pools[0].queue[0].who.user == "alice");
}

BOOST_AUTO_TEST_CASE(waiter_is_served_when_a_start_date_arrives) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  m.Add("cad", "2027.0", 1).lines[0].start = Day(2026, 11, 28);
  Start(m);
  Grant(Who("alice"), 1, "cad");
  PositionOf(Try(Who("bob"), 2, "cad", std::nullopt, 24h, 6));
  for (int minute = 0; minute < 15 * 60; ++minute) {  // heartbeats until midnight
    clock.Advance(1min);
    engine->Heartbeat(1, clock.now());
    Tick();
  }
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kQueuedGranted));
  BOOST_TEST(events[0].lease.pool == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
