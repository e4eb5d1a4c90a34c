// The options-file parser: what it accepts, and the exact "file:line:" of every rejection.
#include "options/options_parser.h"

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "options_test_util.h"

namespace floatlm::options {
namespace {

using testing::Feature;
using testing::PolicyFrom;
using testing::User;

// The single error a one-problem file must produce; the file must be rejected.
std::string OnlyError(std::string_view text) {
  const ParsedOptions parsed = ParseOptions("opts.opt", text);
  BOOST_TEST(!parsed.policy.has_value());
  BOOST_TEST(parsed.skipped.empty());
  BOOST_REQUIRE_EQUAL(parsed.errors.size(), 1u);
  return parsed.errors.front();
}

// The single problem of a file whose bad line can be left out without widening access:
// the policy is built, and the problem reported.
std::string OnlySkipped(std::string_view text) {
  const ParsedOptions parsed = ParseOptions("opts.opt", text);
  BOOST_TEST(parsed.policy.has_value());
  BOOST_TEST(parsed.errors.empty());
  BOOST_REQUIRE_EQUAL(parsed.skipped.size(), 1u);
  return parsed.skipped.front();
}

BOOST_AUTO_TEST_SUITE(options_parser)

BOOST_AUTO_TEST_CASE(empty_file_and_comments_give_an_empty_policy) {
  const ParsedOptions parsed = ParseOptions("opts.opt", "# nothing here\n\n   # indented\n");
  BOOST_REQUIRE(parsed.ok());
  BOOST_TEST(parsed.policy->empty());
  BOOST_TEST(parsed.notes.empty());
}

BOOST_AUTO_TEST_CASE(keywords_and_types_are_case_insensitive) {
  const OptionsPolicy policy = PolicyFrom("exclude cad user bob\nInclude cad User alice\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob")).code == Errc::kExcludedByOptions);
  BOOST_TEST(policy.Admission(Feature("cad"), User("alice")).ok());
}

