// Checkouts of several seats at once (CheckoutRequest::seats): whole or nothing, from one
// pool, shared with nobody, queued as one request that later requests do not overtake.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

struct MultiSeat : EngineFixture {
  LeaseView GrantN(const Identity& who, ClientId client, std::string feature, std::uint32_t n) {
    CheckoutResult r = Try(who, client, std::move(feature), std::nullopt, 0ms, 0, n);
    if (auto* denial = std::get_if<Denial>(&r)) BOOST_TEST_MESSAGE(denial->message);
    BOOST_REQUIRE(std::holds_alternative<LeaseView>(r));
    return std::get<LeaseView>(r);
  }
  Denial DenyN(const Identity& who, ClientId client, std::string feature, std::uint32_t n,
               Millis wait = 0ms) {
    CheckoutResult r = Try(who, client, std::move(feature), std::nullopt, wait, 0, n);
    BOOST_REQUIRE(std::holds_alternative<Denial>(r));
    return std::get<Denial>(r);
  }
  void QueueN(const Identity& who, ClientId client, std::string feature, std::uint32_t n,
              std::uint64_t tag, Millis wait = 60s) {
    CheckoutResult r = Try(who, client, std::move(feature), std::nullopt, wait, tag, n);
    if (auto* denial = std::get_if<Denial>(&r)) BOOST_TEST_MESSAGE(denial->message);
    BOOST_REQUIRE(std::holds_alternative<Queued>(r));
  }
};

BOOST_FIXTURE_TEST_SUITE(engine_multi_seat, MultiSeat)

BOOST_AUTO_TEST_CASE(four_seats_in_one_lease_count_four_and_free_four) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 10);
  Start(m);
  const LeaseView job = GrantN(Who("alice"), 1, "solver", 4);
  BOOST_TEST(job.seats == 4u);
  BOOST_TEST(!job.shared);
  BOOST_TEST(InUse(0) == 4);
  const std::vector<SeatView> seats = Seats(0);
  BOOST_REQUIRE(seats.size() == 1u);
  BOOST_TEST(seats[0].weight == 4u);
  BOOST_TEST(seats[0].leases.size() == 1u);
  BOOST_TEST(seats[0].leases[0].seats == 4u);
  BOOST_TEST(job.reason == "4 own seats of solver");
  BOOST_TEST((Checkin(1, job) == Errc::kOk));
  BOOST_TEST(InUse(0) == 0);
}

BOOST_AUTO_TEST_CASE(all_or_nothing_when_fewer_are_free) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 5);
  Start(m);
  Grant(Who("bob", "ws2"), 1, "solver");
  Grant(Who("carol", "ws3"), 2, "solver");
  const Denial d = DenyN(Who("alice"), 3, "solver", 4);
  BOOST_TEST((d.code == Errc::kAllSeatsInUse));
  BOOST_TEST(Contains(d.message, "4 seats of 'solver' were asked for at once"), d.message);
  BOOST_TEST(Contains(d.message, "2 of 5 seats in use"), d.message);
  BOOST_TEST(InUse(0) == 2, "nothing was taken");
  GrantN(Who("alice"), 3, "solver", 3);
  BOOST_TEST(InUse(0) == 5);
}

BOOST_AUTO_TEST_CASE(more_than_a_license_has_is_refused_and_not_queued) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 3);
  m.Add("solver", "2028.0", 2);
  Start(m);
  const Denial d = DenyN(Who("alice"), 1, "solver", 4, 60s);
  BOOST_TEST((d.code == Errc::kTooFewSeats));
  BOOST_TEST(Contains(d.message, "has 3 seats in force today"), d.message);
  BOOST_TEST(Contains(d.message, "has 2 seats in force today"), d.message);
  BOOST_TEST(Contains(d.message, "ask for fewer"), d.message);
  BOOST_TEST(engine->Snapshot(clock.now())[0].queue.empty());
  // Seats of two pools are never added up: one lease comes from one pool.
  BOOST_TEST(engine->lease_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_multi_seat_lease_shares_with_nobody) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 10);  // DUP_GROUP=UH by default
  Start(m);
  const LeaseView single = Grant(Who("alice"), 1, "solver");
  const LeaseView job = GrantN(Who("alice"), 1, "solver", 3);
  BOOST_TEST(job.seat != single.seat);
  BOOST_TEST(InUse(0) == 4);
  // alice's next single checkout shares her single seat, never the job's seats.
  const LeaseView again = Grant(Who("alice"), 2, "solver");
  BOOST_TEST(again.seat == single.seat);
  BOOST_TEST(again.shared);
  GrantN(Who("alice"), 3, "solver", 2);
  BOOST_TEST(InUse(0) == 6, "two multi-seat leases of one user take their seats each");
}

