// The durable copy of the daemon's state: leases, cloud-user slots, named-user
// assignments, the append-only usage journal and the digests of the license signatures
// that verified at the last load.
//
// The engine owns the live state in memory; the server writes each event-loop turn's
// changes here as one Batch (group commit) before it replies, and reads everything back
// with Load() once at start-up. The daemon reaches its state only through this
// interface; which backend it runs on is decided where the store is opened. Two backends
// keep the same contract, checked by one conformance suite (tests/store/):
// SqliteLeaseStore (production) and MemoryLeaseStore (tests, fuzzers). A further backend
// (e.g. a consensus store for high availability) implements this interface and joins
// that suite.
//
// Errors: every call returns a Status; nothing throws. A failed call changed nothing; a
// failed Commit may be made again with the same batch (daemon/service/state_recorder.h
// says what the daemon's replies mean meanwhile).
// Ownership: the store takes no references to the caller's data; results are values.
// Threads: one event loop owns the store and makes every call, except the admin work
// (ScanJournal, WriteBackup), which may run on one other thread at a time while the owner
// goes on: the backend takes its own lock for one bounded slice of that work at a time,
// so the owner's calls wait at most a slice and TryCommit defers instead of waiting.
#ifndef FLOATLM_DAEMON_STORE_LEASE_STORE_H_
#define FLOATLM_DAEMON_STORE_LEASE_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/records.h"
#include "store/status.h"

namespace floatlm::store {

// What a Backup wrote.
struct BackupInfo {
  std::uint64_t pages = 0;  // units the backend copied (SQLite: database pages)
  std::uint64_t bytes = 0;  // size of the copy at its path
};

// What long admin work (a report's journal scan, a backup) is told and tells, on the
// thread that runs it.
struct AdminWork {
  // Set (by any thread) to stop the work at its next slice: it then fails with
  // kCancelled and leaves nothing behind.
  const std::atomic<bool>* cancel = nullptr;
  // Called after each slice: units done so far and the total (0 when not known).
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;

  bool cancelled() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
};

// Receives one journal entry of a scan; the entry may be moved from.
using JournalSink = std::function<void(JournalEntry& entry)>;

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
  // Commit, unless the backend is busy with upkeep of its own (a checkpoint of the SQLite
  // store's WAL, on its own thread): then kDeferred at once, nothing applied, and the
  // caller keeps the batch (and the replies waiting for it) and tries again shortly.
  // Backends without such upkeep simply commit.
  virtual Status TryCommit(const Batch& batch) { return Commit(batch); }

  // Hands `sink` the journal entries whose time lies in [from, to) and whose commit had
  // returned when the scan began (entries committed meanwhile are not seen), ordered by
  // time and, for equal times, by the order they were committed. Reads in slices (admin
  // work, see Threads above); `sink` runs on the scanning thread, without the store's lock.
  // A failure or cancellation may come after some entries were handed over.
  virtual Status ScanJournal(UnixMillis from, UnixMillis to, const JournalSink& sink,
                             const AdminWork& work) = 0;
  // ScanJournal into *out (replaced), without progress or cancellation.
  Status ReadJournal(UnixMillis from, UnixMillis to, std::vector<JournalEntry>* out);
  // Removes the oldest journal entries whose time lies before `before`, at most
  // `max_entries` of them (a bounded slice: the caller calls again while *removed equals
  // max_entries), and sets *removed to how many went. Leases, slots and assignments are
  // never touched.
  virtual Status PruneJournal(UnixMillis before, std::size_t max_entries, std::size_t* removed) = 0;

  // Replaces *out with the remembered digests of the license signatures that verified at
  // the last load (licenses::SignatureDigests), so that a restart checks only new or
  // changed lines. Sorted by their bytes (unsigned, as memcmp and std::string compare
  // them), each once. An empty store yields none.
  virtual Status LoadSignatureDigests(std::vector<std::string>* out) = 0;
  // Makes `digests` the whole remembered set, atomically: the old set is dropped, a
  // digest given twice is kept once, and an empty vector leaves none. A digest that breaks
  // CheckSignatureDigests fails the call with kInvalidArgument and the old set stays.
  // Leases, slots, assignments and the journal are never touched.
  virtual Status ReplaceSignatureDigests(const std::vector<std::string>& digests) = 0;

  // A hot backup: writes a consistent copy of everything persisted to `path`, in a form
  // the same backend can be opened from, while the store stays open and, as admin work
  // (see Threads above), while the owner goes on committing. The copy holds every Commit
  // (and ReplaceSignatureDigests, and PruneJournal) that returned before the call began,
  // and of those made during it, all up to some point and none after. The copy
  // appears whole or not at all, is readable by its owner only, and is not changed by
  // later calls. An existing `path` is refused with kInvalidArgument and left as it was;
  // a directory that is missing or cannot be written fails with kIoError naming the
  // path. A backend that keeps nothing in files (MemoryLeaseStore) has no such copy to
  // give and refuses with kNotSupported, writing nothing. *info is reset first and
  // filled on success. A failed or cancelled backup leaves the store as it was, usable,
  // and no file at `path`.
  virtual Status WriteBackup(const std::string& path, const AdminWork& work, BackupInfo* info) = 0;
  // WriteBackup without progress or cancellation.
  Status Backup(const std::string& path, BackupInfo* info) { return WriteBackup(path, {}, info); }

  // What went wrong in upkeep the backend runs on its own (the SQLite store's checkpoint
  // thread) since the last call, as one sentence naming the file, or "" when nothing
  // did. The caller logs it; upkeep is retried by the backend itself.
  virtual std::string TakeUpkeepProblem() { return {}; }

 protected:
  LeaseStore() = default;
};

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_LEASE_STORE_H_
