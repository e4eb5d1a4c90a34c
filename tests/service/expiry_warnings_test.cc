// Expiry warnings (daemon/server/expiry_warnings.h): each dated line warns once on
// entering the 30-, 7- and 1-day bands and once when expired; permanent lines never do.
#include "service/expiry_warnings.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace lic = floatlm::licenses;
namespace srv = floatlm::server;
using namespace std::chrono;

namespace {

constexpr lic::Date kExpiry{year(2027), December, day(31)};

lic::Date DaysBefore(lic::Date d, int n) { return lic::Date(sys_days(d) - days(n)); }

lic::Pool PoolWith(std::vector<lic::PoolLine> lines) {
  lic::Pool p;
  p.feature = "cad";
  p.vendor = "acme";
  p.version = *lic::Version::Parse("2027.0");
  p.lines = std::move(lines);
  return p;
}

lic::PoolLine Line(int at, int count, std::optional<lic::Date> expiry) {
  lic::PoolLine l;
  l.source = {"site.lic", at};
  l.count = count;
  l.expiry = expiry;
  return l;
}

// The days_left of each notice due `days_before` the expiry.
std::vector<long> DueAt(srv::ExpiryWarnings& w, const std::vector<lic::Pool>& pools,
                        int days_before) {
  std::vector<long> out;
  for (const auto& n : w.Due(pools, DaysBefore(kExpiry, days_before))) out.push_back(n.days_left);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(one_warning_per_band_as_the_days_pass) {
  srv::ExpiryWarnings w;
  const std::vector<lic::Pool> pools{PoolWith({Line(5, 10, kExpiry)})};
  std::vector<long> all;
  for (int before = 60; before >= -3; --before) {
    for (long d : DueAt(w, pools, before)) all.push_back(d);
  }
  BOOST_TEST(all == (std::vector<long>{30, 7, 1, -1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_line_first_seen_inside_a_band_warns_once_for_that_band) {
  srv::ExpiryWarnings w;
  const std::vector<lic::Pool> pools{PoolWith({Line(5, 10, kExpiry)})};
  BOOST_TEST(DueAt(w, pools, 20) == std::vector<long>{20});
  BOOST_TEST(DueAt(w, pools, 19).empty());
  BOOST_TEST(DueAt(w, pools, 8).empty());
  BOOST_TEST(DueAt(w, pools, 5) == std::vector<long>{5});
  // Seen for the first time on its last day: one warning, not three.
  srv::ExpiryWarnings late;
  BOOST_TEST(DueAt(late, pools, 0) == std::vector<long>{0});
  BOOST_TEST(DueAt(late, pools, 0).empty());
}

BOOST_AUTO_TEST_CASE(permanent_and_far_lines_are_quiet) {
  srv::ExpiryWarnings w;
  const std::vector<lic::Pool> pools{PoolWith({Line(5, 10, std::nullopt), Line(6, 2, kExpiry)})};
  BOOST_TEST(DueAt(w, pools, 31).empty());
  const auto due = w.Due(pools, DaysBefore(kExpiry, 30));
  BOOST_REQUIRE(due.size() == 1u);
  BOOST_TEST(due[0].source == "site.lic:6");
  BOOST_TEST(due[0].count == 2);
}

BOOST_AUTO_TEST_CASE(a_renewed_line_starts_afresh) {
  srv::ExpiryWarnings w;
  BOOST_TEST(DueAt(w, {PoolWith({Line(5, 10, kExpiry)})}, 3) == std::vector<long>{3});
  // The reread file moves the same line's expiry a year on: nothing to say, and when
  // that date nears, the bands warn again.
  const lic::Date renewed{year(2028), December, day(31)};
  const std::vector<lic::Pool> pools{PoolWith({Line(5, 10, renewed)})};
  BOOST_TEST(DueAt(w, pools, 2).empty());
  const auto due = w.Due(pools, DaysBefore(renewed, 7));
  BOOST_REQUIRE(due.size() == 1u);
  BOOST_TEST(due[0].days_left == 7);
}

BOOST_AUTO_TEST_CASE(sentences_name_the_line_its_seats_and_the_day) {
  srv::ExpiryNotice n{"cad", "2027.0", "acme", "site.lic:5", 10, kExpiry, 7};
  BOOST_TEST(srv::DescribeExpiry(n) ==
             "cad 2027.0 (site.lic:5): 10 seats expire in 7 days (at the end of 31-dec-2027)");
  n.days_left = 1;
  n.count = 1;
  BOOST_TEST(srv::DescribeExpiry(n) ==
             "cad 2027.0 (site.lic:5): 1 seat expires in 1 day (at the end of 31-dec-2027)");
  n.days_left = 0;
  n.count = 0;
  BOOST_TEST(srv::DescribeExpiry(n) ==
             "cad 2027.0 (site.lic:5): uncounted seats expire at the end of today (31-dec-2027)");
  n.days_left = -1;
  BOOST_TEST(srv::DescribeExpiry(n) ==
             "cad 2027.0 (site.lic:5): uncounted seats expired on 31-dec-2027");
}
