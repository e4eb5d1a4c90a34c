#include "floatlm/licenses/loader.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <optional>
#include <thread>
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
    auto pem = ReadTextFile(path, kMaxKeyFileBytes);
    if (!pem) return Fail(pem.error().message);
    auto key = PublicKey::FromPem(pem.value());
    if (!key) return Fail(fmt::format("{}: {}", path.string(), key.error().message));
    return key;
  }

  std::filesystem::path dir_;
  std::map<std::string, Result<PublicKey>> keys_;
};

// Below this many signatures per thread, starting threads costs more than it saves.
constexpr std::size_t kLinesPerThread = 256;

// Per line, in line order: why it fails to verify (nullopt: it verifies) and, if it
// verifies, its signature digest. Lines without a key (keys[i] == nullptr) are skipped.
struct LineVerdicts {
  std::vector<std::optional<std::string>> reasons;
  std::vector<std::string> digests;
  std::atomic<std::size_t> checked{0};     // Ed25519 checks that ran
  std::atomic<std::size_t> remembered{0};  // lines that passed because `known` held them
};

// An Ed25519 check costs tens of microseconds, most of a large file's load time unless
// `known` spares it, and lines are independent, so the checks are spread over the
// machine's cores. PublicKey::Verify and Digest are safe to call from several threads
// at once (each call has its own OpenSSL context); `known` is only read.
void VerifyLines(const std::vector<LicenseLine>& lines, const std::vector<const PublicKey*>& keys,
                 const HostId& hostid, const SignatureDigests* known, LineVerdicts* out) {
  out->reasons.resize(lines.size());
  out->digests.resize(lines.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < lines.size(); i = next++) {
      if (keys[i] == nullptr) continue;
      bool checked = false;
      try {
        out->reasons[i] = VerifyLine(lines[i], hostid, *keys[i], known, &out->digests[i], &checked);
      } catch (const std::exception& e) {
        out->reasons[i] = std::string("cannot be checked: ") + e.what();
      }
      if (checked) {
        ++out->checked;
      } else if (!out->reasons[i]) {
        ++out->remembered;
      }
    }
  };
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = std::min(cores, lines.size() / kLinesPerThread);
  std::vector<std::jthread> helpers;
  for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
}  // the helpers join as they go out of scope, before this returns

}  // namespace

LoadResult LoadLicenses(const std::vector<std::filesystem::path>& files,
                        const std::filesystem::path& vendor_keys_dir,
                        const SignatureDigests* known) {
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
    // Keys first, one thread (the key ring caches files); then every signature at once.
    std::vector<const PublicKey*> line_keys(parsed.lines.size(), nullptr);
    std::vector<std::optional<std::string>> key_errors(parsed.lines.size());
    for (std::size_t i = 0; i < parsed.lines.size(); ++i) {
      const LicenseLine& line = parsed.lines[i];
      // A line too short to name its vendor is left to BuildModel, which says
      // which field is missing.
      if (!line.IsSigned() || line.fields.size() < 2) continue;
      const Result<PublicKey>& key = keys.For(line.fields[1].text);
      if (key) {
        line_keys[i] = &key.value();
      } else {
        key_errors[i] = key.error().message;
      }
    }
    LineVerdicts verdicts;
    VerifyLines(parsed.lines, line_keys, hostid, known, &verdicts);
    result.signatures_checked += verdicts.checked;
    result.signatures_remembered += verdicts.remembered;
    std::vector<LicenseLine> good;
    for (std::size_t i = 0; i < parsed.lines.size(); ++i) {
      LicenseLine& line = parsed.lines[i];
      std::optional<std::string> reason = key_errors[i];
      if (verdicts.reasons[i]) {
        reason = fmt::format("signature does not verify ({})", *verdicts.reasons[i]);
      } else if (!verdicts.digests[i].empty()) {
        result.verified.insert(std::move(verdicts.digests[i]));
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
