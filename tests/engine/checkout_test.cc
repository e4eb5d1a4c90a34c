// Checkout, checkin and DUP_GROUP seat sharing.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

using licenses::DupGroup;

BOOST_FIXTURE_TEST_SUITE(engine_checkout, EngineFixture)

BOOST_AUTO_TEST_CASE(first_checkout_gets_lease_with_token_and_ttl_deadline) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2);
  Start(m);
  LeaseView lease = Grant(Who("alice"), 7, "cad", "2026.0");
  BOOST_TEST(lease.id == 1u);
  BOOST_TEST(lease.token == 1001u);
  BOOST_TEST(lease.pool == 0u);
  BOOST_TEST(lease.client == 7u);
  BOOST_TEST(lease.feature == "cad");
  BOOST_TEST(lease.version.scaled == V("2026.0").scaled);
  BOOST_TEST((lease.expires == clock.now().mono + 120s));
  BOOST_TEST((lease.since == clock.now().wall));
  BOOST_TEST(!lease.shared);
  BOOST_TEST(!lease.detached);
  BOOST_TEST(engine->lease_count() == 1u);
  BOOST_TEST(Grant(Who("bob"), 8, "cad").id == 2u);
}

BOOST_AUTO_TEST_CASE(nth_plus_one_checkout_is_denied_naming_holders) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2);
  Start(m);
  Grant(Who("alice", "ws1"), 1, "cad");
  clock.Advance(48min);
  Grant(Who("bob", "ws2"), 2, "cad");
  Denial d = Deny(Who("carol", "ws3"), 3, "cad");
  BOOST_TEST((d.code == Errc::kAllSeatsInUse));
  BOOST_TEST_MESSAGE(d.message);
  BOOST_TEST(Contains(d.message,
                      "cad 2027.0 (licenses.lic:10): 2 of 2 seats in use by "
                      "alice@ws1 since 09:00 UTC, bob@ws2 since 09:48 UTC"));
}

BOOST_AUTO_TEST_CASE(holder_list_is_capped_with_and_more) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 12);
  Start(m);
  for (int i = 0; i < 12; ++i) {
    Grant(Who("u" + std::to_string(i)), 1, "cad");
  }
  Denial d = Deny(Who("late"), 2, "cad");
  BOOST_TEST(Contains(d.message, "u9@ws1"));
  BOOST_TEST(!Contains(d.message, "u10@ws1"));
  BOOST_TEST(Contains(d.message, "and 2 more"));
}

BOOST_AUTO_TEST_CASE(checkin_frees_seat_at_once) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView lease = Grant(Who("alice"), 1, "cad");
  Deny(Who("bob"), 2, "cad");
  BOOST_TEST((CodeOf(engine->Checkin(1, lease.id, clock.now())) == Errc::kOk));
  BOOST_TEST(engine->lease_count() == 0u);
  BOOST_TEST(!engine->FindLease(lease.id).has_value());
  Grant(Who("bob"), 2, "cad");
  BOOST_TEST((CodeOf(engine->Checkin(1, lease.id, clock.now())) == Errc::kNoSuchLease));
  BOOST_TEST(TakeOtherEvents().empty());
}

// A direct grant and a checkin are events too, so the one place that records events
// records every change: the grant as it was made, the checkin with the lease as it was
// held, each with the connection that asked; a refused checkin emits nothing.
BOOST_AUTO_TEST_CASE(a_direct_grant_and_a_checkin_are_events_of_the_connection_that_asked) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2);
  Start(m);
  LeaseView lease = Grant(Who("alice"), 7, "cad");
  std::vector<Event> events = engine->TakeEvents();
  BOOST_TEST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kGranted));
  BOOST_TEST(events[0].client == 7u);
  BOOST_TEST(events[0].lease.id == lease.id);
  BOOST_TEST(events[0].lease.who.user == "alice");
  BOOST_TEST((CodeOf(engine->Checkin(8, lease.id, clock.now())) == Errc::kNoSuchLease));
  BOOST_TEST(engine->TakeEvents().empty());
  BOOST_TEST((CodeOf(engine->Checkin(7, lease.id, clock.now())) == Errc::kOk));
  events = engine->TakeEvents();
  BOOST_TEST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kCheckedIn));
  BOOST_TEST(events[0].client == 7u);
  BOOST_TEST(events[0].lease.id == lease.id);
  BOOST_TEST(events[0].lease.feature == "cad");
  Deny(Who("bob"), 9, "nope");
  BOOST_TEST(engine->TakeEvents().empty());
}

BOOST_AUTO_TEST_CASE(checkin_by_another_client_is_refused) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView lease = Grant(Who("alice"), 1, "cad");
  BOOST_TEST((CodeOf(engine->Checkin(2, lease.id, clock.now())) == Errc::kNoSuchLease));
  BOOST_TEST(engine->lease_count() == 1u);
}

