// Lease life cycle: TTL, heartbeats, disconnect and reattach, removal, license expiry.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

BOOST_FIXTURE_TEST_SUITE(engine_lease_lifecycle, EngineFixture)

BOOST_AUTO_TEST_CASE(ttl_reclaims_silent_client) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView lease = Grant(Who("alice"), 1, "cad");
  clock.Advance(119s);
  Tick();
  BOOST_TEST(engine->lease_count() == 1u);
  BOOST_TEST(TakeOtherEvents().empty());
  clock.Advance(1s);
  Tick();
  BOOST_TEST(engine->lease_count() == 0u);
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kLeaseEnded));
  BOOST_TEST((events[0].reason == Errc::kLeaseTimedOut));
  BOOST_TEST(events[0].client == 1u);
  BOOST_TEST(events[0].lease.id == lease.id);
  BOOST_TEST(Contains(events[0].message, "no heartbeat for 120 s"));
  Grant(Who("bob"), 2, "cad");
}

BOOST_AUTO_TEST_CASE(heartbeat_extends) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5);
  Start(m);
  LeaseView a = Grant(Who("alice"), 1, "cad");
  LeaseView b = Grant(Who("alice"), 1, "cad");
  Grant(Who("bob"), 2, "cad");
  clock.Advance(100s);
  BOOST_TEST(engine->Heartbeat(1, clock.now()) == 2u);
  BOOST_TEST((engine->FindLease(a.id)->expires == clock.now().mono + 120s));
  BOOST_TEST((engine->FindLease(b.id)->expires == clock.now().mono + 120s));
  clock.Advance(100s);  // past the first deadline, inside the extended one
  Tick();
  BOOST_TEST(engine->lease_count() == 2u);  // bob, who never heartbeat, is gone
  clock.Advance(20s);
  Tick();
  BOOST_TEST(engine->lease_count() == 0u);
  BOOST_TEST(TakeOtherEvents().size() == 3u);
}

BOOST_AUTO_TEST_CASE(heartbeat_of_unknown_client_holds_nothing) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  BOOST_TEST(engine->Heartbeat(42, clock.now()) == 0u);
}

BOOST_AUTO_TEST_CASE(disconnect_keeps_lease_for_window_then_frees) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView lease = Grant(Who("alice"), 1, "cad");
  clock.Advance(10s);
  engine->Disconnect(1, clock.now());
  std::optional<LeaseView> held = engine->FindLease(lease.id);
  BOOST_REQUIRE(held.has_value());
  BOOST_TEST(held->detached);
  BOOST_TEST((held->expires == clock.now().mono + 30s));
  BOOST_TEST((Deny(Who("bob"), 2, "cad").code == Errc::kAllSeatsInUse));
  // Gone clients cannot check in or heartbeat a detached lease.
  const auto refused = engine->Checkin(1, lease.id, clock.now());
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST((refused->code == Errc::kNoSuchLease));
  BOOST_TEST(refused->message == fmt::format("lease {} is not held by this connection", lease.id));
  BOOST_TEST(engine->Heartbeat(1, clock.now()) == 0u);
  clock.Advance(29s);
  Tick();
  BOOST_TEST(engine->lease_count() == 1u);
  clock.Advance(1s);
  Tick();
  BOOST_TEST(engine->lease_count() == 0u);
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].reason == Errc::kLeaseTimedOut));
  BOOST_TEST(Contains(events[0].message, "did not reconnect"));
  Grant(Who("bob"), 2, "cad");
}

