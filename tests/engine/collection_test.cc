// Collections (OPTIONS=SUITE packages): cascading from product to collection seats,
// several products on one seat, further seats and consolidation in both directions.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

using licenses::DupGroup;

int SeatsHeldBy(const std::vector<PoolView>& pools, const std::string& user) {
  int n = 0;
  for (const PoolView& pool : pools) {
    for (const SeatView& seat : pool.seats) {
      n += seat.holder.user == user ? 1 : 0;
    }
  }
  return n;
}

BOOST_FIXTURE_TEST_SUITE(engine_collections, EngineFixture)

// The acceptance scenario of DESIGN §5 in one run.
BOOST_AUTO_TEST_CASE(acceptance_product_first_then_consolidate_further_seat_and_back) {
  ModelBuilder m;
  m.Add("A", "2027.0", 1);                               // pool 0: a standalone seat of A
  m.AddCollection("pdc", "2027.0", 3, {"A", "B", "C"});  // pool 1: 3 collection seats
  Start(m);
  const Identity u1 = Who("u1", "ws1");

  // A takes the standalone seat: product rank first.
  LeaseView a = Grant(u1, 1, "A");
  BOOST_TEST(a.pool == 0u);
  BOOST_TEST(a.reason == "own seat of A");

  // B takes a collection seat; A moves onto it and the standalone seat is freed.
  LeaseView b = Grant(u1, 1, "B");
  BOOST_TEST(b.pool == 1u);
  BOOST_TEST(b.seat == 1u);
  BOOST_TEST(b.reason == "new collection seat of pdc");
  auto moved = TakeEvents(Event::Kind::kLeaseMoved);
  BOOST_REQUIRE(moved.size() == 1u);
  BOOST_TEST(moved[0].lease.id == a.id);
  BOOST_TEST(moved[0].lease.pool == 1u);
  BOOST_TEST(moved[0].lease.seat == 1u);
  BOOST_TEST(moved[0].lease.token == a.token);
  BOOST_TEST_MESSAGE(moved[0].message);
  BOOST_TEST(moved[0].message ==
             "A moved onto collection seat 1 of pdc (pdc 2027.0 (licenses.lic:20)): the seat had "
             "a free product slot; seat 1 of A 2027.0 (licenses.lic:10) freed");
  BOOST_TEST(InUse(0) == 0);
  BOOST_TEST(InUse(1) == 1);
  BOOST_TEST(SeatsHeldBy(engine->Snapshot(clock.now()), "u1") == 1);
  BOOST_TEST(engine->FindLease(a.id)->pool == 1u);
  BOOST_TEST(engine->FindLease(a.id)->reason ==
             "rides on u1@ws1's collection seat 1 of pdc (runs A and B)");
  auto seats = Seats(1);
  BOOST_REQUIRE(seats.size() == 1u);
  BOOST_TEST((seats[0].products == std::vector<std::string>{"A", "B"}));

  // C: the seat already runs two products, so C takes a further seat.
  LeaseView c = Grant(u1, 1, "C");
  BOOST_TEST(c.pool == 1u);
  BOOST_TEST(c.seat == 2u);
  BOOST_TEST(c.reason == "further seat of pdc: seat 1 already runs A and B");
  BOOST_TEST(InUse(1) == 2);

  // B checked in: C moves back onto seat 1 and the further seat is freed.
  BOOST_TEST((Checkin(1, b) == Errc::kOk));
  moved = TakeEvents(Event::Kind::kLeaseMoved);
  BOOST_REQUIRE(moved.size() == 1u);
  BOOST_TEST(moved[0].lease.id == c.id);
  BOOST_TEST(moved[0].lease.seat == 1u);
  BOOST_TEST_MESSAGE(moved[0].message);
  BOOST_TEST(Contains(moved[0].message, "C moved back onto collection seat 1 of pdc"));
  BOOST_TEST(Contains(moved[0].message, "further seat 2 of pdc freed"));
  BOOST_TEST(InUse(1) == 1);
  BOOST_TEST(SeatsHeldBy(engine->Snapshot(clock.now()), "u1") == 1);

  // Others fill the rest; the next user is denied with a sentence naming the holders.
  Grant(Who("u2", "ws2"), 2, "B");
  Grant(Who("u3", "ws3"), 3, "C");
  BOOST_TEST(Grant(Who("u4", "ws4"), 4, "A").pool == 0u);  // the freed standalone seat
  Denial d = Deny(Who("u5", "ws5"), 5, "B");
  BOOST_TEST((d.code == Errc::kAllSeatsInUse));
  BOOST_TEST_MESSAGE(d.message);
  BOOST_TEST(d.message ==
             "all seats of 'B' are in use. pdc 2027.0 (licenses.lic:20): 3 of 3 collection seats "
             "in use: u1@ws1 runs A, C; u2@ws2 runs B; u3@ws3 runs C");
  Denial da = Deny(Who("u5", "ws5"), 5, "A");
  BOOST_TEST(Contains(da.message, "A 2027.0 (licenses.lic:10): 1 of 1 seats in use by u4@ws4"));
  BOOST_TEST(Contains(da.message, "u1@ws1 runs A, C"));
}

