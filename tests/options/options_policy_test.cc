// Admission, MAX, TIMEOUT and matching, following the FlexLM precedence rules.
#include "options/options_policy.h"

#include <boost/test/unit_test.hpp>
#include <vector>

#include "options_test_util.h"

namespace floatlm::options {
namespace {

using testing::Feature;
using testing::PolicyFrom;
using testing::User;

BOOST_AUTO_TEST_SUITE(options_policy)

BOOST_AUTO_TEST_CASE(empty_policy_allows_everyone) {
  const OptionsPolicy policy;
  BOOST_TEST(policy.empty());
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob")).ok());
  const std::vector<Requester> holders = {User("a"), User("b")};
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("bob"), {1, holders}).ok());
  BOOST_TEST(!policy.IdleTimeoutSeconds("cad").has_value());
}

BOOST_AUTO_TEST_CASE(exclude_denies_only_the_named_user_and_names_the_rule) {
  const OptionsPolicy policy = PolicyFrom("# site rules\n\nEXCLUDE cad USER bob\n");
  const Verdict v = policy.Admission(Feature("cad"), User("bob"));
  BOOST_TEST(v.code == Errc::kExcludedByOptions);
  BOOST_TEST(v.message == "excluded by opts.opt:3 (EXCLUDE cad USER bob)");
  BOOST_REQUIRE(v.rule.has_value());
  BOOST_TEST(v.rule->line == 3);
  BOOST_TEST(v.rule->text == "EXCLUDE cad USER bob");
  BOOST_TEST(policy.Admission(Feature("cad"), User("alice")).ok());
  BOOST_TEST(policy.Admission(Feature("cam"), User("bob")).ok());
}

BOOST_AUTO_TEST_CASE(exclude_beats_include_for_the_same_person) {
  const OptionsPolicy policy =
      PolicyFrom("GROUP eng alice bob\nINCLUDE cad GROUP eng\nEXCLUDE cad USER bob\n");
  const Verdict v = policy.Admission(Feature("cad"), User("bob"));
  BOOST_TEST(v.code == Errc::kExcludedByOptions);
  BOOST_TEST(v.rule->line == 3);
  BOOST_TEST(policy.Admission(Feature("cad"), User("alice")).ok());
}

BOOST_AUTO_TEST_CASE(include_restricts_the_feature_to_those_listed) {
  const OptionsPolicy policy = PolicyFrom("INCLUDE cad USER alice\nINCLUDE cad HOST lab7\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("alice")).ok());
  BOOST_TEST(policy.Admission(Feature("cad"), User("carol", "lab7")).ok());
  const Verdict v = policy.Admission(Feature("cad"), User("carol"));
  BOOST_TEST(v.code == Errc::kExcludedByOptions);
  BOOST_TEST(v.message ==
             "not on the INCLUDE list, which starts at opts.opt:1 (INCLUDE cad USER alice)");
  // Other features have no INCLUDE list and stay open.
  BOOST_TEST(policy.Admission(Feature("cam"), User("carol")).ok());
}

BOOST_AUTO_TEST_CASE(excludeall_closes_every_feature) {
  const OptionsPolicy policy = PolicyFrom("EXCLUDEALL HOST kiosk\n");
  for (const char* f : {"cad", "cam", "anything"}) {
    const Verdict v = policy.Admission(Feature(f), User("bob", "kiosk"));
    BOOST_TEST(v.code == Errc::kExcludedByOptions);
    BOOST_TEST(v.message == "excluded by opts.opt:1 (EXCLUDEALL HOST kiosk)");
  }
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "ws1")).ok());
}

BOOST_AUTO_TEST_CASE(includeall_admits_only_the_listed_to_every_feature) {
  const OptionsPolicy policy =
      PolicyFrom("GROUP staff alice\nINCLUDEALL GROUP staff\nINCLUDE cam USER bob\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("alice")).ok());
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob")).code == Errc::kExcludedByOptions);
  // An INCLUDE for one feature adds to the INCLUDEALL list for that feature.
  BOOST_TEST(policy.Admission(Feature("cam"), User("bob")).ok());
  BOOST_TEST(policy.Admission(Feature("cam"), User("carol")).code == Errc::kExcludedByOptions);
}

BOOST_AUTO_TEST_CASE(exclude_beats_includeall) {
  const OptionsPolicy policy = PolicyFrom("INCLUDEALL USER bob\nEXCLUDE cad USER bob\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob")).code == Errc::kExcludedByOptions);
  BOOST_TEST(policy.Admission(Feature("cam"), User("bob")).ok());
}

