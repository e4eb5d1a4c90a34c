#include "store/sqlite_lease_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <thread>
#include <utility>

#include "store/sqlite_schema.h"

namespace floatlm::store {
namespace {

using sqlite::Statement;

constexpr std::string_view kDamagedAdvice =
    "; floatlmd does not overwrite a damaged database: stop it, move the file aside (keep it "
    "for inspection) and restore a backup, or start with an empty state directory, which "
    "drops every persisted lease, cloud slot and assignment";

Status StateDirError(std::string message) {
  return Status::Error(Status::Code::kIoError, std::move(message));
}

// Checked before SQLite runs so the message names the directory, not only the file
// SQLite could not create.
Status CheckStateDir(const std::string& dir) {
  if (dir.empty()) return StateDirError("no state directory given");
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return StateDirError(fmt::format(
          "state directory {} does not exist; create it, owned by the daemon's user", dir));
    }
    return StateDirError(
        fmt::format("cannot access state directory {}: {}", dir, std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return StateDirError(fmt::format("state directory {} is not a directory", dir));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return StateDirError(fmt::format("state directory {} is not writable by this user: {}", dir,
                                     std::strerror(errno)));
  }
  return Status::Ok();
}

Status WithAdvice(Status status) {
  if (status.code() == Status::Code::kBusy) {
    return Status::Error(status.code(),
                         status.message() +
                             "; another floatlmd, or a tool such as the sqlite3 shell, has this "
                             "state database open: each daemon needs its own state directory");
  }
  if (status.code() != Status::Code::kCorruption) return status;
  return Status::Error(status.code(), status.message() + std::string(kDamagedAdvice));
}

// The tables a restart reads. The journal is not among them: it only grows, and checking
// it at every start would make start-up as slow as the site's history is long. A damaged
// journal page shows up, naming the file, when `floatlm report` or an append reads it.
constexpr std::array<std::string_view, 5> kStateTables = {"meta", "leases", "cloud_slots",
                                                          "assignments", "verified_signatures"};

// Runs one check pragma; appends what it reports other than "ok" to *problems.
int RunCheck(sqlite3* db, const std::string& sql, std::vector<std::string>* problems) {
  Statement stmt;
  int rc = stmt.Prepare(db, sql);
  if (rc != SQLITE_OK) return rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    if (std::string row = stmt.ColumnText(0); row != "ok") problems->push_back(std::move(row));
  }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

Status CheckIntegrity(sqlite3* db, const std::string& path, SqliteStoreOptions::OpenCheck check) {
  const std::string_view what = "integrity check on open";
  std::vector<std::string> problems;
  int rc = SQLITE_OK;
  if (check == SqliteStoreOptions::OpenCheck::kFull) {
    rc = RunCheck(db, "PRAGMA integrity_check(5)", &problems);
  } else {
    // Reading the schema already fails on a file with a garbage header ("file is not a
    // database"). A table not there yet (a new file) has nothing to check.
    std::vector<std::string> present;
    Statement tables;
    rc = tables.Prepare(db, "SELECT name FROM sqlite_schema WHERE type = 'table'");
    if (rc == SQLITE_OK) {
      while ((rc = tables.Step()) == SQLITE_ROW) {
        std::string name = tables.ColumnText(0);
        if (std::find(kStateTables.begin(), kStateTables.end(), name) != kStateTables.end()) {
          present.push_back(std::move(name));
        }
      }
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    for (const std::string& table : present) {
      if (rc != SQLITE_OK || problems.size() >= 5) break;
      rc = RunCheck(db, fmt::format("PRAGMA quick_check(\"{}\")", table), &problems);
    }
  }
  if (rc != SQLITE_OK) return WithAdvice(sqlite::Error(db, rc, path, what));
  if (problems.empty()) return Status::Ok();
  std::string list;
  for (const std::string& problem : problems) list += (list.empty() ? "" : "; ") + problem;
  return WithAdvice(Status::Error(
      Status::Code::kCorruption,
      fmt::format("{}: database disk image is malformed ({}: {})", path, what, list)));
}

Status SetPragmas(sqlite3* db, const std::string& path, const SqliteStoreOptions& options) {
  Statement wal;
  int rc = wal.Prepare(db, "PRAGMA journal_mode = WAL");
  if (rc == SQLITE_OK) rc = wal.Step();
  if (rc != SQLITE_ROW) return sqlite::Error(db, rc, path, "switching to WAL mode");
  // Some file systems (network mounts) cannot do WAL; SQLite then keeps the old mode.
  if (const std::string mode = wal.ColumnText(0); mode != "wal") {
    return Status::Error(Status::Code::kIoError,
                         fmt::format("{}: cannot use WAL journal mode (got '{}'); put the state "
                                     "directory on a local file system",
                                     path, mode));
  }
  const char* sync = options.durability == SqliteStoreOptions::Durability::kFull
                         ? "PRAGMA synchronous = FULL"
                         : "PRAGMA synchronous = NORMAL";
  if (Status s = sqlite::Exec(db, sync, path, "setting synchronous"); !s.ok()) return s;
  // A checkpoint syncs the WAL, copies its pages into the database and syncs that, inside
  // whichever commit triggers it. Unaided, the WAL sync carries every frame since the last
  // checkpoint (25-30 ms for 10,000 frames on the bench machine, BENCHMARKS.md); the
  // store's WalSyncer writes them out in the background beforehand, which leaves the copy
  // and the database sync (3-7 ms). That remainder hardly depends on the frame count (the
  // same pages are rewritten over and over, and one sync costs what it costs), so a
  // checkpoint every 10,000 frames stalls the loop ten times less often than SQLite's
  // default of 1,000 for about the same time each. The WAL is cut back to 64 MiB after one.
  // With the store's thread (checkpoint_interval) that thread runs them instead, at the same
  // mark, off the event loop; this pragma then only applies without it.
  if (Status s = sqlite::Exec(db, "PRAGMA wal_autocheckpoint = 10000", path,
                              "setting the checkpoint interval");
      !s.ok()) {
    return s;
  }
  return sqlite::Exec(db, "PRAGMA journal_size_limit = 67108864", path, "limiting the WAL size");
}

}  // namespace

int SqliteLeaseStore::SchemaVersion() { return sqlite::LatestSchemaVersion(); }

SqliteLeaseStore::SqliteLeaseStore(sqlite::DbPtr db, std::string path)
    : db_(std::move(db)), path_(std::move(path)) {}

Status SqliteLeaseStore::Open(const SqliteStoreOptions& options,
                              std::unique_ptr<SqliteLeaseStore>* out) {
  out->reset();
  if (Status s = CheckStateDir(options.state_dir); !s.ok()) return s;
  std::string dir = options.state_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string path = dir + "/" + kFileName;

  // The file holds every lease's reattach token: owner-only from its first byte, whatever
  // the umask (SQLite would create it with the umask's mode, and gives its -wal and -shm
  // files the database's mode). A file left by an earlier release loses the bits of others.
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      fd >= 0) {
    ::close(fd);
  }
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    struct stat st {};
    if (::lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() &&
        (st.st_mode & 0137) != 0) {
      ::chmod(file.c_str(), st.st_mode & 0640);
    }
  }
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  sqlite::DbPtr db(raw);  // SQLite hands out a handle even on failure; this frees it
  if (rc != SQLITE_OK) {
    return sqlite::Error(db.get(), rc, path,
                         fmt::format("opening; state directory {} must be writable", dir));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
  // SQLite silently falls back to read-only when the file is not writable; every
  // later commit would then fail, so say it now.
  if (sqlite3_db_readonly(db.get(), "main") == 1) {
    return Status::Error(Status::Code::kIoError,
                         fmt::format("{}: attempt to write a readonly database (the file is "
                                     "not writable by this user)",
                                     path));
  }
  // floatlmd is the database's only user: it takes the file lock on first access and
  // keeps it. Commits then need no lock calls, the WAL index lives in memory rather than
  // in a -shm file, and a second floatlmd (or a tool writing the file) is refused with
  // "database is locked" instead of racing the first. Set before the first read.
  if (Status s = sqlite::Exec(db.get(), "PRAGMA locking_mode = EXCLUSIVE", path,
                              "setting exclusive locking");
      !s.ok()) {
    return s;
  }
  if (Status s = CheckIntegrity(db.get(), path, options.open_check); !s.ok()) return s;
  if (Status s = SetPragmas(db.get(), path, options); !s.ok()) return s;
  if (Status s = sqlite::Migrate(db.get(), path); !s.ok()) return s;

  std::unique_ptr<SqliteLeaseStore> store(new SqliteLeaseStore(std::move(db), path));
  if (int prc = store->PrepareAll(); prc != SQLITE_OK) {
    return store->Fail(prc, "preparing statements");
  }
  if (Status s = store->CountOpen(); !s.ok()) return s;
  if (options.checkpoint_interval.count() > 0) {
    // From here on the store's thread checkpoints, not the commits (sqlite_lease_store.h).
    sqlite3_wal_hook(store->db_.get(), &SqliteLeaseStore::OnWalCommit, store.get());
    SqliteLeaseStore* self = store.get();
    // The WAL is synced only before a checkpoint, as SQLite would: syncing it more often
    // slowed the commits made meanwhile (the round trip's p99, BENCHMARKS.md).
    store->wal_syncer_ =
        std::make_unique<WalSyncer>(path + "-wal", options.checkpoint_interval,
                                    [self](WalSyncer& syncer) { self->CheckpointIfDue(syncer); });
  }
  *out = std::move(store);
  return Status::Ok();
}

Status SqliteLeaseStore::CountOpen() {
  sqlite3* db = db_.get();
  if (Status s = sqlite::Exec(db,
                              "INSERT INTO meta (key, value) VALUES ('journal_opens', 1) "
                              "ON CONFLICT (key) DO UPDATE SET value = value + 1",
                              path_, "counting opens");
      !s.ok()) {
    return WithAdvice(s);
  }
  sqlite::Statement read;
  int rc = read.Prepare(db, "SELECT value FROM meta WHERE key = 'journal_opens'");
  if (rc == SQLITE_OK) rc = read.Step();
  if (rc != SQLITE_ROW) return Fail(rc, "counting opens");
  const std::int64_t opens = read.ColumnInt(0);
  // 2^23 opens of 2^40 entries each before the sign bit: neither is within reach.
  if (opens <= 0 || opens >= (std::int64_t{1} << (63 - kSeqBits))) {
    return Status::Error(Status::Code::kCorruption,
                         fmt::format("{}: meta journal_opens is {}, out of range", path_, opens));
  }
  next_seq_ = opens << kSeqBits;
  return Status::Ok();
}

int SqliteLeaseStore::PrepareAll() {
  sqlite3* db = db_.get();
  const std::pair<Statement*, std::string_view> statements[] = {
      {&begin_, "BEGIN IMMEDIATE"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
      {&upsert_lease_,
       "INSERT OR REPLACE INTO leases (id, token_digest, pool_key, feature, version, user, host, "
       "display, peer, client_pid, app, since_ms, seat, shared, products, dup_group, seats) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"},
      {&delete_lease_, "DELETE FROM leases WHERE id = ?1"},
      {&add_slot_,
       "INSERT INTO cloud_slots (collection, user, since_ms, last_used_ms) "
       "VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT DO UPDATE SET last_used_ms = max(last_used_ms, excluded.last_used_ms)"},
      {&remove_slot_, "DELETE FROM cloud_slots WHERE collection = ?1 AND user = ?2"},
      {&add_assignment_,
       "INSERT INTO assignments (pool_key, user, since_ms) VALUES (?1, ?2, ?3) "
       "ON CONFLICT DO NOTHING"},
      {&remove_assignment_, "DELETE FROM assignments WHERE pool_key = ?1 AND user = ?2"},
      {&append_journal_,
       "INSERT INTO journal (time_ms, event, user, host, display, peer, feature, version, "
       "pool, lease_id, reason, detail, seq, count, seats) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"},
      {&raise_high_water_,
       "INSERT INTO meta (key, value) VALUES ('highest_lease_id', ?1) "
       "ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)"},
      {&select_leases_,
       "SELECT id, token_digest, pool_key, feature, version, user, host, display, peer, "
       "client_pid, "
       "app, since_ms, seat, shared, products, dup_group, seats FROM leases ORDER BY id"},
      {&count_leases_, "SELECT count(*) FROM leases"},
      {&select_slots_,
       "SELECT collection, user, since_ms, last_used_ms FROM cloud_slots "
       "ORDER BY collection, user"},
      {&select_assignments_,
       "SELECT pool_key, user, since_ms FROM assignments ORDER BY pool_key, user"},
      {&select_high_water_, "SELECT value FROM meta WHERE key = 'highest_lease_id'"},
      {&scan_journal_,
       "SELECT seq, time_ms, event, user, host, display, peer, feature, version, pool, "
       "lease_id, reason, detail, count, seats FROM journal "
       "WHERE (time_ms, seq) > (?1, ?2) AND time_ms < ?3 AND seq < ?4 "
       "ORDER BY time_ms, seq LIMIT ?5"},
      {&prune_journal_,
       "DELETE FROM journal WHERE (time_ms, seq) IN (SELECT time_ms, seq FROM journal "
       "WHERE time_ms < ?1 ORDER BY time_ms, seq LIMIT ?2)"},
  };
  for (const auto& [stmt, sql] : statements) {
    if (int rc = stmt->Prepare(db, sql); rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

Status SqliteLeaseStore::Fail(int rc, std::string_view what) const {
  return WithAdvice(sqlite::Error(db_.get(), rc, path_, what));
}

SqliteLeaseStore::~SqliteLeaseStore() {
  wal_syncer_.reset();  // its thread may be in a checkpoint: done before anything closes
}

int SqliteLeaseStore::OnWalCommit(void* self, sqlite3*, const char*, int frames) {
  static_cast<SqliteLeaseStore*>(self)->wal_frames_.store(frames, std::memory_order_relaxed);
  return SQLITE_OK;
}

void SqliteLeaseStore::CheckpointIfDue(WalSyncer& syncer) {
  if (wal_frames_.load(std::memory_order_relaxed) < kCheckpointFrames) return;
  // The long part first, while commits go on: the frames to disk. Then the copy into the
  // database and its sync, with the connection (commits are deferred meanwhile).
  syncer.SyncNow();
  std::lock_guard lk(db_mu_);
  // PASSIVE: copies what it can and never waits for anyone; with this connection the
  // only user of the file (exclusive locking mode) that is every frame. A failure is
  // reported (TakeUpkeepProblem) and tried again on the next pass.
  int log_frames = 0, copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(db_.get(), "main", SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
  if (rc == SQLITE_OK) {
    wal_frames_.store(0, std::memory_order_relaxed);
    checkpoints_.fetch_add(1);
    return;
  }
  std::string problem =
      fmt::format("{}; the WAL ({} frames) keeps growing until a checkpoint succeeds",
                  Fail(rc, "checkpointing the WAL on the store's thread").message(), log_frames);
  std::lock_guard plk(problem_mu_);
  upkeep_problem_ = std::move(problem);
}

std::string SqliteLeaseStore::TakeUpkeepProblem() {
  std::lock_guard lk(problem_mu_);
  return std::exchange(upkeep_problem_, {});
}

Status SqliteLeaseStore::Commit(const Batch& batch) {
  auto lk = LockForOwner();
  return CommitLocked(batch);
}

Status SqliteLeaseStore::Deferred() const {
  return Status::Error(Status::Code::kDeferred,
                       path_ + ": busy (a checkpoint of the WAL, or a slice of admin work)");
}

Status SqliteLeaseStore::TryCommit(const Batch& batch) {
  std::unique_lock lk(db_mu_, std::try_to_lock);
  if (!lk.owns_lock()) {
    owner_waiting_.store(true, std::memory_order_relaxed);  // cleared by the retry
    return Deferred();
  }
  owner_waiting_.store(false, std::memory_order_relaxed);
  return CommitLocked(batch);
}

Status SqliteLeaseStore::CommitLocked(const Batch& batch) {
  if (batch.empty()) return Status::Ok();
  if (int rc = begin_.Run(); rc != SQLITE_OK) return Fail(rc, "beginning a commit");
  Status s = ApplyBatch(batch);
  if (s.ok()) {
    if (int rc = commit_.Run(); rc != SQLITE_OK) s = Fail(rc, "committing a batch");
  }
  if (s.ok()) {
    for (const LeaseRecord& lease : batch.upsert_leases) {
      known_high_ = std::max(known_high_, lease.id);
    }
    known_high_ = std::max(known_high_, batch.highest_lease_id);
  }
  // A failed COMMIT (e.g. SQLITE_BUSY) can leave the transaction open: close it so the
  // next batch starts clean and none of this one is applied later by accident.
  if (!s.ok() && sqlite3_get_autocommit(db_.get()) == 0) rollback_.Run();
  return s;
}

Status SqliteLeaseStore::ApplyBatch(const Batch& batch) {
  const auto refused = [this](const Status& s) {
    return Status::Error(
        s.code(), fmt::format("{}: {} (batch refused, nothing written)", path_, s.message()));
  };
  std::uint64_t high = batch.highest_lease_id;
  for (const LeaseRecord& lease : batch.upsert_leases) {
    if (Status s = CheckLease(lease); !s.ok()) return refused(s);
    Statement& st = upsert_lease_;
    st.BindUint(1, lease.id);
    st.BindBlob(2, std::string_view(reinterpret_cast<const char*>(lease.token_digest.data()),
                                    lease.token_digest.size()));
    st.BindText(3, lease.pool_key);
    st.BindText(4, lease.feature);
    st.BindText(5, lease.version);
    st.BindText(6, lease.user);
    st.BindText(7, lease.host);
    st.BindText(8, lease.display);
    st.BindText(9, lease.peer);
    st.BindInt(10, lease.client_pid);
    st.BindText(11, lease.app);
    st.BindInt(12, lease.since);
    st.BindInt(13, lease.seat);
    st.BindInt(14, lease.shared ? 1 : 0);
    const std::string products = JoinProducts(lease.products);
    st.BindText(15, products);
    st.BindText(16, lease.dup_group);
    st.BindUint(17, lease.seats);
    if (int rc = st.Run(); rc != SQLITE_OK)
      return Fail(rc, fmt::format("writing lease {}", lease.id));
    high = std::max(high, lease.id);
  }
  for (std::uint64_t id : batch.delete_leases) {
    delete_lease_.BindUint(1, id);
    if (int rc = delete_lease_.Run(); rc != SQLITE_OK) {
      return Fail(rc, fmt::format("deleting lease {}", id));
    }
  }
  const auto keyed = [this](Statement& st, const std::string& a, const std::string& b,
                            const UnixMillis* since, std::string_view what) {
    st.BindText(1, a);
    st.BindText(2, b);
    if (since != nullptr) st.BindInt(3, *since);
    if (int rc = st.Run(); rc != SQLITE_OK) return Fail(rc, fmt::format("{} {}/{}", what, a, b));
    return Status::Ok();
  };
  for (const CloudSlot& slot : batch.add_slots) {
    add_slot_.BindInt(4, slot.last_used);
    if (Status s = keyed(add_slot_, slot.collection, slot.user, &slot.since, "adding cloud slot");
        !s.ok()) {
      return s;
    }
  }
  for (const CloudSlot& slot : batch.remove_slots) {
    if (Status s = keyed(remove_slot_, slot.collection, slot.user, nullptr, "removing cloud slot");
        !s.ok()) {
      return s;
    }
  }
  for (const Assignment& a : batch.add_assignments) {
    if (Status s = keyed(add_assignment_, a.pool_key, a.user, &a.since, "adding assignment");
        !s.ok()) {
      return s;
    }
  }
  for (const Assignment& a : batch.remove_assignments) {
    if (Status s = keyed(remove_assignment_, a.pool_key, a.user, nullptr, "removing assignment");
        !s.ok()) {
      return s;
    }
  }
  for (const JournalEntry& e : batch.journal) {
    if (Status s = CheckJournalEntry(e); !s.ok()) return refused(s);
    Statement& st = append_journal_;
    st.BindInt(1, e.time);
    st.BindText(2, JournalEventName(e.event));
    st.BindText(3, e.user);
    st.BindText(4, e.host);
    st.BindText(5, e.display);
    st.BindText(6, e.peer);
    st.BindText(7, e.feature);
    st.BindText(8, e.version);
    st.BindText(9, e.pool);
    st.BindUint(10, e.lease_id);
    st.BindText(11, e.reason);
    st.BindText(12, e.detail);
    st.BindInt(13, next_seq_++);
    st.BindUint(14, e.count);
    st.BindUint(15, e.seats);
    if (int rc = st.Run(); rc != SQLITE_OK) return Fail(rc, "appending to the journal");
  }
  // Most batches issue ids below the mark already stored (the server reserves ids in
  // blocks): writing it again would cost a page per commit for nothing.
  if (high > known_high_) {
    raise_high_water_.BindUint(1, high);
    if (int rc = raise_high_water_.Run(); rc != SQLITE_OK) {
      return Fail(rc, "raising the lease id mark");
    }
  }
  return Status::Ok();
}

Status SqliteLeaseStore::Load(StoredState* out) {
  auto lk = LockForOwner();
  StoredState state;
  // One read transaction: every table from the same snapshot.
  Status s = sqlite::Exec(db_.get(), "BEGIN", path_, "loading");
  int rc = SQLITE_OK;
  if (s.ok()) {
    // Sized once: a restart may read 100,000 leases, and growing the vector as it goes
    // moves every record several times into freshly faulted memory.
    if ((rc = count_leases_.Step()) == SQLITE_ROW) {
      state.leases.reserve(static_cast<std::size_t>(count_leases_.ColumnInt(0)));
    }
    count_leases_.Reset();
    while ((rc = select_leases_.Step()) == SQLITE_ROW) {
      Statement& st = select_leases_;
      LeaseRecord lease;
      lease.id = st.ColumnUint(0);
      if (const std::string digest = st.ColumnBlob(1); digest.size() == lease.token_digest.size()) {
        std::memcpy(lease.token_digest.data(), digest.data(), digest.size());
      }
      lease.pool_key = st.ColumnText(2);
      lease.feature = st.ColumnText(3);
      lease.version = st.ColumnText(4);
      lease.user = st.ColumnText(5);
      lease.host = st.ColumnText(6);
      lease.display = st.ColumnText(7);
      lease.peer = st.ColumnText(8);
      lease.client_pid = st.ColumnInt(9);
      lease.app = st.ColumnText(10);
      lease.since = st.ColumnInt(11);
      lease.seat = static_cast<std::uint32_t>(st.ColumnInt(12));
      lease.shared = st.ColumnInt(13) != 0;
      lease.products = SplitProducts(st.ColumnText(14));
      lease.dup_group = st.ColumnText(15);
      lease.seats = static_cast<std::uint32_t>(st.ColumnUint(16));
      state.leases.push_back(std::move(lease));
    }
    if (rc != SQLITE_DONE) s = Fail(rc, "loading leases");
    select_leases_.Reset();
  }
  if (s.ok()) {
    while ((rc = select_slots_.Step()) == SQLITE_ROW) {
      state.cloud_slots.push_back(CloudSlot{select_slots_.ColumnText(0),
                                            select_slots_.ColumnText(1), select_slots_.ColumnInt(2),
                                            select_slots_.ColumnInt(3)});
    }
    if (rc != SQLITE_DONE) s = Fail(rc, "loading cloud slots");
    select_slots_.Reset();
  }
  if (s.ok()) {
    while ((rc = select_assignments_.Step()) == SQLITE_ROW) {
      state.assignments.push_back(Assignment{select_assignments_.ColumnText(0),
                                             select_assignments_.ColumnText(1),
                                             select_assignments_.ColumnInt(2)});
    }
    if (rc != SQLITE_DONE) s = Fail(rc, "loading assignments");
    select_assignments_.Reset();
  }
  if (s.ok()) {
    rc = select_high_water_.Step();
    if (rc == SQLITE_ROW) {
      state.highest_lease_id = select_high_water_.ColumnUint(0);
      known_high_ = std::max(known_high_, state.highest_lease_id);
    } else if (rc != SQLITE_DONE) {
      s = Fail(rc, "loading the lease id mark");
    }
    select_high_water_.Reset();
  }
  if (sqlite3_get_autocommit(db_.get()) == 0) commit_.Run();  // read-only: ends the snapshot
  if (s.ok()) *out = std::move(state);
  return s;
}

Status SqliteLeaseStore::PruneJournal(UnixMillis before, std::size_t max_entries,
                                      std::size_t* removed) {
  *removed = 0;
  if (max_entries == 0) return Status::Ok();
  std::unique_lock lk(db_mu_, std::try_to_lock);  // housekeeping: never waits for one
  if (!lk.owns_lock()) return Deferred();
  Statement& st = prune_journal_;
  st.BindInt(1, before);
  st.BindUint(2, max_entries);
  const int rc = st.Run();
  if (rc != SQLITE_OK) return Fail(rc, "pruning the journal");
  *removed = static_cast<std::size_t>(sqlite3_changes(db_.get()));
  return Status::Ok();
}

Status SqliteLeaseStore::ReadJournalRow(Statement& st, JournalEntry* out) const {
  JournalEntry e;
  e.time = st.ColumnInt(1);
  const std::string event = st.ColumnText(2);
  const std::optional<JournalEvent> parsed = ParseJournalEvent(event);
  if (!parsed) {
    return Status::Error(
        Status::Code::kCorruption,
        fmt::format("{}: journal row {} has unknown event '{}'", path_, st.ColumnInt(0), event));
  }
  e.event = *parsed;
  e.user = st.ColumnText(3);
  e.host = st.ColumnText(4);
  e.display = st.ColumnText(5);
  e.peer = st.ColumnText(6);
  e.feature = st.ColumnText(7);
  e.version = st.ColumnText(8);
  e.pool = st.ColumnText(9);
  e.lease_id = st.ColumnUint(10);
  e.reason = st.ColumnText(11);
  e.detail = st.ColumnText(12);
  const std::uint64_t count = st.ColumnUint(13);
  if (count == 0 || count > UINT32_MAX) {
    return Status::Error(
        Status::Code::kCorruption,
        fmt::format("{}: journal row {} counts {} events", path_, st.ColumnInt(0), count));
  }
  e.count = static_cast<std::uint32_t>(count);
  const std::uint64_t seats = st.ColumnUint(14);
  if (seats == 0 || seats > UINT32_MAX) {
    return Status::Error(
        Status::Code::kCorruption,
        fmt::format("{}: journal row {} stands for {} seats", path_, st.ColumnInt(0), seats));
  }
  e.seats = static_cast<std::uint32_t>(seats);
  *out = std::move(e);
  return Status::Ok();
}

Status SqliteLeaseStore::ScanJournal(UnixMillis from, UnixMillis to, const JournalSink& sink,
                                     const AdminWork& work) {
  // Where the previous slice ended, as the journal's key (time_ms, seq); the first
  // slice starts before every seq at `from`.
  UnixMillis after_time = from;
  std::int64_t after_seq = std::numeric_limits<std::int64_t>::min();
  std::int64_t snapshot = 0;  // entries from here on were committed after the scan began
  {
    std::lock_guard lk(db_mu_);
    snapshot = next_seq_;
  }
  std::vector<JournalEntry> slice;
  std::uint64_t done = 0;
  for (;;) {
    if (work.cancelled()) {
      return Status::Error(Status::Code::kCancelled, path_ + ": journal scan cancelled");
    }
    slice.clear();
    {
      std::lock_guard lk(db_mu_);
      Statement& st = scan_journal_;
      st.BindInt(1, after_time);
      st.BindInt(2, after_seq);
      st.BindInt(3, to);
      st.BindInt(4, snapshot);
      st.BindUint(5, kScanSlice);
      int rc = SQLITE_OK;
      Status s;
      while ((rc = st.Step()) == SQLITE_ROW) {
        JournalEntry e;
        s = ReadJournalRow(st, &e);
        if (!s.ok()) break;
        after_time = e.time;
        after_seq = st.ColumnInt(0);
        slice.push_back(std::move(e));
      }
      if (s.ok() && rc != SQLITE_DONE) s = Fail(rc, "reading the journal");
      st.Reset();
      if (!s.ok()) return s;
    }
    for (JournalEntry& e : slice) sink(e);
    done += slice.size();
    if (work.progress) work.progress(done, 0);
    if (slice.size() < kScanSlice) return Status::Ok();
    YieldToOwner();
  }
}

std::unique_lock<std::mutex> SqliteLeaseStore::LockForOwner() {
  owner_waiting_.store(true, std::memory_order_relaxed);
  std::unique_lock lk(db_mu_);
  owner_waiting_.store(false, std::memory_order_relaxed);
  return lk;
}

void SqliteLeaseStore::YieldToOwner() const {
  // A commit the owner could not make (TryCommit deferred) is retried within about a
  // millisecond: let it in before the next slice, waiting 5 ms at most.
  for (int i = 0; i < 50 && owner_waiting_.load(std::memory_order_relaxed); ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

}  // namespace floatlm::store
