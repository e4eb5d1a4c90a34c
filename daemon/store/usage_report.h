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
#include <unordered_map>
#include <utility>
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

// Builds the report from entries handed in one at a time (a journal scan's), keeping only
// what the report needs: per lease id its first checkout's and first end's feature, user,
// time and seats, and the denials counted per feature and day; names are kept once. So
// its memory follows the number of leases, not the size of the entries. Entries need not
// be sorted; at one instant ends are applied before starts (back-to-back leases are not
// concurrent). `now`: the present, where leases still open stop counting (nullopt: at
// `to`). Not thread-safe; may be moved to, and finished on, another thread.
class ReportBuilder {
 public:
  ReportBuilder(UnixMillis from, UnixMillis to,
                std::chrono::minutes utc_offset = std::chrono::minutes(0),
                std::optional<UnixMillis> now = std::nullopt);
  ~ReportBuilder();
  ReportBuilder(ReportBuilder&&) noexcept;
  ReportBuilder& operator=(ReportBuilder&&) = delete;

  void Add(const JournalEntry& entry);
  std::uint64_t entries() const { return entries_; }  // handed in so far
  UsageReport Finish() &&;

 private:
  struct Lease {
    // The first checkout and the first end handed in for the lease id.
    bool has_checkout = false;
    bool has_end = false;
    std::uint32_t feature = 0, user = 0, seats = 1;              // of the checkout
    std::uint32_t end_feature = 0, end_user = 0, end_seats = 1;  // of the end
    UnixMillis checkout = 0;
    UnixMillis end = 0;
  };
  std::uint32_t Name(const std::string& name);
  std::int64_t DayOf(UnixMillis t) const;

  UnixMillis from_, to_, counted_to_;
  std::chrono::minutes utc_offset_;
  std::uint64_t entries_ = 0;
  std::vector<std::string> names_;  // features and users, each once
  std::unordered_map<std::string, std::uint32_t> name_index_;
  std::unordered_map<std::uint64_t, Lease> leases_;
  // (feature, day) -> reason -> denials
  std::map<std::pair<std::string, std::int64_t>, std::map<std::string, std::uint32_t>> denials_;
};

// The whole report at once: a ReportBuilder fed with `entries`.
UsageReport ComputeReport(const std::vector<JournalEntry>& entries, UnixMillis from, UnixMillis to,
                          std::chrono::minutes utc_offset = std::chrono::minutes(0),
                          std::optional<UnixMillis> now = std::nullopt);

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_USAGE_REPORT_H_