BOOST_AUTO_TEST_CASE(group_defined_over_several_lines_has_every_member) {
  const OptionsPolicy policy =
      PolicyFrom("GROUP eng alice\nGROUP eng bob\nGROUP eng carol dave\nEXCLUDE cad GROUP eng\n");
  for (const char* u : {"alice", "bob", "carol", "dave"}) {
    BOOST_TEST(policy.Admission(Feature("cad"), User(u)).code == Errc::kExcludedByOptions);
  }
  BOOST_TEST(policy.Admission(Feature("cad"), User("erin")).ok());
}

BOOST_AUTO_TEST_CASE(group_members_are_case_sensitive_unless_groupcaseinsensitive_is_on) {
  const char* rules = "GROUP eng Alice\nEXCLUDE cad GROUP eng\n";
  BOOST_TEST(PolicyFrom(rules).Admission(Feature("cad"), User("alice")).ok());
  const OptionsPolicy relaxed = PolicyFrom(std::string("GROUPCASEINSENSITIVE ON\n") + rules);
  BOOST_TEST(relaxed.Admission(Feature("cad"), User("alice")).code == Errc::kExcludedByOptions);
  // USER rules stay exact, as FlexLM documents.
  const OptionsPolicy user_rule = PolicyFrom("GROUPCASEINSENSITIVE ON\nEXCLUDE cad USER Alice\n");
  BOOST_TEST(user_rule.Admission(Feature("cad"), User("alice")).ok());
}

BOOST_AUTO_TEST_CASE(host_group_matches_by_host_name_and_address) {
  const OptionsPolicy policy =
      PolicyFrom("HOST_GROUP lab lab1 lab2\nHOST_GROUP lab 10.9.*.*\nEXCLUDE cad HOST_GROUP lab\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "lab2")).code ==
             Errc::kExcludedByOptions);
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "ws1", "10.9.4.2")).code ==
             Errc::kExcludedByOptions);
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "ws1", "10.8.4.2")).ok());
  // A user named like a host in the group is not a host.
  BOOST_TEST(policy.Admission(Feature("cad"), User("lab1", "ws1")).ok());
}

BOOST_AUTO_TEST_CASE(internet_wildcards_match_per_octet) {
  const OptionsPolicy policy = PolicyFrom("INCLUDE cad INTERNET 192.168.1.*\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "h", "192.168.1.77")).ok());
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "h", "::ffff:192.168.1.5")).ok());
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "h", "192.168.2.77")).code ==
             Errc::kExcludedByOptions);
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "h", "192.168.1")).code ==
             Errc::kExcludedByOptions);
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "h", "")).code ==
             Errc::kExcludedByOptions);
  const OptionsPolicy middle = PolicyFrom("EXCLUDE cad INTERNET 10.*.0.1\n");
  BOOST_TEST(middle.Admission(Feature("cad"), User("bob", "h", "10.200.0.1")).code ==
             Errc::kExcludedByOptions);
  BOOST_TEST(middle.Admission(Feature("cad"), User("bob", "h", "10.200.0.2")).ok());
}

BOOST_AUTO_TEST_CASE(display_rules_match_the_display) {
  const OptionsPolicy policy = PolicyFrom("EXCLUDE cad DISPLAY /dev/tty\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "h", "10.0.0.1", "/dev/tty")).code ==
             Errc::kExcludedByOptions);
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob", "h", "10.0.0.1", "h:0")).ok());
}

BOOST_AUTO_TEST_CASE(version_and_serial_qualifiers_select_a_pool) {
  const OptionsPolicy policy =
      PolicyFrom("EXCLUDE cad:VERSION=2.0 USER bob\nEXCLUDE cam:SN=A-17 USER bob\n");
  const Requester bob = User("bob");
  const LineRef a17[] = {{"A-17", "", nullptr}};
  const LineRef b2[] = {{"B-2", "", nullptr}};
  BOOST_TEST(policy.Admission({"cad", "2.000", {}}, bob).code == Errc::kExcludedByOptions);
  BOOST_TEST(policy.Admission({"cad", "3.0", {}}, bob).ok());
  BOOST_TEST(policy.Admission({"cad", "", {}}, bob).ok());  // version unknown: rule not applied
  BOOST_TEST(policy.Admission({"cam", "1.0", a17}, bob).code == Errc::kExcludedByOptions);
  BOOST_TEST(policy.Admission({"cam", "1.0", b2}, bob).ok());
}

