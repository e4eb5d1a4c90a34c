// Dates, times and pool labels: one form per surface (engine/labels.h).
#include "engine/labels.h"

#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {

namespace {
// A moment of November 2026, UTC.
WallTime At(int day, int hour, int minute, int second = 0) {
  using namespace std::chrono;
  return sys_days{year(2026) / November / day} + hours(hour) + minutes(minute) + seconds(second);
}
}  // namespace

BOOST_FIXTURE_TEST_SUITE(labels, EngineFixture)

BOOST_AUTO_TEST_CASE(license_dates_are_written_as_license_files_write_them) {
  BOOST_TEST(LicenseDate(Date{std::chrono::year(2027) / 12 / 31}) == "31-dec-2027");
  BOOST_TEST(LicenseDate(Date{std::chrono::year(2027) / 1 / 1}) == "1-jan-2027");
  BOOST_TEST(ExpiryText(std::nullopt) == "permanent");
  BOOST_TEST(ExpiryText(Date{std::chrono::year(2026) / 11 / 30}) == "30-nov-2026");
}

BOOST_AUTO_TEST_CASE(instants_take_the_form_of_their_surface) {
  const WallTime now = At(30, 17, 0);
  // In a sentence: the clock alone today, the license-date form on another day.
  BOOST_TEST(SinceText(At(30, 9, 14, 5), now) == "09:14 UTC");
  BOOST_TEST(SinceText(At(29, 23, 59), now) == "29-nov-2026 23:59 UTC");
  // In a status row: shorter.
  BOOST_TEST(SinceShort(At(30, 9, 14), now) == "09:14");
  BOOST_TEST(SinceShort(At(1, 8, 5), now) == "1-nov 08:05");
  // For programs: ISO 8601, seconds included, whatever the day.
  BOOST_TEST(IsoTime(At(30, 9, 14, 5)) == "2026-11-30T09:14:05Z");
  BOOST_TEST(IsoTime(At(1, 0, 0)) == "2026-11-01T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(a_pool_is_labelled_by_its_first_line) {
  ModelBuilder m;
  licenses::Pool& pool = m.Add("cad", "2027.0", 4);
  BOOST_TEST(PoolLabel(pool) == "cad 2027.0 (licenses.lic:10)");
  BOOST_TEST(PoolSummary(pool, Date{std::chrono::year(2026) / 11 / 30}) ==
             "cad 2027.0 (licenses.lic:10): 4 seats");
  licenses::Pool bare = pool;
  bare.lines.clear();
  BOOST_TEST(PoolLabel(bare) == "cad 2027.0");
}

BOOST_AUTO_TEST_CASE(a_denial_dates_an_older_holder_like_a_license_date) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1);
  Start(m);
  Grant(Who("alice", "ws1"), 1, "cad");
  clock.Advance(std::chrono::hours(24));
  const Denial d = Deny(Who("bob", "ws2"), 2, "cad");
  BOOST_TEST_MESSAGE(d.message);
  const std::string since = SinceText(clock.now().wall - std::chrono::hours(24), clock.now().wall);
  BOOST_TEST(since.find("-nov-2026 09:00 UTC") != std::string::npos, since);
  BOOST_TEST(Contains(d.message, "alice@ws1 since " + since));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::engine::testing
