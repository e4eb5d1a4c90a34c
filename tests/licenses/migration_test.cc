// The migration report: every construct floatlm reads differently from FlexLM is named
// with its line, and a file floatlm reads as FlexLM does has no finding.
#include <boost/test/unit_test.hpp>

#include "floatlm/licenses/migration.h"
#include "test_util.h"

namespace floatlm::licenses {
namespace {

std::vector<std::string> Findings(const std::string& text) {
  std::vector<std::string> out;
  for (const Diagnostic& d : MigrationReport({ParseLicenseText("f.lic", text)})) {
    BOOST_TEST((d.severity == Diagnostic::Severity::kWarning));
    out.push_back(d.ToString());
  }
  return out;
}

bool Has(const std::vector<std::string>& findings, std::string_view part) {
  for (const std::string& f : findings) {
    if (f.find(part) != std::string::npos) return true;
  }
  return false;
}

BOOST_AUTO_TEST_SUITE(migration)

BOOST_AUTO_TEST_CASE(a_file_read_as_flexlm_reads_it_has_no_finding) {
  BOOST_TEST(Findings("SERVER lic1 0A1B2C3D4E5F 27000\nVENDOR acme\n"
                      "INCREMENT cad acme 1.0 permanent 5 DUP_GROUP=UH\n"
                      "FEATURE viewer acme 1.0 permanent uncounted HOSTID=HOSTNAME=ws1 "
                      "DUP_GROUP=NONE\n")
                 .empty());
}

BOOST_AUTO_TEST_CASE(every_difference_is_named_with_its_line) {
  const auto f = Findings(
      "SERVER lic1 0A1B2C3D4E5F 27000\n"                                            // 1
      "SERVER lic2 0A1B2C3D4E60 27000\n"                                            // 2
      "VENDOR acme /opt/acme/bin/acme /opt/acme/acme.opt 27001\n"                   // 3
      "FEATURE viewer acme 1.0 permanent uncounted 0123456789AB DUP_GROUP=NONE\n"   // 4
      "INCREMENT cad acme 1.0 permanent 5 OVERDRAFT=2 TS_OK PLATFORMS=x64_lsb "
      "BORROW=72 MINIMUM=2 SIGN2=\"AB CD\" DUP_GROUP=UH\n"                          // 5
      "INCREMENT cam acme 1.0 permanent 5 HOSTID=FLEXID=9-abc SIGN=\"0A1B 2C3D\"\n");  // 6
  for (const auto& line : f) BOOST_TEST_MESSAGE(line);
  BOOST_TEST(Has(f, "f.lic:2:1: warning: a second SERVER line: FlexLM's three-server triad"));
  BOOST_TEST(Has(f, "f.lic:3:1: warning: the vendor daemon path is not used"));
  BOOST_TEST(!Has(f, "options file"));  // read when --options is not given, as in FlexLM
  BOOST_TEST(Has(f, "f.lic:3:51: warning: the vendor daemon port is not used"));
  BOOST_TEST(Has(f, "f.lic:4:1: warning: uncounted line without HOSTID"));
  BOOST_TEST(Has(f, "f.lic:4:45: warning: '0123456789AB' looks like a legacy FlexLM license key"));
  BOOST_TEST(Has(f, "f.lic:5:36: warning: OVERDRAFT=2: floatlm grants no overdraft seats"));
  BOOST_TEST(Has(f, "warning: TS_OK has no effect"));
  BOOST_TEST(Has(f, "warning: PLATFORMS is not enforced"));
  BOOST_TEST(Has(f, "warning: BORROW: seats cannot be borrowed"));
  BOOST_TEST(Has(f, "warning: MINIMUM has no effect"));
  BOOST_TEST(Has(f, "warning: SIGN2 (FlexLM's signature or key) is not checked"));
  BOOST_TEST(Has(f, "f.lic:6:1: warning: no DUP_GROUP: floatlm lets one user on one host share"));
  BOOST_TEST(Has(f, "f.lic:6:36: warning: HOSTID FLEXID=9-abc: floatlm does not read this kind"));
  BOOST_TEST(Has(f, "f.lic:6:56: warning: SIGN is FlexLM's, not floatlm's"));
  BOOST_TEST(!Has(f, "f.lic:4:1: warning: no DUP_GROUP"));
  BOOST_TEST(!Has(f, "f.lic:5:1: warning: no DUP_GROUP"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::licenses