// Ten thousand leases of a crashed client lapse in the same instant: a bounded Tick ends
// them a slice at a time, oldest deadline first, and says when more are due; a lapsed lease
// waiting for its slice is not saved by a late reattach.
BOOST_AUTO_TEST_CASE(bounded_tick_ends_a_mass_lapse_in_slices) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 10'001);
  Start(m);
  std::vector<LeaseView> held;
  for (int i = 0; i < 10'000; ++i) held.push_back(Grant(Who("u" + std::to_string(i)), 1, "cad"));
  Grant(Who("bob"), 2, "cad");  // connected and heartbeating: not part of the lapse
  engine->Disconnect(1, clock.now());
  clock.Advance(30s);
  engine->Heartbeat(2, clock.now());
  BOOST_TEST(engine->Tick(clock.now(), 64));
  auto events = TakeOtherEvents();
  BOOST_TEST(events.size() == 64u);
  BOOST_TEST(engine->lease_count() == 10'001u - 64u);
  const auto late = held.back();
  BOOST_TEST(std::holds_alternative<Denial>(
      engine->Reattach(3, late.who, late.id, late.token, clock.now())));
  std::size_t slices = 1;
  while (engine->Tick(clock.now(), 64)) ++slices;
  ++slices;  // the call that returned false ended the last ones
  BOOST_TEST(slices == (10'000u + 63u) / 64u);
  BOOST_TEST(TakeOtherEvents().size() == 10'000u - 64u);
  BOOST_TEST(engine->lease_count() == 1u);  // bob's, who is still connected
  BOOST_TEST(!engine->Tick(clock.now(), 64));
}

BOOST_AUTO_TEST_CASE(reattach_returns_same_lease_no_second_seat) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView lease = Grant(Who("alice"), 1, "cad");
  engine->Disconnect(1, clock.now());
  clock.Advance(10s);
  auto r = engine->Reattach(2, Who("alice"), lease.id, lease.token, clock.now());
  BOOST_REQUIRE(std::holds_alternative<LeaseView>(r));
  const LeaseView& back = std::get<LeaseView>(r);
  BOOST_TEST(back.id == lease.id);
  BOOST_TEST(back.pool == lease.pool);
  BOOST_TEST(back.client == 2u);
  BOOST_TEST(!back.detached);
  BOOST_TEST((back.expires == clock.now().mono + 120s));
  BOOST_TEST(engine->lease_count() == 1u);
  BOOST_TEST(InUse(0) == 1);
  // The old reattach deadline no longer applies.
  clock.Advance(60s);
  Tick();
  BOOST_TEST(engine->lease_count() == 1u);
  BOOST_TEST(engine->Heartbeat(2, clock.now()) == 1u);
  // Reattaching twice still holds one lease on one seat.
  auto again = engine->Reattach(3, Who("alice"), lease.id, lease.token, clock.now());
  BOOST_TEST(std::holds_alternative<LeaseView>(again));
  BOOST_TEST(engine->lease_count() == 1u);
  BOOST_TEST(InUse(0) == 1);
  BOOST_TEST((CodeOf(engine->Checkin(2, lease.id, clock.now())) == Errc::kNoSuchLease));
  BOOST_TEST((CodeOf(engine->Checkin(3, lease.id, clock.now())) == Errc::kOk));
  // Client 2 was still attached when client 3 took the lease: it is told, nothing ends.
  const auto events = TakeOtherEvents();
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kLeaseTaken));
  BOOST_TEST(events[0].client == 2u);
  BOOST_TEST(events[0].lease.id == lease.id);
  BOOST_TEST((events[0].reason == Errc::kLeaseRemoved));
}

BOOST_AUTO_TEST_CASE(late_heartbeat_or_reattach_does_not_revive_a_lease) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView silent = Grant(Who("alice"), 1, "cad");
  clock.Advance(120s);  // deadline reached, not reaped yet
  BOOST_TEST(engine->Heartbeat(1, clock.now()) == 1u);
  Tick();
  BOOST_TEST(!engine->FindLease(silent.id).has_value());
  LeaseView gone = Grant(Who("bob"), 2, "cad");
  engine->Disconnect(2, clock.now());
  clock.Advance(30s);
  auto r = engine->Reattach(3, Who("bob"), gone.id, gone.token, clock.now());
  BOOST_REQUIRE(std::holds_alternative<Denial>(r));
  BOOST_TEST((std::get<Denial>(r).code == Errc::kNoSuchLease));
  Tick();
  BOOST_TEST(engine->lease_count() == 0u);
}

BOOST_AUTO_TEST_CASE(reattach_bad_token) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView lease = Grant(Who("alice"), 1, "cad");
  engine->Disconnect(1, clock.now());
  auto r = engine->Reattach(2, Who("alice"), lease.id, lease.token + 1, clock.now());
  BOOST_REQUIRE(std::holds_alternative<Denial>(r));
  BOOST_TEST((std::get<Denial>(r).code == Errc::kBadToken));
  BOOST_TEST(engine->FindLease(lease.id)->detached);
}

BOOST_AUTO_TEST_CASE(reattach_unknown_lease) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  auto r = engine->Reattach(2, Who("alice"), 99, 1001, clock.now());
  BOOST_REQUIRE(std::holds_alternative<Denial>(r));
  BOOST_TEST((std::get<Denial>(r).code == Errc::kNoSuchLease));
}

BOOST_AUTO_TEST_CASE(remove_emits_event) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView lease = Grant(Who("alice"), 1, "cad");
  const AdminResult removed = engine->Remove(lease.id, clock.now());
  BOOST_REQUIRE(std::holds_alternative<Done>(removed));
  BOOST_TEST(std::get<Done>(removed).message ==
             fmt::format("removed lease {} (cad held by alice@{})", lease.id, lease.who.host));
  BOOST_TEST(engine->lease_count() == 0u);
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kLeaseEnded));
  BOOST_TEST((events[0].reason == Errc::kLeaseRemoved));
  BOOST_TEST(events[0].client == 1u);
  BOOST_TEST(events[0].lease.id == lease.id);
  const AdminResult again = engine->Remove(lease.id, clock.now());
  BOOST_REQUIRE(std::holds_alternative<Denial>(again));
  BOOST_TEST((std::get<Denial>(again).code == Errc::kNoSuchLease));
  BOOST_TEST(std::get<Denial>(again).message == fmt::format("lease {} does not exist", lease.id));
  BOOST_TEST(TakeOtherEvents().empty());
}

BOOST_AUTO_TEST_CASE(lease_on_expired_license_ends_on_tick) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).lines[0].expiry = Day(2026, 11, 27);
  m.Add("cam", "2027.0", 2);
  Start(m);
  LeaseView cad = Grant(Who("alice"), 1, "cad");
  Grant(Who("alice"), 1, "cam");
  Tick();
  BOOST_TEST(engine->lease_count() == 2u);
  for (int minute = 0; minute < 15 * 60; ++minute) {  // heartbeats until midnight
    clock.Advance(1min);
    engine->Heartbeat(1, clock.now());
    Tick();
  }
  BOOST_TEST(engine->lease_count() == 1u);
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].lease.id == cad.id);
  BOOST_TEST((events[0].reason == Errc::kLeaseExpired));
  BOOST_TEST(Contains(events[0].message, "27-nov-2026"));
}

BOOST_AUTO_TEST_CASE(tick_before_any_deadline_changes_nothing) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 0);
  Start(m);
  for (ClientId c = 1; c <= 100; ++c) {
    Grant(Who("u" + std::to_string(c)), c, "cad");
  }
  for (int i = 0; i < 10; ++i) {
    clock.Advance(250ms);
    Tick();
  }
  BOOST_TEST(engine->lease_count() == 100u);
  BOOST_TEST(TakeOtherEvents().empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
