// Every way a license line can be rejected, one case each: the exact place
// (line:col) and the gist of the message, and that the rest of the file still loads.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

#include "test_util.h"

namespace floatlm::licenses {
namespace {

using testing::Build;

struct BadCase {
  const char* name;
  const char* line;      // one license line (may contain continuations)
  const char* where;     // expected "line:col"
  const char* message;   // expected substring of the message
};

std::ostream& operator<<(std::ostream& os, const BadCase& c) { return os << c.name; }

// A valid enabling feature and a valid trailing line surround each bad line, so
// every case also proves that one bad line does not take the file down.
constexpr const char* kBefore = "FEATURE ok1 acme 1.0 permanent 1\n";
constexpr const char* kAfter = "\nFEATURE ok2 acme 1.0 permanent 1\n";

const BadCase kCases[] = {
    // Lexical and syntactic.
    {"unterminated_quote", "FEATURE f acme 1.0 permanent 1 NOTICE=\"abc", "2:39", "unterminated quoted value"},
    {"unknown_keyword", "FROB x y", "2:1", "unknown keyword 'FROB'"},
    {"quoted_keyword", "\"FEATURE\" f acme 1.0 permanent 1", "2:1", "unknown keyword"},
    {"attribute_without_name", "FEATURE f acme 1.0 permanent 1 =x", "2:32", "attribute without a name"},
    {"attribute_without_value", "FEATURE f acme 1.0 permanent 1 SN=", "2:32", "attribute 'SN' has no value"},
    {"quoted_flag_word", "FEATURE f acme 1.0 permanent 1 \"oops\"", "2:32", "unexpected quoted word"},
    // Missing fields.
    {"feature_missing_count", "FEATURE f acme 1.0 permanent", "2:29", "missing <count>"},
    {"feature_missing_all", "FEATURE", "2:8", "missing <name>"},
    {"increment_missing_vendor", "INCREMENT f", "2:12", "missing <vendor>"},
    {"package_missing_vendor", "PACKAGE p", "2:10", "missing <vendor>"},
    {"package_missing_components", "PACKAGE ok1 acme 1.0", "2:21", "PACKAGE needs COMPONENTS"},
    {"server_missing_hostid", "SERVER host", "2:12", "missing <hostid>"},
    {"vendor_missing_name", "VENDOR", "2:7", "VENDOR needs <vendor>"},
    // Versions.
    {"version_not_numeric", "FEATURE f acme 1.x permanent 1", "2:16", "bad version '1.x'"},
    {"version_too_precise", "FEATURE f acme 1.1234567 permanent 1", "2:16", "bad version"},
    {"version_trailing_dot", "INCREMENT f acme 2. permanent 1", "2:18", "bad version"},
    {"package_bad_version", "PACKAGE ok1 acme 1.x COMPONENTS=a", "2:18", "bad version '1.x'"},
    // Dates.
    {"expiry_iso_format", "FEATURE f acme 1.0 2027-12-31 1", "2:20", "expected dd-mmm-yyyy"},
    {"expiry_impossible_feb31", "FEATURE f acme 1.0 31-feb-2027 1", "2:20", "impossible date '31-feb-2027'"},
    {"expiry_not_leap_year", "FEATURE f acme 1.0 29-feb-2027 1", "2:20", "impossible date"},
    {"expiry_bad_month", "FEATURE f acme 1.0 1-foo-2027 1", "2:20", "bad date"},
    {"expiry_two_digit_year", "FEATURE f acme 1.0 1-jan-27 1", "2:20", "bad date"},
    {"expiry_day_zero", "FEATURE f acme 1.0 0-jan-2027 1", "2:20", "impossible date"},
    {"expiry_before_start", "FEATURE f acme 1.0 1-jan-2027 1 START=1-feb-2027", "2:20", "is before START"},
    {"start_impossible", "FEATURE f acme 1.0 1-jan-2028 1 START=30-feb-2027", "2:33", "START: impossible date"},
    {"issued_bad", "FEATURE f acme 1.0 1-jan-2028 1 ISSUED=yesterday", "2:33", "ISSUED: bad date"},
    {"issued_permanent", "FEATURE f acme 1.0 1-jan-2028 1 ISSUED=permanent", "2:33", "must be a calendar date"},
    // Counts.
    {"count_word", "FEATURE f acme 1.0 permanent five", "2:30", "count 'five' is not a number"},
    {"count_negative", "INCREMENT f acme 1.0 permanent -3", "2:32", "count '-3'"},
    {"count_fraction", "INCREMENT f acme 1.0 permanent 2.5", "2:32", "count '2.5'"},
    // Attributes.
    {"dup_group_bad_letter", "FEATURE f acme 1.0 permanent 1 DUP_GROUP=UX", "2:32", "bad DUP_GROUP 'UX'"},
    {"dup_group_repeated_letter", "FEATURE f acme 1.0 permanent 1 DUP_GROUP=UU", "2:32", "bad DUP_GROUP"},
    {"dup_group_bare", "FEATURE f acme 1.0 permanent 1 DUP_GROUP", "2:32", "DUP_GROUP needs a value"},
    {"sort_not_number", "FEATURE f acme 1.0 permanent 1 SORT=first", "2:32", "SORT=first is not a number"},
    {"prev_versions_negative", "FEATURE f acme 1.0 permanent 1 PREV_VERSIONS=-1", "2:32", "PREV_VERSIONS=-1"},
    {"borrow_not_number", "FEATURE f acme 1.0 permanent 1 BORROW=long", "2:32", "BORROW=long"},
    {"user_based_zero", "FEATURE f acme 1.0 permanent 1 USER_BASED=0", "2:32", "USER_BASED=0"},
    {"hostid_empty_hostname", "FEATURE f acme 1.0 permanent 1 HOSTID=HOSTNAME=", "2:32", "bad HOSTID"},
    {"vendor_string_bare", "FEATURE f acme 1.0 permanent 1 VENDOR_STRING", "2:32", "VENDOR_STRING needs a value"},
    {"duplicate_attribute", "FEATURE f acme 1.0 permanent 1 SN=1 sn=2", "2:37", "duplicate attribute 'SN'"},
    // Packages.
    {"package_without_enabling_feature", "PACKAGE lonely acme 1.0 COMPONENTS=a", "2:1", "no enabling FEATURE/INCREMENT 'lonely'"},
    {"package_component_too_many_parts", "PACKAGE ok1 acme COMPONENTS=\"a:1.0:1:9\"", "2:18", "bad component 'a:1.0:1:9'"},
    {"package_component_bad_version", "PACKAGE ok1 acme COMPONENTS=\"a:x\"", "2:18", "bad version 'x'"},
    {"package_component_bad_count", "PACKAGE ok1 acme COMPONENTS=\"a:1.0:zero\"", "2:18", "count 'zero'"},
    {"package_components_empty", "PACKAGE ok1 acme COMPONENTS=\"\"", "2:18", "COMPONENTS is empty"},
    {"package_bad_rank", "PACKAGE ok1 acme COMPONENTS=a RANK=gold", "2:31", "bad RANK 'gold'"},
    {"package_bad_suite_dup_group", "PACKAGE ok1 acme COMPONENTS=a SUITE_DUP_GROUP=Q", "2:31", "bad SUITE_DUP_GROUP"},
    {"package_products_per_seat_zero", "PACKAGE ok1 acme COMPONENTS=a PRODUCTS_PER_SEAT=0", "2:31", "PRODUCTS_PER_SEAT=0"},
    {"package_cloud_users_word", "PACKAGE ok1 acme COMPONENTS=a CLOUD_USERS_PER_SEAT=x", "2:31", "CLOUD_USERS_PER_SEAT=x"},
    {"package_cloud_not_component", "PACKAGE ok1 acme COMPONENTS=a CLOUD=b", "2:31", "CLOUD service 'b' is not one of the COMPONENTS"},
    // SERVER and VENDOR.
    {"server_bad_port", "SERVER host ANY 70000", "2:17", "bad port '70000'"},
    {"server_bad_hostid", "SERVER host ID=", "2:13", "bad hostid 'ID='"},
    {"vendor_bad_port_attribute", "VENDOR acme port=0", "2:13", "PORT=0 is not a number"},
    {"vendor_bad_positional_port", "VENDOR acme 99999", "2:13", "bad port '99999'"},
};

BOOST_DATA_TEST_CASE(bad_line_is_rejected_with_its_position, boost::unit_test::data::make(kCases),
                     bad) {
  std::string text = std::string(kBefore) + bad.line + kAfter;
  BuildResult result = Build(text);
  std::vector<std::string> errors = testing::Errors(text);
  BOOST_TEST_INFO("errors: " << fmt::format("{}", fmt::join(errors, " | ")));
  BOOST_REQUIRE(!errors.empty());
  std::string expected_prefix = fmt::format("t.lic:{}: ", bad.where);
  bool found = false;
  for (const std::string& e : errors) {
    if (e.rfind(expected_prefix, 0) == 0 && e.find(bad.message) != std::string::npos) found = true;
  }
  BOOST_TEST(found, "expected " << expected_prefix << "..." << bad.message);
  BOOST_REQUIRE_EQUAL(result.model.rejected.size(), 1u);
  BOOST_TEST(result.model.rejected[0].source.line == 2);
  BOOST_TEST(result.model.rejected[0].ToString().rfind("t.lic:2: ", 0) == 0);
  // The lines around the bad one still load.
  std::vector<std::string> features;
  for (const Pool& p : result.model.pools) features.push_back(p.feature);
  BOOST_TEST((std::find(features.begin(), features.end(), "ok1") != features.end()));
  BOOST_TEST((std::find(features.begin(), features.end(), "ok2") != features.end()));
}

BOOST_AUTO_TEST_CASE(second_server_with_another_hostid_is_rejected) {
  auto errors = testing::Errors("SERVER a 001122334455\nSERVER b 001122334466\n");
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].find("t.lic:2:1: second SERVER line") == 0);
}

