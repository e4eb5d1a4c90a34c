#include "floatlm/licenses/loader.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "floatlm/licenses/canonical.h"
#include "floatlm/licenses/ed25519.h"
#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/licenses/signature.h"
#include "floatlm/licenses/text_file.h"

namespace floatlm::licenses {
namespace {

// Vendor names become file names: refuse anything that could leave the key directory.
bool SafeVendorName(std::string_view name) {
  return !name.empty() && name[0] != '.' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
         });
}

// One lookup per vendor: a key or the reason there is none.
class KeyRing {
 public:
  explicit KeyRing(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const Result<PublicKey>& For(const std::string& vendor) {
    auto it = keys_.find(vendor);
    if (it == keys_.end()) it = keys_.emplace(vendor, Load(vendor)).first;
    return it->second;
  }

 private:
  Result<PublicKey> Load(const std::string& vendor) const {
    if (!SafeVendorName(vendor)) return Fail(fmt::format("bad vendor name '{}'", vendor));
    std::filesystem::path path = dir_ / (vendor + ".pub");
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return Fail(fmt::format("no public key for vendor '{}' in {}", vendor, dir_.string()));
    }
    auto pem = ReadTextFile(path);
    if (!pem) return Fail(pem.error().message);
    auto key = PublicKey::FromPem(pem.value());
    if (!key) return Fail(fmt::format("{}: {}", path.string(), key.error().message));
    return key;
  }

  std::filesystem::path dir_;
  std::map<std::string, Result<PublicKey>> keys_;
};

}  // namespace

LoadResult LoadLicenses(const std::vector<std::filesystem::path>& files,
                        const std::filesystem::path& vendor_keys_dir) {
  LoadResult result;
  KeyRing keys(vendor_keys_dir);
  std::vector<ParsedFile> verified;
  std::vector<Rejection> rejected;
  std::vector<Diagnostic> diagnostics;
  for (const std::filesystem::path& path : files) {
    auto text = ReadTextFile(path);
    if (!text) {
      result.errors.push_back(text.error().message);
      continue;
    }
    ParsedFile parsed = ParseLicenseText(path.string(), text.value());
    HostId hostid = BoundHostId(parsed);
    std::vector<LicenseLine> good;
    for (LicenseLine& line : parsed.lines) {
      // A line too short to name its vendor is left to BuildModel, which says
      // which field is missing.
      if (!line.IsSigned() || line.fields.size() < 2) {
        good.push_back(std::move(line));
        continue;
      }
      std::optional<std::string> reason;
      const Result<PublicKey>& key = keys.For(line.fields[1].text);
      if (!key) {
        reason = key.error().message;
      } else if (auto why = VerifyLine(line, hostid, key.value())) {
        reason = fmt::format("signature does not verify ({})", *why);
      }
      if (reason) {
        rejected.push_back(Rejection{SourceRef{parsed.name, line.line}, *reason});
        diagnostics.push_back(Diagnostic{Diagnostic::Severity::kError, parsed.name, line.line,
                                         line.column, *reason});
      } else {
        good.push_back(std::move(line));
      }
    }
    parsed.lines = std::move(good);
    verified.push_back(std::move(parsed));
  }
  BuildResult built = BuildModel(verified, std::move(rejected));
  result.model = std::move(built.model);
  diagnostics.insert(diagnostics.end(), built.diagnostics.begin(), built.diagnostics.end());
  // Verification and meaning problems interleaved, in load order then position.
  std::map<std::string, std::size_t> file_order;
  for (const std::filesystem::path& path : files) file_order.emplace(path.string(), file_order.size());
  auto order_of = [&](const std::string& file) {
    auto it = file_order.find(file);
    return it == file_order.end() ? file_order.size() : it->second;
  };
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) {
                     return std::make_tuple(order_of(a.file), a.line, a.column) <
                            std::make_tuple(order_of(b.file), b.line, b.column);
                   });
  result.diagnostics = std::move(diagnostics);
  return result;
}

}  // namespace floatlm::licenses
