// Syntax: what the parser accepts and how it records it.
#include <boost/test/unit_test.hpp>

#include "floatlm/licenses/parser.h"
#include "test_util.h"

namespace floatlm::licenses {
namespace {

ParsedFile Parse(std::string_view text) { return ParseLicenseText("p.lic", text); }

// A copy: callers often pass a temporary file.
LicenseLine Only(const ParsedFile& file) {
  BOOST_REQUIRE(file.diagnostics.empty());
  BOOST_REQUIRE_EQUAL(file.lines.size(), 1u);
  return file.lines[0];
}

BOOST_AUTO_TEST_SUITE(parser)

BOOST_AUTO_TEST_CASE(feature_line_has_five_positional_fields) {
  ParsedFile file = Parse("FEATURE draw acme 2027.0 31-dec-2027 5\n");
  const LicenseLine& line = Only(file);
  BOOST_TEST((line.keyword == Keyword::kFeature));
  BOOST_REQUIRE_EQUAL(line.fields.size(), 5u);
  BOOST_TEST(line.fields[0].text == "draw");
  BOOST_TEST(line.fields[4].text == "5");
  BOOST_TEST(line.fields[3].column == 26);
  BOOST_TEST(line.attributes.empty());
}

BOOST_AUTO_TEST_CASE(comment_and_blank_lines_are_skipped_and_line_numbers_kept) {
  ParsedFile file = Parse("# header\n\n   # indented comment\n\t\nUSE_SERVER\n");
  const LicenseLine& line = Only(file);
  BOOST_TEST((line.keyword == Keyword::kUseServer));
  BOOST_TEST(line.line == 5);
}

BOOST_AUTO_TEST_CASE(keywords_and_keys_are_case_insensitive) {
  ParsedFile file = Parse("increment f acme 1.0 permanent 1 dup_group=UH Sn=9\n");
  const LicenseLine& line = Only(file);
  BOOST_TEST((line.keyword == Keyword::kIncrement));
  BOOST_REQUIRE(line.Find("DUP_GROUP"));
  BOOST_TEST(*line.Find("SN")->value == "9");
}

BOOST_AUTO_TEST_CASE(feature_and_vendor_names_keep_their_case) {
  const LicenseLine& line = Only(Parse("FEATURE Draw ACME 1.0 permanent 1\n"));
  BOOST_TEST(line.fields[0].text == "Draw");
  BOOST_TEST(line.fields[1].text == "ACME");
}

BOOST_AUTO_TEST_CASE(daemon_is_read_as_vendor) {
  BOOST_TEST((Only(Parse("DAEMON acme\n")).keyword == Keyword::kVendor));
}

BOOST_AUTO_TEST_CASE(quoted_value_keeps_spaces_collapsed) {
  const LicenseLine& line = Only(Parse("FEATURE f acme 1.0 permanent 1 NOTICE=\"  Example \t Co  \"\n"));
  BOOST_TEST(*line.Find("NOTICE")->value == "Example Co");
}

BOOST_AUTO_TEST_CASE(quoted_value_may_contain_equals_and_hash) {
  const LicenseLine& line = Only(Parse("FEATURE f acme 1.0 permanent 1 VENDOR_STRING=\"a=b #c\"\n"));
  BOOST_TEST(*line.Find("VENDOR_STRING")->value == "a=b #c");
}

BOOST_AUTO_TEST_CASE(continuation_joins_lines_and_tracks_columns) {
  ParsedFile file = Parse("FEATURE f acme \\\n   1.0 permanent 1 \\\n\tSN=42\n");
  const LicenseLine& line = Only(file);
  BOOST_TEST(line.line == 1);
  BOOST_TEST(line.fields[2].line == 2);
  BOOST_TEST(line.fields[2].column == 4);
  BOOST_TEST(line.attributes.at(0).line == 3);
  BOOST_TEST(line.attributes.at(0).column == 2);
  BOOST_TEST(line.end_line == 3);
}

BOOST_AUTO_TEST_CASE(continuation_inside_quoted_sign_value) {
  ParsedFile file = Parse("FEATURE f acme 1.0 permanent 1 SIGN=\"AAAA BBBB \\\n    CCCC DDDD\"\nUSE_SERVER\n");
  BOOST_REQUIRE(file.diagnostics.empty());
  BOOST_REQUIRE_EQUAL(file.lines.size(), 2u);
  BOOST_TEST(*file.lines[0].Find("SIGN")->value == "AAAA BBBB CCCC DDDD");
  BOOST_TEST(file.lines[1].line == 3);
}

BOOST_AUTO_TEST_CASE(blank_line_ends_a_continued_line) {
  ParsedFile file = Parse("FEATURE f acme 1.0 permanent 1 \\\n\nUSE_SERVER\n");
  BOOST_REQUIRE(file.diagnostics.empty());
  BOOST_TEST(file.lines.size() == 2u);
}

BOOST_AUTO_TEST_CASE(continuation_at_end_of_file_is_accepted) {
  BOOST_TEST(Only(Parse("FEATURE f acme 1.0 permanent 1 \\")).fields.size() == 5u);
}

BOOST_AUTO_TEST_CASE(crlf_line_endings_are_accepted) {
  ParsedFile file = Parse("FEATURE f acme 1.0 permanent 1 \\\r\n  SN=1\r\nUSE_SERVER\r\n");
  BOOST_REQUIRE(file.diagnostics.empty());
  BOOST_TEST(*file.lines[0].Find("SN")->value == "1");
  BOOST_TEST(file.lines.size() == 2u);
}

BOOST_AUTO_TEST_CASE(bare_flags_after_positionals) {
  const LicenseLine& line = Only(Parse("INCREMENT f acme 1.0 permanent 1 SUPERSEDE USER_BASED BORROW\n"));
  BOOST_REQUIRE_EQUAL(line.attributes.size(), 3u);
  BOOST_TEST(line.attributes[0].key == "SUPERSEDE");
  BOOST_TEST(!line.attributes[0].value.has_value());
  BOOST_TEST(line.attributes[1].key == "USER_BASED");
}

BOOST_AUTO_TEST_CASE(supersede_with_a_list) {
  const LicenseLine& line = Only(Parse("INCREMENT f acme 1.0 permanent 1 SUPERSEDE=\"f g h\"\n"));
  BOOST_TEST(*line.Find("SUPERSEDE")->value == "f g h");
}

BOOST_AUTO_TEST_CASE(unknown_attributes_are_kept) {
  const LicenseLine& line = Only(Parse("FEATURE f acme 1.0 permanent 1 MY_TIER=gold ASSET_INFO=\"x y\"\n"));
  BOOST_TEST(*line.Find("MY_TIER")->value == "gold");
  BOOST_TEST(*line.Find("ASSET_INFO")->value == "x y");
}

BOOST_AUTO_TEST_CASE(server_with_hostname_hostid_and_port) {
  const LicenseLine& line = Only(Parse("SERVER this_host HOSTNAME=lic1.example.com 27000\n"));
  BOOST_REQUIRE_EQUAL(line.fields.size(), 3u);
  BOOST_TEST(line.fields[1].text == "HOSTNAME=lic1.example.com");
  BOOST_TEST(line.fields[2].text == "27000");
}

BOOST_AUTO_TEST_CASE(vendor_positional_paths_and_port) {
  const LicenseLine& line = Only(Parse("VENDOR acme /opt/acme /etc/acme.opt 2080\n"));
  BOOST_TEST(line.fields.size() == 4u);
}

BOOST_AUTO_TEST_CASE(vendor_with_port_and_options_attributes) {
  const LicenseLine& line = Only(Parse("VENDOR adskflex port=2080 options=/etc/adsk.opt\n"));
  BOOST_TEST(line.fields.size() == 1u);
  BOOST_TEST(*line.Find("PORT")->value == "2080");
  BOOST_TEST(*line.Find("OPTIONS")->value == "/etc/adsk.opt");
}

BOOST_AUTO_TEST_CASE(package_without_version) {
  const LicenseLine& line = Only(Parse("PACKAGE p acme COMPONENTS=\"a b\"\n"));
  BOOST_TEST(line.fields.size() == 2u);
  BOOST_TEST(*line.Find("COMPONENTS")->value == "a b");
}

BOOST_AUTO_TEST_CASE(package_with_version_and_flag) {
  const LicenseLine& line = Only(Parse("PACKAGE p acme 2.0 COMPONENTS=a\n"));
  BOOST_TEST(line.fields.size() == 3u);
  const LicenseLine& flagged = Only(Parse("PACKAGE p acme SUITE_RESERVED COMPONENTS=a\n"));
  BOOST_TEST(flagged.fields.size() == 2u);
  BOOST_TEST(flagged.attributes.at(0).key == "SUITE_RESERVED");
}

BOOST_AUTO_TEST_CASE(raw_span_covers_the_logical_line_and_the_sign_attribute) {
  std::string text = "# c\nFEATURE f acme 1.0 permanent 1 SIGN=\"AB \\\n CD\"  \nUSE_SERVER\n";
  const LicenseLine line = Parse(text).lines.at(0);
  BOOST_TEST(text.substr(line.raw_begin, line.raw_end - line.raw_begin) ==
             "FEATURE f acme 1.0 permanent 1 SIGN=\"AB \\\n CD\"");
  const Attribute& sign = *line.Find("SIGN");
  BOOST_TEST(text.substr(sign.raw_begin, sign.raw_end - sign.raw_begin) == "SIGN=\"AB \\\n CD\"");
}

BOOST_AUTO_TEST_CASE(signed_keywords) {
  ParsedFile file = Parse("FEATURE f a 1.0 permanent 1\nINCREMENT f a 1.0 permanent 1\n"
                          "PACKAGE f a COMPONENTS=x\nSERVER h ANY\nVENDOR a\nUSE_SERVER\n");
  BOOST_REQUIRE_EQUAL(file.lines.size(), 6u);
  std::vector<bool> expected = {true, true, true, false, false, false};
  for (std::size_t i = 0; i < expected.size(); ++i) BOOST_TEST(file.lines[i].IsSigned() == expected[i]);
}

BOOST_AUTO_TEST_CASE(bad_line_does_not_stop_parsing) {
  ParsedFile file = Parse("FEATURE a x 1.0 permanent 1\nBOGUS\nFEATURE b x 1.0 permanent 1\n");
  BOOST_TEST(file.lines.size() == 2u);
  BOOST_REQUIRE_EQUAL(file.diagnostics.size(), 1u);
  BOOST_TEST(file.diagnostics[0].ToString() == "p.lic:2:1: unknown keyword 'BOGUS'");
}

BOOST_AUTO_TEST_CASE(empty_and_comment_only_files_parse_to_nothing) {
  BOOST_TEST(Parse("").lines.empty());
  BOOST_TEST(Parse("# only\n#comments").lines.empty());
  BOOST_TEST(Parse("\n\n").diagnostics.empty());
}

BOOST_AUTO_TEST_CASE(binary_garbage_is_reported_not_crashed_on) {
  const char kGarbage[] = "\x01\x02\xff FEATURE\0\"\\\n\\\n=\"=";
  std::string garbage(kGarbage, sizeof kGarbage - 1);
  ParsedFile file = Parse(garbage);
  BOOST_TEST(!file.diagnostics.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::licenses
