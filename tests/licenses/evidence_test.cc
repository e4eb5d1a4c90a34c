// The application's own check of a grant (evidence.h): the lines the daemon's model
// carries for a seat verify under the vendor's key and cover the request, or the
// checker says which check failed.
#include <boost/test/unit_test.hpp>

#include "floatlm/licenses/evidence.h"
#include "floatlm/licenses/signature.h"
#include "test_util.h"

namespace floatlm::licenses {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

constexpr const char* kFile =
    "SERVER lic1 0A-1B-2C-3D-4E-5F 27000\n"
    "VENDOR acme\n"
    "FEATURE cad acme 2027.0 31-dec-2027 10 START=1-jan-2026 SN=1\n"
    "INCREMENT sub acme 2027.0 permanent 5 PREV_VERSIONS=1\n"
    "PACKAGE pdc acme 2027.0 COMPONENTS=\"cad cam:2026.0 render\" OPTIONS=SUITE CLOUD=render\n"
    "INCREMENT pdc acme 2027.0 31-dec-2027 3 SN=2\n"
    "INCREMENT pdc acme 2027.0 31-dec-2027 2 SN=3\n";

PrivateKey OtherKey() {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(7);
  return PrivateKey::FromSeed(seed).value();
}

Date Day(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }
const Date kToday = Day(2026, 6, 1);

Model ModelSignedBy(const PrivateKey& key, const std::string& text = kFile) {
  auto signed_text = SignLicenseText("site.lic", text, key);
  BOOST_REQUIRE(signed_text.has_value());
  BuildResult built = BuildModel({ParseLicenseText("site.lic", signed_text.value())});
  BOOST_REQUIRE(built.model.rejected.empty());
  return built.model;
}

const Pool& PoolNamed(const Model& model, const std::string& feature) {
  for (const Pool& pool : model.pools) {
    if (pool.feature == feature) return pool;
  }
  BOOST_FAIL("no pool " << feature);
  return model.pools.front();
}

// What the daemon sends for a seat of `feature` on `pool` (server/license_lines.cc).
std::vector<std::string> LinesFor(const Model& model, const std::string& pool_name,
                                  const std::string& feature) {
  const Pool& pool = PoolNamed(model, pool_name);
  std::vector<std::string> lines;
  for (const PoolLine& line : pool.lines) lines.push_back(line.evidence);
  if (pool.feature != feature) {
    for (const Package& package : model.packages) {
      if (package.name == pool.feature) lines.push_back(package.evidence);
    }
  }
  return lines;
}

EvidenceChecker Trusting(const PrivateKey& key, const std::string& vendor = "acme") {
  EvidenceChecker checker;
  checker.AddKey(vendor, key.Public());
  return checker;
}

std::optional<Version> V(const char* text) { return Version::Parse(text); }

}  // namespace

BOOST_AUTO_TEST_SUITE(evidence)

