// Generated files (seeded, so failures reproduce): any valid file, however it is
// laid out, parses; printing its lines back and parsing again gives the same
// lines, canonical forms and model; signing it makes every line verify.
#include <boost/test/unit_test.hpp>

#include <random>

#include "floatlm/licenses/canonical.h"
#include "floatlm/licenses/signature.h"
#include "test_util.h"

namespace floatlm::licenses {
namespace {

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  std::string File() {
    std::string out;
    if (Chance(2)) out += Line({"SERVER", Word(), Pick({"ANY", "0a1b2c3d4e5f", "00-11-22-33-44-55", "HOSTNAME=lic"})});
    if (Chance(2)) out += Line({Case("VENDOR"), vendor_, Case("port") + "=" + std::to_string(Int(1, 65535))});
    std::vector<std::string> features;
    int count = Int(1, 12);
    for (int i = 0; i < count; ++i) {
      if (Chance(4)) out += "# comment " + Word() + "\n";
      if (Chance(6)) out += "\n";
      std::string name = features.empty() || Chance(2) ? Word() : features[Index(features.size())];
      features.push_back(name);
      out += FeatureLine(name);
    }
    if (Chance(2)) {
      // The package's enabling line comes right before it, issued after every other line,
      // so no SUPERSEDE removes it.
      const std::string name = features[Index(features.size())];
      const std::string version = Version();
      out += Line({"INCREMENT", name, vendor_, version, "permanent", "1", "ISSUED=1-jan-2030",
                   "SN=enabling-" + Word()});
      out += PackageLine(name, version);
    }
    return out;
  }

 private:
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::size_t Index(std::size_t n) { return static_cast<std::size_t>(Int(0, static_cast<int>(n) - 1)); }
  bool Chance(int one_in) { return Int(1, one_in) == 1; }
  std::string Pick(std::initializer_list<const char*> options) {
    auto it = options.begin();
    std::advance(it, Index(options.size()));
    return *it;
  }
  std::string Word() {
    static constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    std::string w(1, kChars[Index(52)]);
    int n = Int(0, 10);
    for (int i = 0; i < n; ++i) w += kChars[Index(kChars.size())];
    return w;
  }
  std::string Case(std::string_view word) {
    std::string out(word);
    for (char& c : out) {
      if (Chance(3)) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  }
  std::string Space() {
    std::string s = Pick({" ", "  ", "\t", " \t "});
    if (Chance(6)) s += "\\\n" + Pick({"", " ", "\t", "    "});
    return s;
  }
  std::string Line(const std::vector<std::string>& tokens) {
    std::string out = Chance(5) ? Pick({" ", "\t"}) : "";
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0) out += Space();
      out += tokens[i];
    }
    return out + Pick({"\n", "\n", "  \n", "\r\n"});
  }
  std::string Date(int year) {
    static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                              "jul", "aug", "sep", "oct", "nov", "dec"};
    std::string day = std::to_string(Int(1, 28));
    if (day.size() == 1 && Chance(2)) day = "0" + day;
    return day + "-" + Case(kMonths[Index(12)]) + "-" + std::to_string(year);
  }
  std::string Version() {
    return std::to_string(Int(0, 2030)) + "." + std::to_string(Int(0, 999)).substr(0, static_cast<std::size_t>(Int(1, 3)));
  }
  std::string Quoted(std::string text) { return "\"" + text + "\""; }

  std::string FeatureLine(const std::string& name) {
    int expiry_year = Int(2027, 2040);
    std::vector<std::string> t = {Case(Pick({"FEATURE", "INCREMENT"})), name, vendor_, Version()};
    bool permanent = Chance(3);
    t.push_back(permanent ? Pick({"permanent", "PERMANENT", "1-jan-0"}) : Date(expiry_year));
    t.push_back(Chance(5) ? Case("uncounted") : std::to_string(Int(0, 500)));
    std::vector<std::string> attrs;
    if (Chance(2)) attrs.push_back(Case("DUP_GROUP") + "=" + Pick({"UH", "NONE", "SITE", "uhd", "HU", "V"}));
    if (Chance(3)) attrs.push_back(Case("SORT") + "=" + std::to_string(Int(0, 200)));
    if (Chance(3)) attrs.push_back(Case("SN") + "=" + Word());
    if (Chance(3)) attrs.push_back("VENDOR_STRING=" + Quoted(Word() + "  " + Word()));
    if (Chance(3)) attrs.push_back(Case("NOTICE") + "=" + Quoted(" " + Word() + " \t" + Word() + " "));
    if (Chance(3)) attrs.push_back("START=" + Date(Int(2020, 2026)));
    if (Chance(3)) attrs.push_back("ISSUED=" + Date(Int(2020, 2026)));
    if (Chance(3)) attrs.push_back(Chance(2) ? Case("BORROW") : "BORROW=" + std::to_string(Int(1, 9000)));
    if (Chance(4)) attrs.push_back(Case("USER_BASED"));
    if (Chance(4)) attrs.push_back("PREV_VERSIONS=" + std::to_string(Int(0, 5)));
    if (Chance(5)) attrs.push_back("SUPERSEDE");
    if (Chance(3)) attrs.push_back("X_" + Word() + "=" + Word());
    std::shuffle(attrs.begin(), attrs.end(), rng_);
    t.insert(t.end(), attrs.begin(), attrs.end());
    return Line(t);
  }

  std::string PackageLine(const std::string& name, const std::string& version) {
    std::vector<std::string> components;
    int n = Int(1, 5);
    for (int i = 0; i < n; ++i) {
      std::string c = Word();
      if (Chance(2)) c += ":" + Version();
      if (Chance(3) && c.find(':') != std::string::npos) c += ":" + std::to_string(Int(1, 4));
      components.push_back(c);
    }
    std::string list;
    for (const std::string& c : components) list += (list.empty() ? "" : Pick({" ", "  "})) + c;
    std::vector<std::string> t = {Case("PACKAGE"), name, vendor_};
    // A package's version, when given, is its enabling line's (FlexLM's rule).
    if (Chance(2)) t.push_back(version);
    t.push_back("COMPONENTS=" + Quoted(list));
    if (Chance(2)) t.push_back("OPTIONS=SUITE");
    if (Chance(2)) t.push_back("SUITE_DUP_GROUP=" + Pick({"UH", "UHV"}));
    if (Chance(2)) t.push_back("RANK=" + Pick({"product", "collection", "SUITE"}));
    return Line(t);
  }

  std::mt19937 rng_;
  std::string vendor_ = "acme";
};