BOOST_AUTO_TEST_CASE(same_product_twice_shares_one_slot) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 1, {"A", "B"});
  Start(m);
  LeaseView first = Grant(Who("u1"), 1, "A");
  LeaseView second = Grant(Who("u1"), 2, "A");
  BOOST_TEST(second.shared);
  BOOST_TEST(second.seat == first.seat);
  BOOST_TEST(second.reason == "rides on u1@ws1's collection seat 1 of pdc (runs A)");
  // One product so far: B still fits on the seat.
  BOOST_TEST(Grant(Who("u1"), 2, "B").shared);
  BOOST_TEST(InUse(0) == 1);
  BOOST_TEST((Seats(0)[0].products == std::vector<std::string>{"A", "B"}));
}

BOOST_AUTO_TEST_CASE(other_holder_does_not_ride) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 3, {"A", "B"});
  Start(m);
  Grant(Who("u1", "ws1"), 1, "A");
  BOOST_TEST(!Grant(Who("u2", "ws1"), 2, "B").shared);
  BOOST_TEST(!Grant(Who("u1", "ws2"), 3, "B").shared);  // UH: another host, another seat
  BOOST_TEST((Deny(Who("u3"), 4, "A").code == Errc::kAllSeatsInUse));
}

BOOST_AUTO_TEST_CASE(suite_dup_group_uh_shares_across_versions) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 2, {"A", "B"});
  Start(m);
  Grant(Who("u1"), 1, "A", "2026.0");
  BOOST_TEST(Grant(Who("u1"), 1, "A", "2027.0").shared);
  BOOST_TEST(InUse(0) == 1);
}

BOOST_AUTO_TEST_CASE(suite_dup_group_uhv_separates_requested_versions) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 3, {"A", "B"}).suite_dup_group =
      DupGroup{DupGroup::kUser | DupGroup::kHost | DupGroup::kVersion};
  Start(m);
  Grant(Who("u1"), 1, "A", "2026.0");
  BOOST_TEST(Grant(Who("u1"), 1, "B", "2026.0").shared);  // same version: same seat
  LeaseView newer = Grant(Who("u1"), 1, "A", "2027.0");
  BOOST_TEST(!newer.shared);
  BOOST_TEST(newer.seat == 2u);
  BOOST_TEST(InUse(0) == 2);
  // Seats of different versions never merge, even with room.
  BOOST_TEST(TakeOtherEvents().empty());
}

BOOST_AUTO_TEST_CASE(component_version_limits_the_collection) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 2, {"A:2025.0", "B"});
  Start(m);
  Grant(Who("u1"), 1, "A", "2025.0");
  Denial d = Deny(Who("u1"), 1, "A", "2026.0");
  BOOST_TEST((d.code == Errc::kVersionNotLicensed));
  Grant(Who("u1"), 1, "B", "2027.0");
}

BOOST_AUTO_TEST_CASE(checkin_in_any_order_frees_the_seat_with_the_last_product) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 1, {"A", "B"});
  Start(m);
  LeaseView a = Grant(Who("u1"), 1, "A");
  LeaseView b = Grant(Who("u1"), 1, "B");
  BOOST_TEST((Checkin(1, a) == Errc::kOk));
  BOOST_TEST(InUse(0) == 1);
  BOOST_TEST((Seats(0)[0].products == std::vector<std::string>{"B"}));
  BOOST_TEST(engine->FindLease(b.id)->seat == 1u);
  BOOST_TEST((Checkin(1, b) == Errc::kOk));
  BOOST_TEST(InUse(0) == 0);
  Grant(Who("u2"), 2, "A");
}

