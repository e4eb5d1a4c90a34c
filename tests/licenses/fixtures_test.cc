// Real-world-shaped license files (tests/fixtures/licenses): they parse; their
// foreign signatures fail verification (a verification result, not a parse
// error); re-signed with a floatlm key they load into the expected model.
#include <boost/test/unit_test.hpp>

#include "floatlm/licenses/signature.h"
#include "floatlm/licenses/text_file.h"
#include "test_util.h"

namespace floatlm::licenses {
namespace {

std::string Fixture(const std::string& name) {
  auto text = ReadTextFile(std::string(FLOATLM_FIXTURES_DIR) + "/licenses/" + name);
  BOOST_REQUIRE_MESSAGE(text.has_value(), name);
  return text.value();
}

const Pool* FindPool(const Model& model, std::string_view feature) {
  for (const Pool& p : model.pools) {
    if (p.feature == feature) return &p;
  }
  return nullptr;
}

BOOST_AUTO_TEST_SUITE(fixtures)

BOOST_AUTO_TEST_CASE(autodesk_network_file_parses_and_builds) {
  std::string text = Fixture("autodesk_network.lic");
  ParsedFile parsed = ParseLicenseText("adsk.lic", text);
  BOOST_TEST(parsed.diagnostics.empty());
  BuildResult built = BuildModel({parsed});
  for (const Diagnostic& d : built.diagnostics) BOOST_TEST_MESSAGE(d.ToString());
  BOOST_TEST(!HasErrors(built.diagnostics));
  const Model& m = built.model;
  BOOST_REQUIRE(m.server.has_value());
  BOOST_TEST((m.server->hostid.kind == HostId::Kind::kEthernet));
  BOOST_TEST(m.server->hostid.value == "0a1b2c3d4e5f");
  BOOST_TEST(*m.server->port == 27000);
  BOOST_REQUIRE_EQUAL(m.vendors.size(), 1u);
  BOOST_TEST(m.vendors[0].name == "adskflex");
  BOOST_TEST(*m.vendors[0].port == 2080);
  BOOST_TEST(m.use_server);
  BOOST_REQUIRE_EQUAL(m.packages.size(), 1u);
  const Package& coll = m.packages[0];
  BOOST_TEST(coll.suite);
  BOOST_TEST(coll.suite_dup_group.ToString() == "UHV");
  BOOST_TEST(coll.components.size() == 5u);
  BOOST_TEST(coll.components[4].count == 2);
  const Pool* enabling = FindPool(m, "87979PDCOLL_T_F");
  BOOST_REQUIRE(enabling);
  BOOST_TEST((enabling->rank == Rank::kCollection));
  BOOST_TEST(enabling->dup_group.ToString() == "UH");
  BOOST_TEST(enabling->borrow_hours == 4320);
  BOOST_TEST(enabling->vendor_string == "commercial:extendable");
  BOOST_TEST(enabling->lines.at(0).serial == "399-12345678");
  BOOST_TEST(enabling->CountOn(std::chrono::year{2026} / 6 / 1) == 25);
  BOOST_TEST(enabling->attributes.count("SIGN2") == 1u);
  BOOST_TEST(m.pools.size() == 3u);
}

BOOST_AUTO_TEST_CASE(autodesk_sign_values_span_continuations) {
  ParsedFile parsed = ParseLicenseText("adsk.lic", Fixture("autodesk_network.lic"));
  const LicenseLine& package = parsed.lines.at(3);
  BOOST_TEST((package.keyword == Keyword::kPackage));
  BOOST_TEST(package.end_line > package.line + 3);
  std::string sign = *package.Find("SIGN")->value;
  BOOST_TEST(sign.find("0A1B 2C3D 4E5F 6071 8293") == 0u);
  BOOST_TEST(package.Find("SIGN2"));
}

BOOST_AUTO_TEST_CASE(flexnet_documentation_examples_parse_and_build) {
  ParsedFile parsed = ParseLicenseText("doc.lic", Fixture("flexnet_doc_examples.lic"));
  BOOST_TEST(parsed.diagnostics.empty());
  BuildResult built = BuildModel({parsed});
  BOOST_TEST(!HasErrors(built.diagnostics));
  for (const Diagnostic& d : built.diagnostics) BOOST_TEST_MESSAGE(d.ToString());
  const Model& m = built.model;
  BOOST_TEST(m.server->host == "this_host");
  BOOST_TEST(*m.vendors.at(0).port == 27001);
  BOOST_TEST(m.vendors.at(0).options_file == "/opt/flexlm/sampled.opt");
  BOOST_TEST(FindPool(m, "f1")->CountOn(std::chrono::year{2027} / 1 / 1) == 4);  // first FEATURE wins
  BOOST_TEST(FindPool(m, "f2")->uncounted);
  BOOST_TEST(FindPool(m, "f4")->user_based);
  BOOST_TEST(*FindPool(m, "f5")->prev_versions == 2);
  BOOST_TEST(FindPool(m, "f5")->borrow_hours == 168);
  BOOST_TEST((FindPool(m, "cloudsuite")->rank == Rank::kSuite));
  // f3: two INCREMENTs with equal version (3.000 == 3.0) and attributes form one pool.
  const Pool* f3 = FindPool(m, "f3");
  BOOST_TEST(f3->lines.size() == 2u);
  BOOST_TEST(f3->CountOn(std::chrono::year{2026} / 7 / 1) == 10);
  BOOST_TEST(f3->CountOn(std::chrono::year{2027} / 7 / 1) == 15);
  BOOST_TEST(m.packages.size() == 2u);
}

BOOST_AUTO_TEST_CASE(foreign_signatures_fail_verification_not_parsing) {
  PublicKey key = testing::VectorKey().Public();
  for (const char* name : {"autodesk_network.lic", "flexnet_doc_examples.lic"}) {
    VerifyReport report = VerifyLicenseText(name, Fixture(name), key);
    BOOST_TEST(report.parse_errors.empty(), name);
    BOOST_TEST(report.signed_lines > 0);
    BOOST_TEST(report.verified == 0);
    BOOST_TEST(report.failures.size() == static_cast<std::size_t>(report.signed_lines));
    for (const Rejection& r : report.failures) {
      BOOST_TEST(r.reason.find("signature does not verify") == 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(fixtures_resigned_with_a_floatlm_key_verify) {
  for (const char* name : {"autodesk_network.lic", "flexnet_doc_examples.lic"}) {
    auto signed_text = SignLicenseText(name, Fixture(name), testing::VectorKey());
    BOOST_REQUIRE(signed_text.has_value());
    BOOST_TEST(signed_text.value().find("# ") == 0u);  // comments kept
    BOOST_TEST(VerifyLicenseText(name, signed_text.value(), testing::VectorKey().Public()).ok());
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::licenses
