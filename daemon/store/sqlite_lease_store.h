// The production LeaseStore: one SQLite database, <state_dir>/floatlm.db, in WAL mode.
//
// Durability: a Commit that returned Ok survives a crash or `kill -9` of the daemon.
// With the default Durability::kNormal (synchronous=NORMAL) a power loss or kernel crash
// may lose the last few committed batches, never corrupt the file; Durability::kFull
// (synchronous=FULL) closes that window at the cost of an fsync per commit.
//
// Open() refuses, with a message naming the file: a missing or unwritable state
// directory, a damaged database (it is never silently recreated: the admin decides), a
// database written by a newer floatlm, and a file that is not a floatlm database.
//
// One event loop owns the store. With checkpoint_interval set, a thread of the store's own
// (WalSyncer) runs the WAL checkpoints, which SQLite would otherwise run inside whichever
// commit reaches 10,000 frames, on the loop. It syncs the WAL first without the
// connection, then takes the connection's mutex for the copy; TryCommit answers
// kDeferred meanwhile instead of waiting, every other method waits (a few milliseconds).
// Admin work (ScanJournal, WriteBackup) on another thread takes the same mutex one slice
// at a time and yields it to the owner between slices.
// Statements are prepared once and reused, so a batch costs one transaction plus one
// step per record.
#ifndef FLOATLM_DAEMON_STORE_SQLITE_LEASE_STORE_H_
#define FLOATLM_DAEMON_STORE_SQLITE_LEASE_STORE_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/lease_store.h"
#include "store/sqlite_handle.h"
#include "store/wal_syncer.h"

namespace floatlm::store {

struct SqliteStoreOptions {
  enum class Durability { kNormal, kFull };
  enum class OpenCheck { kQuick, kFull };  // PRAGMA quick_check or integrity_check

  std::string state_dir;  // must exist and be writable; the store does not create it
  Durability durability = Durability::kNormal;
  // kQuick checks the tables a restart reads (leases, cloud slots, assignments, meta), so
  // its cost follows the number of leases, not the length of the usage journal; kFull
  // runs integrity_check over the whole file, journal included, and takes seconds for a
  // journal of millions of rows.
  OpenCheck open_check = OpenCheck::kQuick;
  std::chrono::milliseconds busy_timeout{5000};  // wait for another process's lock
  // How often the store's thread looks whether a checkpoint is due (10,000 frames); it
  // then syncs the WAL without the connection and checkpoints with it. 0 = no thread:
  // SQLite syncs and checkpoints inside the commits, as it does by default.
  std::chrono::milliseconds checkpoint_interval{50};
};

class SqliteLeaseStore final : public LeaseStore {
 public:
  static constexpr const char* kFileName = "floatlm.db";

  // Opens or creates the database and brings its schema up to date. On success *out
  // owns the store; on failure *out is left empty and the file is untouched beyond
  // what SQLite needs to read it.
  static Status Open(const SqliteStoreOptions& options, std::unique_ptr<SqliteLeaseStore>* out);

  static int SchemaVersion();  // the user_version this build writes

  ~SqliteLeaseStore() override;

  Status Load(StoredState* out) override;
  Status Commit(const Batch& batch) override;
  // kDeferred while the store's thread checkpoints (see above).
  Status TryCommit(const Batch& batch) override;
  // Slices of kScanSlice rows, each under the connection's lock (its own read
  // transaction), resumed after the last key read; entries appended after the scan
  // began (a seq at or above the next one then) are left out.
  Status ScanJournal(UnixMillis from, UnixMillis to, const JournalSink& sink,
                     const AdminWork& work) override;
  static constexpr std::size_t kScanSlice = 1000;
  // One transaction of its own per call; the journal's B-tree order makes the oldest
  // entries the first pages, so a slice costs about its number of rows.
  Status PruneJournal(UnixMillis before, std::size_t max_entries, std::size_t* removed) override;

  const std::string& path() const { return path_; }
  // WAL syncs and checkpoints the store's thread ran so far (0 without it).
  std::uint64_t wal_syncs() const { return wal_syncer_ ? wal_syncer_->syncs() : 0; }
  std::uint64_t checkpoints() const { return checkpoints_.load(); }
  // Frames in the WAL that make the store's thread checkpoint.
  static constexpr int kCheckpointFrames = 10'000;

