// Which pools serve a request: versions, dates, cascading order, uncounted pools.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

using licenses::DupGroup;
using licenses::Rank;

BOOST_FIXTURE_TEST_SUITE(engine_pool_selection, EngineFixture)

BOOST_AUTO_TEST_CASE(version_above_licensed_is_denied) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5);
  Start(m);
  Denial d = Deny(Who("alice"), 1, "cad", "2028.0");
  BOOST_TEST((d.code == Errc::kVersionNotLicensed));
  BOOST_TEST(d.message ==
             "version 2028.0 of 'cad' requested; licensed up to 2027.0 (licenses.lic:10)");
  Grant(Who("alice"), 1, "cad", "2027.0");
  Grant(Who("bob"), 1, "cad");  // any version
}

BOOST_AUTO_TEST_CASE(prev_versions_limits_old_versions) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5).prev_versions = 2;
  Start(m);
  Grant(Who("a"), 1, "cad", "2027.0");
  Grant(Who("b"), 1, "cad", "2025.0");
  Grant(Who("c"), 1, "cad", "2025.5");
  Denial d = Deny(Who("d"), 1, "cad", "2024.9");
  BOOST_TEST((d.code == Errc::kVersionNotLicensed));
  BOOST_TEST_MESSAGE(d.message);
  BOOST_TEST(Contains(d.message, "2025.0 through 2027.0"));
  BOOST_TEST(Contains(d.message, "PREV_VERSIONS=2"));
  BOOST_TEST(Contains(d.message, "licenses.lic:10"));
}

BOOST_AUTO_TEST_CASE(higher_version_pool_serves_lower_request) {
  ModelBuilder m;
  m.Add("cad", "2026.0", 1);
  m.Add("cad", "2027.0", 1);
  Start(m);
  BOOST_TEST(Grant(Who("alice"), 1, "cad", "2026.0").pool == 0u);
  BOOST_TEST(Grant(Who("bob"), 2, "cad", "2026.0").pool == 1u);
  Denial d = Deny(Who("carol"), 3, "cad", "2027.0");
  BOOST_TEST((d.code == Errc::kAllSeatsInUse));
  BOOST_TEST(Contains(d.message, "cad 2027.0 (licenses.lic:20): 1 of 1 seats in use by bob@ws1"));
  BOOST_TEST(!Contains(d.message, "2026.0 ("));
}

BOOST_AUTO_TEST_CASE(start_date_in_future_denied) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5).lines[0].start = Day(2026, 12, 1);
  Start(m);
  Denial d = Deny(Who("alice"), 1, "cad");
  BOOST_TEST((d.code == Errc::kNotYetValid));
  BOOST_TEST(Contains(d.message, "1-dec-2026"));
  BOOST_TEST(Contains(d.message, "licenses.lic:10"));
  clock.Advance(std::chrono::days(4));
  Grant(Who("alice"), 1, "cad");
}

BOOST_AUTO_TEST_CASE(expired_license_denied_and_expiry_day_inclusive) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 5).lines[0].expiry = Day(2026, 11, 27);
  Start(m);
  clock.Advance(14h + 59min);  // 23:59 on the expiry day
  LeaseView lease = Grant(Who("alice"), 1, "cad");
  BOOST_TEST((CodeOf(engine->Checkin(1, lease.id, clock.now())) == Errc::kOk));
  clock.Advance(1min);  // the next day
  Denial d = Deny(Who("alice"), 1, "cad");
  BOOST_TEST((d.code == Errc::kExpired));
  BOOST_TEST_MESSAGE(d.message);
  BOOST_TEST(Contains(d.message, "27-nov-2026"));
  BOOST_TEST(Contains(d.message, "licenses.lic:10"));
}

BOOST_AUTO_TEST_CASE(expired_is_reported_before_version) {
  ModelBuilder m;
  m.Add("cad", "2025.0", 5);
  m.Add("cad", "2027.0", 5).lines[0].expiry = Day(2026, 10, 31);
  Start(m);
  Denial d = Deny(Who("alice"), 1, "cad", "2026.0");
  BOOST_TEST((d.code == Errc::kExpired));
  BOOST_TEST(Contains(d.message, "31-oct-2026"));
}

BOOST_AUTO_TEST_CASE(time_limited_pool_used_before_permanent) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  m.Add("cad", "2027.0", 1).lines[0].expiry = Day(2027, 6, 30);
  Start(m);
  BOOST_TEST(Grant(Who("alice"), 1, "cad").pool == 1u);
  BOOST_TEST(Grant(Who("bob"), 1, "cad").pool == 0u);
}

BOOST_AUTO_TEST_CASE(sort_orders_pools) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1).sort = 200;
  m.Add("cad", "2027.0", 1).sort = 50;
  m.Add("cad", "2027.0", 1).sort = 200;
  Start(m);
  BOOST_TEST(Grant(Who("a"), 1, "cad").pool == 1u);
  BOOST_TEST(Grant(Who("b"), 1, "cad").pool == 0u);  // equal SORT: file order
  BOOST_TEST(Grant(Who("c"), 1, "cad").pool == 2u);
}

BOOST_AUTO_TEST_CASE(rank_orders_pools_before_sort) {
  ModelBuilder m;
  licenses::Pool& suite = m.Add("cad", "2027.0", 1);
  suite.rank = Rank::kSuite;
  suite.sort = 0;
  m.Add("cad", "2027.0", 1).sort = 500;
  Start(m);
  BOOST_TEST(Grant(Who("a"), 1, "cad").pool == 1u);
  BOOST_TEST(Grant(Who("b"), 1, "cad").pool == 0u);
}

BOOST_AUTO_TEST_CASE(uncounted_never_runs_out) {
  ModelBuilder m;
  m.Add("viewer", "1.0", 0).dup_group = DupGroup{DupGroup::kNone};
  Start(m);
  for (int i = 0; i < 1000; ++i) {
    Grant(Who("u" + std::to_string(i)), 1, "viewer");
  }
  auto pools = engine->Snapshot(clock.now());
  BOOST_TEST(pools[0].total == 0);
  BOOST_TEST(pools[0].in_use == 1000);
}

BOOST_AUTO_TEST_CASE(existing_seat_in_later_pool_is_shared_before_a_new_seat) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  m.Add("cad", "2027.0", 2);
  Start(m);
  LeaseView alice = Grant(Who("alice"), 1, "cad");
  LeaseView bob = Grant(Who("bob"), 2, "cad");
  BOOST_TEST(bob.pool == 1u);
  BOOST_TEST((CodeOf(engine->Checkin(1, alice.id, clock.now())) == Errc::kOk));
  LeaseView again = Grant(Who("bob"), 2, "cad");
  BOOST_TEST(again.pool == 1u);
  BOOST_TEST(again.shared);
  BOOST_TEST(InUse(0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