BOOST_AUTO_TEST_CASE(a_waiting_multi_seat_request_is_not_overtaken) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 4);
  Start(m);
  const LeaseView a1 = Grant(Who("alice"), 1, "solver");
  const LeaseView a2 = Grant(Who("alice", "ws9"), 2, "solver");
  QueueN(Who("bob", "ws2"), 3, "solver", 4, 30);
  // Two seats are free, but they are held for bob, who came first.
  const Denial d = Deny(Who("carol", "ws3"), 4, "solver");
  BOOST_TEST((d.code == Errc::kAllSeatsInUse));
  BOOST_TEST(Contains(d.message, "2 free seats are held for bob@ws2, who waits for 4 at once"),
             d.message);
  BOOST_REQUIRE(
      std::holds_alternative<Queued>(Try(Who("carol", "ws3"), 4, "solver", std::nullopt, 60s, 40)));
  BOOST_TEST(InUse(0) == 2);

  BOOST_TEST((Checkin(1, a1) == Errc::kOk));
  BOOST_TEST(TakeOtherEvents().empty(), "3 free: bob still needs 4, carol stays behind him");
  BOOST_TEST((Checkin(2, a2) == Errc::kOk));
  std::vector<Event> granted = TakeEvents(Event::Kind::kQueuedGranted);
  BOOST_REQUIRE(granted.size() == 1u);
  BOOST_TEST(granted[0].tag == 30u);
  BOOST_TEST(granted[0].lease.seats == 4u);
  BOOST_TEST(InUse(0) == 4);

  engine->Checkin(3, granted[0].lease.id, clock.now());
  granted = TakeEvents(Event::Kind::kQueuedGranted);
  BOOST_REQUIRE(granted.size() == 1u);
  BOOST_TEST(granted[0].tag == 40u);
  BOOST_TEST(granted[0].lease.who.user == "carol");
}

BOOST_AUTO_TEST_CASE(waiters_ahead_of_a_multi_seat_request_keep_their_turn) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 3);
  Start(m);
  const LeaseView a = Grant(Who("alice"), 1, "solver");
  const LeaseView b = Grant(Who("bob", "ws2"), 2, "solver");
  const LeaseView c = Grant(Who("carol", "ws3"), 3, "solver");
  BOOST_REQUIRE(
      std::holds_alternative<Queued>(Try(Who("dan", "ws4"), 4, "solver", std::nullopt, 60s, 41)));
  QueueN(Who("erin", "ws5"), 5, "solver", 2, 50);
  Checkin(1, a);
  std::vector<Event> granted = TakeEvents(Event::Kind::kQueuedGranted);
  BOOST_REQUIRE(granted.size() == 1u);
  BOOST_TEST(granted[0].lease.who.user == "dan", "dan queued before erin held the seats");
  Checkin(2, b);
  BOOST_TEST(TakeEvents(Event::Kind::kQueuedGranted).empty());
  Checkin(3, c);
  granted = TakeEvents(Event::Kind::kQueuedGranted);
  BOOST_REQUIRE(granted.size() == 1u);
  BOOST_TEST(granted[0].lease.who.user == "erin");
  BOOST_TEST(granted[0].lease.seats == 2u);
}