  // The digests live in their own table, replaced in one transaction of their own.
  Status LoadSignatureDigests(std::vector<std::string>* out) override;
  Status ReplaceSignatureDigests(const std::vector<std::string>& digests) override;

  // Copies the whole database, as committed (what sits in the WAL included), with
  // SQLite's online backup into one self-contained file: a daemon whose floatlm.db it
  // becomes opens it as its own. It is written as `path`.partial, synced, renamed, and
  // the directory synced. The copy runs in steps of kBackupStepPages pages, each under
  // the connection's lock; commits made between steps reach the copy too (SQLite updates
  // a backup in progress from its source connection), so it finishes under any load.
  Status WriteBackup(const std::string& path, const AdminWork& work, BackupInfo* info) override;
  static constexpr int kBackupStepPages = 256;
  // A checkpoint of the store's thread that failed (it tries again on its next pass).
  std::string TakeUpkeepProblem() override;

 private:
  SqliteLeaseStore(sqlite::DbPtr db, std::string path);
  int PrepareAll();
  Status CountOpen();  // bumps meta 'journal_opens' and sets next_seq_ from it
  Status ApplyBatch(const Batch& batch);
  Status CommitLocked(const Batch& batch);  // db_mu_ held
  Status ReadJournalRow(sqlite::Statement& st, JournalEntry* out) const;
  Status CopyPages(const std::string& path, const AdminWork& work, std::uint64_t* pages);
  // db_mu_ for the owner's calls: admin work between its slices lets the owner in first.
  std::unique_lock<std::mutex> LockForOwner();
  // Admin work, between slices: waits (briefly) while the owner wants the connection.
  void YieldToOwner() const;
  // The WAL hook (sqlite3_wal_hook): records the WAL's frame count after each commit,
  // and replaces SQLite's own checkpoint-on-commit.
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int frames);
  void CheckpointIfDue(WalSyncer& syncer);  // the WalSyncer thread
  Status Fail(int rc, std::string_view what) const;
  Status Deferred() const;  // kDeferred, naming the file

  sqlite::DbPtr db_;  // declared first: destroyed after the statements below
  std::string path_;
  // The connection and every statement: held by each method (the event loop) and by the
  // checkpoint (the WalSyncer thread); no two threads use the connection at once.
  std::mutex db_mu_;
  // The owner waits for db_mu_, or retries a deferred commit soon: admin work yields.
  std::atomic<bool> owner_waiting_{false};
  std::atomic<int> wal_frames_{0};  // written by OnWalCommit, read by the thread
  std::atomic<std::uint64_t> checkpoints_{0};
  // The last failed checkpoint, not yet taken; its own lock, so that the loop's once-a-
  // second look never waits for a checkpoint.
  std::mutex problem_mu_;
  std::string upkeep_problem_;             // guarded by problem_mu_
  std::unique_ptr<WalSyncer> wal_syncer_;  // stopped first, in the destructor
  std::uint64_t known_high_ = 0;           // the lease id mark as stored (a floor: 0 before Load)
  // The journal's seq for the next entry: this open's number (meta 'journal_opens') in
  // the bits above kSeqBits, a counter below. Unique in the file and rising in commit
  // order within a run, without reading the journal at open.
  static constexpr int kSeqBits = 40;
  std::int64_t next_seq_ = 0;

  sqlite::Statement begin_;
  sqlite::Statement commit_;
  sqlite::Statement rollback_;
  sqlite::Statement upsert_lease_;
  sqlite::Statement delete_lease_;
  sqlite::Statement add_slot_;
  sqlite::Statement remove_slot_;
  sqlite::Statement add_assignment_;
  sqlite::Statement remove_assignment_;
  sqlite::Statement append_journal_;
  sqlite::Statement raise_high_water_;
  sqlite::Statement select_leases_;
  sqlite::Statement count_leases_;
  sqlite::Statement select_slots_;
  sqlite::Statement select_assignments_;
  sqlite::Statement select_high_water_;
  sqlite::Statement scan_journal_;
  sqlite::Statement prune_journal_;
};

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_SQLITE_LEASE_STORE_H_