BOOST_AUTO_TEST_CASE(evidence_names_the_hostid_and_reads_back_as_the_signed_line) {
  const Model model = ModelSignedBy(testing::VectorKey());
  const std::string& evidence = PoolNamed(model, "cad").lines.front().evidence;
  BOOST_TEST(evidence.substr(0, evidence.find('\n')) == "0a1b2c3d4e5f");
  BOOST_TEST(evidence.find("FEATURE cad acme 2027.0") != std::string::npos);
  BOOST_TEST(evidence.find("SIGN=") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_product_seat_signed_by_the_vendor_passes) {
  const Model model = ModelSignedBy(testing::VectorKey());
  EvidenceChecker checker = Trusting(testing::VectorKey());
  BOOST_TEST(!checker.Check(LinesFor(model, "cad", "cad"), 0, "cad", std::nullopt, kToday));
  BOOST_TEST(!checker.Check(LinesFor(model, "cad", "cad"), 0, "cad", V("2027.0"), kToday));
}

BOOST_AUTO_TEST_CASE(lines_signed_by_another_key_are_refused_with_the_vendor_named) {
  const Model forged = ModelSignedBy(OtherKey());
  EvidenceChecker checker = Trusting(testing::VectorKey());
  const auto why = checker.Check(LinesFor(forged, "cad", "cad"), 0, "cad", std::nullopt, kToday);
  BOOST_REQUIRE(why);
  BOOST_TEST(*why == "cad: license line not signed by acme's key (signed by another key, or "
                     "changed after signing)");
}

BOOST_AUTO_TEST_CASE(an_edited_count_fails_the_signature) {
  const Model model = ModelSignedBy(testing::VectorKey());
  std::vector<std::string> lines = LinesFor(model, "cad", "cad");
  const std::size_t at = lines[0].find(" 10 ");
  BOOST_REQUIRE(at != std::string::npos);
  lines[0].replace(at, 4, " 10000 ");
  EvidenceChecker checker = Trusting(testing::VectorKey());
  const auto why = checker.Check(lines, 0, "cad", std::nullopt, kToday);
  BOOST_REQUIRE(why);
  BOOST_TEST(why->find("not signed by acme's key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_forged_line_among_genuine_ones_spoils_the_pool) {
  const Model genuine = ModelSignedBy(testing::VectorKey());
  const Model forged = ModelSignedBy(OtherKey());
  std::vector<std::string> lines = LinesFor(genuine, "pdc", "cad");
  lines.insert(lines.begin() + 1, PoolNamed(forged, "pdc").lines.back().evidence);
  EvidenceChecker checker = Trusting(testing::VectorKey());
  BOOST_TEST(checker.Check(lines, 0, "cad", std::nullopt, kToday).has_value());
}

BOOST_AUTO_TEST_CASE(a_vendor_without_a_key_is_not_trusted_once_keys_are_set) {
  const Model model = ModelSignedBy(testing::VectorKey());
  EvidenceChecker checker = Trusting(testing::VectorKey(), "other");
  const auto why = checker.Check(LinesFor(model, "cad", "cad"), 0, "cad", std::nullopt, kToday);
  BOOST_REQUIRE(why);
  BOOST_TEST(*why == "cad: license line of vendor 'acme', whose key this application does not "
                     "hold (it trusts other)");
}

BOOST_AUTO_TEST_CASE(no_key_means_no_check) {
  EvidenceChecker checker;
  BOOST_TEST(checker.empty());
  BOOST_TEST(!checker.Check({}, 0, "cad", std::nullopt, kToday));
}

BOOST_AUTO_TEST_CASE(missing_or_left_out_lines_are_refused) {
  EvidenceChecker checker = Trusting(testing::VectorKey());
  const auto none = checker.Check({}, 0, "cad", std::nullopt, kToday);
  BOOST_REQUIRE(none);
  BOOST_TEST(none->find("sent no signed license lines") != std::string::npos);
  const Model model = ModelSignedBy(testing::VectorKey());
  const auto partial = checker.Check(LinesFor(model, "cad", "cad"), 2, "cad", std::nullopt, kToday);
  BOOST_REQUIRE(partial);
  BOOST_TEST(partial->find("left out 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_line_of_another_feature_does_not_cover_the_request) {
  const Model model = ModelSignedBy(testing::VectorKey());
  EvidenceChecker checker = Trusting(testing::VectorKey());
  const auto why = checker.Check(LinesFor(model, "sub", "sub"), 0, "cad", std::nullopt, kToday);
  BOOST_REQUIRE(why);
  BOOST_TEST(*why == "cad: the signed license lines do not license cad (they license sub)");
}

BOOST_AUTO_TEST_CASE(the_version_asked_must_be_licensed) {
  const Model model = ModelSignedBy(testing::VectorKey());
  EvidenceChecker checker = Trusting(testing::VectorKey());
  const auto high = checker.Check(LinesFor(model, "cad", "cad"), 0, "cad", V("2028.0"), kToday);
  BOOST_REQUIRE(high);
  BOOST_TEST(*high == "cad: the signed license line licenses version 2027.0, not the 2028.0 "
                      "asked for");
  // PREV_VERSIONS=1: 2026 is served, 2025 is not.
  BOOST_TEST(!checker.Check(LinesFor(model, "sub", "sub"), 0, "sub", V("2026.0"), kToday));
  const auto old = checker.Check(LinesFor(model, "sub", "sub"), 0, "sub", V("2025.0"), kToday);
  BOOST_REQUIRE(old);
  BOOST_TEST(old->find("(PREV_VERSIONS=1)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(this_computers_date_must_be_within_start_and_expiry) {
  const Model model = ModelSignedBy(testing::VectorKey());
  EvidenceChecker checker = Trusting(testing::VectorKey());
  const auto lines = LinesFor(model, "cad", "cad");
  BOOST_TEST(!checker.Check(lines, 0, "cad", std::nullopt, Day(2027, 12, 31)));
  const auto late = checker.Check(lines, 0, "cad", std::nullopt, Day(2028, 1, 1));
  BOOST_REQUIRE(late);
  BOOST_TEST(*late == "cad: the signed license line expired on 31-dec-2027 by this computer's "
                      "date (1-jan-2028)");
  const auto early = checker.Check(lines, 0, "cad", std::nullopt, Day(2025, 12, 31));
  BOOST_REQUIRE(early);
  BOOST_TEST(early->find("not valid before START=1-jan-2026") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_collection_seat_is_proved_by_its_increments_and_package) {
  const Model model = ModelSignedBy(testing::VectorKey());
  EvidenceChecker checker = Trusting(testing::VectorKey());
  const auto lines = LinesFor(model, "pdc", "cam");
  BOOST_TEST(lines.size() == 3u);  // two INCREMENTs and the PACKAGE
  BOOST_TEST(!checker.Check(lines, 0, "cam", V("2026.0"), kToday));
  BOOST_TEST(!checker.Check(LinesFor(model, "pdc", "render"), 0, "render", std::nullopt, kToday));
  // The component's own version bounds it, not the collection's.
  const auto high = checker.Check(lines, 0, "cam", V("2027.0"), kToday);
  BOOST_REQUIRE(high);
  BOOST_TEST(high->find("licenses version 2026.0, not the 2027.0") != std::string::npos);
  // Without the PACKAGE line the INCREMENTs license only pdc itself.
  const std::vector<std::string> increments(lines.begin(), lines.end() - 1);
  const auto bare = checker.Check(increments, 0, "cam", std::nullopt, kToday);
  BOOST_REQUIRE(bare);
  BOOST_TEST(bare->find("do not license cam") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(each_line_is_verified_once) {
  const Model model = ModelSignedBy(testing::VectorKey());
  EvidenceChecker checker = Trusting(testing::VectorKey());
  const auto lines = LinesFor(model, "pdc", "cad");
  for (int i = 0; i < 100; ++i) BOOST_TEST(!checker.Check(lines, 0, "cad", std::nullopt, kToday));
  BOOST_TEST(checker.signatures_checked() == 3u);
  BOOST_TEST(!checker.Check(LinesFor(model, "pdc", "cam"), 0, "cam", std::nullopt, kToday));
  BOOST_TEST(checker.signatures_checked() == 3u);  // the same lines, read before
}

BOOST_AUTO_TEST_CASE(garbage_from_the_server_is_refused_not_trusted) {
  EvidenceChecker checker = Trusting(testing::VectorKey());
  for (const std::string& junk : {std::string("no newline"), std::string("\nFEATURE cad acme"),
                                  std::string("ANY\n# comment"), std::string("ANY\nSERVER a b"),
                                  std::string("ANY\nFEATURE cad acme 1.0 permanent 1 SIGN=zz"),
                                  std::string("ANY\n\"unterminated")}) {
    const auto why = checker.Check({junk}, 0, "cad", std::nullopt, kToday);
    BOOST_TEST(why.has_value(), "accepted: " << junk);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::licenses
