// Sign -> verify round trips, and every signed field tampered with in turn.
#include <boost/test/unit_test.hpp>

#include "floatlm/licenses/signature.h"
#include "test_util.h"

namespace floatlm::licenses {
namespace {

constexpr const char* kFile =
    "# Example Engineering Ltd\n"
    "SERVER lic1 0A-1B-2C-3D-4E-5F 27000\n"
    "VENDOR acme port=2080\n"
    "USE_SERVER\n"
    "\n"
    "PACKAGE coll acme 1.0 COMPONENTS=\"draw paint:1.0 model:2.0:2\" OPTIONS=SUITE \\\n"
    "    SUITE_DUP_GROUP=UHV CLOUD=model\n"
    "INCREMENT coll acme 1.0 31-dec-2027 10 DUP_GROUP=UH BORROW=4320 \\\n"
    "    VENDOR_STRING=\"commercial:extendable\" ISSUED=1-jan-2026 SN=123\n"
    "# standalone seats\n"
    "FEATURE draw acme 2027.0 permanent 5 HOSTID=ANY NOTICE=\"Site  licence\"\n";

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  std::size_t at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no '" << from << "' in file");
  return text.replace(at, from.size(), to);
}

std::string Signed(const std::string& text) {
  auto result = SignLicenseText("s.lic", text, testing::VectorKey());
  BOOST_REQUIRE_MESSAGE(result.has_value(), (result ? "" : result.error().message));
  return result.value();
}

std::vector<int> FailedLines(const std::string& text) {
  VerifyReport report = VerifyLicenseText("s.lic", text, testing::VectorKey().Public());
  BOOST_TEST(report.parse_errors.empty());
  std::vector<int> lines;
  for (const Rejection& r : report.failures) lines.push_back(r.source.line);
  return lines;
}

BOOST_AUTO_TEST_SUITE(signing)

BOOST_AUTO_TEST_CASE(sign_then_verify_round_trip) {
  std::string text = Signed(kFile);
  VerifyReport report = VerifyLicenseText("s.lic", text, testing::VectorKey().Public());
  BOOST_TEST(report.ok());
  BOOST_TEST(report.signed_lines == 3);
  BOOST_TEST(report.verified == 3);
}

BOOST_AUTO_TEST_CASE(signing_keeps_comments_and_layout) {
  std::string text = Signed(kFile);
  // Removing the inserted SIGN attributes gives back the original bytes.
  std::string stripped = text;
  while (true) {
    std::size_t at = stripped.find(" SIGN=\"");
    if (at == std::string::npos) break;
    std::size_t end = stripped.find('"', at + 7);
    stripped.erase(at, end + 1 - at);
  }
  BOOST_TEST(stripped == kFile);
}

BOOST_AUTO_TEST_CASE(resigning_replaces_only_sign_values) {
  std::string once = Signed(kFile);
  BOOST_TEST(Signed(once) == once);  // Ed25519 is deterministic
  PrivateKey other = PrivateKey::Generate().value();
  std::string by_other = SignLicenseText("s.lic", once, other).value();
  BOOST_TEST(by_other.size() == once.size());
  BOOST_TEST(FailedLines(by_other).size() == 3u);
  BOOST_TEST(Signed(by_other) == once);
}

BOOST_AUTO_TEST_CASE(foreign_sign_values_are_replaced) {
  std::string text = Replace(kFile, "SN=123", "SN=123 SIGN=\"0A1B 2C3D \\\n   4E5F\" SIGN2=\"FFFF\"");
  std::string signed_text = Signed(text);
  BOOST_TEST(FailedLines(signed_text).empty());
  BOOST_TEST(signed_text.find("SIGN2=\"FFFF\"") != std::string::npos);
  BOOST_TEST(signed_text.find("0A1B 2C3D") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(signing_refuses_a_file_with_errors) {
  auto result = SignLicenseText("s.lic", "FEATURE f acme 1.x permanent 1\nFEATURE g acme 1.0 1-feb-2027 z\n",
                                testing::VectorKey());
  BOOST_REQUIRE(!result);
  BOOST_TEST(result.error().message.find("s.lic:1:16: bad version") != std::string::npos);
  BOOST_TEST(result.error().message.find("s.lic:2:31: count 'z'") != std::string::npos);
}

struct Tamper {
  const char* what;
  const char* from;
  const char* to;
  std::vector<int> failing;  // lines (of the signed file) expected to fail
};

BOOST_AUTO_TEST_CASE(tampering_with_any_signed_field_fails_that_line) {
  // Line numbers: PACKAGE 6, INCREMENT 9 (after the package's SIGN continuation), FEATURE 13.
  std::string good = Signed(kFile);
  BOOST_REQUIRE(FailedLines(good).empty());
  std::vector<int> lines;
  ParsedFile parsed = ParseLicenseText("s.lic", good);
  for (const LicenseLine& l : parsed.lines) {
    if (l.IsSigned()) lines.push_back(l.line);
  }
  BOOST_REQUIRE_EQUAL(lines.size(), 3u);
  const int package = lines[0], increment = lines[1], feature = lines[2];
  const std::vector<Tamper> tampers = {
      {"count", "31-dec-2027 10", "31-dec-2027 11", {increment}},
      {"expiry", "31-dec-2027", "31-dec-2028", {increment}},
      {"permanent to date", "permanent 5", "1-jan-2099 5", {feature}},
      {"version", "2027.0", "2028.0", {feature}},
      {"feature name", "FEATURE draw", "FEATURE drAw", {feature}},
      {"vendor", "INCREMENT coll acme", "INCREMENT coll acmf", {increment}},
      {"keyword", "FEATURE draw", "INCREMENT draw", {feature}},
      {"server hostid", "0A-1B-2C-3D-4E-5F", "0A-1B-2C-3D-4E-60", {package, increment, feature}},
      {"server line removed", "SERVER lic1 0A-1B-2C-3D-4E-5F 27000\n", "\n", {package, increment, feature}},
      {"component", "paint:1.0", "paint:2.0", {package}},
      {"component added", "model:2.0:2", "model:2.0:2 extra", {package}},
      {"component count", "model:2.0:2", "model:2.0:3", {package}},
      {"suite option", "OPTIONS=SUITE", "OPTIONS=NONE", {package}},
      {"suite dup group", "SUITE_DUP_GROUP=UHV", "SUITE_DUP_GROUP=UH", {package}},
      {"dup group", "DUP_GROUP=UH ", "DUP_GROUP=NONE ", {increment}},
      {"borrow", "BORROW=4320", "BORROW=9999", {increment}},
      {"vendor string", "commercial:extendable", "commercial:permanent", {increment}},
      {"issued", "ISSUED=1-jan-2026", "ISSUED=2-jan-2026", {increment}},
      {"serial", "SN=123", "SN=124", {increment}},
      {"hostid attribute", "HOSTID=ANY", "HOSTID=001122334455", {feature}},
      {"notice", "Site  licence", "Site licences", {feature}},
      {"attribute added", "HOSTID=ANY", "HOSTID=ANY SORT=1", {feature}},
      {"attribute removed", " HOSTID=ANY", "", {feature}},
      {"flag added", "HOSTID=ANY", "HOSTID=ANY USER_BASED", {feature}},
  };
  for (const Tamper& t : tampers) {
    BOOST_TEST_CONTEXT(t.what) {
      BOOST_TEST(FailedLines(Replace(good, t.from, t.to)) == t.failing);
    }
  }
}

BOOST_AUTO_TEST_CASE(harmless_edits_keep_signatures_valid) {
  std::string good = Signed(kFile);
  const std::vector<std::pair<const char*, const char*>> edits = {
      {"# standalone seats", "# renamed comment"},
      {"FEATURE draw", "feature   draw"},
      {"DUP_GROUP=UH", "dup_group=UH"},
      {"31-dec-2027", "31-DEC-2027"},
      {"ISSUED=1-jan-2026 SN=123", "SN=123 ISSUED=01-Jan-2026"},
      {"NOTICE=\"Site  licence\"", "NOTICE=\"Site licence \""},
      {"HOSTID=ANY ", "\\\n   HOSTID=ANY "},
      {"0A-1B-2C-3D-4E-5F", "0a1b2c3d4e5f"},
      {" 27000", " 27001"},  // the port is not signed: only the hostid binds
  };
  for (const auto& [from, to] : edits) {
    BOOST_TEST_CONTEXT(from << " -> " << to) { BOOST_TEST(FailedLines(Replace(good, from, to)).empty()); }
  }
}

BOOST_AUTO_TEST_CASE(missing_and_malformed_signatures_are_reported) {
  std::string text = "FEATURE a acme 1.0 permanent 1\nFEATURE b acme 1.0 permanent 1 SIGN=\"ABCD\"\n"
                     "FEATURE c acme 1.0 permanent 1 SIGN\n";
  VerifyReport report = VerifyLicenseText("m.lic", text, testing::VectorKey().Public());
  BOOST_REQUIRE_EQUAL(report.failures.size(), 3u);
  BOOST_TEST(report.failures[0].ToString() == "m.lic:1: signature does not verify (no SIGN)");
  BOOST_TEST(report.failures[1].ToString() ==
             "m.lic:2: signature does not verify (signed by FlexLM's scheme, not floatlm's (a SIGN "
             "of 4 hex digits; floatlm's has 128): re-sign with floatlm-vendor sign)");
  BOOST_TEST(report.failures[2].reason.find("no SIGN") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(keys_round_trip_through_pem) {
  PrivateKey key = PrivateKey::Generate().value();
  PrivateKey again = PrivateKey::FromPem(key.ToPem()).value();
  PublicKey pub = PublicKey::FromPem(key.Public().ToPem()).value();
  Signature s = again.Sign("message");
  BOOST_TEST(pub.Verify("message", s));
  BOOST_TEST(!pub.Verify("messagE", s));
  BOOST_TEST(key.ToPem().find("-----BEGIN PRIVATE KEY-----") == 0u);
  BOOST_TEST(pub.ToPem().find("-----BEGIN PUBLIC KEY-----") == 0u);
  BOOST_TEST(!PublicKey::FromPem("garbage"));
  BOOST_TEST(!PrivateKey::FromPem(key.Public().ToPem()));
  BOOST_TEST(!PublicKey::FromPem(key.ToPem()));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::licenses
