#include "store/sqlite_handle.h"

#include <fmt/format.h>

namespace floatlm::store::sqlite {

int Statement::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  // PERSISTENT: these statements live as long as the store, so SQLite may place them
  // outside its short-lived lookaside memory.
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  stmt_.reset(raw);
  bind_error_ = SQLITE_OK;
  return rc;
}

void Statement::BindInt(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::BindUint(int index, std::uint64_t value) {
  // Tokens use all 64 bits; SQLite integers are signed, so store the bit pattern.
  BindInt(index, static_cast<std::int64_t>(value));
}

void Statement::BindText(int index, std::string_view value) {
  // An empty view may have a null data(); SQLite would bind NULL and trip NOT NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  const int rc =
      sqlite3_bind_text64(stmt_.get(), index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::BindBlob(int index, std::string_view bytes) {
  // A zero-length blob, not NULL, for an empty view.
  const int rc = bytes.empty() ? sqlite3_bind_zeroblob(stmt_.get(), index, 0)
                               : sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(),
                                                     SQLITE_STATIC);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
}

int Statement::Step() {
  if (bind_error_ != SQLITE_OK) return bind_error_;
  return sqlite3_step(stmt_.get());
}

int Statement::Run() {
  int rc = Step();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) rc = SQLITE_OK;
  Reset();
  return rc;
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_error_ = SQLITE_OK;
}

std::int64_t Statement::ColumnInt(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

std::uint64_t Statement::ColumnUint(int index) const {
  return static_cast<std::uint64_t>(ColumnInt(index));
}

std::string Statement::ColumnText(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), index));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), index)));
}

std::string Statement::ColumnBlob(int index) const {
  const void* data = sqlite3_column_blob(stmt_.get(), index);
  if (data == nullptr) return {};
  return std::string(static_cast<const char*>(data),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), index)));
}

Status Error(sqlite3* db, int rc, std::string_view path, std::string_view what) {
  Status::Code code = Status::Code::kIoError;
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = Status::Code::kCorruption;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = Status::Code::kBusy;
      break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      code = Status::Code::kInvalidArgument;
      break;
    default:
      break;
  }
  // sqlite3_errmsg describes the last failed call on `db`; bind errors never reach it,
  // so fall back to the generic text of the code itself.
  const char* message = db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == (rc & 0xff)
                            ? sqlite3_errmsg(db)
                            : sqlite3_errstr(rc);
  return Status::Error(code, fmt::format("{}: {} ({})", path, message, what));
}

Status Exec(sqlite3* db, std::string_view sql, std::string_view path, std::string_view what) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(db, rc, path, what);
  return Status::Ok();
}

}  // namespace floatlm::store::sqlite
