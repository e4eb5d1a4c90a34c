// The collection rules as one table: each row is a step (checkout, checkin or a day
// passing) and what must hold after it. One model for all rows:
//   pool 0  A 2027.0, 1 seat              (a standalone product seat)
//   pool 1  pdc 2027.0, 3 seats           PACKAGE pdc: A B C D:2026.0, PRODUCTS_PER_SEAT=2
//   pool 2  big 2027.0, 1 seat, RANK=suite PACKAGE big: A B C D E, PRODUCTS_PER_SEAT=3, UHV
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <map>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

using licenses::DupGroup;

struct Step {
  const char* what;  // the rule the row shows
  const char* op;    // "out", "in" (checks in the lease named `product` of `user`), "day"
  const char* user;
  const char* product;
  const char* version;  // nullptr: any
  int pool;             // out: expected pool of the lease (-1: denied)
  int seats_held;       // seats the user holds afterwards (all pools)
  int moves;            // kLeaseMoved events the step produced
};

constexpr Step kSteps[] = {
    {"product rank first", "out", "u1", "A", nullptr, 0, 1, 0},
    {"same product twice shares the seat", "out", "u1", "A", nullptr, 0, 1, 0},
    {"B opens a collection seat; both A leases move onto it", "out", "u1", "B", nullptr, 1, 1, 2},
    {"third product: further seat of pdc", "out", "u1", "C", nullptr, 1, 2, 0},
    {"a product the seat runs rides even when full", "out", "u1", "B", nullptr, 1, 2, 0},
    {"version above the component's: next collection by rank", "out", "u2", "D", "2027.0", 2, 1, 0},
    {"UHV: same version rides on the suite seat", "out", "u2", "E", "2027.0", 2, 1, 0},
    {"UHV: another version needs another seat (none left)", "out", "u2", "E", "2026.0", -1, 1, 0},
    {"freeing the standalone A seat lets u3 take it", "out", "u3", "A", nullptr, 0, 1, 0},
    {"one B of two checked in: the product still runs", "in", "u1", "B", nullptr, 0, 2, 0},
    {"last B checked in: C moves back, further seat freed", "in", "u1", "B", nullptr, 0, 1, 1},
    {"u3 takes a collection seat for B; A moves onto it", "out", "u3", "B", nullptr, 1, 1, 1},
    {"u4 takes the last pdc seat", "out", "u4", "C", nullptr, 1, 1, 0},
    {"u5: pdc full, A free again, product first", "out", "u5", "A", nullptr, 0, 1, 0},
    {"u6: everything full", "out", "u6", "B", nullptr, -1, 0, 0},
    {"the day the licenses expire ends every lease", "day", "", "", nullptr, 0, 0, 0},
};

BOOST_FIXTURE_TEST_SUITE(engine_collection_scenarios, EngineFixture)

BOOST_AUTO_TEST_CASE(collection_rules_step_by_step) {
  ModelBuilder m;
  m.Add("A", "2027.0", 1);
  m.AddCollection("pdc", "2027.0", 3, {"A", "B", "C", "D:2026.0"});
  licenses::Package& big = m.AddCollection("big", "2027.0", 1, {"A", "B", "C", "D", "E"});
  big.rank = licenses::Rank::kSuite;
  big.products_per_seat = 3;
  big.suite_dup_group = DupGroup{DupGroup::kUser | DupGroup::kHost | DupGroup::kVersion};
  const licenses::Date last_day = clock.now().today;
  for (int i = 0; i < 3; ++i) {
    m.pool(static_cast<std::size_t>(i)).lines[0].expiry = last_day;
  }
  Start(m);
  Tick();

  std::map<std::string, ClientId> clients;
  std::multimap<std::pair<std::string, std::string>, LeaseId> held;  // (user, product) -> lease
  for (const Step& step : kSteps) {
    BOOST_TEST_CONTEXT(step.what) {
      const std::string op = step.op;
      if (op == "day") {
        clock.Advance(std::chrono::hours(16));
        for (const auto& [user, client] : clients) {
          engine->Heartbeat(client, clock.now());
        }
        Tick();
        BOOST_TEST(engine->lease_count() == 0u);
        for (const Event& e : TakeEvents(Event::Kind::kLeaseEnded)) {
          BOOST_TEST((e.reason == Errc::kLeaseExpired));
        }
        continue;
      }
      const ClientId client = clients.try_emplace(step.user, clients.size() + 1).first->second;
      const Identity who = Who(step.user, std::string("host-") + step.user);
      if (op == "out") {
        CheckoutResult r =
            Try(who, client, step.product,
                step.version ? std::optional<std::string_view>(step.version) : std::nullopt);
        if (step.pool < 0) {
          BOOST_TEST(std::holds_alternative<Denial>(r));
        } else {
          BOOST_REQUIRE(std::holds_alternative<LeaseView>(r));
          const LeaseView& lease = std::get<LeaseView>(r);
          BOOST_TEST(lease.pool == static_cast<PoolId>(step.pool));
          BOOST_TEST(!lease.reason.empty());
          held.emplace(std::make_pair(step.user, step.product), lease.id);
        }
      } else {
        auto it = held.find({step.user, step.product});
        BOOST_REQUIRE(it != held.end());
        BOOST_TEST((CodeOf(engine->Checkin(client, it->second, clock.now())) == Errc::kOk));
        held.erase(it);
      }
      int moves = 0;
      for (const Event& e : TakeOtherEvents()) {
        moves += e.kind == Event::Kind::kLeaseMoved ? 1 : 0;
      }
      BOOST_TEST(moves == step.moves);
      int seats = 0;
      for (const PoolView& pool : engine->Snapshot(clock.now())) {
        BOOST_TEST(pool.in_use <= pool.total);
        for (const SeatView& seat : pool.seats) {
          seats += seat.holder.user == step.user ? 1 : 0;
        }
      }
      BOOST_TEST(seats == step.seats_held);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
