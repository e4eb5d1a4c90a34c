#include "store/sqlite_schema.h"

#include <fmt/format.h>

#include <array>

#include "store/sqlite_handle.h"
#include "token/reattach_token.h"

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

// v5: leases keep the digest of their reattach token (token::Of), not the token, so a
// copy of the file does not let a local user reattach someone's lease. Each stored token
// is replaced by its digest through floatlm_token_digest(), which Migrate registers.
// Leases also keep the duplicate grouping their application asked for.
constexpr std::string_view kSchemaV5 = R"sql(
CREATE TABLE leases_v5 (
  id           INTEGER PRIMARY KEY CHECK (id > 0),
  token_digest BLOB    NOT NULL CHECK (length(token_digest) = 32),
  pool_key     TEXT    NOT NULL,
  feature      TEXT    NOT NULL,
  version      TEXT    NOT NULL,
  user         TEXT    NOT NULL,
  host         TEXT    NOT NULL,
  display      TEXT    NOT NULL,
  peer         TEXT    NOT NULL,
  client_pid   INTEGER NOT NULL,
  app          TEXT    NOT NULL,
  since_ms     INTEGER NOT NULL,
  seat         INTEGER NOT NULL CHECK (seat >= 0),
  shared       INTEGER NOT NULL CHECK (shared IN (0, 1)),
  products     TEXT    NOT NULL, -- comma-separated product names
  dup_group    TEXT    NOT NULL DEFAULT ''  -- the application's DUP_GROUP ('' = none asked)
) STRICT;
INSERT INTO leases_v5 (id, token_digest, pool_key, feature, version, user, host, display, peer,
                       client_pid, app, since_ms, seat, shared, products)
  SELECT id, floatlm_token_digest(id, token), pool_key, feature, version, user, host, display,
         peer, client_pid, app, since_ms, seat, shared, products
  FROM leases;
DROP TABLE leases;
ALTER TABLE leases_v5 RENAME TO leases;
-- When a cloud-user slot's user was last seen using it (0: not known), so that an idle
-- slot can be released (--cloud-slot-idle-days).
ALTER TABLE cloud_slots ADD COLUMN last_used_ms INTEGER NOT NULL DEFAULT 0;
)sql";

// v6: a lease may hold several seats at once (a checkout of N seats), and its journal
// entries say how many, so that reports bill N seat-hours. Earlier rows hold one.
constexpr std::string_view kSchemaV6 = R"sql(
ALTER TABLE leases ADD COLUMN seats INTEGER NOT NULL DEFAULT 1 CHECK (seats >= 1);
ALTER TABLE journal ADD COLUMN seats INTEGER NOT NULL DEFAULT 1 CHECK (seats >= 1);
)sql";

constexpr std::array<Migration, 6> kMigrations = {{
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
    {5, kSchemaV5},
    {6, kSchemaV6},
}};

// floatlm_token_digest(lease_id, token): token::Of as a blob, for the v5 migration.
// Both arguments are 64-bit integers stored as their signed bit pattern.
void TokenDigestFunction(sqlite3_context* context, int argc, sqlite3_value** argv) {
  if (argc != 2 || sqlite3_value_type(argv[0]) != SQLITE_INTEGER ||
      sqlite3_value_type(argv[1]) != SQLITE_INTEGER) {
    sqlite3_result_error(context, "floatlm_token_digest takes a lease id and a token", -1);
    return;
  }
  const auto id = static_cast<std::uint64_t>(sqlite3_value_int64(argv[0]));
  const auto tok = static_cast<std::uint64_t>(sqlite3_value_int64(argv[1]));
  const token::Digest digest = token::Of(id, tok);
  sqlite3_result_blob(context, digest.data(), static_cast<int>(digest.size()), SQLITE_TRANSIENT);
}

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

  if (int rc =
          sqlite3_create_function(db, "floatlm_token_digest", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                  nullptr, TokenDigestFunction, nullptr, nullptr);
      rc != SQLITE_OK) {
    return Error(db, rc, path, "registering the schema migration's functions");
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
