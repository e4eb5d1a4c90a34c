// SqliteLeaseStore: the digests of license signatures that verified at the last load.
// BLOBs compare with memcmp, so ORDER BY gives the order the contract names; the primary
// key keeps each digest once.
#include "store/sqlite_lease_store.h"

namespace floatlm::store {

Status SqliteLeaseStore::LoadSignatureDigests(std::vector<std::string>* out) {
  auto lk = LockForOwner();
  sqlite::Statement select;
  int rc = select.Prepare(db_.get(), "SELECT digest FROM verified_signatures ORDER BY digest");
  if (rc != SQLITE_OK) return Fail(rc, "reading verified signatures");
  std::vector<std::string> digests;
  while ((rc = select.Step()) == SQLITE_ROW) digests.push_back(select.ColumnBlob(0));
  if (rc != SQLITE_DONE) return Fail(rc, "reading verified signatures");
  *out = std::move(digests);
  return Status::Ok();
}

Status SqliteLeaseStore::ReplaceSignatureDigests(const std::vector<std::string>& digests) {
  if (Status s = CheckSignatureDigests(digests); !s.ok()) return s;
  auto lk = LockForOwner();
  constexpr std::string_view kWhat = "remembering verified signatures";
  sqlite::Statement clear;
  sqlite::Statement insert;
  int rc = clear.Prepare(db_.get(), "DELETE FROM verified_signatures");
  if (rc == SQLITE_OK) {
    rc = insert.Prepare(db_.get(),
                        "INSERT INTO verified_signatures (digest) VALUES (?1) "
                        "ON CONFLICT DO NOTHING");
  }
  if (rc != SQLITE_OK) return Fail(rc, kWhat);
  if (rc = begin_.Run(); rc != SQLITE_OK) return Fail(rc, kWhat);
  rc = clear.Run();
  for (const std::string& digest : digests) {
    if (rc != SQLITE_OK) break;
    insert.BindBlob(1, digest);
    rc = insert.Run();
  }
  if (rc == SQLITE_OK) rc = commit_.Run();
  if (rc != SQLITE_OK) {
    Status s = Fail(rc, kWhat);  // the message first: the rollback would replace it
    if (sqlite3_get_autocommit(db_.get()) == 0) rollback_.Run();
    return s;
  }
  return Status::Ok();
}

}  // namespace floatlm::store
