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
  std::uint32_t feature = 0;  // ReportBuilder's name indices
  std::uint32_t user = 0;
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

}  // namespace

std::uint32_t DayUsage::denial_count() const {
  return std::accumulate(denials.begin(), denials.end(), 0u,
                         [](std::uint32_t sum, const auto& kv) { return sum + kv.second; });
}

ReportBuilder::ReportBuilder(UnixMillis from, UnixMillis to, std::chrono::minutes utc_offset,
                             std::optional<UnixMillis> now)
    : from_(from),
      to_(to),
      counted_to_(now ? std::clamp(*now, from, to) : to),
      utc_offset_(utc_offset) {
  Name("");  // index 0: the empty name, which an end without a feature carries
}

ReportBuilder::~ReportBuilder() = default;
ReportBuilder::ReportBuilder(ReportBuilder&&) noexcept = default;

std::uint32_t ReportBuilder::Name(const std::string& name) {
  const auto [it, added] = name_index_.try_emplace(name, static_cast<std::uint32_t>(names_.size()));
  if (added) names_.push_back(name);
  return it->second;
}

std::int64_t ReportBuilder::DayOf(UnixMillis t) const {
  return FloorDiv(t + utc_offset_.count() * 60'000, kDayMs);
}

void ReportBuilder::Add(const JournalEntry& e) {
  ++entries_;
  if (e.event == JournalEvent::kDenial) {
    if (e.time < from_ || e.time >= to_) return;
    const std::string& feature = e.feature.empty() ? kNameless : e.feature;
    denials_[{feature, DayOf(e.time)}][e.reason.empty() ? "unspecified" : e.reason] += e.count;
    return;
  }
  if (e.lease_id == 0) return;
  const bool checkout = e.event == JournalEvent::kCheckout;
  if (!checkout && !EndsLease(e.event)) return;
  Lease& lease = leases_[e.lease_id];
  if (checkout && !lease.has_checkout) {
    lease.has_checkout = true;
    lease.feature = Name(e.feature);
    lease.user = Name(e.user);
    lease.seats = e.seats;
    lease.checkout = e.time;
  } else if (!checkout && !lease.has_end) {
    lease.has_end = true;
    lease.end_feature = Name(e.feature);
    lease.end_user = Name(e.user);
    lease.end_seats = e.seats;
    lease.end = e.time;
  }
}

// Pairs each checkout with its lease's end by lease id, whatever their order in time,
// and clips the intervals to [from, to). After the wall clock was stepped back an end
// can carry an earlier time than its checkout: that lease lasted an unknown time and
// counts as an instant use at its checkout (its user and day count, no hours), never
// as a lease left open until `to`. A lease without an end stops at counted_to.
UsageReport ReportBuilder::Finish() && {
  UsageReport report;
  report.from = from_;
  report.to = to_;
  report.counted_to = counted_to_;
  report.utc_offset = utc_offset_;
  const std::int64_t offset_ms = utc_offset_.count() * 60'000;
  const auto day_start = [offset_ms](std::int64_t day) { return day * kDayMs - offset_ms; };

  std::vector<Interval> intervals;
  for (const auto& [id, lease] : leases_) {
    Interval interval;
    if (lease.has_checkout) {
      interval = Interval{lease.feature, lease.user, lease.checkout,
                          lease.has_end ? std::max(lease.end, lease.checkout)
                                        : std::max(counted_to_, lease.checkout),
                          lease.seats};
    } else if (lease.end_feature != 0) {
      // Its checkout lies before the entries handed in: count it from `from`.
      interval = Interval{lease.end_feature, lease.end_user, from_, lease.end, lease.end_seats};
    } else {
      continue;
    }
    // A lease checked in within the millisecond it was granted is still a use: it lasts
    // no time but counts its user (and the day it fell on) when it lies in [from, to).
    const bool instant = interval.start == interval.end;
    interval.start = std::max(interval.start, from_);
    interval.end = std::min(interval.end, to_);
    if (interval.start < interval.end || (instant && interval.start == interval.end &&
                                          interval.start >= from_ && interval.start < to_)) {
      intervals.push_back(interval);
    }
  }
  leases_.clear();

  struct Bucket {
    std::uint32_t peak = 0;
    std::int64_t lease_ms = 0;
    std::set<std::string> users;
    std::map<std::string, std::uint32_t> denials;
  };
  std::map<std::pair<std::string, std::int64_t>, Bucket> buckets;        // (feature, day)
  std::map<std::pair<std::string, std::string>, std::int64_t> per_user;  // (user, feature)

  for (const Interval& interval : intervals) {
    const std::string& feature = names_[interval.feature];
    const std::string& user = names_[interval.user];
    per_user[{user, feature}] += (interval.end - interval.start) * interval.seats;
    const std::int64_t first_day = DayOf(interval.start);
    for (std::int64_t day = first_day; day == first_day || day_start(day) < interval.end; ++day) {
      const UnixMillis begin = std::max(interval.start, day_start(day));
      const UnixMillis end = std::min(interval.end, day_start(day + 1));
      Bucket& bucket = buckets[{feature, day}];
      bucket.lease_ms += (end - begin) * interval.seats;
      bucket.users.insert(user);
      // A lease carried over midnight is open when the day begins: it counts towards
      // that day's peak even if nothing else happens.
      if (interval.start < begin) bucket.peak += static_cast<std::uint32_t>(interval.seats);
    }
  }

  // Sweep each feature's starts and ends. At equal times ends go first (back-to-back
  // leases are not concurrent), except the end of an instant lease, which follows its start.
  enum Order : int { kEnd = 0, kStart = 1, kInstantEnd = 2 };
  std::map<std::uint32_t, std::vector<std::tuple<UnixMillis, int, std::int64_t>>> steps;
  for (const Interval& interval : intervals) {
    const bool instant = interval.start == interval.end;
    auto& list = steps[interval.feature];
    list.emplace_back(interval.start, kStart, interval.seats);
    list.emplace_back(interval.end, instant ? kInstantEnd : kEnd, -interval.seats);
  }
  intervals.clear();
  intervals.shrink_to_fit();
  for (auto& [feature, list] : steps) {
    std::sort(list.begin(), list.end());
    std::int64_t level = 0;
    for (const auto& [time, order, delta] : list) {
      level += delta;
      if (delta > 0) {
        Bucket& bucket = buckets[{names_[feature], DayOf(time)}];
        bucket.peak = std::max(bucket.peak, static_cast<std::uint32_t>(level));
      }
    }
    list.clear();
    list.shrink_to_fit();
  }

  for (auto& [key, counts] : denials_) buckets[key].denials = std::move(counts);

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

UsageReport ComputeReport(const std::vector<JournalEntry>& entries, UnixMillis from, UnixMillis to,
                          std::chrono::minutes utc_offset, std::optional<UnixMillis> now) {
  ReportBuilder builder(from, to, utc_offset, now);
  for (const JournalEntry& e : entries) builder.Add(e);
  return std::move(builder).Finish();
}

}  // namespace floatlm::store