// FlexLM's alternative spelling, the one MathWorks' template uses: the quoted
// "feature KEYWORD=value". It must be the same rule as feature:KEYWORD=value, never a
// feature whose name contains a blank (which would match nothing and let lori in).
BOOST_AUTO_TEST_CASE(quoted_qualifier_is_the_same_rule_as_the_colon_form) {
  const LineRef a17[] = {{"A-17", "", nullptr}};
  const LineRef b2[] = {{"B-2", "", nullptr}};
  for (const char* text : {"EXCLUDE \"compile SN=A-17\" USER lori\n",
                           "EXCLUDE compile:SN=A-17 USER lori\n",
                           "EXCLUDE \"compile   sn=A-17\" USER lori\n"}) {
    BOOST_TEST_CONTEXT(text) {
      const OptionsPolicy policy = PolicyFrom(text);
      const Verdict v = policy.MayTakeSeat({"compile", "1.0", a17}, User("lori"), {3, {}});
      BOOST_TEST(v.code == Errc::kExcludedByOptions);
      BOOST_TEST(policy.MayTakeSeat({"compile", "1.0", b2}, User("lori"), {3, {}}).ok());
      BOOST_TEST(policy.MayTakeSeat({"compile", "1.0", a17}, User("bob"), {3, {}}).ok());
    }
  }
  // A colon inside the quoted form belongs to the feature name, as FlexLM documents.
  const OptionsPolicy colon = PolicyFrom("EXCLUDE \"a:b VERSION=2.0\" USER lori\n");
  BOOST_TEST(colon.Admission({"a:b", "2.0", {}}, User("lori")).code == Errc::kExcludedByOptions);
  const ParsedOptions blank = ParseOptions("opts.opt", "EXCLUDE \"compile \" USER lori\n");
  BOOST_TEST(!blank.ok());
}

// MathWorks sites tell concurrent from named-user lines apart with asset_info=; others use
// VENDOR_STRING, ISSUER, NOTICE, dist_info, user_info, HOSTID or EXPDATE.
BOOST_AUTO_TEST_CASE(any_attribute_of_the_line_qualifies_a_feature) {
  const std::map<std::string, std::string> concurrent = {
      {"ASSET_INFO", "123456"}, {"VENDOR_STRING", "QQ"}, {"HOSTID", "0242AC110002 ID=7"}};
  const std::map<std::string, std::string> named = {{"ASSET_INFO", "654321"},
                                                    {"NOTICE", "Licensed to Acme Corp"}};
  const LineRef conc[] = {{"", "31-dec-2027", &concurrent}};
  const LineRef nu[] = {{"", "permanent", &named}};
  const OptionsPolicy policy = PolicyFrom(
      "EXCLUDE MATLAB:asset_info=123456 USER lori\n"
      "EXCLUDE MATLAB:VENDOR_STRING=QQ USER ann\n"
      "EXCLUDE \"MATLAB NOTICE=Licensed to Acme Corp\" USER tom\n"
      "EXCLUDE MATLAB:EXPDATE=31-Dec-2027 USER eve\n"
      "EXCLUDE \"MATLAB HOSTID=id=7 0242ac110002\" USER sam\n");
  const auto excluded = [&](const char* user, std::span<const LineRef> lines) {
    return policy.Admission({"MATLAB", "41.0", lines}, User(user)).code == Errc::kExcludedByOptions;
  };
  BOOST_TEST(excluded("lori", conc));
  BOOST_TEST(!excluded("lori", nu));
  BOOST_TEST(excluded("ann", conc));
  BOOST_TEST(!excluded("ann", nu));  // the line has no VENDOR_STRING
  BOOST_TEST(excluded("tom", nu));
  BOOST_TEST(!excluded("tom", conc));
  BOOST_TEST(excluded("eve", conc));
  BOOST_TEST(!excluded("eve", nu));
  BOOST_TEST(excluded("sam", conc));  // host ids: any case, any order
  // Values other than host ids and dates compare exactly.
  const OptionsPolicy exact = PolicyFrom("EXCLUDE MATLAB:VENDOR_STRING=qq USER ann\n");
  BOOST_TEST(exact.Admission({"MATLAB", "41.0", conc}, User("ann")).ok());
}

