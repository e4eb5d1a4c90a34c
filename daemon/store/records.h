// Plain records the lease store persists. No engine types: the daemon translates its
// in-memory state into these values and back, so a store backend never depends on the
// engine and the engine never depends on SQLite.
#ifndef FLOATLM_DAEMON_STORE_RECORDS_H_
#define FLOATLM_DAEMON_STORE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"
#include "token/reattach_token.h"

namespace floatlm::store {

using UnixMillis = std::int64_t;  // wall-clock milliseconds since 1970-01-01T00:00:00Z

// One granted lease. `pool_key` names the pool across restarts (pool ids are not stable).
struct LeaseRecord {
  std::uint64_t id = 0;     // > 0; never reused (see StoredState::highest_lease_id)
  // token::Of(id, token). The token itself is never stored: a copy of the store does not
  // let anyone reattach a lease.
  token::Digest token_digest{};
  std::string pool_key;
  std::string feature;
  std::string version;  // version requested, as text
  std::string user;
  std::string host;
  std::string display;
  std::string peer;  // peer IP address as text
  std::int64_t client_pid = 0;
  std::string app;
  UnixMillis since = 0;
  std::uint32_t seat = 0;             // which seat of the pool
  bool shared = false;                // rides on a seat another lease opened
  std::vector<std::string> products;  // products riding on a collection seat; no ',' in names
  std::string dup_group;  // the application's DUP_GROUP as asked at checkout ("" = none)
  std::uint32_t seats = 1;  // seats it holds: N for a checkout of N seats at once, else 1

  bool operator==(const LeaseRecord&) const = default;
};

// A cloud-user slot: `user` may use the cloud services of `collection` until released.
struct CloudSlot {
  std::string collection;
  std::string user;
  UnixMillis since = 0;
  // When its user was last seen using it (0: not known, e.g. a slot stored before this
  // was kept; read it as `since`). Only ever raised.
  UnixMillis last_used = 0;

  bool operator==(const CloudSlot&) const = default;
};

// A named-user assignment of one seat of a USER_BASED pool.
struct Assignment {
  std::string pool_key;
  std::string user;
  UnixMillis since = 0;

  bool operator==(const Assignment&) const = default;
};

// Journal event kinds. Their names (JournalEventName) are stored and reported, so they
// are stable: add new kinds at the end, never rename one.
enum class JournalEvent : std::uint8_t {
  kStart,
  kStop,
  kCheckout,
  kCheckin,
  kMove,
  kDenial,
  kTimeout,
  kExpired,
  kRemoval,
  kReread,
  kAssign,
  kUnassign,
  kCloudGrant,
  kCloudRelease,
};

// "start", "stop", "checkout", ..., "cloud_release"; empty for a value outside the enum.
std::string_view JournalEventName(JournalEvent event);
std::optional<JournalEvent> ParseJournalEvent(std::string_view name);

// One line of the append-only usage journal.
struct JournalEntry {
  UnixMillis time = 0;
  JournalEvent event = JournalEvent::kStart;
  std::string user;
  std::string host;
  std::string display;
  std::string peer;
  std::string feature;
  std::string version;
  std::string pool;            // pool key
  std::uint64_t lease_id = 0;  // 0 when the event concerns no lease (denial, start, ...)
  std::string reason;          // stable reason code, e.g. "all_seats_in_use"; empty if none
  std::string detail;          // free text for humans
  // Denials of one connection, feature and reason within a window are one entry with
  // their number; every other entry is one event (1).
  std::uint32_t count = 1;
  // Seats the lease holds (checkout and its end): N for a checkout of N seats at once.
  std::uint32_t seats = 1;

  bool operator==(const JournalEntry&) const = default;
};

// Everything Load() restores.
struct StoredState {
  std::vector<LeaseRecord> leases;      // ordered by id
  std::vector<CloudSlot> cloud_slots;   // ordered by (collection, user)
  std::vector<Assignment> assignments;  // ordered by (pool_key, user)
  std::uint64_t highest_lease_id = 0;   // highest lease id ever issued; 0 if none
};

// One group commit: the net effect of one event-loop turn, applied atomically in this
// order: lease upserts, lease deletes, slot additions, slot removals, assignment
// additions, assignment removals, journal appends, high-water mark. So a lease granted
// and freed in the same turn ends up deleted; a caller that removes and re-adds the same
// slot or assignment in one turn must coalesce that itself.
struct Batch {
  std::vector<LeaseRecord> upsert_leases;      // insert, or replace the whole record
  std::vector<std::uint64_t> delete_leases;    // unknown ids are ignored
  std::vector<CloudSlot> add_slots;            // already held: kept with its first `since`,
                                               // last_used raised to the larger value
  std::vector<CloudSlot> remove_slots;         // by (collection, user); absent: ignored
  std::vector<Assignment> add_assignments;     // already present: kept with its first `since`
  std::vector<Assignment> remove_assignments;  // by (pool_key, user); absent: ignored
  std::vector<JournalEntry> journal;
  // Raises the lease-id mark (so is every upserted id); the mark never goes down.
  std::uint64_t highest_lease_id = 0;

  bool empty() const;
};

// Record rules every backend enforces; a violation fails the whole batch.
Status CheckLease(const LeaseRecord& lease);
Status CheckJournalEntry(const JournalEntry& entry);
// A remembered signature digest is opaque bytes, any of them, but never none: an empty
// one would be no digest of anything (LeaseStore::ReplaceSignatureDigests).
Status CheckSignatureDigests(const std::vector<std::string>& digests);

// Products are stored as one comma-separated text column.
std::string JoinProducts(const std::vector<std::string>& products);
std::vector<std::string> SplitProducts(std::string_view text);

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_RECORDS_H_