BOOST_AUTO_TEST_CASE(backslash_continues_a_line_and_errors_name_its_first_line) {
  const OptionsPolicy policy =
      PolicyFrom("GROUP eng alice \\\n  bob \\\n  carol\nINCLUDE cad GROUP eng\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("carol")).ok());
  BOOST_TEST(OnlyError("\n\nEXCLUDE cad \\\n USER\n") ==
             "opts.opt:3: missing fields: expected EXCLUDE feature[:keyword=value] type name");
}

BOOST_AUTO_TEST_CASE(quoted_names_keep_spaces) {
  const OptionsPolicy policy = PolicyFrom("EXCLUDE cad USER \"Jane Doe\"\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("Jane Doe")).code == Errc::kExcludedByOptions);
  BOOST_TEST(OnlyError("EXCLUDE cad USER \"Jane\n") == "opts.opt:1: unterminated quote");
}

BOOST_AUTO_TEST_CASE(unknown_keyword_is_an_error) {
  // A misspelt restricting keyword rejects the file: skipping it could open what it closes.
  BOOST_TEST(OnlyError("# header\nEXCLUDES cad USER bob\n") ==
             "opts.opt:2: unknown keyword 'EXCLUDES' (did you mean EXCLUDE?)");
  BOOST_TEST(OnlyError("RESERV 1 cad USER bob\n") ==
             "opts.opt:1: unknown keyword 'RESERV' (did you mean RESERVE?)");
  // Any other unknown line (a template's placeholder) is skipped.
  BOOST_TEST(OnlySkipped("<KEYWORD> <feature> USER <name>\n") ==
             "opts.opt:1: unknown keyword '<KEYWORD>'; the line is skipped");
}

BOOST_AUTO_TEST_CASE(unknown_type_is_an_error) {
  BOOST_TEST(OnlyError("EXCLUDE cad PERSON bob\n") ==
             "opts.opt:1: unknown type 'PERSON' (expected USER, HOST, DISPLAY, INTERNET, "
             "GROUP, HOST_GROUP or PROJECT)");
  BOOST_TEST(OnlySkipped("INCLUDE cad PERSON bob\n") ==
             "opts.opt:1: unknown type 'PERSON' (expected USER, HOST, DISPLAY, INTERNET, "
             "GROUP, HOST_GROUP or PROJECT); the line includes nobody");
}

// The rule of lines that fail to parse (README): a line is left out only where that can
// never let anyone take a seat the line would have kept from them.
BOOST_AUTO_TEST_CASE(a_bad_line_is_skipped_only_where_that_narrows_access) {
  // A broken INCLUDE keeps the feature's INCLUDE list closed: bob is not let in.
  {
    const ParsedOptions parsed = ParseOptions("opts.opt", "INCLUDE cad USERS bob\n");
    BOOST_REQUIRE(parsed.policy.has_value());
    BOOST_TEST(parsed.policy->Admission(Feature("cad"), User("bob")).code ==
               Errc::kExcludedByOptions);
    BOOST_TEST(parsed.policy->Admission(Feature("cam"), User("bob")).ok());
  }
  {
    const ParsedOptions parsed =
        ParseOptions("opts.opt", "INCLUDE cad USER alice\nINCLUDE cad GROUP typo\n");
    BOOST_REQUIRE(parsed.policy.has_value());
    BOOST_TEST(parsed.policy->Admission(Feature("cad"), User("alice")).ok());
    BOOST_TEST(parsed.policy->Admission(Feature("cad"), User("bob")).code ==
               Errc::kExcludedByOptions);
  }
  // A broken EXCLUDE, MAX or RESERVE, or an EXCLUDE naming an undefined group, rejects the
  // whole file (the daemon keeps its old rules).
  for (const char* text : {"EXCLUDE cad USERS bob\n", "EXCLUDE cad GROUP typo\n",
                           "MAX 1 cad GROUP typo\n", "RESERVE x cad USER bob\n",
                           "EXCLUDEALL USER\n", "INCLUDE cad:VERSION=x USER bob\n"}) {
    BOOST_TEST_CONTEXT(text) {
      const ParsedOptions parsed = ParseOptions("opts.opt", text);
      BOOST_TEST(!parsed.policy.has_value());
      BOOST_TEST(parsed.errors.size() == 1u);
    }
  }
  // An idle timeout never decides who gets a seat.
  BOOST_TEST(OnlySkipped("TIMEOUT cad soon\n") ==
             "opts.opt:1: timeout must be a whole number, got 'soon'; the line is skipped");
}

BOOST_AUTO_TEST_CASE(missing_and_extra_fields_are_errors) {
  BOOST_TEST(OnlyError("RESERVE 2 cad USER\n") ==
             "opts.opt:1: missing fields: expected RESERVE count feature[:keyword=value] "
             "type name");
  BOOST_TEST(OnlyError("EXCLUDEALL USER bob # no inline comments\n") ==
             "opts.opt:1: too many fields: expected EXCLUDEALL type name");
  BOOST_TEST(OnlySkipped("INCLUDEALL USER bob # no inline comments\n") ==
             "opts.opt:1: too many fields: expected INCLUDEALL type name; the line includes "
             "nobody");
  BOOST_TEST(OnlySkipped("TIMEOUTALL\n") ==
             "opts.opt:1: missing fields: expected TIMEOUTALL seconds; the line is skipped");
  BOOST_TEST(OnlyError("GROUP eng\n") ==
             "opts.opt:1: missing fields: expected GROUP name member...");
}

BOOST_AUTO_TEST_CASE(non_numeric_and_negative_counts_are_errors) {
  BOOST_TEST(OnlyError("MAX two cad USER bob\n") ==
             "opts.opt:1: MAX count must be a whole number, got 'two'");
  BOOST_TEST(OnlyError("RESERVE -1 cad USER bob\n") ==
             "opts.opt:1: RESERVE count must not be negative, got '-1'");
  BOOST_TEST(OnlySkipped("TIMEOUT cad -5\n") ==
             "opts.opt:1: timeout must not be negative, got '-5'; the line is skipped");
  BOOST_TEST(OnlyError("MAX 99999999999999999999 cad USER bob\n") ==
             "opts.opt:1: MAX count '99999999999999999999' is too large");
}

BOOST_AUTO_TEST_CASE(undefined_groups_are_errors_at_the_referencing_line) {
  BOOST_TEST(OnlySkipped("INCLUDE cad GROUP eng\n") ==
             "opts.opt:1: GROUP 'eng' is used but never defined; the group names nobody");
  BOOST_TEST(OnlyError("GROUP lab alice\nEXCLUDE cad HOST_GROUP lab\n") ==
             "opts.opt:2: HOST_GROUP 'lab' is used but never defined (there is a GROUP of "
             "that name)");
}

BOOST_AUTO_TEST_CASE(groups_may_be_defined_after_use) {
  const OptionsPolicy policy = PolicyFrom("EXCLUDE cad GROUP eng\nGROUP eng bob\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob")).code == Errc::kExcludedByOptions);
}

BOOST_AUTO_TEST_CASE(bad_internet_patterns_are_errors) {
  for (const char* bad : {"192.168.1", "192.168.1.256", "192.168.*.x", "1.2.3.4.5", "1..2.3"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(OnlyError(std::string("EXCLUDE cad INTERNET ") + bad + "\n") ==
                 std::string("opts.opt:1: bad INTERNET pattern '") + bad +
                     "' (expected four octets 0-255 or *, e.g. 192.168.1.*)");
    }
  }
  BOOST_TEST(OnlyError("EXCLUDE cad HOST 10.0.0.300\n") ==
             "opts.opt:1: bad HOST address '10.0.0.300' (expected four octets 0-255 or *)");
}

