// LoadLicenses: files, vendor keys, rejections with file:line reasons.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <sys/stat.h>

#include "floatlm/licenses/loader.h"
#include "floatlm/licenses/signature.h"
#include "test_util.h"

namespace floatlm::licenses {
namespace {

using testing::TempDir;

void Write(const std::filesystem::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string Sign(std::string_view text, const PrivateKey& key) {
  return SignLicenseText("x", text, key).value();
}

BOOST_AUTO_TEST_SUITE(loader)

BOOST_AUTO_TEST_CASE(good_lines_load_and_bad_ones_are_rejected_with_reasons) {
  TempDir dir;
  std::filesystem::create_directories(dir / "keys");
  PrivateKey acme = testing::VectorKey();
  PrivateKey other = PrivateKey::Generate().value();
  Write(dir / "keys" / "acme.pub", acme.Public().ToPem());
  Write(dir / "keys" / "other.pub", other.Public().ToPem());

  std::string a = Sign("SERVER h ANY\nVENDOR acme\nFEATURE draw acme 1.0 permanent 5\n"
                       "INCREMENT paint acme 1.0 permanent 2\n", acme);
  // Tamper with the paint line: 2 seats become 3.
  a.replace(a.find("permanent 2"), 11, "permanent 3");
  std::string b = Sign("FEATURE ghost nokey 1.0 permanent 1\n", acme) +
                  Sign("FEATURE wrongkey other 1.0 permanent 1\n", acme) +
                  Sign("FEATURE good other 1.0 permanent 1\n", other) +
                  "FEATURE unsigned acme 1.0 permanent 1\n"
                  "FEATURE bad acme 1.0 permanent lots SIGN=\"00\"\n";
  Write(dir / "a.lic", a);
  Write(dir / "b.lic", b);

  LoadResult result = LoadLicenses({dir / "a.lic", dir / "b.lic"}, dir / "keys");
  BOOST_TEST(result.errors.empty());
  std::vector<std::string> features;
  for (const Pool& p : result.model.pools) features.push_back(p.feature);
  BOOST_TEST(features == (std::vector<std::string>{"draw", "good"}));
  std::vector<std::string> rejected;
  for (const Rejection& r : result.model.rejected) rejected.push_back(r.ToString());
  for (const std::string& r : rejected) BOOST_TEST_MESSAGE(r);
  BOOST_REQUIRE_EQUAL(rejected.size(), 5u);
  std::string a_path = (dir / "a.lic").string(), b_path = (dir / "b.lic").string();
  BOOST_TEST(rejected[0] == a_path + ":5: signature does not verify (wrong key or modified line)");
  BOOST_TEST(rejected[1] == fmt::format("{}:1: no public key for vendor 'nokey' in {}", b_path,
                                        (dir / "keys").string()));
  BOOST_TEST(rejected[2].find(b_path + ":3: signature does not verify") == 0u);
  BOOST_TEST(rejected[3] == b_path + ":7: signature does not verify (no SIGN)");
  BOOST_TEST(rejected[4].find(b_path + ":8: signature does not verify (signed by FlexLM") == 0u);
  BOOST_TEST(result.model.server.has_value());
  BOOST_TEST(result.diagnostics.size() >= 5u);
}

// Large files are verified on several threads: each verdict must still land on its line.
BOOST_AUTO_TEST_CASE(a_large_file_rejects_exactly_its_bad_lines) {
  TempDir dir;
  PrivateKey acme = testing::VectorKey();
  Write(dir / "acme.pub", acme.Public().ToPem());
  std::string plain;
  for (int i = 0; i < 1200; ++i) plain += fmt::format("FEATURE f{} acme 1.0 permanent 1\n", i);
  std::string text = Sign(plain, acme);
  // A vendor with no key in the middle: its reason comes from the key ring, not a thread.
  text.insert(text.find("FEATURE f600 "), Sign("FEATURE stray nokey 1.0 permanent 1\n", acme));
  // Three lines changed after signing: 1 seat becomes 9.
  for (int i : {137, 901, 1199}) {
    const auto at = text.find(fmt::format("FEATURE f{} ", i));
    text.replace(text.find("permanent 1", at), 11, "permanent 9");
  }
  Write(dir / "big.lic", text);
  // Where each bad line starts (signatures wrap, so lines are not 1:1 with features).
  auto line_of = [&](const std::string& what) {
    const auto at = text.find(what);
    return 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
  };
  const std::vector<long> bad = {line_of("FEATURE f137 "), line_of("FEATURE stray "),
                                 line_of("FEATURE f901 "), line_of("FEATURE f1199 ")};

  LoadResult result = LoadLicenses({dir / "big.lic"}, dir.path());
  BOOST_TEST(result.model.pools.size() == 1197u);
  BOOST_REQUIRE_EQUAL(result.model.rejected.size(), 4u);
  const std::string path = (dir / "big.lic").string();
  for (std::size_t i = 0; i < bad.size(); ++i) {
    BOOST_TEST(result.model.rejected[i].ToString().find(fmt::format("{}:{}: ", path, bad[i])) == 0u,
               result.model.rejected[i].ToString());
  }
  BOOST_TEST(result.model.rejected[1].reason.find("no public key for vendor 'nokey'") == 0u);
  for (std::size_t i : {0u, 2u, 3u}) {
    BOOST_TEST(result.model.rejected[i].reason ==
               "signature does not verify (wrong key or modified line)");
  }
}

BOOST_AUTO_TEST_CASE(signed_but_invalid_line_is_rejected_by_meaning) {
  TempDir dir;
  PrivateKey acme = testing::VectorKey();
  Write(dir / "acme.pub", acme.Public().ToPem());
  // A PACKAGE without its enabling feature signs (the signer checks the whole
  // file, so sign it with the feature present) but fails once the feature is gone.
  std::string text = Sign("FEATURE coll acme 1.0 permanent 1\nPACKAGE coll acme COMPONENTS=a\n", acme);
  text.erase(0, text.find("PACKAGE"));
  Write(dir / "p.lic", text);
  LoadResult result = LoadLicenses({dir / "p.lic"}, dir.path());
  BOOST_REQUIRE_EQUAL(result.model.rejected.size(), 1u);
  BOOST_TEST(result.model.rejected[0].reason.find("no enabling FEATURE/INCREMENT") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unreadable_files_are_errors_for_the_caller) {
  TempDir dir;
  LoadResult result = LoadLicenses({dir / "missing.lic", dir.path()}, dir.path());
  BOOST_REQUIRE_EQUAL(result.errors.size(), 2u);
  BOOST_TEST(result.errors[0].find("missing.lic: cannot read: No such file") != std::string::npos);
  BOOST_TEST(result.errors[1].find("Is a directory") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(vendor_names_cannot_escape_the_key_directory) {
  TempDir dir;
  std::filesystem::create_directories(dir / "keys");
  PrivateKey key = testing::VectorKey();
  Write(dir / "evil.pub", key.Public().ToPem());
  Write(dir / "e.lic", Sign("FEATURE f ../evil 1.0 permanent 1\n", key));
  LoadResult result = LoadLicenses({dir / "e.lic"}, dir / "keys");
  BOOST_REQUIRE_EQUAL(result.model.rejected.size(), 1u);
  BOOST_TEST(result.model.rejected[0].reason == "bad vendor name '../evil'");
  BOOST_TEST(result.model.pools.empty());
}

BOOST_AUTO_TEST_CASE(a_corrupt_public_key_rejects_its_vendors_lines) {
  TempDir dir;
  Write(dir / "acme.pub", "not a key");
  Write(dir / "c.lic", Sign("FEATURE f acme 1.0 permanent 1\n", testing::VectorKey()));
  LoadResult result = LoadLicenses({dir / "c.lic"}, dir.path());
  BOOST_REQUIRE_EQUAL(result.model.rejected.size(), 1u);
  BOOST_TEST(result.model.rejected[0].reason.find("acme.pub: not a PEM public key") != std::string::npos);
}

// A second load given the first one's digests checks no signature again, and serves the
// same; a digest never vouches for anything but the exact key, signature and text it
// came from.
BOOST_AUTO_TEST_CASE(remembered_signatures_skip_the_check_only_for_unchanged_lines) {
  TempDir dir;
  std::filesystem::create_directories(dir / "keys");
  PrivateKey acme = testing::VectorKey();
  Write(dir / "keys" / "acme.pub", acme.Public().ToPem());
  const std::string text = Sign(
      "VENDOR acme\nFEATURE draw acme 1.0 permanent 5\n"
      "INCREMENT paint acme 1.0 permanent 2\n",
      acme);
  Write(dir / "site.lic", text);

  const LoadResult first = LoadLicenses({dir / "site.lic"}, dir / "keys", nullptr);
  BOOST_REQUIRE(first.model.rejected.empty());
  BOOST_TEST(first.signatures_checked == 2u);
  BOOST_TEST(first.signatures_remembered == 0u);
  BOOST_TEST(first.verified.size() == 2u);
  for (const std::string& digest : first.verified) BOOST_TEST(digest.size() == 32u);

  const LoadResult second = LoadLicenses({dir / "site.lic"}, dir / "keys", &first.verified);
  BOOST_TEST(second.signatures_checked == 0u);
  BOOST_TEST(second.signatures_remembered == 2u);
  BOOST_TEST(second.verified == first.verified);
  BOOST_REQUIRE_EQUAL(second.model.pools.size(), first.model.pools.size());
  for (std::size_t i = 0; i < first.model.pools.size(); ++i) {
    BOOST_TEST(second.model.pools[i].Key() == first.model.pools[i].Key());
  }

  // The paint line tampered with (2 seats become 3): checked, and rejected.
  std::string tampered = text;
  tampered.replace(tampered.find("permanent 2"), 11, "permanent 3");
  Write(dir / "site.lic", tampered);
  const LoadResult third = LoadLicenses({dir / "site.lic"}, dir / "keys", &first.verified);
  BOOST_TEST(third.signatures_checked == 1u);
  BOOST_TEST(third.signatures_remembered == 1u);
  BOOST_REQUIRE_EQUAL(third.model.rejected.size(), 1u);
  BOOST_TEST(third.model.rejected[0].reason ==
             "signature does not verify (wrong key or modified line)");
  BOOST_TEST(third.verified.size() == 1u);

  // Another vendor key under the same name: nothing remembered applies.
  Write(dir / "site.lic", text);
  Write(dir / "keys" / "acme.pub", PrivateKey::Generate().value().Public().ToPem());
  const LoadResult fourth = LoadLicenses({dir / "site.lic"}, dir / "keys", &first.verified);
  BOOST_TEST(fourth.signatures_checked == 2u);
  BOOST_TEST(fourth.signatures_remembered == 0u);
  BOOST_TEST(fourth.model.pools.empty());
  BOOST_TEST(fourth.model.rejected.size() == 2u);
  BOOST_TEST(fourth.verified.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::licenses
