// The canonical form and the README's test vectors, byte for byte.
#include <boost/test/unit_test.hpp>

#include "floatlm/licenses/canonical.h"
#include "floatlm/licenses/ed25519.h"
#include "test_util.h"

namespace floatlm::licenses {
namespace {

std::string Hex(const Signature& s) {
  std::string out;
  for (std::uint8_t b : s) out += fmt::format("{:02x}", b);
  return out;
}

std::string CanonicalOfFirstSigned(std::string_view text) {
  ParsedFile file = ParseLicenseText("v.lic", text);
  BOOST_REQUIRE(file.diagnostics.empty());
  for (const LicenseLine& line : file.lines) {
    if (line.IsSigned()) return CanonicalForm(line, BoundHostId(file));
  }
  BOOST_FAIL("no signed line");
  return {};
}

constexpr const char* kVectorPrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kVectorPublicPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=\n"
    "-----END PUBLIC KEY-----\n";

struct Vector {
  const char* file;
  const char* canonical;
  const char* signature_hex;
};

const Vector kVectors[] = {
    {"SERVER licsrv01 0A-1B-2C-3D-4E-5F 27000\n"
     "FEATURE draw acme 2027.0 31-DEC-2027 5 NOTICE=\"Example   Ltd\" \\\n"
     "  dup_group=UH SN=42 SIGN=\"0000\"\n",
     "floatlm-license-v1\nhostid 0a1b2c3d4e5f\nFEATURE draw acme 2027.0 31-dec-2027 5\n"
     "DUP_GROUP=UH\nNOTICE=\"Example Ltd\"\nSN=42\n",
     "9f61e99675729dea15a8b7377bf225c732e9bcdd1a8efb6ab11e7ec3250b0543"
     "fa212069ba7f82e0ca2f02215be48d874ceedc17854588aeed0245f163dabd0e"},
    {"INCREMENT paint acme 1.0 permanent Uncounted SUPERSEDE START=01-Jan-2026\n",
     "floatlm-license-v1\nhostid ANY\nINCREMENT paint acme 1.0 permanent uncounted\n"
     "START=1-jan-2026\nSUPERSEDE\n",
     "3d2a29e0dab12518066cb8b048d2ceb8a8226079a551ef916ad686df5d1aba3d"
     "4b8bcf2dad902341d17183afb2f41019a633f06eba461dea44200779fa1fb70e"},
    {"PACKAGE suite1 acme 1.0 COMPONENTS=\"draw paint:1.0:2\" OPTIONS=SUITE\n",
     "floatlm-license-v1\nhostid ANY\nPACKAGE suite1 acme 1.0\nCOMPONENTS=\"draw paint:1.0:2\"\n"
     "OPTIONS=SUITE\n",
     "6711f68373a28d6c087339db43a1496226bd21d07006572c2b59761139fd7503"
     "378516429788a01f282fd342d938351e0b05aeeb21817338445e2c8d97380f0b"},
};

BOOST_AUTO_TEST_SUITE(canonical)

BOOST_AUTO_TEST_CASE(readme_key_is_the_seed_key) {
  BOOST_TEST(testing::VectorKey().ToPem() == kVectorPrivatePem);
  BOOST_TEST(testing::VectorKey().Public().ToPem() == kVectorPublicPem);
  BOOST_TEST(PrivateKey::FromPem(kVectorPrivatePem).value().ToPem() == kVectorPrivatePem);
}

BOOST_AUTO_TEST_CASE(readme_vectors_canonical_bytes_and_signatures) {
  PrivateKey key = PrivateKey::FromPem(kVectorPrivatePem).value();
  PublicKey pub = PublicKey::FromPem(kVectorPublicPem).value();
  for (const Vector& v : kVectors) {
    std::string canonical = CanonicalOfFirstSigned(v.file);
    BOOST_TEST(canonical == v.canonical);
    Signature signature = key.Sign(canonical);
    BOOST_TEST(Hex(signature) == v.signature_hex);
    BOOST_TEST(pub.Verify(canonical, signature));
  }
}

BOOST_AUTO_TEST_CASE(layout_case_and_order_do_not_change_the_canonical_form) {
  std::string a = CanonicalOfFirstSigned(
      "FEATURE f acme 1.0 01-Jan-2027 5 SN=1 DUP_GROUP=UH NOTICE=\"a  b\" SIGN=\"x\"\n");
  std::string b = CanonicalOfFirstSigned(
      "# comment\nfeature   f acme \\\n  1.0 1-JAN-2027   5 \\\n notice=\"a b\" dup_group=UH \\\n"
      "   sn=\"1\" SIGN2=\"zz\"\n");
  BOOST_TEST(a == b);
}

BOOST_AUTO_TEST_CASE(the_server_hostid_is_part_of_the_form) {
  std::string line = "FEATURE f acme 1.0 permanent 5\n";
  std::string any = CanonicalOfFirstSigned(line);
  std::string bound = CanonicalOfFirstSigned("SERVER h 001122334455\n" + line);
  std::string same = CanonicalOfFirstSigned(line + "SERVER h 00:11:22:33:44:55 27001\n");
  std::string other = CanonicalOfFirstSigned("SERVER h 001122334466\n" + line);
  BOOST_TEST(any.find("hostid ANY\n") != std::string::npos);
  BOOST_TEST(bound.find("hostid 001122334455\n") != std::string::npos);
  BOOST_TEST(bound == same);
  BOOST_TEST(bound != other);
  BOOST_TEST(bound != any);
}

BOOST_AUTO_TEST_CASE(meaningful_differences_change_the_form) {
  std::string base = CanonicalOfFirstSigned("FEATURE f acme 1.0 permanent 5 A=1\n");
  for (const char* changed :
       {"INCREMENT f acme 1.0 permanent 5 A=1\n", "FEATURE F acme 1.0 permanent 5 A=1\n",
        "FEATURE f Acme 1.0 permanent 5 A=1\n", "FEATURE f acme 1.00 permanent 5 A=1\n",
        "FEATURE f acme 1.0 1-jan-2030 5 A=1\n", "FEATURE f acme 1.0 permanent 6 A=1\n",
        "FEATURE f acme 1.0 permanent 5 A=2\n", "FEATURE f acme 1.0 permanent 5 A=1 B=1\n",
        "FEATURE f acme 1.0 permanent 5 A=1 B\n", "FEATURE f acme 1.0 permanent 5 A=\"1 \"x\n",
        "FEATURE f acme 1.0 permanent 5\n"}) {
    BOOST_TEST(CanonicalOfFirstSigned(changed) != base, changed);
  }
}

BOOST_AUTO_TEST_CASE(values_with_spaces_or_empty_are_quoted) {
  std::string c = CanonicalOfFirstSigned("FEATURE f acme 1.0 permanent 5 E=\"\" S=\"a b\" P=plain\n");
  BOOST_TEST(c.find("E=\"\"\n") != std::string::npos);
  BOOST_TEST(c.find("S=\"a b\"\n") != std::string::npos);
  BOOST_TEST(c.find("P=plain\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(signature_value_format) {
  Signature s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 7);
  std::string text = FormatSignature(s);
  BOOST_TEST(text.size() == 32u * 4 + 31);
  BOOST_TEST(text.substr(0, 10) == "0007 0E15 ");
  BOOST_TEST((ParseSignature(text).value() == s));
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  BOOST_TEST((ParseSignature(lower + " \t").value() == s));
  BOOST_TEST(!ParseSignature("00"));
  BOOST_TEST(!ParseSignature(text.substr(0, text.size() - 1) + "G"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::licenses
