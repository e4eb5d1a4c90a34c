// The backends the conformance suite runs against, one small class each with the same
// face: Store() gives the open store, Reopen() closes and reopens it where the backend
// can (SQLite), so round-trip tests also cover the trip through the file.
#ifndef FLOATLM_TESTS_STORE_STORE_BACKENDS_H_
#define FLOATLM_TESTS_STORE_STORE_BACKENDS_H_

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "store/memory_lease_store.h"
#include "store/sqlite_lease_store.h"

namespace floatlm::store::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/floatlm-store-" + std::string(6, 'X');
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class MemoryBackend {
 public:
  LeaseStore& Store() { return store_; }
  void Reopen() {}  // nothing to reopen: the data lives in the object

 private:
  MemoryLeaseStore store_;
};

class SqliteBackend {
 public:
  SqliteBackend() { Reopen(); }
  LeaseStore& Store() { return *store_; }
  void Reopen() {
    store_.reset();  // closes the database first, as a daemon restart would
    SqliteStoreOptions options;
    options.state_dir = dir_.path();
    const Status s = SqliteLeaseStore::Open(options, &store_);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  }

 private:
  TempDir dir_;
  std::unique_ptr<SqliteLeaseStore> store_;
};

}  // namespace floatlm::store::testing

#endif  // FLOATLM_TESTS_STORE_STORE_BACKENDS_H_
