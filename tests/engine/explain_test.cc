// SeatEngine::Explain (`floatlm diag`): the verdict matches what Checkout then does, each
// pool of the cascade is explained in rank order, and nothing changes.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

using Verdict = PoolDiagnosis::Verdict;

// The acceptance model: a standalone seat of A (pool 0), then collection pdc of A, B, C
// with three seats (pool 1).
ModelBuilder Acceptance() {
  ModelBuilder m;
  m.Add("A", "2027.0", 1);
  m.AddCollection("pdc", "2027.0", 3, {"A", "B", "C"});
  return m;
}

struct ExplainFixture : EngineFixture {
  Diagnosis Explain(const Identity& who, const std::string& feature,
                    std::optional<std::string_view> version = std::nullopt) {
    std::optional<licenses::Version> v;
    if (version) v = V(*version);
    Diagnosis d = engine->Explain(who, feature, v, clock.now());
    BOOST_TEST_MESSAGE(feature << ": " << d.summary);
    for (const PoolDiagnosis& p : d.pools) {
      BOOST_TEST_MESSAGE("  " << p.label << " [" << p.role << "] " << p.use << " | " << p.holding
                              << " | " << p.why);
    }
    return d;
  }
};

BOOST_FIXTURE_TEST_SUITE(engine_explain, ExplainFixture)

BOOST_AUTO_TEST_CASE(each_step_of_the_acceptance_scenario_is_explained_before_it_happens) {
  Start(Acceptance());
  const Identity u1 = Who("u1", "ws1");

  // A: the product's own pool ranks first; the collection is not reached.
  Diagnosis d = Explain(u1, "A");
  BOOST_TEST((d.outcome == Errc::kOk));
  BOOST_TEST(d.summary == "own seat of A");
  BOOST_REQUIRE(d.pools.size() == 2u);
  BOOST_TEST(d.pools[0].label == "A 2027.0 (licenses.lic:10)");
  BOOST_TEST(d.pools[0].role == "own pool");
  BOOST_TEST(d.pools[0].use == "0 of 1 seats in use");
  BOOST_TEST((d.pools[0].verdict == Verdict::kChosen));
  BOOST_TEST(d.pools[1].role == "collection pdc (2 products per seat)");
  BOOST_TEST((d.pools[1].verdict == Verdict::kNotReached));
  BOOST_TEST(Grant(u1, 1, "A").reason == d.summary);

  // B: the collection is the only pool that serves it.
  d = Explain(u1, "B");
  BOOST_TEST(d.summary == "new collection seat of pdc");
  BOOST_REQUIRE(d.pools.size() == 1u);
  BOOST_TEST((d.pools[0].verdict == Verdict::kChosen));
  Grant(u1, 1, "B");  // A moves onto the collection seat

  // A again: the seat u1 already runs A on wins over the free standalone seat.
  d = Explain(u1, "A");
  BOOST_TEST(d.summary == "rides on u1@ws1's collection seat 1 of pdc (runs A and B)");
  BOOST_TEST((d.pools[0].verdict == Verdict::kNotNeeded));
  BOOST_TEST((d.pools[1].verdict == Verdict::kChosen));
  BOOST_TEST(d.pools[1].holding == "u1@ws1 holds seat 1 (runs A and B)");
  BOOST_TEST(d.pools[1].use == "1 of 3 collection seats in use: u1@ws1 (A and B)");

  // C: seat 1 is full, so C would take a further seat.
  d = Explain(u1, "C");
  BOOST_TEST(d.summary == "further seat of pdc: seat 1 already runs A and B");
  BOOST_TEST(Grant(u1, 1, "C").reason == d.summary);
}

BOOST_AUTO_TEST_CASE(a_denial_names_every_pool_passed_over_and_says_a_wait_would_queue) {
  ModelBuilder m = Acceptance();
  Start(m);
  Grant(Who("u1", "ws1"), 1, "A");
  Grant(Who("u2", "ws2"), 2, "B");
  Grant(Who("u3", "ws3"), 3, "B");
  Grant(Who("u4", "ws4"), 4, "C");

  const Diagnosis d = Explain(Who("u5", "ws5"), "A");
  BOOST_TEST((d.outcome == Errc::kAllSeatsInUse));
  BOOST_TEST(d.would_queue);
  BOOST_TEST(d.summary == Deny(Who("u5", "ws5"), 5, "A").message);
  BOOST_REQUIRE(d.pools.size() == 2u);
  for (const PoolDiagnosis& p : d.pools) {
    BOOST_TEST((p.verdict == Verdict::kRefused));
    BOOST_TEST(p.why == "every seat is in use");
    BOOST_TEST(p.holding.empty());
  }
  BOOST_TEST(d.pools[0].use == "1 of 1 seats in use: u1@ws1");
  BOOST_TEST(d.pools[1].use == "3 of 3 collection seats in use: u2@ws2 (B), u3@ws3 (B), u4@ws4 (C)");
}

