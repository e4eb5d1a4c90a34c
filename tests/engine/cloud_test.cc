// Cloud services of a collection: no seat, a cloud-user slot per unique user name.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

std::string U(int i) { return "u" + std::to_string(i); }

void AddCloudCollection(ModelBuilder& m, int seats) {
  m.AddCollection("pdc", "2027.0", seats, {"cad", "docs", "render"}).cloud = {"docs", "render"};
}

BOOST_FIXTURE_TEST_SUITE(engine_cloud, EngineFixture)

BOOST_AUTO_TEST_CASE(seventh_cloud_user_of_two_seats_is_denied_naming_the_six) {
  ModelBuilder m;
  AddCloudCollection(m, 2);
  Start(m);
  for (int i = 1; i <= 6; ++i) {
    LeaseView lease = Grant(Who(U(i), "h" + std::to_string(i)), i, "docs");
    BOOST_TEST(lease.cloud);
    BOOST_TEST(lease.seat == 0u);
    BOOST_TEST(lease.pool == 0u);
  }
  BOOST_TEST(InUse(0) == 0);  // cloud services take no seat
  Denial d = Deny(Who("u7", "h7"), 7, "docs");
  BOOST_TEST((d.code == Errc::kCloudUsersExhausted));
  BOOST_TEST_MESSAGE(d.message);
  BOOST_TEST(d.message ==
             "'docs' is a cloud service of collection pdc: all 6 cloud-user slots are taken (2 "
             "collection seats x 3 users per seat), held by u1, u2, u3, u4, u5, u6; a slot stays "
             "with its user until an administrator releases it");
  // Waiting does not help: slots are not given back by checkins.
  BOOST_TEST(std::holds_alternative<Denial>(Try(Who("u7"), 7, "docs", std::nullopt, 30s)));
  // The seats themselves are untouched by cloud use.
  Grant(Who("u7"), 7, "cad");
}

BOOST_AUTO_TEST_CASE(limit_is_seats_times_users_per_seat) {
  for (int seats : {1, 10}) {
    ModelBuilder m;
    AddCloudCollection(m, seats);
    Start(m);
    for (int i = 1; i <= 3 * seats; ++i) {
      Grant(Who(U(i)), i, i % 2 ? "docs" : "render");
    }
    BOOST_TEST(engine->CloudSlots("pdc").size() == static_cast<std::size_t>(3 * seats));
    BOOST_TEST((Deny(Who("late"), 99, "docs").code == Errc::kCloudUsersExhausted));
  }
}

BOOST_AUTO_TEST_CASE(cloud_users_per_seat_is_configurable) {
  ModelBuilder m;
  AddCloudCollection(m, 2);
  Start([&] {
    licenses::Model model = m.Build();
    model.packages[0].cloud_users_per_seat = 1;
    return model;
  }());
  Grant(Who("u1"), 1, "docs");
  Grant(Who("u2"), 2, "docs");
  Deny(Who("u3"), 3, "docs");
}

BOOST_AUTO_TEST_CASE(a_slot_holder_checks_out_again_freely_anywhere) {
  ModelBuilder m;
  AddCloudCollection(m, 1);
  Start(m);
  LeaseView first = Grant(Who("u1", "ws1"), 1, "docs");
  auto slots = TakeEvents(Event::Kind::kCloudSlotGranted);
  BOOST_REQUIRE(slots.size() == 1u);
  BOOST_TEST(slots[0].lease.who.user == "u1");
  BOOST_TEST(slots[0].message == "pdc");
  Grant(Who("u2"), 2, "docs");
  Grant(Who("u3"), 3, "docs");
  BOOST_TEST(TakeEvents(Event::Kind::kCloudSlotGranted).size() == 2u);
  // u1 keeps the slot after a checkin and uses it from another host and service.
  BOOST_TEST((Checkin(1, first) == Errc::kOk));
  LeaseView again = Grant(Who("u1", "laptop"), 4, "render");
  BOOST_TEST(again.reason == "cloud service of pdc: u1 holds a cloud-user slot");
  Grant(Who("u1", "ws9"), 5, "docs");
  BOOST_TEST(TakeEvents(Event::Kind::kCloudSlotGranted).empty());
  BOOST_TEST(engine->CloudSlots("pdc").size() == 3u);
  BOOST_TEST(engine->CloudSlots("pdc")[0].user == "u1");
}

// Off by default: a slot stays with its user however long it goes unused.
BOOST_AUTO_TEST_CASE(slots_never_expire_unless_configured) {
  ModelBuilder m;
  AddCloudCollection(m, 1);
  Start(m);
  LeaseView lease = Grant(Who("u1"), 1, "docs");
  BOOST_TEST((Checkin(1, lease) == Errc::kOk));
  clock.Advance(std::chrono::hours(24 * 400));
  const CloudSweep sweep = engine->SweepCloudSlots(clock.now());
  BOOST_TEST(sweep.released.empty());
  BOOST_TEST(engine->CloudSlots("pdc").size() == 1u);
}