BOOST_AUTO_TEST_CASE(dup_group_uh_shares_one_seat_per_user_host) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).dup_group = DupGroup{DupGroup::kUser | DupGroup::kHost};
  Start(m);
  LeaseView first = Grant(Who("alice", "ws1"), 1, "cad");
  LeaseView second = Grant(Who("alice", "ws1", ":1"), 2, "cad");
  BOOST_TEST(second.shared);
  BOOST_TEST(second.id != first.id);
  BOOST_TEST(InUse(0) == 1);
  Grant(Who("alice", "ws2"), 3, "cad");  // another host: another seat
  BOOST_TEST(InUse(0) == 2);
  BOOST_TEST(Grant(Who("alice", "ws2"), 4, "cad").shared);  // full pool, but shares
  Deny(Who("bob", "ws1"), 5, "cad");
}

BOOST_AUTO_TEST_CASE(shared_seat_is_freed_when_its_last_lease_ends) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  LeaseView first = Grant(Who("alice"), 1, "cad");
  LeaseView second = Grant(Who("alice"), 2, "cad");
  BOOST_TEST((CodeOf(engine->Checkin(1, first.id, clock.now())) == Errc::kOk));
  BOOST_TEST(InUse(0) == 1);
  Deny(Who("bob"), 3, "cad");
  BOOST_TEST((CodeOf(engine->Checkin(2, second.id, clock.now())) == Errc::kOk));
  BOOST_TEST(InUse(0) == 0);
  Grant(Who("bob"), 3, "cad");
}

BOOST_AUTO_TEST_CASE(dup_group_none_takes_a_seat_per_checkout) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).dup_group = DupGroup{DupGroup::kNone};
  Start(m);
  BOOST_TEST(!Grant(Who("alice"), 1, "cad").shared);
  BOOST_TEST(!Grant(Who("alice"), 1, "cad").shared);
  BOOST_TEST(InUse(0) == 2);
  BOOST_TEST((Deny(Who("alice"), 1, "cad").code == Errc::kAllSeatsInUse));
}

// The application's grouping (CHECKOUT DUP_GROUP) decides where the line names none;
// a line's own DUP_GROUP= wins over it.
CheckoutResult TryGrouped(EngineFixture& f, const Identity& who, ClientId client,
                          const char* group) {
  CheckoutRequest req;
  req.client = client;
  req.feature = "cad";
  req.dup_group = DupGroup::Parse(group);
  BOOST_REQUIRE(req.dup_group.has_value());
  return f.engine->Checkout(who, req, f.clock.now());
}

BOOST_AUTO_TEST_CASE(the_application_chooses_the_grouping_where_the_line_has_none) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 3);  // no DUP_GROUP=: UH unless the application says otherwise
  Start(m);
  auto a = TryGrouped(*this, Who("alice"), 1, "NONE");
  auto b = TryGrouped(*this, Who("alice"), 1, "NONE");
  BOOST_REQUIRE(std::holds_alternative<LeaseView>(a));
  BOOST_REQUIRE(std::holds_alternative<LeaseView>(b));
  BOOST_TEST(!std::get<LeaseView>(b).shared, "NONE: each checkout its own seat");
  BOOST_TEST(InUse(0) == 2);
  BOOST_TEST((std::get<LeaseView>(b).dup_group == DupGroup{DupGroup::kNone}));
  // An application that asks nothing gets UH and does not ride on a NONE seat.
  BOOST_TEST(!Grant(Who("alice"), 2, "cad").shared);
  BOOST_TEST(Grant(Who("alice"), 2, "cad").shared);
  BOOST_TEST(InUse(0) == 3);
  BOOST_TEST((std::get<Denial>(TryGrouped(*this, Who("alice"), 1, "NONE")).code ==
              Errc::kAllSeatsInUse));
}

BOOST_AUTO_TEST_CASE(a_dup_group_written_on_the_line_wins_over_the_application) {
  ModelBuilder m;
  licenses::Pool& pool = m.Add("cad", "2027.0", 2);
  pool.dup_group = DupGroup{DupGroup::kUser | DupGroup::kHost};
  pool.dup_group_given = true;
  Start(m);
  TryGrouped(*this, Who("alice"), 1, "NONE");
  auto again = TryGrouped(*this, Who("alice"), 1, "NONE");
  BOOST_REQUIRE(std::holds_alternative<LeaseView>(again));
  BOOST_TEST(std::get<LeaseView>(again).shared, "the line's UH shares the seat");
  BOOST_TEST(Contains(std::get<LeaseView>(again).reason, "DUP_GROUP=UH"), std::get<LeaseView>(again).reason);
  BOOST_TEST(InUse(0) == 1);
}

