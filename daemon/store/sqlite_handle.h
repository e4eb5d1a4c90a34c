// Thin RAII owners for the SQLite C API, private to the store. They turn "remember to
// finalize/close/reset" into destructors and keep binding rules (empty strings, unsigned
// ids) in one place.
#ifndef FLOATLM_DAEMON_STORE_SQLITE_HANDLE_H_
#define FLOATLM_DAEMON_STORE_SQLITE_HANDLE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/status.h"

namespace floatlm::store::sqlite {

struct DbCloser {
  // close_v2 also copes with statements the caller forgot, instead of leaking the handle.
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

// A prepared statement, prepared once and reused: Reset() after each use keeps it ready
// and releases the read/write locks the last step held.
class Statement {
 public:
  Statement() = default;

  // Returns an SQLite result code; on failure *this stays empty.
  int Prepare(sqlite3* db, std::string_view sql);

  // Parameters are 1-based, as in SQLite. A failed bind is remembered and reported by
  // the next Step(), so call sites bind without checking each one.
  void BindInt(int index, std::int64_t value);
  void BindUint(int index, std::uint64_t value);     // stored as the same 64 bits, signed
  void BindText(int index, std::string_view value);  // must outlive the next Step()
  void BindBlob(int index, std::string_view bytes);  // must outlive the next Step()

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step();
  // Steps a statement that returns no rows, then resets it. SQLITE_OK or an error code.
  int Run();
  void Reset();  // also clears bindings, so no pointer into caller memory is kept

  std::int64_t ColumnInt(int index) const;
  std::uint64_t ColumnUint(int index) const;
  std::string ColumnText(int index) const;
  std::string ColumnBlob(int index) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  int bind_error_ = SQLITE_OK;
};

// A Status for SQLite result code `rc`, worded "<path>: <sqlite message> (<what>)".
// Read sqlite3_errmsg before anything else runs on `db`: a ROLLBACK would replace it.
Status Error(sqlite3* db, int rc, std::string_view path, std::string_view what);

// Runs one or more statements without results (schema, BEGIN/COMMIT, pragmas).
Status Exec(sqlite3* db, std::string_view sql, std::string_view path, std::string_view what);

}  // namespace floatlm::store::sqlite

#endif  // FLOATLM_DAEMON_STORE_SQLITE_HANDLE_H_