// With an idle limit, a slot whose user holds no cloud lease and has not used it for that
// long is released; a slot in use is never released, and its use is kept moving.
BOOST_AUTO_TEST_CASE(an_idle_slot_is_released_and_a_slot_in_use_is_kept) {
  ModelBuilder m;
  AddCloudCollection(m, 1);
  EngineConfig config = Config();
  config.cloud_slot_idle = std::chrono::hours(24 * 30);
  config.ttl = std::chrono::hours(24 * 90);  // u2's lease outlives the idle limit unrenewed
  Start(m.Build(), std::move(config));
  LeaseView idle = Grant(Who("u1"), 1, "docs");
  Grant(Who("u2"), 2, "render");  // held throughout
  const WallTime granted = clock.now().wall;
  BOOST_TEST((Checkin(1, idle) == Errc::kOk));
  clock.Advance(std::chrono::hours(2));
  CloudSweep sweep = engine->SweepCloudSlots(clock.now());
  BOOST_TEST(sweep.released.empty());
  BOOST_REQUIRE(sweep.touched.size() == 1u);  // u2 was seen using it two hours on
  BOOST_TEST(sweep.touched[0].user == "u2");
  BOOST_TEST((sweep.touched[0].since == granted));
  BOOST_TEST((sweep.touched[0].last_used == clock.now().wall));

  clock.Advance(std::chrono::hours(24 * 30) - std::chrono::hours(3));
  BOOST_TEST(engine->SweepCloudSlots(clock.now()).released.empty(), "29 days: not yet");
  clock.Advance(std::chrono::hours(1));
  sweep = engine->SweepCloudSlots(clock.now());
  BOOST_REQUIRE(sweep.released.size() == 1u);
  BOOST_TEST(sweep.released[0].user == "u1");
  BOOST_TEST(sweep.released[0].collection == "pdc");
  BOOST_TEST((sweep.released[0].last_used == granted));
  BOOST_REQUIRE(engine->CloudSlots("pdc").size() == 1u);
  BOOST_TEST(engine->CloudSlots("pdc")[0].user == "u2");
  // A newcomer takes the freed slot; the denial text says slots expire.
  Grant(Who("u3"), 3, "docs");
  Grant(Who("u4"), 4, "docs");
  Denial d = Deny(Who("u5"), 5, "docs");
  BOOST_TEST(Contains(d.message, "or its user leaves it unused for 30 days"), d.message);
}

// A slot used again restarts its idle time; a restored slot with no recorded use counts
// from its grant.
BOOST_AUTO_TEST_CASE(use_restarts_the_idle_time_and_restored_slots_keep_theirs) {
  ModelBuilder m;
  AddCloudCollection(m, 1);
  EngineConfig config = Config();
  config.cloud_slot_idle = std::chrono::hours(24);
  Start(m.Build(), config);
  const WallTime then = clock.now().wall - std::chrono::hours(20);
  engine->RestoreCloudSlots({{"pdc", "old", then, {}}, {"pdc", "used", then, clock.now().wall}});
  clock.Advance(std::chrono::hours(5));
  auto sweep = engine->SweepCloudSlots(clock.now());
  BOOST_REQUIRE(sweep.released.size() == 1u);
  BOOST_TEST(sweep.released[0].user == "old");
  LeaseView again = Grant(Who("used"), 1, "docs");
  BOOST_TEST((Checkin(1, again) == Errc::kOk));
  clock.Advance(std::chrono::hours(23));
  BOOST_TEST(engine->SweepCloudSlots(clock.now()).released.empty(), "used 23 hours ago");
  clock.Advance(std::chrono::hours(1));
  BOOST_TEST(engine->SweepCloudSlots(clock.now()).released.size() == 1u);
  BOOST_TEST(engine->CloudSlots("pdc").empty());
}

BOOST_AUTO_TEST_CASE(cloud_lease_lives_like_any_lease) {
  ModelBuilder m;
  AddCloudCollection(m, 1);
  Start(m);
  LeaseView lease = Grant(Who("u1"), 1, "docs");
  BOOST_TEST(lease.token != 0u);
  BOOST_TEST(engine->Heartbeat(1, clock.now()) == 1u);
  engine->Disconnect(1, clock.now());
  auto back = engine->Reattach(2, Who("u1"), lease.id, lease.token, clock.now());
  BOOST_REQUIRE(std::holds_alternative<LeaseView>(back));
  BOOST_TEST(std::get<LeaseView>(back).cloud);
  clock.Advance(121s);
  Tick();
  auto ended = TakeEvents(Event::Kind::kLeaseEnded);
  BOOST_REQUIRE(ended.size() == 1u);
  BOOST_TEST((ended[0].reason == Errc::kLeaseTimedOut));
  BOOST_TEST(engine->CloudSlots("pdc").size() == 1u);  // the slot stays
  auto pools = engine->Snapshot(clock.now());
  BOOST_TEST(pools[0].cloud_leases.empty());
}

