#include "commands.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "floatlm/licenses/ed25519.h"
#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/licenses/signature.h"
#include "floatlm/licenses/text_file.h"
#include "key_files.h"

namespace floatlm::vendor {
namespace {

int Error(std::string_view message) {
  fmt::print(stderr, "floatlm-vendor: {}\n", message);
  return 1;
}

// "3 lines (FEATURE cad, INCREMENT pdc, PACKAGE pdc) of vendor acme": what a file's
// signed lines are, for sign's and verify's summaries.
std::string SignedLines(const std::string& name, std::string_view text) {
  const licenses::ParsedFile parsed = licenses::ParseLicenseText(name, text);
  std::vector<std::string> lines;
  std::set<std::string> vendors;
  for (const licenses::LicenseLine& line : parsed.lines) {
    if (!line.IsSigned()) continue;
    lines.push_back(fmt::format("{} {}", licenses::KeywordName(line.keyword),
                                line.fields.empty() ? "?" : line.fields[0].text));
    if (line.fields.size() > 1) vendors.insert(line.fields[1].text);
  }
  constexpr std::size_t kListed = 6;
  std::string list = fmt::format("{}", fmt::join(lines.begin(),
                                                 lines.begin() + static_cast<std::ptrdiff_t>(
                                                                     std::min(lines.size(), kListed)),
                                                 ", "));
  if (lines.size() > kListed) list += fmt::format(", and {} more", lines.size() - kListed);
  return fmt::format("{} line{} ({}) of vendor{} {}", lines.size(), lines.size() == 1 ? "" : "s",
                     list, vendors.size() == 1 ? "" : "s",
                     vendors.empty() ? "none" : fmt::format("{}", fmt::join(vendors, ", ")));
}

}  // namespace

int Keygen(const std::string& prefix) {
  auto key = licenses::PrivateKey::Generate();
  if (!key) return Error(key.error().message);
  std::string key_path = prefix + ".key";
  std::string pub_path = prefix + ".pub";
  if (auto written = WriteNewPrivateFile(key_path, key.value().ToPem()); !written) {
    return Error(written.error().message);
  }
  if (auto written = WriteFile(pub_path, key.value().Public().ToPem()); !written) {
    return Error(written.error().message);
  }
  fmt::print("wrote {} (private, mode 0600) and {} (public)\n", key_path, pub_path);
  return 0;
}

int Sign(const std::string& key_path, const std::string& in, const std::optional<std::string>& out) {
  auto pem = licenses::ReadTextFile(key_path);
  if (!pem) return Error(pem.error().message);
  auto key = licenses::PrivateKey::FromPem(pem.value());
  if (!key) return Error(fmt::format("{}: {}", key_path, key.error().message));
  auto text = licenses::ReadTextFile(in);
  if (!text) return Error(text.error().message);
  auto signed_text = licenses::SignLicenseText(in, text.value(), key.value());
  if (!signed_text) {
    fmt::print(stderr, "{}\n", signed_text.error().message);
    return Error(fmt::format("{}: not signed: fix the lines above", in));
  }
  // Warnings (lines signed, but read differently from FlexLM or ambiguous) go to stderr.
  const licenses::BuildResult built =
      licenses::BuildModel({licenses::ParseLicenseText(in, text.value())});
  for (const licenses::Diagnostic& d : built.diagnostics) {
    if (d.severity == licenses::Diagnostic::Severity::kWarning) {
      fmt::print(stderr, "{}\n", d.ToString());
    }
  }
  // The summary goes to stderr: without -o, stdout carries the signed file.
  const std::string summary =
      fmt::format("signed {} in {} with {} (public key {})", SignedLines(in, text.value()), in,
                  key_path, key.value().Public().Fingerprint());
  if (!out) {
    std::fwrite(signed_text.value().data(), 1, signed_text.value().size(), stdout);
    if (std::fflush(stdout) != 0) return Error("cannot write to standard output");
    fmt::print(stderr, "{}\n", summary);
    return 0;
  }
  if (auto written = WriteFile(*out, signed_text.value()); !written) {
    return Error(written.error().message);
  }
  fmt::print(stderr, "{}; wrote {}\n", summary, *out);
  return 0;
}

int Verify(const std::string& pub_path, const std::string& in) {
  auto pem = licenses::ReadTextFile(pub_path);
  if (!pem) return Error(pem.error().message);
  auto key = licenses::PublicKey::FromPem(pem.value());
  if (!key) return Error(fmt::format("{}: {}", pub_path, key.error().message));
  auto text = licenses::ReadTextFile(in);
  if (!text) return Error(text.error().message);
  licenses::VerifyReport report = licenses::VerifyLicenseText(in, text.value(), key.value());
  for (const licenses::Diagnostic& d : report.parse_errors) fmt::print("{}\n", d.ToString());
  for (const licenses::Rejection& r : report.failures) fmt::print("{}\n", r.ToString());
  if (report.signed_lines > 0 && report.verified == 0) {
    // Not one line: the file was signed with another key, not edited line by line.
    fmt::print("{}: none of its {} verifies with {} (public key {}): it was signed with "
               "another key, or {} is not the key of the vendor it names\n",
               in, SignedLines(in, text.value()), pub_path, key.value().Fingerprint(), pub_path);
  }
  fmt::print("{}: {} signed line{}, {} verified, {} failed{}\n", in, report.signed_lines,
             report.signed_lines == 1 ? "" : "s", report.verified, report.failures.size(),
             report.parse_errors.empty()
                 ? ""
                 : fmt::format(", {} unreadable", report.parse_errors.size()));
  return report.ok() ? 0 : 1;
}

}  // namespace floatlm::vendor
