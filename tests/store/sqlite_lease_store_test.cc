// What only the SQLite backend promises: the file survives restarts and crashes, the
// schema is versioned, and a bad file or directory is refused with a message naming it.
#include "store/sqlite_lease_store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_schema.h"
#include "store_backends.h"

namespace floatlm::store {
namespace {

using testing::TempDir;

std::string DbPath(const TempDir& dir) { return dir.path() + "/" + SqliteLeaseStore::kFileName; }

Status OpenAt(const std::string& state_dir, std::unique_ptr<SqliteLeaseStore>* out,
              SqliteStoreOptions options = {}) {
  options.state_dir = state_dir;
  return SqliteLeaseStore::Open(options, out);
}

std::unique_ptr<SqliteLeaseStore> MustOpen(const std::string& state_dir,
                                           SqliteStoreOptions options = {}) {
  std::unique_ptr<SqliteLeaseStore> store;
  const Status s = OpenAt(state_dir, &store, options);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  return store;
}

// Reads one integer through a separate raw connection, as an admin's sqlite3 would.
std::int64_t RawInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  BOOST_REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  BOOST_REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const std::int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

std::int64_t RawPragma(const std::string& path, const std::string& pragma) {
  return RawInt(path, "PRAGMA " + pragma);
}

void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  BOOST_REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

LeaseRecord Lease(std::uint64_t id) {
  LeaseRecord lease;
  lease.id = id;
  lease.token_digest = token::Of(id, id * 7919);
  lease.pool_key = "cad/1.0/SN-0001";
  lease.feature = "cad";
  lease.version = "2024.1";
  lease.user = "user" + std::to_string(id % 50);
  lease.host = "ws-" + std::to_string(id % 80);
  lease.display = ":0";
  lease.peer = "192.0.2.1";
  lease.client_pid = static_cast<std::int64_t>(id);
  lease.app = "cad-studio";
  lease.since = 1'710'234'000'000;
  lease.seat = static_cast<std::uint32_t>(id % 1000);
  return lease;
}

JournalEntry Checkout(const LeaseRecord& lease) {
  JournalEntry e;
  e.time = lease.since;
  e.event = JournalEvent::kCheckout;
  e.user = lease.user;
  e.host = lease.host;
  e.feature = lease.feature;
  e.version = lease.version;
  e.pool = lease.pool_key;
  e.lease_id = lease.id;
  return e;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sqlite_lease_store)

BOOST_AUTO_TEST_CASE(reopen_after_close_keeps_data) {
  TempDir dir;
  BOOST_REQUIRE(MustOpen(dir.path())->Commit(Batch{.upsert_leases = {Lease(1)}}).ok());
  StoredState state;
  BOOST_REQUIRE(MustOpen(dir.path())->Load(&state).ok());
  BOOST_REQUIRE_EQUAL(state.leases.size(), 1u);
  BOOST_CHECK(state.leases[0] == Lease(1));
}

// Reattach tokens are in the file: a daemon started by hand (umask 022) still makes it,
// and its -wal and -shm files, owner-only; a file left world-readable loses those bits.
BOOST_AUTO_TEST_CASE(the_state_file_is_owner_only_whatever_the_umask) {
  TempDir dir;
  const mode_t old_mask = ::umask(022);
  {
    auto store = MustOpen(dir.path());
    BOOST_REQUIRE(store->Commit(Batch{.upsert_leases = {Lease(1)}}).ok());
    for (const std::string suffix : {"", "-wal", "-shm"}) {
      struct stat st {};
      if (::stat((DbPath(dir) + suffix).c_str(), &st) != 0) continue;  // checkpointed away
      BOOST_TEST((st.st_mode & 0777) == 0600u, suffix << ": " << std::oct << (st.st_mode & 0777));
    }
  }
  ::chmod(DbPath(dir).c_str(), 0644);
  MustOpen(dir.path());
  struct stat st {};
  BOOST_REQUIRE(::stat(DbPath(dir).c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0640u, std::oct << (st.st_mode & 0777));
  ::umask(old_mask);
}

BOOST_AUTO_TEST_CASE(empty_file_is_migrated_to_the_latest_schema) {
  TempDir dir;
  std::ofstream(DbPath(dir)).close();  // zero bytes, as `touch` leaves it
  MustOpen(dir.path());
  BOOST_TEST(RawPragma(DbPath(dir), "user_version") == SqliteLeaseStore::SchemaVersion());
  BOOST_TEST(RawPragma(DbPath(dir), "application_id") == 0x464C4D31);
  BOOST_TEST(SqliteLeaseStore::SchemaVersion() >= 1);
}

BOOST_AUTO_TEST_CASE(a_version_1_journal_is_carried_over_in_order) {
  TempDir dir;
  // A database as floatlmd 0.1 with schema version 1 left it.
  RawExec(DbPath(dir), std::string(sqlite::Migrations()[0].sql) +
                           "PRAGMA application_id = 1179405617; PRAGMA user_version = 1;");
  BOOST_REQUIRE(RawPragma(DbPath(dir), "user_version") == 1);
  RawExec(DbPath(dir),
          "INSERT INTO journal (time_ms, event, user, host, display, peer, feature, version, "
          "pool, lease_id, reason, detail) VALUES "
          "(2000, 'checkout', 'b', 'h', '', '', 'cad', '1.0', 'p', 2, '', ''), "
          "(1000, 'checkout', 'a', 'h', '', '', 'cad', '1.0', 'p', 1, '', ''), "
          "(2000, 'checkin',  'b', 'h', '', '', 'cad', '1.0', 'p', 2, '', '')");
  auto store = MustOpen(dir.path());
  // New entries at a time the old journal already has come after the old ones.
  JournalEntry later = Checkout(Lease(3));
  later.time = 2000;
  BOOST_REQUIRE(store->Commit(Batch{.journal = {later}}).ok());
  store.reset();
  BOOST_TEST(RawPragma(DbPath(dir), "user_version") == SqliteLeaseStore::SchemaVersion());
  auto reopened = MustOpen(dir.path());  // another open, another range of numbers
  JournalEntry last = Checkout(Lease(4));
  last.time = 2000;
  BOOST_REQUIRE(reopened->Commit(Batch{.journal = {last}}).ok());
  std::vector<JournalEntry> journal;
  BOOST_REQUIRE(reopened->ReadJournal(0, 10'000, &journal).ok());
  std::vector<std::string> order;
  for (const auto& e : journal) {
    order.push_back(std::to_string(e.time) + " " + std::string(JournalEventName(e.event)) + " " +
                    std::to_string(e.lease_id));
  }
  BOOST_TEST(
      order == (std::vector<std::string>{"1000 checkout 1", "2000 checkout 2", "2000 checkin 2",
                                         "2000 checkout 3", "2000 checkout 4"}),
      boost::test_tools::per_element());
}

// A file written before schema version 5 holds raw reattach tokens; opening it replaces
// each by its digest, and afterwards nothing in the file is the token.
BOOST_AUTO_TEST_CASE(a_version_4_file_trades_its_tokens_for_digests) {
  TempDir dir;
  std::string sql;
  for (const auto& m : sqlite::Migrations()) {
    if (m.version <= 4) sql += std::string(m.sql);
  }
  RawExec(DbPath(dir), sql + "PRAGMA application_id = 1179405617; PRAGMA user_version = 4;");
  // -81985529216486896 is the token 0xfedcba9876543210 as SQLite keeps it (signed bits).
  RawExec(DbPath(dir),
          "INSERT INTO leases (id, token, pool_key, feature, version, user, host, display, peer, "
          "client_pid, app, since_ms, seat, shared, products) VALUES "
          "(12, -81985529216486896, 'cad/1.0/SN-0001', 'cad', '1.0', 'zoe', 'ws1', '', '', 1, "
          "'', 1000, 0, 0, '')");
  StoredState state;
  BOOST_REQUIRE(MustOpen(dir.path())->Load(&state).ok());
  BOOST_REQUIRE_EQUAL(state.leases.size(), 1u);
  BOOST_TEST(state.leases[0].id == 12u);
  BOOST_TEST(state.leases[0].user == "zoe");
  BOOST_TEST(state.leases[0].seats == 1u, "a lease from before v6 holds one seat");
  BOOST_TEST((state.leases[0].token_digest == token::Of(12, 0xfedcba9876543210ull)));
  BOOST_TEST(token::Matches(state.leases[0].token_digest, 12, 0xfedcba9876543210ull));
  BOOST_TEST(RawPragma(DbPath(dir), "user_version") == SqliteLeaseStore::SchemaVersion());

  // No column of the leases table is named token, and no integer anywhere in it is the token.
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(DbPath(dir).c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  BOOST_REQUIRE(sqlite3_prepare_v2(db, "SELECT * FROM leases", -1, &stmt, nullptr) == SQLITE_OK);
  BOOST_REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
    BOOST_TEST(std::string(sqlite3_column_name(stmt, i)) != "token");
    if (sqlite3_column_type(stmt, i) == SQLITE_INTEGER) {
      BOOST_TEST(sqlite3_column_int64(stmt, i) != -81985529216486896LL);
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

BOOST_AUTO_TEST_CASE(opens_in_wal_mode_with_the_chosen_durability) {
  TempDir dir;
  SqliteStoreOptions options;
  options.durability = SqliteStoreOptions::Durability::kFull;
  options.open_check = SqliteStoreOptions::OpenCheck::kFull;
  auto store = MustOpen(dir.path(), options);
  BOOST_REQUIRE(store->Commit(Batch{.upsert_leases = {Lease(1)}}).ok());
  BOOST_TEST(std::filesystem::exists(DbPath(dir) + "-wal"));
  // The store keeps the file locked while open; look at it once it is closed.
  store.reset();
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open(DbPath(dir).c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  BOOST_REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr) == SQLITE_OK);
  BOOST_REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  BOOST_TEST(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

BOOST_AUTO_TEST_CASE(newer_schema_version_is_refused_with_a_clear_message) {
  TempDir dir;
  MustOpen(dir.path());
  RawExec(DbPath(dir), "PRAGMA user_version = 999");
  std::unique_ptr<SqliteLeaseStore> store;
  const Status s = OpenAt(dir.path(), &store);
  BOOST_TEST(!s.ok());
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kUnsupportedVersion));
  BOOST_TEST(Contains(s.message(), DbPath(dir)));
  BOOST_TEST(Contains(s.message(), "999"));
  BOOST_TEST(Contains(s.message(), "newer"));
  BOOST_TEST(!store);
  BOOST_TEST_MESSAGE("newer schema: " << s.message());
  BOOST_TEST(RawPragma(DbPath(dir), "user_version") == 999);  // left as it was
}

BOOST_AUTO_TEST_CASE(foreign_database_is_refused) {
  TempDir dir;
  RawExec(DbPath(dir), "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)");
  std::unique_ptr<SqliteLeaseStore> store;
  const Status s = OpenAt(dir.path(), &store);
  BOOST_TEST(!s.ok());
  BOOST_TEST(Contains(s.message(), DbPath(dir)));
  BOOST_TEST(Contains(s.message(), "not a floatlm state database"));
  BOOST_TEST_MESSAGE("foreign: " << s.message());
}

BOOST_AUTO_TEST_CASE(damaged_file_is_refused_naming_it_and_left_in_place) {
  TempDir dir;
  {
    // Enough leases for a multi-page file, so the garbage lands on the lease table.
    auto store = MustOpen(dir.path());
    Batch batch;
    for (std::uint64_t id = 1; id <= 2000; ++id) batch.upsert_leases.push_back(Lease(id));
    BOOST_REQUIRE(store->Commit(batch).ok());
  }  // closing checkpoints the WAL into the main file
  const auto size = std::filesystem::file_size(DbPath(dir));
  BOOST_REQUIRE(size > 64 * 1024);
  {
    std::fstream file(DbPath(dir), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    const std::string garbage(8192, '\xA5');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  std::unique_ptr<SqliteLeaseStore> store;
  const Status s = OpenAt(dir.path(), &store);
  BOOST_TEST(!s.ok());
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kCorruption));
  BOOST_TEST(Contains(s.message(), DbPath(dir)));
  BOOST_TEST_MESSAGE("damaged: " << s.message());
  BOOST_TEST(std::filesystem::file_size(DbPath(dir)) == size);  // not recreated
}

// The open check covers the tables a restart reads, not the ever-growing journal: a
// damaged journal page leaves the leases usable, is reported naming the file when the
// journal is read, and is found by the full check.
BOOST_AUTO_TEST_CASE(damage_confined_to_the_journal_is_found_when_the_journal_is_read) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    Batch batch;
    for (std::uint64_t id = 1; id <= 50; ++id) batch.upsert_leases.push_back(Lease(id));
    for (std::uint64_t id = 1; id <= 3000; ++id) batch.journal.push_back(Checkout(Lease(id)));
    BOOST_REQUIRE(store->Commit(batch).ok());
  }
  long long page = 0;
  long long page_size = 0;
  {
    sqlite3* raw = nullptr;
    BOOST_REQUIRE(sqlite3_open_v2(DbPath(dir).c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) ==
                  SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(raw,
                                     "SELECT pageno, (SELECT page_size FROM pragma_page_size) "
                                     "FROM dbstat WHERE name = 'journal' AND pagetype = 'leaf' "
                                     "ORDER BY pageno LIMIT 1 OFFSET 3",
                                     -1, &st, nullptr) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    page = sqlite3_column_int64(st, 0);
    page_size = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    sqlite3_close(raw);
  }
  {
    std::fstream file(DbPath(dir), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>((page - 1) * page_size));
    const std::string garbage(static_cast<std::size_t>(page_size), '\xA5');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  {
    std::unique_ptr<SqliteLeaseStore> store;
    BOOST_REQUIRE(OpenAt(dir.path(), &store).ok());
    StoredState state;
    BOOST_REQUIRE(store->Load(&state).ok());
    BOOST_TEST(state.leases.size() == 50u);
    std::vector<JournalEntry> journal;
    const Status s = store->ReadJournal(0, 2'000'000'000'000, &journal);
    BOOST_TEST(!s.ok());
    BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kCorruption));
    BOOST_TEST(Contains(s.message(), DbPath(dir)), s.message());
  }
  SqliteStoreOptions full;
  full.open_check = SqliteStoreOptions::OpenCheck::kFull;
  std::unique_ptr<SqliteLeaseStore> store;
  const Status s = OpenAt(dir.path(), &store, full);
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kCorruption));
  BOOST_TEST(Contains(s.message(), "integrity check on open"), s.message());
}

BOOST_AUTO_TEST_CASE(file_that_is_not_a_database_is_refused_naming_it) {
  TempDir dir;
  std::ofstream(DbPath(dir)) << std::string(10000, 'x');
  std::unique_ptr<SqliteLeaseStore> store;
  const Status s = OpenAt(dir.path(), &store);
  BOOST_TEST(!s.ok());
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kCorruption));
  BOOST_TEST(Contains(s.message(), DbPath(dir)));
  BOOST_TEST_MESSAGE("not a database: " << s.message());
  BOOST_TEST(std::filesystem::file_size(DbPath(dir)) == 10000u);
}

BOOST_AUTO_TEST_CASE(missing_state_directory_is_named) {
  TempDir dir;
  const std::string missing = dir.path() + "/no-such-dir";
  std::unique_ptr<SqliteLeaseStore> store;
  const Status s = OpenAt(missing, &store);
  BOOST_TEST(!s.ok());
  BOOST_TEST(Contains(s.message(), missing));
  BOOST_TEST(Contains(s.message(), "does not exist"));
  BOOST_TEST_MESSAGE("missing: " << s.message());
}

BOOST_AUTO_TEST_CASE(file_in_place_of_the_state_directory_is_named) {
  TempDir dir;
  const std::string file = dir.path() + "/state";
  std::ofstream(file).close();
  std::unique_ptr<SqliteLeaseStore> store;
  const Status s = OpenAt(file, &store);
  BOOST_TEST(!s.ok());
  BOOST_TEST(Contains(s.message(), file));
  BOOST_TEST(Contains(s.message(), "not a directory"));
}

BOOST_AUTO_TEST_CASE(unwritable_state_directory_is_named) {
  TempDir dir;
  const std::string state_dir = testing::UnwritableDir(dir);
  std::unique_ptr<SqliteLeaseStore> store;
  const Status s = OpenAt(state_dir, &store);
  BOOST_TEST(!s.ok());
  BOOST_TEST(static_cast<int>(s.code()) == static_cast<int>(Status::Code::kIoError));
  BOOST_TEST(Contains(s.message(), state_dir));
  BOOST_TEST_MESSAGE("unwritable: " << s.message());
}

BOOST_AUTO_TEST_CASE(committed_batch_survives_kill_9) {
  TempDir dir;
  const pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    // The child must not return into Boost.Test: it commits, then dies without closing.
    std::unique_ptr<SqliteLeaseStore> store;
    if (!OpenAt(dir.path(), &store).ok()) ::_exit(1);
    if (!store->Commit(Batch{.upsert_leases = {Lease(1), Lease(2)}}).ok()) ::_exit(2);
    ::kill(::getpid(), SIGKILL);
    ::_exit(3);
  }
  int status = 0;
  BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
  BOOST_REQUIRE_MESSAGE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                        "child did not die by SIGKILL, status " << status);
  StoredState state;
  const Status s = MustOpen(dir.path())->Load(&state);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  BOOST_TEST(state.leases.size() == 2u);
  BOOST_TEST(state.highest_lease_id == 2u);
}

