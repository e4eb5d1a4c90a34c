// Leases coming back from the state store after a restart.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

RestoredLease Stored(LeaseId id, const licenses::Pool& pool, const Identity& who,
                     std::uint64_t token = 0) {
  RestoredLease r;
  r.id = id;
  r.token_digest = token::Of(id, token ? token : 5000 + id);  // the store keeps digests only
  r.pool_key = pool.Key();
  r.feature = pool.feature;
  r.who = who;
  return r;
}

BOOST_FIXTURE_TEST_SUITE(engine_restore, EngineFixture)

BOOST_AUTO_TEST_CASE(restored_leases_hold_their_seats_and_reattach_with_their_token) {
  ModelBuilder b;
  b.Add("cad", "2027.0", 2);
  Start(b);
  const auto& pool = engine->model().pools[0];
  auto report = engine->Restore({Stored(7, pool, Who("alice")), Stored(9, pool, Who("bob", "ws2"))},
                                clock.now());
  BOOST_TEST(report.restored == 2u);
  BOOST_TEST(report.dropped.empty());
  BOOST_TEST(InUse(0) == 2);
  Deny(Who("carol", "ws3"), 3, "cad");  // restored seats count

  BOOST_TEST(engine->FindLease(7)->token == 0u, "the engine does not know a restored token");
  auto zero = engine->Reattach(11, Who("alice"), 7, 0, clock.now());
  BOOST_TEST((std::get<Denial>(zero).code == Errc::kBadToken));
  auto other = engine->Reattach(11, Who("alice"), 7, 5009, clock.now());  // lease 9's token
  BOOST_TEST((std::get<Denial>(other).code == Errc::kBadToken), "a digest binds its lease id");
  auto back = engine->Reattach(11, Who("alice"), 7, 5007, clock.now());
  BOOST_REQUIRE(std::holds_alternative<LeaseView>(back));
  BOOST_TEST(std::get<LeaseView>(back).id == 7u);
  BOOST_TEST(std::get<LeaseView>(back).token == 5007u, "known again once presented");
  BOOST_TEST(!std::get<LeaseView>(back).detached);
  BOOST_TEST(InUse(0) == 2);  // the same seat, not a second one
  auto wrong = engine->Reattach(12, Who("bob", "ws2"), 9, 1, clock.now());
  BOOST_TEST((std::get<Denial>(wrong).code == Errc::kBadToken));
}

BOOST_AUTO_TEST_CASE(new_ids_continue_above_the_stored_ones) {
  ModelBuilder b;
  b.Add("cad", "2027.0", 5);
  Start(b);
  engine->ReserveLeaseIds(41);
  engine->Restore({Stored(40, engine->model().pools[0], Who("alice"))}, clock.now());
  BOOST_TEST(Grant(Who("bob", "ws2"), 2, "cad").id == 42u);
}

BOOST_AUTO_TEST_CASE(leases_beyond_the_count_are_dropped_oldest_kept) {
  ModelBuilder b;
  b.Add("cad", "2027.0", 1);
  Start(b);
  const auto& pool = engine->model().pools[0];
  auto report = engine->Restore({Stored(5, pool, Who("bob", "ws2")), Stored(3, pool, Who("alice"))},
                                clock.now());
  BOOST_TEST(report.restored == 1u);
  BOOST_REQUIRE(report.dropped.size() == 1u);
  BOOST_TEST(report.dropped[0].first.id == 5u);
  BOOST_TEST(Contains(report.dropped[0].second, "seat"));
  BOOST_TEST(engine->FindLease(3).has_value());
}

BOOST_AUTO_TEST_CASE(same_holder_shares_one_restored_seat) {
  ModelBuilder b;
  b.Add("cad", "2027.0", 1);
  Start(b);
  const auto& pool = engine->model().pools[0];
  auto report = engine->Restore({Stored(1, pool, Who("alice")), Stored(2, pool, Who("alice"))},
                                clock.now());
  BOOST_TEST(report.restored == 2u);
  BOOST_TEST(InUse(0) == 1);
  BOOST_TEST(engine->FindLease(2)->shared);
}

BOOST_AUTO_TEST_CASE(lease_of_a_vanished_pool_is_dropped) {
  ModelBuilder b;
  b.Add("cad", "2027.0", 1);
  Start(b);
  RestoredLease r = Stored(1, engine->model().pools[0], Who("alice"));
  r.pool_key = "gone";
  auto report = engine->Restore({r}, clock.now());
  BOOST_TEST(report.restored == 0u);
  BOOST_REQUIRE(report.dropped.size() == 1u);
  BOOST_TEST(Contains(report.dropped[0].second, "no longer"));
}

BOOST_AUTO_TEST_CASE(unclaimed_restored_lease_ends_after_the_reattach_window) {
  ModelBuilder b;
  b.Add("cad", "2027.0", 1);
  Start(b);
  engine->Restore({Stored(1, engine->model().pools[0], Who("alice"))}, clock.now());
  clock.Advance(29s);
  Tick();
  BOOST_TEST(engine->lease_count() == 1u);
  clock.Advance(2s);
  Tick();
  BOOST_TEST(engine->lease_count() == 0u);
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].reason == Errc::kLeaseTimedOut));
  Grant(Who("bob", "ws2"), 2, "cad");
}

// The application's grouping comes back with the lease: two NONE leases of one user
// keep two seats after a restart, two ungrouped ones share one (UH).
BOOST_AUTO_TEST_CASE(restored_leases_keep_their_applications_grouping) {
  ModelBuilder b;
  b.Add("cad", "2027.0", 4);
  Start(b);
  const auto& pool = engine->model().pools[0];
  RestoredLease a = Stored(1, pool, Who("alice"));
  RestoredLease c = Stored(2, pool, Who("alice"));
  a.dup_group = c.dup_group = licenses::DupGroup{licenses::DupGroup::kNone};
  RestoredLease d = Stored(3, pool, Who("bob"));
  RestoredLease e = Stored(4, pool, Who("bob"));
  auto report = engine->Restore({a, c, d, e}, clock.now());
  BOOST_TEST(report.restored == 4u);
  BOOST_TEST(InUse(0) == 3);
  BOOST_TEST((engine->FindLease(2)->dup_group == licenses::DupGroup{licenses::DupGroup::kNone}));
  BOOST_TEST(!engine->FindLease(4)->dup_group.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