BOOST_AUTO_TEST_CASE(feature_qualifiers_are_checked) {
  BOOST_TEST(OnlyError("EXCLUDE cad:VERSION USER bob\n") ==
             "opts.opt:1: feature qualifier 'VERSION' must be KEYWORD=value (e.g. "
             "cad:VERSION=2.0)");
  BOOST_TEST(OnlyError("EXCLUDE cad:VERSION=new USER bob\n") ==
             "opts.opt:1: VERSION 'new' is not a version number like 2.0");
  BOOST_TEST(OnlyError("EXCLUDE cad:HOST-ID=abc USER bob\n") ==
             "opts.opt:1: feature qualifier keyword 'HOST-ID' is not a license-line keyword");
  BOOST_TEST(OnlyError("EXCLUDE \"cad \" USER bob\n") ==
             "opts.opt:1: 'cad ': a feature name cannot contain a blank; the quoted form is "
             "\"feature KEYWORD=value\"");
  BOOST_TEST(OnlyError("EXCLUDE :SN=1 USER bob\n") ==
             "opts.opt:1: missing feature name in ':SN=1'");
  BOOST_TEST(OnlySkipped("TIMEOUT cad:SN=1 1200\n") ==
             "opts.opt:1: TIMEOUT takes a plain feature name, without a :keyword=value "
             "qualifier; the line is skipped");
}

BOOST_AUTO_TEST_CASE(every_error_is_reported_in_line_order_and_the_file_is_rejected) {
  const ParsedOptions parsed = ParseOptions("site.opt",
                                            "INCLUDE cad GROUP ghosts\n"      // 1: undefined
                                            "GROUP eng alice\n"               // 2: fine
                                            "BOGUS x\n"                       // 3: unknown
                                            "MAX x cad WHO bob\n"             // 4: two errors
                                            "INCLUDE cad INTERNET 1.2.3\n"    // 5: pattern
                                            "GROUPCASEINSENSITIVE maybe\n");  // 6
  BOOST_TEST(!parsed.policy.has_value());
  const std::vector<std::string> want = {
      "site.opt:4: MAX count must be a whole number, got 'x'",
      "site.opt:4: unknown type 'WHO' (expected USER, HOST, DISPLAY, INTERNET, GROUP, "
      "HOST_GROUP or PROJECT)",
      "site.opt:6: GROUPCASEINSENSITIVE must be ON or OFF, got 'maybe'",
  };
  BOOST_TEST(parsed.errors == want, boost::test_tools::per_element());
  const std::vector<std::string> skipped = {
      "site.opt:1: GROUP 'ghosts' is used but never defined; the group names nobody",
      "site.opt:3: unknown keyword 'BOGUS'; the line is skipped",
      "site.opt:5: bad INTERNET pattern '1.2.3' (expected four octets 0-255 or *, e.g. "
      "192.168.1.*); the line includes nobody",
  };
  BOOST_TEST(parsed.skipped == skipped, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(flexlm_keywords_without_effect_are_notes_not_errors) {
  const ParsedOptions parsed =
      ParseOptions("opts.opt",
                   "NOLOG QUEUED\nREPORTLOG +/var/log/r.log\nDEBUGLOG d.log\n"
                   "BORROW_LOWWATER cad 2\nLINGER cad 30\nMAX_OVERDRAFT cad 1\n");
  BOOST_REQUIRE(parsed.ok());
  BOOST_REQUIRE_EQUAL(parsed.notes.size(), 6u);
  BOOST_TEST(parsed.notes[0] ==
             "opts.opt:1: note: NOLOG is accepted for compatibility and has no effect in "
             "floatlm");
  BOOST_TEST(parsed.notes[5].starts_with("opts.opt:6: note: MAX_OVERDRAFT"));
}

BOOST_AUTO_TEST_CASE(project_rules_are_accepted_with_a_note_and_never_match) {
  const ParsedOptions parsed = ParseOptions("opts.opt", "EXCLUDE cad PROJECT apollo\n");
  BOOST_REQUIRE(parsed.ok());
  BOOST_REQUIRE_EQUAL(parsed.notes.size(), 1u);
  BOOST_TEST(parsed.notes[0] ==
             "opts.opt:1: note: PROJECT rules never match: floatlm clients do not send a "
             "project");
  BOOST_TEST(parsed.policy->Admission(Feature("cad"), User("bob")).ok());
}

BOOST_AUTO_TEST_CASE(load_options_file_reads_from_disk_and_reports_missing_files) {
  const std::string path = "options_parser_test.tmp.opt";
  {
    std::ofstream out(path);
    out << "EXCLUDE cad USER bob\n";
  }
  const ParsedOptions parsed = LoadOptionsFile(path);
  std::remove(path.c_str());
  BOOST_REQUIRE(parsed.ok());
  const Verdict v = parsed.policy->Admission(Feature("cad"), User("bob"));
  BOOST_TEST(v.message == "excluded by options_parser_test.tmp.opt:1 (EXCLUDE cad USER bob)");

  const ParsedOptions missing = LoadOptionsFile("/nonexistent/floatlm.opt");
  BOOST_TEST(!missing.policy.has_value());
  BOOST_REQUIRE_EQUAL(missing.errors.size(), 1u);
  BOOST_TEST(missing.errors[0] ==
             "/nonexistent/floatlm.opt: cannot read options file: No such file or directory");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::options