// The conformance suite checks what any backup promises; this is how SQLite keeps it:
// the copy is one database file of whole pages, and it holds the commits that still sit
// in the WAL, which a copy of floatlm.db alone would miss.
BOOST_AUTO_TEST_CASE(backup_takes_what_is_still_in_the_wal_into_one_database_file) {
  TempDir dir, elsewhere;
  auto store = MustOpen(dir.path());
  std::vector<LeaseRecord> leases;
  for (std::uint64_t id = 1; id <= 500; ++id) leases.push_back(Lease(id));
  BOOST_REQUIRE(store->Commit(Batch{.upsert_leases = leases}).ok());
  BOOST_REQUIRE(std::filesystem::file_size(DbPath(dir) + "-wal") > 0);  // not checkpointed
  const std::string copy = elsewhere.path() + "/" + SqliteLeaseStore::kFileName;
  BackupInfo info;
  const Status s = store->Backup(copy, &info);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  BOOST_TEST(!std::filesystem::exists(copy + "-wal"));
  BOOST_TEST(info.pages > 1u);
  BOOST_TEST(RawInt(copy, "PRAGMA page_count") == static_cast<std::int64_t>(info.pages));
  BOOST_TEST(info.pages * static_cast<std::uint64_t>(RawInt(copy, "PRAGMA page_size")) ==
             info.bytes);
  BOOST_TEST(RawInt(copy, "PRAGMA application_id") == 0x464C4D31);
  BOOST_TEST(RawInt(copy, "PRAGMA user_version") == SqliteLeaseStore::SchemaVersion());
  BOOST_TEST(RawInt(copy, "SELECT count(*) FROM leases") == 500);
}

