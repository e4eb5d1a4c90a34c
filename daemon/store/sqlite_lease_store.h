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
// Not thread-safe: one event loop owns the store (a WalSyncer thread of its own only
// syncs the WAL file). Statements are prepared once and
// reused, so a batch costs one transaction plus one step per record.
#ifndef FLOATLM_DAEMON_STORE_SQLITE_LEASE_STORE_H_
#define FLOATLM_DAEMON_STORE_SQLITE_LEASE_STORE_H_

#include <chrono>
#include <memory>
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
  // How often a background thread writes new WAL frames to disk (wal_syncer.h), so that
  // checkpoints on the event loop stay short; 0 = never (SQLite's own behaviour).
  std::chrono::milliseconds wal_sync_interval{50};
};

class SqliteLeaseStore final : public LeaseStore {
 public:
  static constexpr const char* kFileName = "floatlm.db";

  // Opens or creates the database and brings its schema up to date. On success *out
  // owns the store; on failure *out is left empty and the file is untouched beyond
  // what SQLite needs to read it.
  static Status Open(const SqliteStoreOptions& options, std::unique_ptr<SqliteLeaseStore>* out);

  static int SchemaVersion();  // the user_version this build writes

  Status Load(StoredState* out) override;
  Status Commit(const Batch& batch) override;
  Status ReadJournal(UnixMillis from, UnixMillis to, std::vector<JournalEntry>* out) override;
  // One transaction of its own per call; the journal's B-tree order makes the oldest
  // entries the first pages, so a slice costs about its number of rows.
  Status PruneJournal(UnixMillis before, std::size_t max_entries, std::size_t* removed) override;

  const std::string& path() const { return path_; }
  // Passes of the background WAL sync that wrote data so far (0 without one).
  std::uint64_t wal_syncs() const { return wal_syncer_ ? wal_syncer_->syncs() : 0; }

  // The digests live in their own table, replaced in one transaction of their own.
  Status LoadSignatureDigests(std::vector<std::string>* out) override;
  Status ReplaceSignatureDigests(const std::vector<std::string>& digests) override;

  // Copies the whole database, as committed (what sits in the WAL included), with
  // SQLite's online backup into one self-contained file: a daemon whose floatlm.db it
  // becomes opens it as its own. It is written as `path`.partial, synced, renamed, and
  // the directory synced. The copy runs in one step on the caller's thread.
  Status Backup(const std::string& path, BackupInfo* info) override;

 private:
  SqliteLeaseStore(sqlite::DbPtr db, std::string path);
  int PrepareAll();
  Status CountOpen();  // bumps meta 'journal_opens' and sets next_seq_ from it
  Status ApplyBatch(const Batch& batch);
  Status Fail(int rc, std::string_view what) const;

  sqlite::DbPtr db_;  // declared first: destroyed after the statements below
  std::string path_;
  std::unique_ptr<WalSyncer> wal_syncer_;  // stops before db_ closes (and removes the WAL)
  std::uint64_t known_high_ = 0;  // the lease id mark as stored (a floor: 0 before Load)
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
  sqlite::Statement select_journal_;
  sqlite::Statement prune_journal_;
};

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_SQLITE_LEASE_STORE_H_
