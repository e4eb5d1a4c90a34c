// The options file applied by the engine: Admission for the product, then MayTakeSeat per
// candidate pool for a new seat, in checkouts and in queue serving.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

BOOST_FIXTURE_TEST_SUITE(engine_options, EngineFixture)

BOOST_AUTO_TEST_CASE(exclude_denies_naming_the_rule) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5);
  Start(m);
  engine->SetPolicy(Policy("# site rules\nEXCLUDE cad USER bob\n"));
  Denial d = Deny(Who("bob"), 1, "cad");
  BOOST_TEST((d.code == Errc::kExcludedByOptions));
  BOOST_TEST(d.message == "excluded by site.opt:2 (EXCLUDE cad USER bob)");
  Grant(Who("alice"), 2, "cad");
  // Waiting does not help an excluded user.
  BOOST_TEST(std::holds_alternative<Denial>(Try(Who("bob"), 1, "cad", std::nullopt, 30s)));
}

BOOST_AUTO_TEST_CASE(exclude_applies_even_when_sharing_a_seat) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5);
  Start(m);
  Grant(Who("bob"), 1, "cad");
  engine->SetPolicy(Policy("EXCLUDE cad USER bob\n"));
  BOOST_TEST((Deny(Who("bob"), 1, "cad").code == Errc::kExcludedByOptions));
  BOOST_TEST(engine->lease_count() == 1u);  // the live lease stays
}

BOOST_AUTO_TEST_CASE(include_restricts_to_the_named) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5);
  m.Add("cam", "2027.0", 5);
  Start(m);
  engine->SetPolicy(Policy("GROUP eng alice carol\nINCLUDE cad GROUP eng\n"));
  Grant(Who("alice"), 1, "cad");
  Grant(Who("carol"), 2, "cad");
  Denial d = Deny(Who("bob"), 3, "cad");
  BOOST_TEST((d.code == Errc::kExcludedByOptions));
  BOOST_TEST(Contains(d.message, "site.opt:2"));
  Grant(Who("bob"), 3, "cam");  // other features are not restricted
}

BOOST_AUTO_TEST_CASE(reserve_keeps_the_last_seat_for_a_group_member) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2);
  Start(m);
  engine->SetPolicy(Policy("GROUP eng robert\nRESERVE 1 cad GROUP eng\n"));
  Grant(Who("alice"), 1, "cad");
  Denial d = Deny(Who("bob", "ws2"), 2, "cad");
  BOOST_TEST((d.code == Errc::kReservedForOthers));
  BOOST_TEST(Contains(d.message, "site.opt:2"));
  Grant(Who("robert", "ws3"), 3, "cad");
}

BOOST_AUTO_TEST_CASE(reserved_pool_is_skipped_for_the_next_pool) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  m.Add("cad", "2026.0", 1);
  Start(m);
  engine->SetPolicy(Policy("RESERVE 1 cad:VERSION=2027.0 USER robert\n"));
  BOOST_TEST(Grant(Who("alice"), 1, "cad").pool == 1u);
  Denial d = Deny(Who("bob"), 2, "cad");
  BOOST_TEST((d.code == Errc::kAllSeatsInUse));
  BOOST_TEST(Contains(d.message, "reserved for others"));
}

BOOST_AUTO_TEST_CASE(max_per_user) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5);
  Start(m);
  engine->SetPolicy(Policy("MAX 2 cad USER alice\n"));
  Grant(Who("alice", "ws1"), 1, "cad");
  Grant(Who("alice", "ws2"), 2, "cad");
  BOOST_TEST(Grant(Who("alice", "ws1"), 3, "cad").shared);  // sharing is no new seat
  Denial d = Deny(Who("alice", "ws3"), 4, "cad");
  BOOST_TEST((d.code == Errc::kMaxReachedForUser));
  BOOST_TEST(d.message ==
             "2 of 2 seats already held; limited by site.opt:1 (MAX 2 cad USER alice)");
  Grant(Who("bob", "ws3"), 5, "cad");
}

