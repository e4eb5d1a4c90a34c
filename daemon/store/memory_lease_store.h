// A LeaseStore that keeps everything in process memory: same semantics as the SQLite
// store, nothing survives the object. For tests of the server and of the store contract,
// and for the fuzzers. It keeps no files, so Backup refuses with kNotSupported.
// Not thread-safe: one event loop makes every call.
#ifndef FLOATLM_DAEMON_STORE_MEMORY_LEASE_STORE_H_
#define FLOATLM_DAEMON_STORE_MEMORY_LEASE_STORE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/lease_store.h"

namespace floatlm::store {

class MemoryLeaseStore final : public LeaseStore {
 public:
  MemoryLeaseStore() = default;

  Status Load(StoredState* out) override;
  Status Commit(const Batch& batch) override;
  Status ScanJournal(UnixMillis from, UnixMillis to, const JournalSink& sink,
                     const AdminWork& work) override;
  Status PruneJournal(UnixMillis before, std::size_t max_entries, std::size_t* removed) override;
  Status LoadSignatureDigests(std::vector<std::string>* out) override;
  Status ReplaceSignatureDigests(const std::vector<std::string>& digests) override;
  Status WriteBackup(const std::string& path, const AdminWork& work, BackupInfo* info) override;

 private:
  using Key = std::pair<std::string, std::string>;

  std::mutex mu_;  // guards every member below
  std::map<std::uint64_t, LeaseRecord> leases_;
  std::map<Key, CloudSlot> slots_;
  std::map<Key, Assignment> assignments_;
  std::vector<JournalEntry> journal_;  // kept sorted by time, stable for equal times
  std::uint64_t highest_lease_id_ = 0;
  std::set<std::string> signature_digests_;  // std::string orders bytes as memcmp does
};

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_MEMORY_LEASE_STORE_H_
