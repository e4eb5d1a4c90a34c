#include "store/sqlite_schema.h"

#include <fmt/format.h>

#include <array>

#include "store/sqlite_handle.h"

namespace floatlm::store::sqlite {
namespace {

// v1: the initial schema. STRICT tables make SQLite enforce the column types.
// Unsigned 64-bit values (ids, tokens) are stored as their signed bit pattern.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE leases (
  id         INTEGER PRIMARY KEY CHECK (id > 0),
  token      INTEGER NOT NULL,
  pool_key   TEXT    NOT NULL,
  feature    TEXT    NOT NULL,
  version    TEXT    NOT NULL,
  user       TEXT    NOT NULL,
  host       TEXT    NOT NULL,
  display    TEXT    NOT NULL,
  peer       TEXT    NOT NULL,
  client_pid INTEGER NOT NULL,
  app        TEXT    NOT NULL,
  since_ms   INTEGER NOT NULL,
  seat       INTEGER NOT NULL CHECK (seat >= 0),
  shared     INTEGER NOT NULL CHECK (shared IN (0, 1)),
  products   TEXT    NOT NULL  -- comma-separated product names
) STRICT;

CREATE TABLE cloud_slots (
  collection TEXT    NOT NULL,
  user       TEXT    NOT NULL,
  since_ms   INTEGER NOT NULL,
  PRIMARY KEY (collection, user)
) STRICT, WITHOUT ROWID;

CREATE TABLE assignments (
  pool_key   TEXT    NOT NULL,
  user       TEXT    NOT NULL,
  since_ms   INTEGER NOT NULL,
  PRIMARY KEY (pool_key, user)
) STRICT, WITHOUT ROWID;

-- Append-only. seq orders entries with equal times; time_utc is the ISO-8601 UTC form
-- for admins reading the file with the sqlite3 shell (computed, not stored).
CREATE TABLE journal (
  seq      INTEGER PRIMARY KEY,
  time_ms  INTEGER NOT NULL,
  time_utc TEXT GENERATED ALWAYS AS
             (strftime('%Y-%m-%dT%H:%M:%fZ', time_ms / 1000.0, 'unixepoch')) VIRTUAL,
  event    TEXT    NOT NULL,
  user     TEXT    NOT NULL,
  host     TEXT    NOT NULL,
  display  TEXT    NOT NULL,
  peer     TEXT    NOT NULL,
  feature  TEXT    NOT NULL,
  version  TEXT    NOT NULL,
  pool     TEXT    NOT NULL,
  lease_id INTEGER NOT NULL,
  reason   TEXT    NOT NULL,
  detail   TEXT    NOT NULL
) STRICT;
CREATE INDEX journal_by_time ON journal (time_ms, seq);

-- Small named counters; 'highest_lease_id' keeps lease ids from ever being reused.
CREATE TABLE meta (
  key   TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// v2: the journal becomes one B-tree ordered by (time_ms, seq), without a rowid or a
// separate time index, so appending an entry writes one page instead of two. seq is
// now given by the store (see SqliteLeaseStore::Open); v1 rows keep their numbers,
// which are below every number v2 hands out.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE journal_v2 (
  time_ms  INTEGER NOT NULL,
  seq      INTEGER NOT NULL,
  time_utc TEXT GENERATED ALWAYS AS
             (strftime('%Y-%m-%dT%H:%M:%fZ', time_ms / 1000.0, 'unixepoch')) VIRTUAL,
  event    TEXT    NOT NULL,
  user     TEXT    NOT NULL,
  host     TEXT    NOT NULL,
  display  TEXT    NOT NULL,
  peer     TEXT    NOT NULL,
  feature  TEXT    NOT NULL,
  version  TEXT    NOT NULL,
  pool     TEXT    NOT NULL,
  lease_id INTEGER NOT NULL,
  reason   TEXT    NOT NULL,
  detail   TEXT    NOT NULL,
  PRIMARY KEY (time_ms, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO journal_v2 (time_ms, seq, event, user, host, display, peer, feature, version,
                        pool, lease_id, reason, detail)
  SELECT time_ms, seq, event, user, host, display, peer, feature, version, pool, lease_id,
         reason, detail
  FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v2 RENAME TO journal;
)sql";

// v3: digests of license signatures that verified at the last load, so that a restart
// checks only lines that are new or changed (licenses::SignatureDigests).
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE verified_signatures (
  digest BLOB PRIMARY KEY
) STRICT, WITHOUT ROWID;
)sql";

// v4: a journal entry may stand for several denials of one connection, feature and
// reason (the daemon folds repeats within a window); every earlier entry counts one.
constexpr std::string_view kSchemaV4 = R"sql(
ALTER TABLE journal ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);
)sql";

constexpr std::array<Migration, 4> kMigrations = {{
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
}};

Status ReadIntPragma(sqlite3* db, std::string_view pragma, std::string_view path,
                     std::int64_t* value) {
  Statement stmt;
  int rc = stmt.Prepare(db, fmt::format("PRAGMA {}", pragma));
  if (rc == SQLITE_OK) rc = stmt.Step();
  if (rc != SQLITE_ROW) return Error(db, rc, path, fmt::format("reading {}", pragma));
  *value = stmt.ColumnInt(0);
  return Status::Ok();
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations.back().version; }

Status Migrate(sqlite3* db, std::string_view path) {
  std::int64_t version = 0;
  std::int64_t app_id = 0;
  std::int64_t objects = 0;
  if (Status s = ReadIntPragma(db, "user_version", path, &version); !s.ok()) return s;
  if (Status s = ReadIntPragma(db, "application_id", path, &app_id); !s.ok()) return s;
  if (version > LatestSchemaVersion()) {
    return Status::Error(
        Status::Code::kUnsupportedVersion,
        fmt::format("{}: database schema version {} is newer than this floatlmd supports "
                    "(up to {}); run the newer floatlmd, or restore a backup made by this one",
                    path, version, LatestSchemaVersion()));
  }
  {
    Statement count;
    int rc = count.Prepare(db, "SELECT count(*) FROM sqlite_schema");
    if (rc == SQLITE_OK) rc = count.Step();
    if (rc != SQLITE_ROW) return Error(db, rc, path, "reading the schema");
    objects = count.ColumnInt(0);
  }
  // Someone else's database (another application id, or tables but no version of ours):
  // refuse rather than add our tables to it.
  if ((app_id != 0 && app_id != kApplicationId) || (version == 0 && objects > 0)) {
    return Status::Error(Status::Code::kCorruption,
                         fmt::format("{}: not a floatlm state database (application_id {}, "
                                     "schema version {}); point --state at another directory",
                                     path, app_id, version));
  }

  for (const Migration& migration : kMigrations) {
    if (migration.version <= version) continue;
    const std::string what = fmt::format("migrating the schema to version {}", migration.version);
    // IMMEDIATE takes the write lock up front, so a second floatlmd on the same file
    // waits (busy_timeout) instead of failing half-way.
    Status s = Exec(db, "BEGIN IMMEDIATE", path, what);
    if (s.ok()) s = Exec(db, migration.sql, path, what);
    if (s.ok()) {
      s = Exec(db,
               fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}", kApplicationId,
                           migration.version),
               path, what);
    }
    if (s.ok()) s = Exec(db, "COMMIT", path, what);
    if (!s.ok()) {
      if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }
    version = migration.version;
  }
  return Status::Ok();
}

}  // namespace floatlm::store::sqlite
