// The usage report (`floatlm report`): pure computation over journal entries, no I/O.
//
// Days are calendar days in UTC unless `utc_offset` says otherwise (a fixed offset; no
// daylight-saving rules are applied, so a report across a DST change is off by the shift
// for part of it). Lease intervals run from `checkout` to the first of `checkin`,
// `timeout`, `expired` or `removal` with the same lease id, and are clipped to [from, to):
// a lease still open counts up to `to`, or up to `now` when `to` is later (hours that have
// not happened are never billed); a lease that began before `from` counts from `from`. An end event whose checkout is not among the entries (it lies before the
// entries handed in) counts from `from`, if it carries the feature and user. Leases
// restored after a daemon restart simply continue: the journal has no checkout/checkin
// for a restart. Pass entries from well before `from` so earlier checkouts are seen.
#ifndef FLOATLM_DAEMON_STORE_USAGE_REPORT_H_
#define FLOATLM_DAEMON_STORE_USAGE_REPORT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/records.h"

namespace floatlm::store {

// One feature on one day. Present when the feature had a lease or a denial that day.
struct DayUsage {
  std::string feature;
  std::string day;                 // "YYYY-MM-DD" at the report's offset
  UnixMillis day_start = 0;        // the day's first millisecond, as a UTC instant
  // Most leases open at once (shared leases count too; a lease of N seats counts N).
  std::uint32_t peak_leases = 0;
  // Sum of lease intervals inside the day, each times its seats: seat-milliseconds.
  std::int64_t lease_ms = 0;
  std::vector<std::string> users;  // distinct users holding a lease that day, sorted
  std::map<std::string, std::uint32_t> denials;  // reason code -> count ("unspecified" if none)

  double lease_hours() const { return static_cast<double>(lease_ms) / 3'600'000.0; }
  std::uint32_t denial_count() const;
};

// One user's use of one feature over the whole report range.
struct UserUsage {
  std::string user;
  std::string feature;
  std::int64_t lease_ms = 0;  // seat-milliseconds, as DayUsage::lease_ms

  double hours() const { return static_cast<double>(lease_ms) / 3'600'000.0; }
};

struct UsageReport {
  UnixMillis from = 0;
  UnixMillis to = 0;
  UnixMillis counted_to = 0;  // min(to, now): where open leases stop counting
  std::chrono::minutes utc_offset{0};
  std::vector<DayUsage> days;    // ordered by feature, then day
  std::vector<UserUsage> users;  // ordered by user, then feature; users with leases only
};

// Entries need not be sorted; equal times keep their given order, and at one instant
// ends are applied before starts (back-to-back leases are not concurrent).
// `now`: the present, where leases still open stop counting (nullopt: at `to`).
UsageReport ComputeReport(const std::vector<JournalEntry>& entries, UnixMillis from, UnixMillis to,
                          std::chrono::minutes utc_offset = std::chrono::minutes(0),
                          std::optional<UnixMillis> now = std::nullopt);

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_USAGE_REPORT_H_