BOOST_AUTO_TEST_CASE(the_hold_ends_with_the_wait) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 4);
  Start(m);
  Grant(Who("alice"), 1, "solver");
  QueueN(Who("bob", "ws2"), 2, "solver", 4, 20, 10s);
  BOOST_REQUIRE(
      std::holds_alternative<Queued>(Try(Who("carol", "ws3"), 3, "solver", std::nullopt, 60s, 30)));
  clock.Advance(10s);
  Tick();
  const std::vector<Event> events = TakeOtherEvents();
  BOOST_REQUIRE(events.size() == 2u);
  BOOST_TEST((events[0].kind == Event::Kind::kQueueTimeout));
  BOOST_TEST(events[0].tag == 20u);
  BOOST_TEST((events[1].kind == Event::Kind::kQueuedGranted));
  BOOST_TEST(events[1].tag == 30u);
  // So does a disconnect.
  QueueN(Who("bob", "ws2"), 2, "solver", 3, 21);
  engine->Disconnect(2, clock.now());
  Grant(Who("dan", "ws4"), 4, "solver");
}

BOOST_AUTO_TEST_CASE(a_hold_ends_when_the_pool_no_longer_has_the_seats_asked_for) {
  ModelBuilder m;
  licenses::Pool& pool = m.Add("solver", "2027.0", 2);
  licenses::PoolLine renewal_due = pool.lines[0];  // 4 more seats, through today only
  renewal_due.count = 4;
  renewal_due.expiry = clock.now().today;
  pool.lines.push_back(renewal_due);
  Start(m);
  Grant(Who("alice"), 1, "solver");
  QueueN(Who("bob", "ws2"), 2, "solver", 6, 20, 48h);
  BOOST_TEST((Deny(Who("carol", "ws3"), 3, "solver").code == Errc::kAllSeatsInUse));
  // Past midnight the pool has 2 seats: bob's 6 can never come from it, so nothing is
  // held for him any more.
  for (int step = 0; step < 15 * 36; ++step) {
    clock.Advance(100s);
    engine->Heartbeat(1, clock.now());
    Tick();
  }
  BOOST_TEST(InUse(0) == 1);
  Grant(Who("carol", "ws3"), 3, "solver");
}

BOOST_AUTO_TEST_CASE(max_counts_every_seat_of_the_request) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 10);
  Start(m);
  engine->SetPolicy(Policy("MAX 3 solver USER alice\n"));
  const Denial d = DenyN(Who("alice"), 1, "solver", 4);
  BOOST_TEST((d.code == Errc::kMaxReachedForUser), d.message);
  BOOST_TEST(InUse(0) == 0);
  GrantN(Who("alice"), 1, "solver", 3);
  BOOST_TEST((Deny(Who("alice", "ws2"), 2, "solver").code == Errc::kMaxReachedForUser));
}

BOOST_AUTO_TEST_CASE(reserve_keeps_its_seats_from_a_multi_seat_request) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 4);
  Start(m);
  engine->SetPolicy(Policy("RESERVE 2 solver USER robert\n"));
  BOOST_TEST((DenyN(Who("alice"), 1, "solver", 3).code == Errc::kReservedForOthers));
  GrantN(Who("alice"), 1, "solver", 2);
  GrantN(Who("robert", "ws2"), 2, "solver", 2);
}

BOOST_AUTO_TEST_CASE(collection_seats_taken_several_at_once_run_one_product) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 6, {"cad", "cam"});
  Start(m);
  const LeaseView job = GrantN(Who("alice"), 1, "cad", 2);
  BOOST_TEST(InUse(0) == 2);
  BOOST_TEST(job.reason == "2 collection seats of pdc, running cad");
  // cam does not ride on them: alice opens a collection seat of her own for it.
  const LeaseView cam = Grant(Who("alice"), 2, "cam");
  BOOST_TEST(!cam.shared);
  BOOST_TEST(InUse(0) == 3);
  BOOST_TEST(TakeOtherEvents().empty(), "nothing moves onto or off a multi-seat lease");
}