BOOST_AUTO_TEST_CASE(an_application_site_grouping_shares_across_users_and_waiters_keep_theirs) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  auto first = TryGrouped(*this, Who("alice", "ws1"), 1, "SITE");
  auto second = TryGrouped(*this, Who("bob", "ws2"), 2, "SITE");
  BOOST_REQUIRE(std::holds_alternative<LeaseView>(second));
  BOOST_TEST(std::get<LeaseView>(second).shared);
  BOOST_TEST(Contains(std::get<LeaseView>(second).reason, "DUP_GROUP=SITE"),
             std::get<LeaseView>(second).reason);
  // A NONE waiter waits for a seat of its own; when the SITE seat goes it gets it.
  CheckoutRequest req;
  req.client = 3;
  req.feature = "cad";
  req.dup_group = DupGroup{DupGroup::kNone};
  req.wait = 60s;
  BOOST_REQUIRE(std::holds_alternative<Queued>(engine->Checkout(Who("carol"), req, clock.now())));
  engine->Checkin(1, std::get<LeaseView>(first).id, clock.now());
  BOOST_TEST(TakeEvents(Event::Kind::kQueuedGranted).empty(), "bob still holds the seat");
  engine->Checkin(2, std::get<LeaseView>(second).id, clock.now());
  auto granted = TakeEvents(Event::Kind::kQueuedGranted);
  BOOST_REQUIRE(granted.size() == 1u);
  BOOST_TEST((granted[0].lease.dup_group == DupGroup{DupGroup::kNone}));
}

BOOST_AUTO_TEST_CASE(site_shares_one_seat) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1).dup_group = DupGroup{DupGroup::kSite};
  Start(m);
  Grant(Who("alice", "ws1"), 1, "cad");
  BOOST_TEST(Grant(Who("bob", "ws2"), 2, "cad").shared);
  BOOST_TEST(Grant(Who("carol", "ws3"), 3, "cad").shared);
  BOOST_TEST(InUse(0) == 1);
  auto pools = engine->Snapshot(clock.now());
  BOOST_TEST(pools[0].seats.size() == 1u);
  BOOST_TEST(pools[0].seats[0].leases.size() == 3u);
  BOOST_TEST(pools[0].seats[0].holder.user == "alice");
}

BOOST_AUTO_TEST_CASE(display_in_dup_group) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).dup_group =
      DupGroup{DupGroup::kUser | DupGroup::kHost | DupGroup::kDisplay};
  Start(m);
  Grant(Who("alice", "ws1", ":0"), 1, "cad");
  BOOST_TEST(Grant(Who("alice", "ws1", ":0"), 2, "cad").shared);
  BOOST_TEST(!Grant(Who("alice", "ws1", ":1"), 3, "cad").shared);
  BOOST_TEST(InUse(0) == 2);
}

BOOST_AUTO_TEST_CASE(version_in_dup_group_separates_requested_versions) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 3).dup_group = DupGroup{DupGroup::kUser | DupGroup::kVersion};
  Start(m);
  Grant(Who("alice"), 1, "cad", "2026.0");
  BOOST_TEST(Grant(Who("alice", "ws9"), 1, "cad", "2026.0").shared);
  BOOST_TEST(!Grant(Who("alice"), 1, "cad", "2027.0").shared);
  BOOST_TEST(InUse(0) == 2);
}

BOOST_AUTO_TEST_CASE(unknown_feature_is_denied_listing_licensed_features) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  m.Add("cam", "2027.0", 1);
  Start(m);
  Denial d = Deny(Who("alice"), 1, "sim");
  BOOST_TEST((d.code == Errc::kNoSuchFeature));
  BOOST_TEST(d.message == "no license for feature 'sim'; licensed features: cad, cam");
}

BOOST_AUTO_TEST_CASE(an_unknown_feature_close_to_a_licensed_one_is_named) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  m.Add("solver", "2027.0", 1);
  Start(m);
  BOOST_TEST(Deny(Who("alice"), 1, "CAD").message ==
             "no license for feature 'CAD' (did you mean 'cad'?); licensed features: cad, solver");
  BOOST_TEST(Contains(Deny(Who("alice"), 1, "slover").message, "(did you mean 'solver'?)"));
  BOOST_TEST(!Contains(Deny(Who("alice"), 1, "cam").message, "did you mean"));  // too short to guess
}

BOOST_AUTO_TEST_CASE(named_user_pool_denies_while_no_user_is_assigned) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5).user_based = true;
  Start(m);
  Denial d = Deny(Who("alice"), 1, "cad");
  BOOST_TEST((d.code == Errc::kNotAssigned));
  BOOST_TEST(Contains(d.message, "no user is assigned"));
  // Not a "seats in use" denial, so waiting does not queue it.
  CheckoutResult r = Try(Who("alice"), 1, "cad", std::nullopt, 10s);
  BOOST_TEST(std::holds_alternative<Denial>(r));
}

BOOST_AUTO_TEST_CASE(seats_in_use_is_reported_before_expired_pools) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1).lines[0].expiry = Day(2026, 1, 31);
  m.Add("cad", "2026.0", 1);
  Start(m);
  Grant(Who("alice"), 1, "cad");
  Denial d = Deny(Who("bob"), 2, "cad");
  BOOST_TEST((d.code == Errc::kAllSeatsInUse));
  BOOST_TEST(Contains(d.message, "cad 2026.0 (licenses.lic:20): 1 of 1 seats in use"));
  BOOST_TEST(!Contains(d.message, "2027.0"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