BOOST_AUTO_TEST_CASE(thousand_lease_commit_is_timed) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  for (int round = 0; round < 3; ++round) {
    Batch batch;
    for (std::uint64_t i = 1; i <= 1000; ++i) {
      const std::uint64_t id = static_cast<std::uint64_t>(round) * 1000 + i;
      batch.upsert_leases.push_back(Lease(id));
      batch.journal.push_back(Checkout(Lease(id)));
    }
    const auto start = std::chrono::steady_clock::now();
    const Status s = store->Commit(batch);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
    const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
    BOOST_TEST_MESSAGE("commit of 1000 lease upserts + 1000 journal rows (round "
                       << round << "): " << ms << " ms");
  }
  StoredState state;
  BOOST_REQUIRE(store->Load(&state).ok());
  BOOST_TEST(state.leases.size() == 3000u);
}

// A restart after a busy day reads tens of thousands of leases: all of them, in id order,
// each one whole (Load sizes its vector from a count first).
BOOST_AUTO_TEST_CASE(twenty_thousand_leases_load_whole_in_id_order) {
  TempDir dir;
  constexpr std::uint64_t kLeases = 20'000;
  {
    auto store = MustOpen(dir.path());
    Batch batch;
    for (std::uint64_t id = kLeases; id >= 1; --id) batch.upsert_leases.push_back(Lease(id));
    const Status s = store->Commit(batch);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  }
  auto store = MustOpen(dir.path());
  StoredState state;
  const auto start = std::chrono::steady_clock::now();
  const Status s = store->Load(&state);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  BOOST_TEST_MESSAGE("load of " << kLeases << " leases: " << ms << " ms");
  BOOST_REQUIRE_EQUAL(state.leases.size(), kLeases);
  for (std::uint64_t i = 0; i < kLeases; ++i) {
    if (state.leases[i].id != i + 1) BOOST_FAIL("lease " << i << " has id " << state.leases[i].id);
  }
  BOOST_TEST((state.leases[12'345] == Lease(12'346)));
  BOOST_TEST(state.highest_lease_id == kLeases);
}