std::vector<std::string> Sorted(const LicenseLine& line) {
  std::vector<std::string> out;
  for (const Field& f : line.fields) out.push_back("F" + f.text);
  for (const Attribute& a : line.attributes) out.push_back("A" + a.key + (a.value ? "=" + *a.value : ""));
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(line.fields.size()), out.end());
  return out;
}

BOOST_AUTO_TEST_CASE(generated_files_survive_print_and_reparse) {
  constexpr unsigned kFiles = 300;
  for (unsigned seed = 1; seed <= kFiles; ++seed) {
    std::string text = Generator(seed).File();
    BOOST_TEST_CONTEXT("seed " << seed << ":\n" << text) {
      ParsedFile first = ParseLicenseText("g.lic", text);
      BuildResult model1 = BuildModel({first});
      BOOST_REQUIRE(first.diagnostics.empty());
      BOOST_REQUIRE(!HasErrors(model1.diagnostics));

      std::string printed;
      for (const LicenseLine& line : first.lines) printed += FormatLicenseLine(line) + "\n";
      ParsedFile second = ParseLicenseText("g.lic", printed);
      BOOST_REQUIRE(second.diagnostics.empty());
      BOOST_REQUIRE_EQUAL(second.lines.size(), first.lines.size());
      HostId h1 = BoundHostId(first), h2 = BoundHostId(second);
      BOOST_TEST(h1.ToString() == h2.ToString());
      for (std::size_t i = 0; i < first.lines.size(); ++i) {
        BOOST_TEST((first.lines[i].keyword == second.lines[i].keyword));
        BOOST_TEST(Sorted(first.lines[i]) == Sorted(second.lines[i]));
        BOOST_TEST(CanonicalForm(first.lines[i], h1) == CanonicalForm(second.lines[i], h2));
      }
      BuildResult model2 = BuildModel({second});
      BOOST_REQUIRE_EQUAL(model2.model.pools.size(), model1.model.pools.size());
      for (std::size_t i = 0; i < model1.model.pools.size(); ++i) {
        BOOST_TEST(model1.model.pools[i].Key() == model2.model.pools[i].Key());
        BOOST_TEST(model1.model.pools[i].lines.size() == model2.model.pools[i].lines.size());
        BOOST_TEST(model1.model.pools[i].attributes == model2.model.pools[i].attributes);
      }
      BOOST_TEST(model1.model.packages.size() == model2.model.packages.size());

      auto signed_text = SignLicenseText("g.lic", text, testing::VectorKey());
      BOOST_REQUIRE(signed_text.has_value());
      VerifyReport report = VerifyLicenseText("g.lic", signed_text.value(), testing::VectorKey().Public());
      BOOST_TEST(report.ok());
      BOOST_TEST(report.verified == report.signed_lines);
    }
  }
}

BOOST_AUTO_TEST_CASE(random_mutations_never_crash_the_parser) {
  std::mt19937 rng(12345);
  std::string base = Generator(7).File() + Generator(8).File();
  for (int i = 0; i < 2000; ++i) {
    std::string text = base;
    int edits = std::uniform_int_distribution<int>(1, 8)(rng);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      std::size_t at = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
      static constexpr std::string_view kNasty = "\"\\=\n# \t\x01\xff:-0aZ";
      text[at] = kNasty[std::uniform_int_distribution<std::size_t>(0, kNasty.size() - 1)(rng)];
    }
    ParsedFile parsed = ParseLicenseText("m.lic", text);
    BuildResult built = BuildModel({parsed});
    for (const Diagnostic& d : built.diagnostics) BOOST_TEST(d.line >= 1);
  }
}

}  // namespace
}  // namespace floatlm::licenses
