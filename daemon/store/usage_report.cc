#include "store/usage_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace floatlm::store {
namespace {

// The report's name for denials journaled without a feature name: features no license
// names and requests past a connection's rate (the names are the client's text, see
// the daemon's DenialLedger).
const std::string kNameless = "(name not kept)";

constexpr std::int64_t kDayMs = 86'400'000;

struct Interval {
  std::string feature;
  std::string user;
  UnixMillis start = 0;
  UnixMillis end = 0;
  std::int64_t seats = 1;  // a lease of N seats counts N times (N seat-hours per hour)
};

bool EndsLease(JournalEvent event) {
  return event == JournalEvent::kCheckin || event == JournalEvent::kTimeout ||
         event == JournalEvent::kExpired || event == JournalEvent::kRemoval;
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::string DayName(std::int64_t day_index) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day_index}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

// Pairs each checkout with its lease's end by lease id, whatever their order in time,
// and clips the intervals to [from, to). After the wall clock was stepped back an end
// can carry an earlier time than its checkout: that lease lasted an unknown time and
// counts as an instant use at its checkout (its user and day count, no hours), never
// as a lease left open until `to`.
// `open_until`: where a lease without an end stops (the earlier of `to` and the present).
std::vector<Interval> LeaseIntervals(const std::vector<JournalEntry>& entries, UnixMillis from,
                                     UnixMillis to, UnixMillis open_until) {
  // The first checkout and the first end of each lease id.
  std::unordered_map<std::uint64_t, const JournalEntry*> checkouts, ends;
  for (const JournalEntry& e : entries) {
    if (e.lease_id == 0) continue;
    if (e.event == JournalEvent::kCheckout) checkouts.emplace(e.lease_id, &e);
    if (EndsLease(e.event)) ends.emplace(e.lease_id, &e);
  }
  std::vector<Interval> intervals;
  for (const JournalEntry& e : entries) {
    if (e.lease_id == 0) continue;
    if (e.event == JournalEvent::kCheckout && checkouts.at(e.lease_id) == &e) {
      const auto end = ends.find(e.lease_id);
      intervals.push_back(Interval{
          e.feature, e.user, e.time,
          end == ends.end() ? std::max(open_until, e.time) : std::max(end->second->time, e.time),
          e.seats});
    } else if (EndsLease(e.event) && ends.at(e.lease_id) == &e &&
               !checkouts.contains(e.lease_id) && !e.feature.empty()) {
      // Its checkout lies before the entries handed in: count it from `from`.
      intervals.push_back(Interval{e.feature, e.user, from, e.time, e.seats});
    }
  }

  std::vector<Interval> clipped;
  for (Interval& interval : intervals) {
    // A lease checked in within the millisecond it was granted is still a use: it lasts
    // no time but counts its user (and the day it fell on) when it lies in [from, to).
    const bool instant = interval.start == interval.end;
    interval.start = std::max(interval.start, from);
    interval.end = std::min(interval.end, to);
    if (interval.start < interval.end || (instant && interval.start == interval.end &&
                                          interval.start >= from && interval.start < to)) {
      clipped.push_back(std::move(interval));
    }
  }
  return clipped;
}

}  // namespace

std::uint32_t DayUsage::denial_count() const {
  return std::accumulate(denials.begin(), denials.end(), 0u,
                         [](std::uint32_t sum, const auto& kv) { return sum + kv.second; });
}

UsageReport ComputeReport(const std::vector<JournalEntry>& entries, UnixMillis from, UnixMillis to,
                          std::chrono::minutes utc_offset, std::optional<UnixMillis> now) {
  UsageReport report;
  report.from = from;
  report.to = to;
  report.counted_to = now ? std::clamp(*now, from, to) : to;
  report.utc_offset = utc_offset;
  const std::int64_t offset_ms = utc_offset.count() * 60'000;
  const auto day_of = [offset_ms](UnixMillis t) { return FloorDiv(t + offset_ms, kDayMs); };
  const auto day_start = [offset_ms](std::int64_t day) { return day * kDayMs - offset_ms; };

  struct Bucket {
    std::uint32_t peak = 0;
    std::int64_t lease_ms = 0;
    std::set<std::string> users;
    std::map<std::string, std::uint32_t> denials;
  };
  std::map<std::pair<std::string, std::int64_t>, Bucket> buckets;        // (feature, day)
  std::map<std::pair<std::string, std::string>, std::int64_t> per_user;  // (user, feature)

  const std::vector<Interval> intervals = LeaseIntervals(entries, from, to, report.counted_to);
  for (const Interval& interval : intervals) {
    per_user[{interval.user, interval.feature}] += (interval.end - interval.start) * interval.seats;
    const std::int64_t first_day = day_of(interval.start);
    for (std::int64_t day = first_day; day == first_day || day_start(day) < interval.end; ++day) {
      const UnixMillis begin = std::max(interval.start, day_start(day));
      const UnixMillis end = std::min(interval.end, day_start(day + 1));
      Bucket& bucket = buckets[{interval.feature, day}];
      bucket.lease_ms += (end - begin) * interval.seats;
      bucket.users.insert(interval.user);
      // A lease carried over midnight is open when the day begins: it counts towards
      // that day's peak even if nothing else happens.
      if (interval.start < begin) bucket.peak += static_cast<std::uint32_t>(interval.seats);
    }
  }

  // Sweep each feature's starts and ends. At equal times ends go first (back-to-back
  // leases are not concurrent), except the end of an instant lease, which follows its start.
  enum Order : int { kEnd = 0, kStart = 1, kInstantEnd = 2 };
  std::map<std::string, std::vector<std::tuple<UnixMillis, int, std::int64_t>>> steps;
  for (const Interval& interval : intervals) {
    const bool instant = interval.start == interval.end;
    steps[interval.feature].emplace_back(interval.start, kStart, interval.seats);
    steps[interval.feature].emplace_back(interval.end, instant ? kInstantEnd : kEnd,
                                         -interval.seats);
  }
  for (auto& [feature, list] : steps) {
    std::sort(list.begin(), list.end());
    std::int64_t level = 0;
    for (const auto& [time, order, delta] : list) {
      level += delta;
      if (delta > 0) {
        Bucket& bucket = buckets[{feature, day_of(time)}];
        bucket.peak = std::max(bucket.peak, static_cast<std::uint32_t>(level));
      }
    }
  }

  for (const JournalEntry& e : entries) {
    if (e.event != JournalEvent::kDenial || e.time < from || e.time >= to) continue;
    const std::string& feature = e.feature.empty() ? kNameless : e.feature;
    buckets[{feature, day_of(e.time)}].denials[e.reason.empty() ? "unspecified" : e.reason] +=
        e.count;
  }

  for (auto& [key, bucket] : buckets) {
    DayUsage day;
    day.feature = key.first;
    day.day = DayName(key.second);
    day.day_start = day_start(key.second);
    day.peak_leases = bucket.peak;
    day.lease_ms = bucket.lease_ms;
    day.users.assign(bucket.users.begin(), bucket.users.end());
    day.denials = std::move(bucket.denials);
    report.days.push_back(std::move(day));
  }
  for (const auto& [key, ms] : per_user) {
    report.users.push_back(UserUsage{key.first, key.second, ms});
  }
  return report;
}

}  // namespace floatlm::store
