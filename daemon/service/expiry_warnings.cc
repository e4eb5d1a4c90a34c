#include "service/expiry_warnings.h"

#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "engine/labels.h"

namespace floatlm::server {
namespace {

// The narrowest band `days_left` lies in; -1 once expired; nullopt when no band yet.
std::optional<long> BandOf(long days_left) {
  if (days_left < 0) return -1;
  std::optional<long> band;
  for (long b : ExpiryWarnings::kBands) {
    if (days_left <= b) band = b;
  }
  return band;
}

}  // namespace

std::vector<ExpiryNotice> ExpiryWarnings::Due(const std::vector<licenses::Pool>& pools,
                                              licenses::Date today) {
  std::vector<ExpiryNotice> due;
  // Rebuilt on every call, so lines a reread removed are forgotten.
  std::unordered_map<std::string, long> warned;
  for (const auto& pool : pools) {
    for (const auto& line : pool.lines) {
      if (!line.expiry) continue;
      const long days_left =
          (std::chrono::sys_days(*line.expiry) - std::chrono::sys_days(today)).count();
      const auto band = BandOf(days_left);
      if (!band) continue;
      const auto key = line.source.ToString() + "@" + engine::LicenseDate(*line.expiry);
      const auto before = warned_.find(key);
      if (before != warned_.end() && before->second <= *band) {
        warned.emplace(key, before->second);
        continue;
      }
      warned.emplace(key, *band);
      due.push_back({pool.feature, pool.version.ToString(), pool.vendor, line.source.ToString(),
                     line.count, *line.expiry, days_left});
    }
  }
  warned_ = std::move(warned);
  return due;
}

std::string DescribeExpiry(const ExpiryNotice& n) {
  const auto seats = n.count > 0 ? fmt::format("{} seat{}", n.count, n.count == 1 ? "" : "s")
                                 : std::string("uncounted seats");
  const auto what = fmt::format("{} {} ({}): {}", n.feature, n.version, n.source, seats);
  const auto on = engine::LicenseDate(n.expiry);
  const char* expire = n.count == 1 ? "expires" : "expire";
  if (n.days_left < 0) return fmt::format("{} expired on {}", what, on);
  if (n.days_left == 0) return fmt::format("{} {} at the end of today ({})", what, expire, on);
  return fmt::format("{} {} in {} day{} (at the end of {})", what, expire, n.days_left,
                     n.days_left == 1 ? "" : "s", on);
}

}  // namespace floatlm::server
