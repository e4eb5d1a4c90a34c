#include "floatlm/licenses/signature.h"

#include <algorithm>

#include <fmt/format.h>

#include "floatlm/licenses/canonical.h"
#include "floatlm/licenses/model_builder.h"

namespace floatlm::licenses {
namespace {

struct Edit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
};

// SIGN="...": 32 groups of four hex digits, split after 16 groups with a '\'
// continuation so license lines stay readable in an 80-column terminal.
std::string SignAttribute(const Signature& signature, std::string_view newline) {
  std::string groups = FormatSignature(signature);
  constexpr std::size_t kHalf = 16 * 5;  // 16 groups, each with its separating space
  return fmt::format("SIGN=\"{}\\{}\t{}\"", groups.substr(0, kHalf), newline,
                     groups.substr(kHalf));
}

}  // namespace

std::optional<std::string> VerifyLine(const LicenseLine& line, const HostId& hostid,
                                      const PublicKey& key) {
  return VerifyLine(line, hostid, key, nullptr, nullptr, nullptr);
}

std::optional<std::string> VerifyLine(const LicenseLine& line, const HostId& hostid,
                                      const PublicKey& key, const SignatureDigests* known,
                                      std::string* digest, bool* checked) {
  if (checked != nullptr) *checked = false;
  const Attribute* sign = line.Find("SIGN");
  if (!sign || !sign->value) return "no SIGN";
  auto signature = ParseSignature(*sign->value);
  if (!signature) return signature.error().message;
  const std::string message = CanonicalForm(line, hostid);
  std::string name;
  if (known != nullptr || digest != nullptr) name = key.Digest(message, signature.value());
  if (known != nullptr && !name.empty() && known->contains(name)) {
    if (digest != nullptr) *digest = std::move(name);
    return std::nullopt;
  }
  if (checked != nullptr) *checked = true;
  if (!key.Verify(message, signature.value())) return "wrong key or modified line";
  if (digest != nullptr) *digest = std::move(name);
  return std::nullopt;
}

Result<std::string> SignLicenseText(std::string_view file_name, std::string_view text,
                                    const PrivateKey& key) {
  ParsedFile parsed = ParseLicenseText(file_name, text);
  BuildResult built = BuildModel({parsed});
  if (HasErrors(built.diagnostics)) {
    std::string message;
    for (const Diagnostic& d : built.diagnostics) {
      if (d.severity != Diagnostic::Severity::kError) continue;
      if (!message.empty()) message += '\n';
      message += d.ToString();
    }
    return Fail(std::move(message));
  }
  std::string_view newline = text.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
  HostId hostid = BoundHostId(parsed);
  std::vector<Edit> edits;
  for (const LicenseLine& line : parsed.lines) {
    if (!line.IsSigned()) continue;
    std::string attribute = SignAttribute(key.Sign(CanonicalForm(line, hostid)), newline);
    if (const Attribute* sign = line.Find("SIGN")) {
      edits.push_back(Edit{sign->raw_begin, sign->raw_end, std::move(attribute)});
    } else {
      edits.push_back(Edit{line.raw_end, line.raw_end, " " + attribute});
    }
  }
  std::string out(text);
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  for (const Edit& edit : edits) out.replace(edit.begin, edit.end - edit.begin, edit.text);
  return boost::outcome_v2::success(std::move(out));
}

VerifyReport VerifyLicenseText(std::string_view file_name, std::string_view text,
                               const PublicKey& key) {
  VerifyReport report;
  ParsedFile parsed = ParseLicenseText(file_name, text);
  report.parse_errors = parsed.diagnostics;
  HostId hostid = BoundHostId(parsed);
  for (const LicenseLine& line : parsed.lines) {
    if (!line.IsSigned()) continue;
    ++report.signed_lines;
    if (auto why = VerifyLine(line, hostid, key)) {
      report.failures.push_back(Rejection{SourceRef{parsed.name, line.line},
                                          fmt::format("signature does not verify ({})", *why)});
    } else {
      ++report.verified;
    }
  }
  return report;
}

}  // namespace floatlm::licenses
