// Reload (reread of the license files) and the status snapshot.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

BOOST_FIXTURE_TEST_SUITE(engine_reload, EngineFixture)

BOOST_AUTO_TEST_CASE(reload_keeps_leases_in_same_pool) {
  ModelBuilder before;
  before.Add("cad", "2027.0", 2);
  before.Add("cam", "2027.0", 2);
  Start(before);
  LeaseView lease = Grant(Who("alice"), 1, "cad");

  // A renewal: new file order and serial number, same pool key.
  ModelBuilder after;
  after.Add("cam", "2027.0", 2);
  after.Add("cad", "2027.0", 2).lines[0].serial = "SN-2";
  ReloadReport report = engine->Reload(after.Build(), clock.now());
  BOOST_TEST(report.added.empty());
  BOOST_TEST(report.removed.empty());
  BOOST_TEST(report.changed.empty());
  BOOST_TEST(report.ended.empty());
  BOOST_TEST(TakeOtherEvents().empty());
  std::optional<LeaseView> kept = engine->FindLease(lease.id);
  BOOST_REQUIRE(kept.has_value());
  BOOST_TEST(kept->pool == 1u);
  BOOST_TEST(InUse(1) == 1);
  BOOST_TEST(engine->model().pools[kept->pool].feature == "cad");
  BOOST_TEST(Grant(Who("alice"), 1, "cad").shared);
  BOOST_TEST((CodeOf(engine->Checkin(1, lease.id, clock.now())) == Errc::kOk));
}

BOOST_AUTO_TEST_CASE(reload_removed_pool_ends_leases) {
  ModelBuilder before;
  before.Add("cad", "2027.0", 2);
  before.Add("cam", "2027.0", 2);
  Start(before);
  Grant(Who("alice"), 1, "cad");
  LeaseView cam = Grant(Who("bob"), 2, "cam");
  engine->Disconnect(2, clock.now());

  ModelBuilder after;
  after.Add("cad", "2027.0", 2);
  ReloadReport report = engine->Reload(after.Build(), clock.now());
  BOOST_REQUIRE(report.removed.size() == 1u);
  BOOST_TEST(Contains(report.removed[0], "cam 2027.0"));
  BOOST_REQUIRE(report.ended.size() == 1u);
  BOOST_TEST(report.ended[0].id == cam.id);
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kLeaseEnded));
  BOOST_TEST((events[0].reason == Errc::kPoolRemoved));
  BOOST_TEST(events[0].client == 2u);
  BOOST_TEST(engine->lease_count() == 1u);
  BOOST_TEST((Deny(Who("bob"), 3, "cam").code == Errc::kNoSuchFeature));
  // The ended lease's deadline entry must not fire later.
  clock.Advance(60s);
  Tick();
  BOOST_TEST(TakeOtherEvents().empty());
}

BOOST_AUTO_TEST_CASE(reload_count_below_use_keeps_leases_and_reports) {
  ModelBuilder before;
  before.Add("cad", "2027.0", 10);
  Start(before);
  std::vector<LeaseView> leases;
  leases.reserve(7);
  for (int i = 0; i < 7; ++i) {
    leases.push_back(Grant(Who("u" + std::to_string(i)), 1, "cad"));
  }

  ModelBuilder after;
  after.Add("cad", "2027.0", 5);
  ReloadReport report = engine->Reload(after.Build(), clock.now());
  BOOST_REQUIRE(report.changed.size() == 1u);
  BOOST_TEST(report.changed[0] == "cad 2027.0: 10 -> 5 seats (7 in use)");
  BOOST_TEST(report.ended.empty());
  BOOST_TEST(engine->lease_count() == 7u);
  Deny(Who("late"), 2, "cad");
  for (int i = 0; i < 2; ++i) {
    engine->Checkin(1, leases[i].id, clock.now());
  }
  Deny(Who("late"), 2, "cad");  // 5 in use: the new count is reached, not exceeded
  engine->Checkin(1, leases[2].id, clock.now());
  Grant(Who("late"), 2, "cad");
}

BOOST_AUTO_TEST_CASE(reload_reports_added_pools_and_serves_waiters) {
  ModelBuilder before;
  before.Add("cad", "2027.0", 1);
  Start(before);
  Grant(Who("alice"), 1, "cad");
  BOOST_TEST(std::holds_alternative<Queued>(Try(Who("bob"), 2, "cad", std::nullopt, 60s, 8)));

  ModelBuilder after;
  after.Add("cad", "2027.0", 1);
  after.Add("cad", "2028.0", 1);
  ReloadReport report = engine->Reload(after.Build(), clock.now());
  BOOST_REQUIRE(report.added.size() == 1u);
  BOOST_TEST(report.added[0] == "cad 2028.0 (licenses.lic:20): 1 seats");
  auto events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 1u);
  BOOST_TEST((events[0].kind == Event::Kind::kQueuedGranted));
  BOOST_TEST(events[0].tag == 8u);
  BOOST_TEST(events[0].lease.pool == 1u);
}

BOOST_AUTO_TEST_CASE(reload_renewal_reports_new_expiry) {
  ModelBuilder before;
  before.Add("cad", "2027.0", 3).lines[0].expiry = Day(2026, 12, 31);
  Start(before);
  Grant(Who("alice"), 1, "cad");
  ModelBuilder after;
  after.Add("cad", "2027.0", 3).lines[0].expiry = Day(2027, 12, 31);
  ReloadReport report = engine->Reload(after.Build(), clock.now());
  BOOST_REQUIRE(report.changed.size() == 1u);
  BOOST_TEST(report.changed[0] == "cad 2027.0: expiry 31-dec-2026 -> 31-dec-2027");
  BOOST_TEST(engine->lease_count() == 1u);
}

BOOST_AUTO_TEST_CASE(snapshot_lists_pools_in_cascading_order_with_seats) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).sort = 300;
  m.Add("cam", "2027.0", 3).sort = 100;
  Start(m);
  Grant(Who("alice"), 1, "cad");
  Grant(Who("alice"), 2, "cad");
  clock.Advance(1min);
  Grant(Who("bob"), 3, "cad");
  auto pools = engine->Snapshot(clock.now());
  BOOST_REQUIRE(pools.size() == 2u);
  BOOST_TEST(pools[0].id == 1u);
  BOOST_TEST(pools[0].spec->feature == "cam");
  BOOST_TEST(pools[0].total == 3);
  BOOST_TEST(pools[0].in_use == 0);
  const PoolView& cad = pools[1];
  BOOST_TEST(cad.total == 2);
  BOOST_TEST(cad.in_use == 2);
  BOOST_REQUIRE(cad.seats.size() == 2u);
  BOOST_TEST(cad.seats[0].holder.user == "alice");
  BOOST_TEST(cad.seats[0].leases.size() == 2u);
  BOOST_TEST(cad.seats[0].products == std::vector<std::string>{"cad"});
  BOOST_TEST(cad.seats[1].holder.user == "bob");
  BOOST_TEST((cad.seats[1].since == clock.now().wall));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