// With its thread running, the store still closes cleanly (the WAL checkpointed and
// removed) and keeps what it committed; below the checkpoint mark the thread writes
// nothing. Without the thread, SQLite's own behaviour.
BOOST_AUTO_TEST_CASE(the_store_closes_cleanly_with_its_thread) {
  TempDir dir;
  SqliteStoreOptions options;
  options.checkpoint_interval = std::chrono::milliseconds(5);
  {
    auto store = MustOpen(dir.path(), options);
    BOOST_REQUIRE(store->Commit(Batch{.upsert_leases = {Lease(1)}}).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    BOOST_TEST(store->wal_syncs() == 0u);
    BOOST_TEST(store->checkpoints() == 0u);
    BOOST_REQUIRE(store->Commit(Batch{.upsert_leases = {Lease(2)}}).ok());
  }
  BOOST_TEST(!std::filesystem::exists(DbPath(dir) + "-wal"));
  StoredState state;
  BOOST_REQUIRE(MustOpen(dir.path())->Load(&state).ok());
  BOOST_TEST(state.leases.size() == 2u);

  options.checkpoint_interval = std::chrono::milliseconds(0);  // off: SQLite's own behaviour
  auto store = MustOpen(dir.path(), options);
  BOOST_REQUIRE(store->Commit(Batch{.upsert_leases = {Lease(3)}}).ok());
  BOOST_TEST(store->wal_syncs() == 0u);
}

// With the store's thread, the WAL is checkpointed there once it holds 10,000 frames
// (the commits on the event loop no longer do it), and the store reads back everything.
BOOST_AUTO_TEST_CASE(the_stores_thread_checkpoints_the_wal) {
  TempDir dir;
  SqliteStoreOptions options;
  options.checkpoint_interval = std::chrono::milliseconds(5);
  auto store = MustOpen(dir.path(), options);
  // Each commit appends at least one frame; a lease and its delete are two commits.
  std::uint64_t id = 1;
  for (; store->checkpoints() == 0 && id <= 3 * SqliteLeaseStore::kCheckpointFrames; ++id) {
    BOOST_REQUIRE(store->Commit(Batch{.upsert_leases = {Lease(id)}}).ok());
    BOOST_REQUIRE(store->TryCommit(Batch{.delete_leases = {id}}).code() !=
                  Status::Code::kInvalidArgument);
  }
  bool checkpointed = store->checkpoints() > 0;
  for (int i = 0; i < 500 && !checkpointed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    checkpointed = store->checkpoints() > 0;
  }
  BOOST_TEST(checkpointed, "no checkpoint by the store's thread after " << id << " leases");
  BOOST_TEST(store->wal_syncs() >= 1u);  // the WAL synced ahead of the checkpoint
  // A commit deferred by a running checkpoint applied nothing; the rest is all there.
  BOOST_REQUIRE(store->Commit(Batch{.upsert_leases = {Lease(id + 1)}}).ok());
  StoredState state;
  BOOST_REQUIRE(store->Load(&state).ok());
  BOOST_TEST(!state.leases.empty());
  BOOST_TEST(state.leases.back().id == id + 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::store
