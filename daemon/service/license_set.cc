#include "service/license_set.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>

#include "engine/policy_feature.h"
#include "floatlm/licenses/loader.h"
#include "floatlm/licenses/host_ids.h"
#include "log/log.h"
#include "options/options_parser.h"

namespace floatlm::server {
namespace {

// A file with thousands of bad lines must not make thousands of log lines (or one line of
// megabytes): the first kMaxReported problems of each kind are logged, then their count.
constexpr std::size_t kMaxReported = 50;

template <class Items, class LogOne>
void LogFirst(const Items& items, const char* event, LogOne log_one) {
  std::size_t n = 0;
  for (const auto& item : items) {
    if (n++ == kMaxReported) {
      FLOATLM_LOG(kWarn, event, "suppressed={} (only the first {} are logged)",
                  items.size() - kMaxReported, kMaxReported);
      return;
    }
    log_one(item);
  }
}

// Rules of `policy` that match nothing `model` serves: no pool (with its line's
// attributes), PACKAGE or component of that name.
std::vector<std::string> UnmatchedRules(const options::OptionsPolicy& policy,
                                        const licenses::Model& model) {
  std::vector<std::unique_ptr<engine::PolicyFeature>> pools;
  std::vector<options::FeatureRef> served;
  for (const licenses::Pool& pool : model.pools) {
    pools.push_back(std::make_unique<engine::PolicyFeature>(pool));
    served.push_back(pools.back()->ref());
  }
  for (const licenses::Package& package : model.packages) {
    served.push_back(options::FeatureRef{package.name});
    for (const licenses::Component& c : package.components) served.push_back({c.feature});
  }
  return policy.UnmatchedRules(served);
}

}  // namespace

LicenseSet LoadLicenseSet(const std::vector<std::string>& files, const std::string& keys_dir,
                          const std::string& options_file,
                          const licenses::SignatureDigests* known, bool strict_options) {
  LicenseSet out;
  std::vector<std::filesystem::path> paths(files.begin(), files.end());
  auto loaded = licenses::LoadLicenses(paths, keys_dir, known);
  out.signatures_checked = loaded.signatures_checked;
  out.signatures_remembered = loaded.signatures_remembered;
  LogFirst(loaded.model.rejected, "license.rejected", [](const licenses::Rejection& r) {
    FLOATLM_LOG(kWarn, "license.rejected", "line={} reason=\"{}\"", r.source.ToString(), r.reason);
  });
  for (const auto& d : loaded.diagnostics) {
    if (d.severity == licenses::Diagnostic::Severity::kWarning) {
      out.license_warnings.push_back(d.ToString());
    }
  }
  LogFirst(out.license_warnings, "license.warning",
           [](const std::string& w) { FLOATLM_LOG(kWarn, "license.warning", "{}", w); });
  if (!loaded.errors.empty()) {
    std::string all;
    for (const auto& e : loaded.errors) all += (all.empty() ? "" : "; ") + e;
    out.error = all;
    return out;
  }
  if (loaded.model.pools.empty()) {
    // Name the reasons here too: an admin running `floatlm reread` does not see the log.
    std::vector<std::string> reasons;
    for (const auto& r : loaded.model.rejected) {
      if (reasons.size() == 5) {
        reasons.push_back(fmt::format("and {} more", loaded.model.rejected.size() - 5));
        break;
      }
      reasons.push_back(r.ToString());
    }
    out.error = fmt::format("no valid feature in {} ({} line{} rejected{}{})", fmt::join(files, ", "),
                            loaded.model.rejected.size(),
                            loaded.model.rejected.size() == 1 ? "" : "s",
                            reasons.empty() ? "" : ": ", fmt::join(reasons, "; "));
    return out;
  }
  if (loaded.model.server) {
    const auto& server = *loaded.model.server;
    const auto here = licenses::ThisHost();
    if (!licenses::Matches(server.hostid, here)) {
      out.error = fmt::format("{}: SERVER host id {} does not match this host ({})",
                              server.source.ToString(), server.hostid.ToString(),
                              licenses::Describe(here));
      return out;
    }
  }
  // The options file: --options, else the one a VENDOR line names, as FlexLM's vendor
  // daemon reads it (relative paths from the license file's directory).
  out.options_file = options_file;
  out.options_origin = options_file.empty() ? "" : "--options";
  if (out.options_file.empty()) {
    for (const auto& vendor : loaded.model.vendors) {
      if (vendor.options_file.empty()) continue;
      std::filesystem::path path(vendor.options_file);
      if (path.is_relative()) path = std::filesystem::path(vendor.source.file).parent_path() / path;
      out.options_file = path.string();
      out.options_origin = "VENDOR line at " + vendor.source.ToString();
      FLOATLM_LOG(kInfo, "options.from_vendor_line", "file={} line={}", out.options_file,
                  vendor.source.ToString());
      break;
    }
  }
  if (!out.options_file.empty()) {
    auto parsed = options::LoadOptionsFile(out.options_file);
    for (const auto& note : parsed.notes) FLOATLM_LOG(kInfo, "options.note", "{}", note);
    if (strict_options && !parsed.skipped.empty()) {
      parsed.errors.insert(parsed.errors.end(), parsed.skipped.begin(), parsed.skipped.end());
      parsed.skipped.clear();
      parsed.policy.reset();
    }
    LogFirst(parsed.skipped, "options.error",
             [](const std::string& e) { FLOATLM_LOG(kError, "options.error", "{}", e); });
    out.option_skipped = parsed.skipped;
    if (!parsed.ok()) {
      LogFirst(parsed.errors, "options.error",
               [](const std::string& e) { FLOATLM_LOG(kError, "options.error", "{}", e); });
      const std::size_t shown = std::min(parsed.errors.size(), kMaxReported);
      out.error = fmt::format(
          "{} error(s) in the options file: {}{}", parsed.errors.size(),
          fmt::join(parsed.errors.begin(),
                    parsed.errors.begin() + static_cast<std::ptrdiff_t>(shown), "; "),
          parsed.errors.size() > shown
              ? fmt::format("; and {} more", parsed.errors.size() - shown)
              : std::string());
      return out;
    }
    out.policy = std::make_shared<const options::OptionsPolicy>(std::move(*parsed.policy));
    out.option_notes = std::move(parsed.notes);
  }
  if (out.policy) {
    out.option_warnings = UnmatchedRules(*out.policy, loaded.model);
    LogFirst(out.option_warnings, "options.warning",
             [](const std::string& w) { FLOATLM_LOG(kWarn, "options.warning", "{}", w); });
  }
  out.model = std::move(loaded.model);
  out.verified = std::move(loaded.verified);
  return out;
}

}  // namespace floatlm::server