BOOST_AUTO_TEST_CASE(further_seat_may_be_a_product_seat_and_moves_back) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 1, {"A", "B", "C"});  // pool 0
  m.Add("C", "2027.0", 1);                               // pool 1
  Start(m);
  LeaseView a = Grant(Who("u1"), 1, "A");
  Grant(Who("u1"), 1, "B");
  // C's own pool ranks first anyway; it is the holder's further seat.
  LeaseView c = Grant(Who("u1"), 1, "C");
  BOOST_TEST(c.pool == 1u);
  BOOST_TEST(c.reason == "further seat: own seat of C; seat 1 of pdc already runs A and B");
  BOOST_TEST((Checkin(1, a) == Errc::kOk));
  auto moved = TakeEvents(Event::Kind::kLeaseMoved);
  BOOST_REQUIRE(moved.size() == 1u);
  BOOST_TEST(moved[0].lease.id == c.id);
  BOOST_TEST(moved[0].lease.pool == 0u);
  BOOST_TEST(InUse(1) == 0);
  BOOST_TEST(InUse(0) == 1);
}

BOOST_AUTO_TEST_CASE(all_leases_of_a_product_seat_move_together) {
  ModelBuilder m;
  m.Add("A", "2027.0", 1);
  m.AddCollection("pdc", "2027.0", 1, {"A", "B"});
  Start(m);
  LeaseView a1 = Grant(Who("u1"), 1, "A");
  LeaseView a2 = Grant(Who("u1"), 2, "A");
  Grant(Who("u1"), 3, "B");
  auto moved = TakeEvents(Event::Kind::kLeaseMoved);
  BOOST_REQUIRE(moved.size() == 2u);
  BOOST_TEST(engine->FindLease(a1.id)->pool == 1u);
  BOOST_TEST(engine->FindLease(a2.id)->pool == 1u);
  BOOST_TEST(InUse(0) == 0);
}

BOOST_AUTO_TEST_CASE(product_seat_does_not_move_onto_a_full_collection_seat) {
  ModelBuilder m;
  m.Add("A", "2027.0", 1);
  m.AddCollection("pdc", "2027.0", 2, {"A", "B", "C"});
  Start(m);
  Grant(Who("u1"), 1, "B");
  Grant(Who("u1"), 1, "C");
  BOOST_TEST(Grant(Who("u1"), 1, "A").pool == 0u);
  BOOST_TEST(TakeOtherEvents().empty());
  BOOST_TEST(InUse(0) == 1);
  BOOST_TEST(InUse(1) == 1);
}

BOOST_AUTO_TEST_CASE(products_per_seat_three) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 2, {"A", "B", "C", "D"}).products_per_seat = 3;
  Start(m);
  Grant(Who("u1"), 1, "A");
  BOOST_TEST(Grant(Who("u1"), 1, "B").shared);
  BOOST_TEST(Grant(Who("u1"), 1, "C").shared);
  LeaseView d = Grant(Who("u1"), 1, "D");
  BOOST_TEST(d.seat == 2u);
  BOOST_TEST(d.reason == "further seat of pdc: seat 1 already runs A, B and C");
  BOOST_TEST(InUse(0) == 2);
}

BOOST_AUTO_TEST_CASE(suite_rank_comes_after_collection_rank) {
  ModelBuilder m;
  m.AddCollection("suite", "2027.0", 1, {"A", "B"}).rank = licenses::Rank::kSuite;  // pool 0
  m.AddCollection("pdc", "2027.0", 1, {"A"});                                       // pool 1
  Start(m);
  BOOST_TEST(Grant(Who("u1"), 1, "A").pool == 1u);
  BOOST_TEST(Grant(Who("u2"), 2, "A").pool == 0u);
}

BOOST_AUTO_TEST_CASE(collection_expiry_ends_every_product_on_its_seats) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 2, {"A", "B"});
  m.pool(0).lines[0].expiry = clock.now().today;
  Start(m);
  Tick();
  Grant(Who("u1"), 1, "A");
  Grant(Who("u1"), 1, "B");
  Grant(Who("u2"), 2, "A");
  clock.Advance(std::chrono::hours(16));  // past midnight
  engine->Heartbeat(1, clock.now());
  engine->Heartbeat(2, clock.now());
  Tick();
  auto ended = TakeEvents(Event::Kind::kLeaseEnded);
  BOOST_REQUIRE(ended.size() == 3u);
  for (const Event& e : ended) {
    BOOST_TEST((e.reason == Errc::kLeaseExpired));
  }
  BOOST_TEST(engine->lease_count() == 0u);
  BOOST_TEST((Deny(Who("u1"), 1, "A").code == Errc::kExpired));
}