BOOST_AUTO_TEST_CASE(rules_that_match_nothing_served_are_warned_about) {
  const std::map<std::string, std::string> a = {{"ASSET_INFO", "1"}};
  const std::map<std::string, std::string> b = {{"ASSET_INFO", "2"}};
  const LineRef two[] = {{"", "", &a}, {"", "", &b}};
  const OptionsPolicy policy = PolicyFrom(
      "EXCLUDE cad USER bob\n"
      "EXCLUDE cda USER bob\n"
      "MAX 1 cad:asset_info=9 USER bob\n"
      "RESERVE 1 cad:asset_info=1 USER ann\n"
      "TIMEOUT cadd 3600\n"
      "INCLUDE suite USER bob\n");
  const FeatureRef served[] = {{"cad", "1.0", two}, {"suite", "", {}}};
  const auto warnings = policy.UnmatchedRules(served);
  BOOST_REQUIRE_EQUAL(warnings.size(), 4u);
  BOOST_TEST(warnings[0] == "opts.opt:2: warning: no license line has feature 'cda'; the rule "
                            "\"EXCLUDE cda USER bob\" applies to nothing");
  BOOST_TEST(warnings[1] == "opts.opt:3: warning: no license line of 'cad' matches "
                            "'cad:asset_info=9'; the rule \"MAX 1 cad:asset_info=9 USER bob\" "
                            "applies to nothing");
  BOOST_TEST(warnings[2].starts_with("opts.opt:4: warning: 'cad:asset_info=1' names 1 of the 2 "
                                     "lines of one pool of 'cad' 1.0"));
  BOOST_TEST(warnings[3].starts_with("opts.opt:5: warning: no license line has feature 'cadd'"));
}

BOOST_AUTO_TEST_CASE(max_caps_seats_per_user) {
  const OptionsPolicy policy = PolicyFrom("MAX 2 cad USER bob\n");
  std::vector<Requester> holders = {User("bob"), User("alice")};
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("bob"), {5, holders}).ok());
  holders.push_back(User("bob", "ws2"));
  const Verdict v = policy.MayTakeSeat(Feature("cad"), User("bob"), {5, holders});
  BOOST_TEST(v.code == Errc::kMaxReachedForUser);
  BOOST_TEST(v.message == "2 of 2 seats already held; limited by opts.opt:1 (MAX 2 cad USER bob)");
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("alice"), {5, holders}).ok());
}

BOOST_AUTO_TEST_CASE(max_for_a_group_caps_the_group_as_a_whole) {
  const OptionsPolicy policy = PolicyFrom("GROUP eng alice bob carol\nMAX 2 cad GROUP eng\n");
  const std::vector<Requester> holders = {User("alice"), User("bob"), User("zed")};
  const Verdict v = policy.Max(Feature("cad"), User("carol"), {5, holders});
  BOOST_TEST(v.code == Errc::kMaxReachedForUser);
  BOOST_TEST(v.rule->line == 2);
  BOOST_TEST(policy.Max(Feature("cad"), User("zed"), {5, holders}).ok());
}

BOOST_AUTO_TEST_CASE(max_zero_allows_no_seat) {
  const OptionsPolicy policy = PolicyFrom("MAX 0 cad HOST kiosk\n");
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("bob", "kiosk"), {3, {}}).code ==
             Errc::kMaxReachedForUser);
}

BOOST_AUTO_TEST_CASE(exclude_is_checked_before_max) {
  const OptionsPolicy policy = PolicyFrom("MAX 0 cad USER bob\nEXCLUDE cad USER bob\n");
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("bob"), {3, {}}).code ==
             Errc::kExcludedByOptions);
}

BOOST_AUTO_TEST_CASE(max_is_reported_before_include) {
  const OptionsPolicy policy = PolicyFrom("INCLUDE cad USER alice\nMAX 0 cad HOST ws1\n");
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("bob"), {3, {}}).code ==
             Errc::kMaxReachedForUser);
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("bob", "ws9"), {3, {}}).code ==
             Errc::kExcludedByOptions);
}

BOOST_AUTO_TEST_CASE(timeout_overrides_timeoutall) {
  const ParsedOptions parsed =
      ParseOptions("opts.opt", "TIMEOUTALL 3600\nTIMEOUT cad 1800\nTIMEOUT cam 60\n");
  BOOST_REQUIRE(parsed.ok());
  BOOST_TEST(*parsed.policy->IdleTimeoutSeconds("cad") == 1800);
  BOOST_TEST(*parsed.policy->IdleTimeoutSeconds("other") == 3600);
  // Below FlexLM's 15-minute floor: raised, with a note.
  BOOST_TEST(*parsed.policy->IdleTimeoutSeconds("cam") == 900);
  BOOST_REQUIRE_EQUAL(parsed.notes.size(), 1u);
  BOOST_TEST(parsed.notes[0] == "opts.opt:3: note: timeout 60 s raised to the minimum of 900 s");
}

BOOST_AUTO_TEST_CASE(timeout_without_timeoutall_applies_to_its_feature_only) {
  const OptionsPolicy policy = PolicyFrom("TIMEOUT cad 7200\n");
  BOOST_TEST(*policy.IdleTimeoutSeconds("cad") == 7200);
  BOOST_TEST(!policy.IdleTimeoutSeconds("cam").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::options
