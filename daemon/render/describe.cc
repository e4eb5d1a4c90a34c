#include "render/describe.h"

#include <fmt/format.h>

#include <ctime>

#include "floatlm/licenses/dates.h"

namespace floatlm::server {

std::string FormatDate(const licenses::Date& d) { return licenses::FormatLicenseDate(d); }

std::string FormatExpiry(const std::optional<licenses::Date>& d) {
  return d ? FormatDate(*d) : "permanent";
}

std::string PoolLabel(const licenses::Pool& pool) {
  std::string where = pool.lines.empty() ? std::string("?") : pool.lines.front().source.ToString();
  return fmt::format("{} {} ({})", pool.feature, pool.version.ToString(), where);
}

std::string FormatWallTime(engine::WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const licenses::Pool* PoolOf(const engine::SeatEngine& engine, engine::PoolId id) {
  const auto& pools = engine.model().pools;
  return id < pools.size() ? &pools[id] : nullptr;
}

}  // namespace floatlm::server
