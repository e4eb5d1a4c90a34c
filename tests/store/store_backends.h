// The backends the conformance suite runs against, one small class each with the same
// face: Store() gives the open store, Reopen() closes and reopens it where the backend
// can (SQLite), so round-trip tests also cover the trip through the file.
//
// kKeepsFiles says whether the backend persists to files. One that does reopens from
// them and makes backups; it also has CopyPath(dir), where in `dir` a backup must be
// written for OpenCopy(dir) to open it as a store of its own. One that does not refuses
// Backup (LeaseStore's contract).
#ifndef FLOATLM_TESTS_STORE_STORE_BACKENDS_H_
#define FLOATLM_TESTS_STORE_STORE_BACKENDS_H_

#include <unistd.h>

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

// A directory that exists and in which no file can be created. chmod 0500 stops an
// ordinary user, but root (CAP_DAC_OVERRIDE) writes through it, and these tests often
// run as root in containers; then it is /proc/self, which nobody, root included, can
// create files in.
inline std::string UnwritableDir(const TempDir& scratch) {
  if (::geteuid() == 0) return "/proc/self";
  const std::string dir = scratch.path() + "/readonly";
  std::filesystem::create_directory(dir);
  std::filesystem::permissions(
      dir, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  return dir;
}

class MemoryBackend {
 public:
  static constexpr bool kKeepsFiles = false;

  LeaseStore& Store() { return store_; }
  void Reopen() {}  // nothing to reopen: the data lives in the object

 private:
  MemoryLeaseStore store_;
};

class SqliteBackend {
 public:
  static constexpr bool kKeepsFiles = true;

  SqliteBackend() { Reopen(); }
  LeaseStore& Store() { return *store_; }
  void Reopen() {
    store_.reset();  // closes the database first, as a daemon restart would
    store_ = Open(dir_.path());
  }

  // A copy is a database file; a store opens the one named floatlm.db in its directory.
  static std::string CopyPath(const std::string& dir) {
    return dir + "/" + SqliteLeaseStore::kFileName;
  }
  static std::unique_ptr<LeaseStore> OpenCopy(const std::string& dir) { return Open(dir); }

 private:
  static std::unique_ptr<SqliteLeaseStore> Open(const std::string& dir) {
    SqliteStoreOptions options;
    options.state_dir = dir;
    std::unique_ptr<SqliteLeaseStore> store;
    const Status s = SqliteLeaseStore::Open(options, &store);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
    return store;
  }

  TempDir dir_;
  std::unique_ptr<SqliteLeaseStore> store_;
};

}  // namespace floatlm::store::testing

#endif  // FLOATLM_TESTS_STORE_STORE_BACKENDS_H_
