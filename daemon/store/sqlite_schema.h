// The SQLite store's schema and its migrations, private to the store.
//
// The schema version lives in `PRAGMA user_version`; `PRAGMA application_id` marks the
// file as floatlm's. Migrations are an ordered list: migration N takes a database from
// version N-1 to N and runs in its own transaction together with the user_version bump,
// so a crash mid-upgrade leaves the previous version intact. Changing the schema means
// appending one entry; a released entry is never edited. Adding a journal event kind
// also appends a (possibly empty) migration, so an older floatlmd refuses a journal it
// could not read instead of misreading it.
#ifndef FLOATLM_DAEMON_STORE_SQLITE_SCHEMA_H_
#define FLOATLM_DAEMON_STORE_SQLITE_SCHEMA_H_

#include <sqlite3.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "store/status.h"

namespace floatlm::store::sqlite {

// "FLM1" in ASCII: tells a floatlm database from someone else's SQLite file.
inline constexpr std::int32_t kApplicationId = 0x464C4D31;

struct Migration {
  int version;           // the user_version this migration produces
  std::string_view sql;  // statements, run inside the migration's transaction
};

std::span<const Migration> Migrations();
int LatestSchemaVersion();

// Brings the database at `path` up to LatestSchemaVersion(). Refuses (without writing)
// a database that is newer than this build or that is not a floatlm database.
Status Migrate(sqlite3* db, std::string_view path);

}  // namespace floatlm::store::sqlite

#endif  // FLOATLM_DAEMON_STORE_SQLITE_SCHEMA_H_
