// Fuzzes everything the daemon does with a license file's text before it serves it:
// the lexer and parser, signature verification with a fixed vendor key (as the loader
// does it), the model builder, and the model's own queries. Properties:
//  - versions print and parse back to the same value;
//  - a file that SignLicenseText accepts verifies completely with the matching public
//    key (a vendor never issues a file its customers' daemons would reject).
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floatlm/licenses/canonical.h"
#include "floatlm/licenses/ed25519.h"
#include "floatlm/licenses/migration.h"
#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/licenses/signature.h"
#include "fuzz_check.h"

namespace lic = floatlm::licenses;

namespace {

// The README's test-vector key (RFC 8032 seed 00 01 .. 1f): fixed so crashes replay.
const lic::PrivateKey& TestKey() {
  static const lic::PrivateKey key = [] {
    std::array<std::uint8_t, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i);
    return lic::PrivateKey::FromSeed(seed).value();
  }();
  return key;
}

// Signing costs about 50 us a line; larger inputs only get the parse and build paths.
constexpr std::size_t kMaxSignedInput = 2048;

void QueryModel(const lic::Model& model) {
  using std::chrono::day;
  using std::chrono::month;
  using std::chrono::year;
  const lic::Date days[] = {lic::Date{year{2026}, month{11}, day{27}},
                            lic::Date{year{1999}, month{1}, day{1}},
                            lic::Date{year{9999}, month{12}, day{31}}};
  for (const lic::Pool& pool : model.pools) {
    for (const lic::Date& d : days) FUZZ_CHECK(pool.CountOn(d) >= 0, "negative seat count");
    (void)pool.LastExpiry();
    (void)pool.Key();
    (void)pool.dup_group.ToString();
    const std::string text = pool.version.ToString();
    const auto back = lic::Version::Parse(text);
    FUZZ_CHECK(back && *back == pool.version, "a version does not parse back from its text");
  }
  for (const lic::Package& pkg : model.packages) {
    if (pkg.version) {
      const auto back = lic::Version::Parse(pkg.version->ToString());
      FUZZ_CHECK(back && *back == *pkg.version, "a package version does not round-trip");
    }
  }
  if (model.server) (void)model.server->hostid.ToString();
  for (const lic::Rejection& r : model.rejected) FUZZ_CHECK(!r.ToString().empty(), "empty rejection");
}

bool Checkable(const lic::LicenseLine& line) { return line.IsSigned() && line.fields.size() >= 2; }

// Remembering never changes a verdict: given the digests of every line of the signed
// file, each line of it and of the raw input verifies exactly as it does without them,
// and a line passes unchecked only on its own digest.
void CheckRememberedSignatures(const lic::ParsedFile& signed_file, const lic::ParsedFile& input,
                               const lic::PublicKey& pub) {
  lic::SignatureDigests known;
  const lic::HostId signed_hostid = lic::BoundHostId(signed_file);
  for (const lic::LicenseLine& line : signed_file.lines) {
    std::string digest;
    if (Checkable(line) && !lic::VerifyLine(line, signed_hostid, pub, nullptr, &digest, nullptr)) {
      known.insert(digest);
    }
  }
  for (const lic::ParsedFile* file : {&signed_file, &input}) {
    const lic::HostId hostid = lic::BoundHostId(*file);
    for (const lic::LicenseLine& line : file->lines) {
      if (!Checkable(line)) continue;
      std::string digest;
      bool checked = false;
      const auto with = lic::VerifyLine(line, hostid, pub, &known, &digest, &checked);
      const auto without = lic::VerifyLine(line, hostid, pub);
      FUZZ_CHECK(with.has_value() == without.has_value(), "a remembered digest changed a verdict");
      if (!with)
        FUZZ_CHECK(checked != known.contains(digest), "passed unchecked on another digest");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const lic::PublicKey& pub = [] () -> const lic::PublicKey& {
    static const lic::PublicKey key = TestKey().Public();
    return key;
  }();

  lic::ParsedFile parsed = lic::ParseLicenseText("fuzz.lic", text);
  for (const lic::Diagnostic& d : parsed.diagnostics) (void)d.ToString();

  // The loader's path: verify each signed line against the vendor key, build from the rest.
  const lic::HostId hostid = lic::BoundHostId(parsed);
  lic::ParsedFile verified = parsed;
  verified.lines.clear();
  std::vector<lic::Rejection> rejected;
  for (const lic::LicenseLine& line : parsed.lines) {
    (void)lic::FormatLicenseLine(line);
    if (!line.IsSigned() || line.fields.size() < 2) {
      verified.lines.push_back(line);
      continue;
    }
    if (auto why = lic::VerifyLine(line, hostid, pub)) {
      rejected.push_back(lic::Rejection{lic::SourceRef{parsed.name, line.line}, *why});
    } else {
      verified.lines.push_back(line);
    }
  }
  QueryModel(lic::BuildModel({verified}, rejected).model);
  // And the builder on every line, as if all had verified: random text never carries a
  // good signature, and the builder's rules are where the meaning is checked.
  const lic::BuildResult all = lic::BuildModel({parsed});
  for (const lic::Diagnostic& d : all.diagnostics) (void)d.ToString();
  QueryModel(all.model);
  // The migration report reads every line, whatever the builder made of it.
  for (const lic::Diagnostic& d : lic::MigrationReport({parsed})) {
    FUZZ_CHECK(d.severity == lic::Diagnostic::Severity::kWarning, "a migration finding that is not a warning");
    (void)d.ToString();
  }
  // Node-locking against some host ids, as the engine asks it.
  const std::vector<lic::HostId> ids = {*lic::HostId::Parse("HOSTNAME=ws1"),
                                        *lic::HostId::Parse("0242ac110002")};
  for (const lic::Pool& pool : all.model.pools) {
    (void)pool.AdmitsHost(ids, "10.1.2.3");
    (void)pool.HostIdText();
    (void)pool.LegacyKey();
  }

  if (size <= kMaxSignedInput) {
    auto signed_text = lic::SignLicenseText("fuzz.lic", text, TestKey());
    if (signed_text) {
      const lic::VerifyReport report = lic::VerifyLicenseText("fuzz.lic", signed_text.value(), pub);
      FUZZ_CHECK(report.ok(), "a file the signer accepted does not verify");
      FUZZ_CHECK(report.verified == report.signed_lines, "a signed line does not verify");
      CheckRememberedSignatures(lic::ParseLicenseText("fuzz.lic", signed_text.value()), parsed,
                                pub);
    }
  }
  return 0;
}
