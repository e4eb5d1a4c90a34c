#include "engine/labels.h"

#include <fmt/format.h>

#include <chrono>

#include "floatlm/licenses/dates.h"

namespace floatlm::engine {

namespace {

constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};

// Plain arithmetic on the UTC calendar: no gmtime, no time zone.
struct Split {
  std::chrono::year_month_day day;
  std::chrono::hh_mm_ss<std::chrono::seconds> clock;
};
Split SplitUtc(WallTime at) {
  const auto day = std::chrono::floor<std::chrono::days>(at);
  return {std::chrono::year_month_day(day),
          std::chrono::hh_mm_ss(std::chrono::floor<std::chrono::seconds>(at - day))};
}

bool SameDay(WallTime a, WallTime b) {
  return std::chrono::floor<std::chrono::days>(a) == std::chrono::floor<std::chrono::days>(b);
}

std::string HourMinute(const Split& s) {
  return fmt::format("{:02}:{:02}", s.clock.hours().count(), s.clock.minutes().count());
}

}  // namespace

std::string LicenseDate(licenses::Date day) { return licenses::FormatLicenseDate(day); }

std::string ExpiryText(const std::optional<licenses::Date>& day) {
  return day ? LicenseDate(*day) : std::string("permanent");
}

std::string SinceText(WallTime at, WallTime now) {
  const Split s = SplitUtc(at);
  if (SameDay(at, now)) return HourMinute(s) + " UTC";
  return fmt::format("{} {} UTC", LicenseDate(s.day), HourMinute(s));
}

std::string SinceShort(WallTime at, WallTime now) {
  const Split s = SplitUtc(at);
  if (SameDay(at, now)) return HourMinute(s);
  return fmt::format("{}-{} {}", static_cast<unsigned>(s.day.day()),
                     kMonths[static_cast<unsigned>(s.day.month()) - 1], HourMinute(s));
}

std::string IsoTime(WallTime at) {
  const Split s = SplitUtc(at);
  return fmt::format("{:04}-{:02}-{:02}T{}:{:02}Z", static_cast<int>(s.day.year()),
                     static_cast<unsigned>(s.day.month()), static_cast<unsigned>(s.day.day()),
                     HourMinute(s), s.clock.seconds().count());
}

std::string PoolLabel(const licenses::Pool& pool) {
  if (pool.lines.empty()) return fmt::format("{} {}", pool.feature, pool.version.ToString());
  return fmt::format("{} {} ({})", pool.feature, pool.version.ToString(),
                     pool.lines.front().source.ToString());
}

std::string PoolSummary(const licenses::Pool& pool, licenses::Date today) {
  if (pool.uncounted) return fmt::format("{}: uncounted", PoolLabel(pool));
  return fmt::format("{}: {} seats", PoolLabel(pool), pool.CountOn(today));
}

}  // namespace floatlm::engine