BOOST_AUTO_TEST_CASE(releasing_a_slot_ends_its_live_cloud_leases_and_frees_it) {
  ModelBuilder m;
  AddCloudCollection(m, 1);
  Start(m);
  LeaseView u1 = Grant(Who("u1"), 1, "docs");
  Grant(Who("u1"), 1, "render");
  LeaseView seat = Grant(Who("u1"), 1, "cad");
  Grant(Who("u2"), 2, "docs");
  Grant(Who("u3"), 3, "docs");
  Deny(Who("u4"), 4, "docs");
  BOOST_TEST(engine->Snapshot(clock.now())[0].cloud_leases.size() == 4u);
  TakeOtherEvents();

  BOOST_TEST((CodeOf(engine->ReleaseCloudSlot("pdc", "u1", clock.now())) == Errc::kOk));
  auto ended = TakeEvents(Event::Kind::kLeaseEnded);
  BOOST_REQUIRE(ended.size() == 2u);
  BOOST_TEST(ended[0].lease.id == u1.id);
  BOOST_TEST((ended[0].reason == Errc::kLeaseRemoved));
  BOOST_TEST(Contains(ended[0].message, "released u1's cloud-user slot of pdc"));
  BOOST_TEST(engine->FindLease(seat.id).has_value());  // seat leases are not cloud leases
  Grant(Who("u4"), 4, "docs");
  const AdminResult twice = engine->ReleaseCloudSlot("pdc", "u1", clock.now());
  BOOST_REQUIRE(std::holds_alternative<Denial>(twice));
  BOOST_TEST((std::get<Denial>(twice).code == Errc::kNoSuchLease));
  BOOST_TEST(std::get<Denial>(twice).message == "u1 holds no cloud-user slot of pdc");
  const AdminResult nope = engine->ReleaseCloudSlot("nope", "u1", clock.now());
  BOOST_REQUIRE(std::holds_alternative<Denial>(nope));
  BOOST_TEST((std::get<Denial>(nope).code == Errc::kNoSuchFeature));
  BOOST_TEST(std::get<Denial>(nope).message == "no collection named 'nope'");
}

BOOST_AUTO_TEST_CASE(slots_and_cloud_leases_are_restored) {
  ModelBuilder m;
  AddCloudCollection(m, 1);
  Start(m);
  const WallTime then = clock.now().wall - std::chrono::hours(48);
  engine->RestoreCloudSlots({{"pdc", "u1", then}, {"pdc", "u2", then}, {"gone", "u3", then}});
  RestoredLease r;
  r.id = 5;
  r.token_digest = token::Of(5, 55);
  r.pool_key = engine->model().pools[0].Key();
  r.feature = "docs";
  r.who = Who("u1");
  RestoredLease orphan = r;
  orphan.id = 6;
  orphan.who = Who("u9");
  RestoreReport report = engine->Restore({r, orphan}, clock.now());
  BOOST_TEST(report.restored == 1u);
  BOOST_REQUIRE(report.dropped.size() == 1u);
  BOOST_TEST(Contains(report.dropped[0].second, "u9 holds no cloud-user slot of pdc"));
  BOOST_TEST(engine->FindLease(5)->cloud);
  BOOST_TEST(engine->CloudSlots("pdc").size() == 2u);
  BOOST_TEST(engine->CloudSlots("gone").empty());
  Grant(Who("u3"), 3, "docs");
  Deny(Who("u4"), 4, "docs");
}

BOOST_AUTO_TEST_CASE(collection_expiry_ends_cloud_leases) {
  ModelBuilder m;
  AddCloudCollection(m, 1);
  m.pool(0).lines[0].expiry = clock.now().today;
  Start(m);
  Tick();
  Grant(Who("u1"), 1, "docs");
  clock.Advance(std::chrono::hours(16));
  engine->Heartbeat(1, clock.now());
  Tick();
  auto ended = TakeEvents(Event::Kind::kLeaseEnded);
  BOOST_REQUIRE(ended.size() == 1u);
  BOOST_TEST((ended[0].reason == Errc::kLeaseExpired));
  BOOST_TEST((Deny(Who("u1"), 1, "docs").code == Errc::kExpired));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