BOOST_AUTO_TEST_CASE(a_grant_from_a_later_pool_says_why_the_earlier_ones_were_passed_over) {
  ModelBuilder m = Acceptance();
  Start(m);
  Grant(Who("u1", "ws1"), 1, "A");  // the standalone seat is taken

  const Diagnosis d = Explain(Who("u2", "ws2"), "A");
  BOOST_TEST((d.outcome == Errc::kOk));
  BOOST_TEST(d.summary == "new collection seat of pdc");
  BOOST_TEST((d.pools[0].verdict == Verdict::kRefused));
  BOOST_TEST(d.pools[0].why == "every seat is in use");
  BOOST_TEST((d.pools[1].verdict == Verdict::kChosen));
}

BOOST_AUTO_TEST_CASE(versions_dates_and_assignments_are_named_per_pool) {
  ModelBuilder m;
  m.Add("cad", "2026.0", 1);                              // pool 0: too old for 2027.0
  m.Add("cad", "2028.0", 1).lines[0].expiry = Day(2026, 1, 31);  // pool 1: expired
  m.Add("cad", "2027.0", 1).user_based = true;            // pool 2: named users
  Start(m);
  BOOST_TEST((Code(engine->Assign("cad", "bob", clock.now())) == Errc::kOk));

  Diagnosis d = Explain(Who("alice"), "cad", "2027.0");
  BOOST_TEST((d.outcome == Errc::kNotAssigned));
  BOOST_TEST(!d.would_queue);
  BOOST_REQUIRE(d.pools.size() == 3u);
  // Time-limited lines rank before permanent ones: the expired 2028.0 pool comes first.
  BOOST_TEST(d.pools[0].label == "cad 2028.0 (licenses.lic:20)");
  BOOST_TEST(d.pools[0].use == "no line in force today, 0 seats held");
  BOOST_TEST(Contains(d.pools[0].why, "expired at the end of 31-jan-2026"));
  BOOST_TEST(d.pools[1].label == "cad 2026.0 (licenses.lic:10)");
  BOOST_TEST(d.pools[1].why == "version 2027.0 is not covered: serves 'cad' up to version 2026.0");
  BOOST_TEST(d.pools[2].role == "named users");
  BOOST_TEST(d.pools[2].why ==
             "named-user license and alice is not assigned to it (assigned: bob)");
  for (const PoolDiagnosis& p : d.pools) BOOST_TEST((p.verdict == Verdict::kRefused));

  d = Explain(Who("bob"), "cad", "2027.0");
  BOOST_TEST((d.outcome == Errc::kOk));
  BOOST_TEST((d.pools[2].verdict == Verdict::kChosen));
}

BOOST_AUTO_TEST_CASE(cloud_slots_are_counted_and_a_slot_holder_keeps_riding) {
  ModelBuilder m;
  m.AddCollection("pdc", "2027.0", 1, {"cad", "docs"}).cloud = {"docs"};
  Start(m);
  for (int i = 1; i <= 3; ++i) Grant(Who("u" + std::to_string(i)), i, "docs");

  Diagnosis d = Explain(Who("u4"), "docs");
  BOOST_TEST((d.outcome == Errc::kCloudUsersExhausted));
  BOOST_REQUIRE(d.pools.size() == 1u);
  BOOST_TEST(d.pools[0].role == "cloud service of pdc");
  BOOST_TEST(d.pools[0].use == "cloud-user slots: 3 of 3 taken");
  BOOST_TEST(Contains(d.pools[0].why, "every cloud-user slot is taken"));

  d = Explain(Who("u2", "laptop"), "docs");
  BOOST_TEST((d.outcome == Errc::kOk));
  BOOST_TEST(d.pools[0].holding == "u2 holds a cloud-user slot");
  BOOST_TEST((d.pools[0].verdict == Verdict::kChosen));
}

BOOST_AUTO_TEST_CASE(unknown_feature_lists_what_is_licensed) {
  Start(Acceptance());
  const Diagnosis d = Explain(Who("u1"), "sim");
  BOOST_TEST((d.outcome == Errc::kNoSuchFeature));
  BOOST_TEST(d.pools.empty());
  BOOST_TEST(Contains(d.summary, "no license for feature 'sim'"));
}

BOOST_AUTO_TEST_CASE(explaining_changes_nothing) {
  Start(Acceptance());
  Grant(Who("u1"), 1, "A");
  Grant(Who("u1"), 1, "B");
  TakeOtherEvents();
  const std::size_t leases = engine->lease_count();
  for (const char* f : {"A", "B", "C", "pdc", "nope"}) {
    for (const char* user : {"u1", "u2"}) Explain(Who(user), f);
  }
  BOOST_TEST(engine->lease_count() == leases);
  BOOST_TEST(TakeOtherEvents().empty());
  BOOST_TEST(InUse(0) == 0);
  BOOST_TEST(InUse(1) == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
