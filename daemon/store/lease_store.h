// The durable copy of the daemon's state: leases, cloud-user slots, named-user
// assignments and the append-only usage journal.
//
// The engine owns the live state in memory; the server writes each event-loop turn's
// changes here as one Batch (group commit) before it replies, and reads everything back
// with Load() once at start-up. Two backends keep the same contract, checked by one
// conformance suite (tests/store/): SqliteLeaseStore (production) and MemoryLeaseStore
// (tests). A further backend (e.g. a consensus store for high availability) implements
// this interface and joins that suite.
//
// Errors: every call returns a Status; nothing throws. A failed Commit applied nothing,
// and the caller may commit the same batch again (daemon/service/state_recorder.h says
// what the daemon's replies mean meanwhile).
// Ownership: the store takes no references to the caller's data; results are values.
// Threads: not thread-safe. One event loop owns the store and makes every call.
#ifndef FLOATLM_DAEMON_STORE_LEASE_STORE_H_
#define FLOATLM_DAEMON_STORE_LEASE_STORE_H_

#include <vector>

#include "store/records.h"
#include "store/status.h"

namespace floatlm::store {

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;
  LeaseStore(const LeaseStore&) = delete;
  LeaseStore& operator=(const LeaseStore&) = delete;

  // Replaces *out with everything persisted. An empty store yields an empty state with
  // highest_lease_id 0. The caller issues new lease ids above highest_lease_id.
  virtual Status Load(StoredState* out) = 0;

  // Applies the whole batch atomically (one transaction), or nothing of it, and returns
  // once it is durable to the backend's promise (see each backend). An empty batch is a
  // no-op. A record that breaks CheckLease/CheckJournalEntry fails the batch with
  // kInvalidArgument; the store stays usable.
  virtual Status Commit(const Batch& batch) = 0;

  // Replaces *out with the journal entries whose time lies in [from, to), ordered by
  // time and, for equal times, by the order they were committed.
  virtual Status ReadJournal(UnixMillis from, UnixMillis to, std::vector<JournalEntry>* out) = 0;
  // Removes the oldest journal entries whose time lies before `before`, at most
  // `max_entries` of them (a bounded slice: the caller calls again while *removed equals
  // max_entries), and sets *removed to how many went. Leases, slots and assignments are
  // never touched.
  virtual Status PruneJournal(UnixMillis before, std::size_t max_entries, std::size_t* removed) = 0;

 protected:
  LeaseStore() = default;
};

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_LEASE_STORE_H_