BOOST_AUTO_TEST_CASE(queue_serving_respects_reservations) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2);
  Start(m);
  engine->SetPolicy(Policy("RESERVE 1 cad USER robert\n"));
  LeaseView alice = Grant(Who("alice"), 1, "cad");
  // bob may not take the reserved seat; with a wait he queues behind it.
  Denial denied = Deny(Who("bob", "ws2"), 2, "cad");
  BOOST_TEST((denied.code == Errc::kReservedForOthers));
  LeaseView robert = Grant(Who("robert", "ws3"), 3, "cad");
  BOOST_TEST(
      std::holds_alternative<Queued>(Try(Who("bob", "ws2"), 2, "cad", std::nullopt, 60s, 9)));
  // robert's checkin frees the reserved seat: bob, still waiting, must not get it.
  BOOST_TEST((Checkin(3, robert) == Errc::kOk));
  BOOST_TEST(TakeOtherEvents().empty());
  // alice's checkin frees an unreserved seat: bob gets it.
  BOOST_TEST((Checkin(1, alice) == Errc::kOk));
  auto granted = TakeEvents(Event::Kind::kQueuedGranted);
  BOOST_REQUIRE(granted.size() == 1u);
  BOOST_TEST(granted[0].lease.who.user == "bob");
  BOOST_TEST(granted[0].tag == 9u);
}

BOOST_AUTO_TEST_CASE(set_policy_on_a_live_engine_keeps_leases) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 3);
  Start(m);
  LeaseView bob = Grant(Who("bob"), 1, "cad");
  Grant(Who("alice"), 2, "cad");
  engine->SetPolicy(Policy("EXCLUDE cad USER bob\n"));
  Tick();
  BOOST_TEST(engine->lease_count() == 2u);
  BOOST_TEST(engine->FindLease(bob.id).has_value());
  BOOST_TEST(engine->Heartbeat(1, clock.now()) == 1u);
  BOOST_TEST(TakeOtherEvents().empty());
  Deny(Who("bob"), 1, "cad");
  engine->SetPolicy(nullptr);
  Grant(Who("bob"), 1, "cad");
}

BOOST_AUTO_TEST_CASE(set_policy_refuses_a_waiter_it_now_excludes) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView alice = Grant(Who("alice"), 1, "cad");
  BOOST_TEST(std::holds_alternative<Queued>(Try(Who("bob"), 2, "cad", std::nullopt, 60s, 4)));
  engine->SetPolicy(Policy("EXCLUDE cad USER bob\n"));
  Checkin(1, alice);
  auto refused = TakeEvents(Event::Kind::kQueueTimeout);
  BOOST_REQUIRE(refused.size() == 1u);
  BOOST_TEST((refused[0].reason == Errc::kExcludedByOptions));
  BOOST_TEST(refused[0].tag == 4u);
}

// A reread brings licenses and options together: the seat the new license adds is not
// given to a waiter the new options file excludes (served once, under the new rules).
BOOST_AUTO_TEST_CASE(a_reload_with_new_rules_gives_no_new_seat_to_a_waiter_they_exclude) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  Grant(Who("alice"), 1, "cad");
  BOOST_TEST(std::holds_alternative<Queued>(Try(Who("bob"), 2, "cad", std::nullopt, 60s, 4)));
  BOOST_TEST(std::holds_alternative<Queued>(Try(Who("carol"), 3, "cad", std::nullopt, 60s, 5)));
  ModelBuilder renewed;
  renewed.Add("cad", "2027.0", 2);
  engine->Reload(renewed.Build(), Policy("EXCLUDE cad USER bob\n"), clock.now());
  const std::vector<Event> events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 2u);
  BOOST_TEST((events[0].kind == Event::Kind::kQueueTimeout));
  BOOST_TEST((events[0].reason == Errc::kExcludedByOptions));
  BOOST_TEST(events[0].tag == 4u);
  BOOST_TEST((events[1].kind == Event::Kind::kQueuedGranted));
  BOOST_TEST(events[1].lease.who.user == "carol", "the new seat goes to the next one allowed");
  // The rules stay in force: a reload without rules keeps them.
  engine->Reload(renewed.Build(), clock.now());
  BOOST_TEST((Deny(Who("bob"), 2, "cad").code == Errc::kExcludedByOptions));
}

BOOST_AUTO_TEST_CASE(a_new_engine_starts_with_its_rules) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2);
  engine = std::make_unique<SeatEngine>(m.Build(), Config(), Policy("EXCLUDE cad USER bob\n"));
  BOOST_TEST((Deny(Who("bob"), 1, "cad").code == Errc::kExcludedByOptions));
  Grant(Who("alice"), 2, "cad");
}

BOOST_AUTO_TEST_CASE(options_close_a_collection_pool_to_a_user) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 2, {"cad", "cam"});
  Start(m);
  engine->SetPolicy(Policy("EXCLUDE pdc USER bob\n"));
  Denial d = Deny(Who("bob"), 1, "cad");
  BOOST_TEST((d.code == Errc::kExcludedByOptions));
  BOOST_TEST(Contains(d.message, "EXCLUDE pdc USER bob"));
  Grant(Who("alice"), 2, "cad");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