BOOST_AUTO_TEST_CASE(cloud_services_and_named_users_give_one_seat_at_a_time) {
  ModelBuilder m;
  licenses::Package& pdc = m.AddCollection("pdc", "2027.0", 2, {"cad", "docs"});
  pdc.cloud = {"docs"};
  pdc.cloud_users_per_seat = 3;
  licenses::Pool& named = m.Add("viewer", "2027.0", 5);
  named.user_based = true;
  Start(m);
  Code(engine->Assign("viewer", "alice", clock.now()));
  BOOST_TEST((DenyN(Who("alice"), 1, "docs", 2).code == Errc::kTooFewSeats));
  const Denial d = DenyN(Who("alice"), 1, "viewer", 2);
  BOOST_TEST((d.code == Errc::kTooFewSeats));
  BOOST_TEST(Contains(d.message, "gives named users one seat each"), d.message);
  Grant(Who("alice"), 1, "viewer");
}

BOOST_AUTO_TEST_CASE(a_restored_multi_seat_lease_takes_its_seats_again) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 5);
  Start(m);
  const licenses::Pool& pool = engine->model().pools[0];
  auto stored = [&](LeaseId id, std::uint32_t seats) {
    RestoredLease r;
    r.id = id;
    r.token_digest = token::Of(id, 5000 + id);
    r.pool_key = pool.Key();
    r.feature = "solver";
    r.who = Who("alice");
    r.seats = seats;
    return r;
  };
  const RestoreReport report =
      engine->Restore({stored(1, 3), stored(2, 1), stored(3, 2)}, clock.now());
  BOOST_TEST(report.restored == 2u);
  BOOST_REQUIRE(report.dropped.size() == 1u);
  BOOST_TEST(report.dropped[0].first.id == 3u);
  BOOST_TEST(Contains(report.dropped[0].second, "it holds 2 seats"), report.dropped[0].second);
  BOOST_TEST(InUse(0) == 4);
  BOOST_TEST(engine->FindLease(1)->seats == 3u);
  BOOST_TEST(!engine->FindLease(2)->shared, "a single lease does not ride on restored seats");
}

BOOST_AUTO_TEST_CASE(diag_explains_a_request_for_several_seats) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 3);
  Start(m);
  Grant(Who("bob", "ws2"), 1, "solver");
  Diagnosis d = engine->Explain(Who("alice"), "solver", std::nullopt, clock.now(), 3);
  BOOST_TEST((d.outcome == Errc::kAllSeatsInUse));
  BOOST_TEST(d.would_queue);
  d = engine->Explain(Who("alice"), "solver", std::nullopt, clock.now(), 4);
  BOOST_TEST((d.outcome == Errc::kTooFewSeats));
  BOOST_TEST(!d.would_queue);
  BOOST_REQUIRE(d.pools.size() == 1u);
  BOOST_TEST(d.pools[0].why == "has 3 seats in force today, fewer than asked for");
}

BOOST_AUTO_TEST_CASE(a_reload_keeps_a_multi_seat_lease_whole) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 5);
  Start(m);
  GrantN(Who("alice"), 1, "solver", 4);
  ModelBuilder smaller;
  smaller.Add("solver", "2027.0", 3);
  const ReloadReport report = engine->Reload(smaller.Build(), clock.now());
  BOOST_REQUIRE(report.changed.size() == 1u);
  BOOST_TEST(report.changed[0] == "solver 2027.0: 5 -> 3 seats (4 in use)");
  BOOST_TEST(InUse(0) == 4);
  Deny(Who("bob", "ws2"), 2, "solver");
  BOOST_TEST(Seats(0).at(0).weight == 4u);
}

BOOST_AUTO_TEST_CASE(zero_seats_is_a_programming_error) {
  ModelBuilder m;
  m.Add("solver", "2027.0", 5);
  Start(m);
  BOOST_CHECK_THROW(Try(Who("alice"), 1, "solver", std::nullopt, 0ms, 0, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
