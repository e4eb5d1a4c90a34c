#include "floatlm/licenses/evidence.h"

#include <algorithm>

#include <fmt/format.h>

#include "floatlm/licenses/canonical.h"
#include "floatlm/licenses/dates.h"
#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/signature.h"

namespace floatlm::licenses {
namespace {

// Remembered verdicts are dropped wholesale past this many: a server cannot grow an
// application's memory by sending endless distinct lines.
constexpr std::size_t kMaxRemembered = 4096;

std::string JoinVendors(const std::map<std::string, PublicKey>& keys) {
  std::string out;
  for (const auto& [vendor, key] : keys) {
    if (!out.empty()) out += ", ";
    out += vendor;
  }
  return out;
}

std::string Expiry(const Pool& pool) {
  const auto last = pool.LastExpiry();
  return last ? FormatLicenseDate(*last) : "permanent";
}

// Why `pool` (whose lines all verified) does not serve `version` on `today` as the pool
// behind a seat of `feature`, or nullopt. `served` is the version the seat licenses.
std::optional<std::string> NotServing(const Pool& pool, const Version& served, bool own_pool,
                                      const std::optional<Version>& version, Date today) {
  if (version) {
    const bool covers = own_pool ? pool.ServesVersion(version) : *version <= served;
    if (!covers) {
      return fmt::format("the signed license line licenses version {}{}, not the {} asked for",
                         served.ToString(),
                         own_pool && pool.prev_versions
                             ? fmt::format(" (PREV_VERSIONS={})", *pool.prev_versions)
                             : "",
                         version->ToString());
    }
  }
  if (!pool.InForceOn(today)) {
    const bool started = std::any_of(pool.lines.begin(), pool.lines.end(), [&](const PoolLine& l) {
      return !l.start || !(today < *l.start);
    });
    if (!started) {
      return fmt::format("the signed license line is not valid before START={} by this "
                         "computer's date ({})",
                         FormatLicenseDate(*pool.lines.front().start), FormatLicenseDate(today));
    }
    return fmt::format("the signed license line expired on {} by this computer's date ({})",
                       Expiry(pool), FormatLicenseDate(today));
  }
  return std::nullopt;
}

}  // namespace

std::string EvidenceOf(const HostId& hostid, const LicenseLine& line) {
  std::string out = hostid.ToString();
  out += '\n';
  out += FormatLicenseLine(line);
  return out;
}

void EvidenceChecker::AddKey(const std::string& vendor, PublicKey key) {
  keys_.insert_or_assign(vendor, std::move(key));
  // Verdicts were reached with the old key set.
  line_verdicts_.clear();
  readings_.clear();
}

std::optional<std::string> EvidenceChecker::VerifyOne(const std::string& evidence,
                                                      LicenseLine* out) {
  const std::size_t newline = evidence.find('\n');
  if (newline == std::string::npos) return "a license line from the server has no host id";
  const std::optional<HostId> hostid = HostId::Parse(evidence.substr(0, newline));
  if (!hostid) return "a license line from the server has an unreadable host id";
  ParsedFile parsed =
      ParseLicenseText("license line from the server", std::string_view(evidence).substr(newline + 1));
  if (!parsed.diagnostics.empty() || parsed.lines.size() != 1 || !parsed.lines[0].IsSigned() ||
      parsed.lines[0].fields.size() < 2) {
    return "a license line from the server is not one signed FEATURE, INCREMENT or PACKAGE line";
  }
  LicenseLine& line = parsed.lines[0];
  const std::string& vendor = line.fields[1].text;
  const auto key = keys_.find(vendor);
  if (key == keys_.end()) {
    return fmt::format("license line of vendor '{}', whose key this application does not hold "
                       "(it trusts {})",
                       vendor, JoinVendors(keys_));
  }
  auto it = line_verdicts_.find(evidence);
  if (it == line_verdicts_.end()) {
    if (line_verdicts_.size() >= kMaxRemembered) line_verdicts_.clear();
    ++signatures_checked_;
    std::optional<std::string> why = VerifyLine(line, *hostid, key->second);
    if (why) {
      why = why == "wrong key or modified line"
                ? fmt::format("license line not signed by {}'s key (signed by another key, or "
                              "changed after signing)",
                              vendor)
                : fmt::format("license line not signed by {}'s key ({})", vendor, *why);
    }
    it = line_verdicts_.emplace(evidence, std::move(why)).first;
  }
  if (!it->second) *out = std::move(line);
  return it->second;
}

std::shared_ptr<const EvidenceChecker::Reading> EvidenceChecker::Read(
    const std::vector<std::string>& lines) {
  std::string key;
  for (const std::string& line : lines) {
    key += line;
    key += '\x1e';  // a record separator cannot occur in a parsed line
  }
  if (auto it = readings_.find(key); it != readings_.end()) return it->second;
  auto reading = std::make_shared<Reading>();
  ParsedFile file;
  file.name = "license lines from the server";
  for (const std::string& evidence : lines) {
    LicenseLine line;
    if (auto why = VerifyOne(evidence, &line)) {
      reading->failure = std::move(why);
      break;
    }
    file.lines.push_back(std::move(line));
  }
  if (!reading->failure) {
    // The lines mean what the daemon's own model builder makes of them.
    BuildResult built = BuildModel({file});
    if (!built.model.rejected.empty()) {
      reading->failure = fmt::format("a signed license line does not read as a license ({})",
                                     built.model.rejected.front().reason);
    }
    reading->model = std::move(built.model);
  }
  if (readings_.size() >= kMaxRemembered) readings_.clear();
  readings_.emplace(std::move(key), reading);
  return reading;
}

std::optional<std::string> EvidenceChecker::Check(const std::vector<std::string>& lines,
                                                  std::uint64_t left_out, std::string_view feature,
                                                  const std::optional<Version>& version,
                                                  Date today) {
  if (keys_.empty()) return std::nullopt;
  const auto fail = [&](std::string_view why) { return fmt::format("{}: {}", feature, why); };
  if (lines.empty()) {
    return fail("the license server sent no signed license lines to check (is it older than "
                "this application's floatlm library?)");
  }
  if (left_out > 0) {
    return fail(fmt::format("the license server left out {} of the license lines behind this "
                            "seat, so they cannot all be checked",
                            left_out));
  }
  const std::shared_ptr<const Reading> reading = Read(lines);
  if (reading->failure) return fail(*reading->failure);
  const Model& model = reading->model;

  // The first reason a candidate fails, for the sentence when none serves.
  std::optional<std::string> first_failure;
  for (const Pool& pool : model.pools) {
    if (pool.feature != feature) continue;
    auto why = NotServing(pool, pool.version, true, version, today);
    if (!why) return std::nullopt;
    if (!first_failure) first_failure = std::move(why);
  }
  for (const Package& package : model.packages) {
    if (!package.suite) continue;
    const auto component =
        std::find_if(package.components.begin(), package.components.end(),
                     [&](const Component& c) { return c.feature == feature; });
    if (component == package.components.end()) continue;
    for (const Pool& pool : model.pools) {
      if (pool.feature != package.name || pool.vendor != package.vendor) continue;
      const Version served = component->version.value_or(package.version.value_or(pool.version));
      auto why = NotServing(pool, served, false, version, today);
      if (!why) return std::nullopt;
      if (!first_failure) first_failure = std::move(why);
    }
  }
  if (first_failure) return fail(*first_failure);
  std::string licensed;
  for (const Pool& pool : model.pools) {
    if (!licensed.empty()) licensed += ", ";
    licensed += pool.feature;
  }
  return fail(fmt::format("the signed license lines do not license {} (they license {})", feature,
                          licensed.empty() ? "nothing" : licensed));
}

}  // namespace floatlm::licenses
