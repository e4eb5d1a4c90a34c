// Value types of model.h.
#include <boost/test/unit_test.hpp>

#include "floatlm/licenses/dates.h"
#include "floatlm/licenses/model.h"

namespace floatlm::licenses {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date D(int y, unsigned m, unsigned d) { return Date{year{y}, month{m}, day{d}}; }

BOOST_AUTO_TEST_SUITE(model)

BOOST_AUTO_TEST_CASE(version_parses_decimals_and_compares_numerically) {
  BOOST_TEST(Version::Parse("1.0")->scaled == 1'000'000u);
  BOOST_TEST((*Version::Parse("1.0") == *Version::Parse("1.000")));
  BOOST_TEST((*Version::Parse("2027") == *Version::Parse("2027.0")));
  BOOST_TEST((*Version::Parse("1.5") > *Version::Parse("1.45")));
  BOOST_TEST(Version::Parse("0.000001")->scaled == 1u);
  for (const char* bad : {"", ".5", "1.", "1.1234567", "a.0", "1.0a", "-1.0", "1..0", "1.0.0",
                          "1234567890123.0"}) {
    BOOST_TEST(!Version::Parse(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(version_prints_shortest_with_one_fraction_digit) {
  BOOST_TEST(Version::Parse("2027")->ToString() == "2027.0");
  BOOST_TEST(Version::Parse("1.000")->ToString() == "1.0");
  BOOST_TEST(Version::Parse("1.250")->ToString() == "1.25");
  BOOST_TEST(Version::Parse("0.000001")->ToString() == "0.000001");
}

BOOST_AUTO_TEST_CASE(dup_group_parses_letters_in_any_order_and_case) {
  BOOST_TEST(DupGroup::Parse("NONE")->bits == DupGroup::kNone);
  BOOST_TEST(DupGroup::Parse("site")->bits == DupGroup::kSite);
  BOOST_TEST(DupGroup::Parse("hu")->bits == (DupGroup::kUser | DupGroup::kHost));
  BOOST_TEST(DupGroup::Parse("VHU")->bits == (DupGroup::kUser | DupGroup::kHost | DupGroup::kVersion));
  BOOST_TEST(DupGroup::Parse("UHD")->ToString() == "UHD");
  BOOST_TEST(DupGroup::Parse("dhu")->ToString() == "UHD");
  BOOST_TEST(DupGroup{}.ToString() == "UH");
  for (const char* bad : {"", "X", "UU", "U H", "NONE1"}) BOOST_TEST(!DupGroup::Parse(bad), bad);
}

BOOST_AUTO_TEST_CASE(host_ids_are_classified_and_normalised) {
  BOOST_TEST((HostId::Parse("ANY")->kind == HostId::Kind::kAny));
  auto ether = HostId::Parse("0A-1B-2C-3D-4E-5F");
  BOOST_TEST((ether->kind == HostId::Kind::kEthernet));
  BOOST_TEST(ether->ToString() == "0a1b2c3d4e5f");
  BOOST_TEST(HostId::Parse("0a:1b:2c:3d:4e:5f")->value == "0a1b2c3d4e5f");
  BOOST_TEST(HostId::Parse("0A1B2C3D4E5F")->value == "0a1b2c3d4e5f");
  BOOST_TEST((HostId::Parse("DEADBEEF")->kind == HostId::Kind::kHex32));
  BOOST_TEST(HostId::Parse("DEADBEEF")->ToString() == "deadbeef");
  BOOST_TEST((HostId::Parse("HOSTNAME=lic1")->kind == HostId::Kind::kHostname));
  BOOST_TEST(HostId::Parse("hostname=lic1")->ToString() == "HOSTNAME=lic1");
  BOOST_TEST((HostId::Parse("ID=1234")->kind == HostId::Kind::kId));
  BOOST_TEST((HostId::Parse("FLEXID=9-abc")->kind == HostId::Kind::kOther));
  BOOST_TEST((HostId::Parse("0a1b2c")->kind == HostId::Kind::kOther));
  BOOST_TEST(!HostId::Parse(""));
  BOOST_TEST(!HostId::Parse("HOSTNAME="));
}

BOOST_AUTO_TEST_CASE(dates_parse_case_insensitively_with_year_zero_permanent) {
  BOOST_TEST((*ParseLicenseDate("31-DEC-2027").value() == D(2027, 12, 31)));
  BOOST_TEST((*ParseLicenseDate("01-jan-2026").value() == D(2026, 1, 1)));
  BOOST_TEST(!ParseLicenseDate("permanent").value().has_value());
  BOOST_TEST(!ParseLicenseDate("PERMANENT").value().has_value());
  BOOST_TEST(!ParseLicenseDate("1-jan-0").value().has_value());
  BOOST_TEST(!ParseLicenseDate("1-jan-00").value().has_value());
  BOOST_TEST((*ParseLicenseDate("29-feb-2028").value() == D(2028, 2, 29)));
  BOOST_TEST(!ParseLicenseDate("29-feb-2027"));
  BOOST_TEST(ParseLicenseDate("29-feb-2027").error().message.find("impossible") != std::string::npos);
  BOOST_TEST(FormatLicenseDate(D(2027, 3, 5)) == "5-mar-2027");
}

BOOST_AUTO_TEST_CASE(count_on_respects_start_and_expiry) {
  Pool pool;
  pool.lines.push_back(PoolLine{{"f", 1}, 5, std::nullopt, D(2027, 12, 31)});
  pool.lines.push_back(PoolLine{{"f", 2}, 3, D(2027, 6, 1), std::nullopt});
  BOOST_TEST(pool.CountOn(D(2027, 1, 1)) == 5);
  BOOST_TEST(pool.CountOn(D(2027, 6, 1)) == 8);
  BOOST_TEST(pool.CountOn(D(2027, 12, 31)) == 8);  // valid through the expiry day
  BOOST_TEST(pool.CountOn(D(2028, 1, 1)) == 3);
  pool.uncounted = true;
  BOOST_TEST(pool.CountOn(D(2027, 6, 1)) == 0);
}

BOOST_AUTO_TEST_CASE(last_expiry_is_latest_or_permanent) {
  Pool pool;
  pool.lines.push_back(PoolLine{{"f", 1}, 1, std::nullopt, D(2027, 1, 1)});
  pool.lines.push_back(PoolLine{{"f", 2}, 1, std::nullopt, D(2028, 1, 1)});
  BOOST_TEST((*pool.LastExpiry() == D(2028, 1, 1)));
  pool.lines.push_back(PoolLine{{"f", 3}, 1, std::nullopt, std::nullopt});
  BOOST_TEST(!pool.LastExpiry().has_value());
}

BOOST_AUTO_TEST_CASE(pool_key_changes_with_each_splitting_attribute) {
  Pool base;
  base.feature = "f";
  base.vendor = "v";
  base.version = *Version::Parse("1.0");
  std::vector<Pool> variants(6, base);
  variants[0].feature = "g";
  variants[1].vendor = "w";
  variants[2].version = *Version::Parse("2.0");
  variants[3].dup_group = *DupGroup::Parse("NONE");
  variants[4].user_based = true;
  variants[5].vendor_string = "x";
  variants[5].pool_by_vendor_string = true;
  for (const Pool& v : variants) BOOST_TEST(v.Key() != base.Key());
  // VENDOR_STRING alone does not split; the key an earlier release stored is kept too.
  Pool vs = base;
  vs.vendor_string = "x";
  BOOST_TEST(vs.Key() == base.Key());
  BOOST_TEST(vs.LegacyKey() == variants[5].Key());
  BOOST_TEST(base.LegacyKey().empty());
  Pool same = base;
  same.sort = 5;
  same.borrow_hours = 10;
  same.version = *Version::Parse("1.000");
  BOOST_TEST(same.Key() == base.Key());
}

BOOST_AUTO_TEST_CASE(rejection_and_source_print_file_and_line) {
  Rejection r{SourceRef{"a.lic", 7}, "bad"};
  BOOST_TEST(r.source.ToString() == "a.lic:7");
  BOOST_TEST(r.ToString() == "a.lic:7: bad");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::licenses