BOOST_AUTO_TEST_CASE(same_server_twice_is_accepted) {
  BOOST_TEST(testing::Errors("SERVER a 00-11-22-33-44-55\nSERVER a 001122334455\n").empty());
}

BOOST_AUTO_TEST_CASE(every_error_of_a_line_is_reported_not_only_the_first) {
  auto errors = testing::Errors("FEATURE f acme 1.x 31-feb-2027 many DUP_GROUP=Z\n");
  BOOST_REQUIRE_EQUAL(errors.size(), 4u);
  BOOST_TEST(errors[0].find("t.lic:1:16: bad version") == 0);
  BOOST_TEST(errors[1].find("t.lic:1:20: expiry: impossible date") == 0);
  BOOST_TEST(errors[2].find("t.lic:1:32: count 'many'") == 0);
  BOOST_TEST(errors[3].find("t.lic:1:37: bad DUP_GROUP") == 0);
  BuildResult result = Build("FEATURE f acme 1.x 31-feb-2027 many DUP_GROUP=Z\n");
  BOOST_REQUIRE_EQUAL(result.model.rejected.size(), 1u);
  BOOST_TEST(result.model.rejected[0].reason.find("; ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(errors_on_many_lines_are_all_reported_in_file_order) {
  std::string text =
      "FEATURE a acme 1.0 permanent x\n"
      "# comment\n"
      "FEATURE b acme 1.0 permanent 1\n"
      "PACKAGE nothing acme COMPONENTS=b\n"
      "FEATURE c acme 1.0 30-feb-2027 1\n"
      "FEATURE d acme \"1.0 permanent 1\n";
  auto errors = testing::Errors(text);
  BOOST_REQUIRE_EQUAL(errors.size(), 4u);
  BOOST_TEST(errors[0].find("t.lic:1:") == 0);
  BOOST_TEST(errors[1].find("t.lic:4:") == 0);
  BOOST_TEST(errors[2].find("t.lic:5:") == 0);
  BOOST_TEST(errors[3].find("t.lic:6:16: unterminated") == 0);
  BuildResult result = Build(text);
  BOOST_TEST(result.model.pools.size() == 1u);
  BOOST_TEST(result.model.rejected.size() == 4u);
}

BOOST_AUTO_TEST_CASE(error_on_a_continuation_line_names_that_physical_line) {
  auto errors = testing::Errors("FEATURE f acme 1.0 permanent 1 \\\n    SN=1 \\\n    DUP_GROUP=XYZ\n");
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].find("t.lic:3:5: bad DUP_GROUP 'XYZ'") == 0);
  BuildResult result = Build("FEATURE f acme 1.0 permanent 1 \\\n    SN=1 \\\n    DUP_GROUP=XYZ\n");
  BOOST_TEST(result.model.rejected.at(0).source.line == 1);  // lines are named by their keyword
}

}  // namespace
}  // namespace floatlm::licenses