BOOST_AUTO_TEST_CASE(waiter_rides_when_a_slot_of_its_own_seat_frees) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 1, {"A", "B", "C"});
  Start(m);
  Grant(Who("u1"), 1, "A");
  LeaseView b = Grant(Who("u1"), 1, "B");
  BOOST_TEST(std::holds_alternative<Queued>(Try(Who("u1"), 2, "C", std::nullopt, 60s, 8)));
  BOOST_TEST((Checkin(1, b) == Errc::kOk));
  auto granted = TakeEvents(Event::Kind::kQueuedGranted);
  BOOST_REQUIRE(granted.size() == 1u);
  BOOST_TEST(granted[0].lease.feature == "C");
  BOOST_TEST(granted[0].lease.shared);
  BOOST_TEST(granted[0].tag == 8u);
}

BOOST_AUTO_TEST_CASE(waiter_gets_a_freed_collection_seat) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 1, {"A", "B"});
  Start(m);
  LeaseView a = Grant(Who("u1"), 1, "A");
  BOOST_TEST(std::holds_alternative<Queued>(Try(Who("u2"), 2, "B", std::nullopt, 60s, 3)));
  Checkin(1, a);
  auto granted = TakeEvents(Event::Kind::kQueuedGranted);
  BOOST_REQUIRE(granted.size() == 1u);
  BOOST_TEST(granted[0].lease.who.user == "u2");
}

BOOST_AUTO_TEST_CASE(reload_keeps_collection_seats) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 2, {"A", "B"});
  Start(m);
  LeaseView a = Grant(Who("u1"), 1, "A");
  LeaseView b = Grant(Who("u1"), 1, "B");
  licenses::Model renewed = engine->model();
  renewed.pools[0].lines[0].count = 3;
  engine->Reload(renewed, clock.now());
  BOOST_TEST(engine->lease_count() == 2u);
  BOOST_TEST(engine->FindLease(a.id)->seat == engine->FindLease(b.id)->seat);
  BOOST_TEST(Grant(Who("u1"), 2, "A").shared);
  BOOST_TEST(InUse(0) == 1);
}

BOOST_AUTO_TEST_CASE(reload_that_drops_a_component_ends_its_leases) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 2, {"A", "B"});
  Start(m);
  LeaseView a = Grant(Who("u1"), 1, "A");
  LeaseView b = Grant(Who("u1"), 1, "B");
  licenses::Model renewed = engine->model();
  renewed.packages[0].components.pop_back();  // B is no longer part of pdc
  engine->Reload(renewed, clock.now());
  auto ended = TakeEvents(Event::Kind::kLeaseEnded);
  BOOST_REQUIRE(ended.size() == 1u);
  BOOST_TEST(ended[0].lease.id == b.id);
  BOOST_TEST((ended[0].reason == Errc::kPoolRemoved));
  BOOST_TEST(Contains(ended[0].message, "a reread took 'B' out of collection pdc"));
  BOOST_TEST(engine->FindLease(a.id).has_value());
  BOOST_TEST((Deny(Who("u1"), 1, "B").code == Errc::kNoSuchFeature));
}

BOOST_AUTO_TEST_CASE(restore_puts_products_back_on_one_collection_seat) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 1, {"A", "B", "C"});
  Start(m);
  const std::string key = engine->model().pools[0].Key();
  auto stored = [&](LeaseId id, std::string feature, std::string user) {
    RestoredLease r;
    r.id = id;
    r.token_digest = token::Of(id, 100 + id);
    r.pool_key = key;
    r.feature = std::move(feature);
    r.who = Who(std::move(user));
    return r;
  };
  RestoreReport report = engine->Restore(
      {stored(1, "A", "u1"), stored(2, "B", "u1"), stored(3, "C", "u1"), stored(4, "A", "u2")},
      clock.now());
  BOOST_TEST(report.restored == 2u);
  BOOST_REQUIRE(report.dropped.size() == 2u);
  BOOST_TEST(report.dropped[0].first.id == 3u);  // a third product needs a further seat
  BOOST_TEST(report.dropped[1].first.id == 4u);
  BOOST_TEST(InUse(0) == 1);
  BOOST_TEST((Seats(0)[0].products == std::vector<std::string>{"A", "B"}));
}

BOOST_AUTO_TEST_CASE(collection_name_is_listed_with_its_products_as_licensed) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 1, {"A", "B"});
  Start(m);
  Denial d = Deny(Who("u1"), 1, "Z");
  BOOST_TEST(d.message == "no license for feature 'Z'; licensed features: A, B, pdc");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
