#include "store/memory_lease_store.h"

#include <fmt/format.h>

#include <algorithm>

namespace floatlm::store {

Status MemoryLeaseStore::Load(StoredState* out) {
  std::lock_guard lk(mu_);
  StoredState state;
  for (const auto& [id, lease] : leases_) state.leases.push_back(lease);
  for (const auto& [key, slot] : slots_) state.cloud_slots.push_back(slot);
  for (const auto& [key, assignment] : assignments_) state.assignments.push_back(assignment);
  state.highest_lease_id = highest_lease_id_;
  *out = std::move(state);
  return Status::Ok();
}

Status MemoryLeaseStore::Commit(const Batch& batch) {
  std::lock_guard lk(mu_);
  // Atomicity by validating everything first: once checks pass, nothing below can fail
  // short of an allocation failure, which ends the daemon anyway.
  for (const LeaseRecord& lease : batch.upsert_leases) {
    if (Status s = CheckLease(lease); !s.ok()) return s;
  }
  for (const JournalEntry& entry : batch.journal) {
    if (Status s = CheckJournalEntry(entry); !s.ok()) return s;
  }

  std::uint64_t high = std::max(highest_lease_id_, batch.highest_lease_id);
  for (const LeaseRecord& lease : batch.upsert_leases) {
    leases_[lease.id] = lease;
    high = std::max(high, lease.id);
  }
  for (std::uint64_t id : batch.delete_leases) leases_.erase(id);
  for (const CloudSlot& slot : batch.add_slots) {
    auto [it, added] = slots_.try_emplace(Key(slot.collection, slot.user), slot);
    if (!added) it->second.last_used = std::max(it->second.last_used, slot.last_used);
  }
  for (const CloudSlot& slot : batch.remove_slots) slots_.erase(Key(slot.collection, slot.user));
  for (const Assignment& a : batch.add_assignments) {
    assignments_.try_emplace(Key(a.pool_key, a.user), a);
  }
  for (const Assignment& a : batch.remove_assignments) {
    assignments_.erase(Key(a.pool_key, a.user));
  }
  for (const JournalEntry& entry : batch.journal) {
    // upper_bound keeps entries with equal times in commit order, as SQLite's seq does.
    auto at = std::upper_bound(
        journal_.begin(), journal_.end(), entry.time,
        [](UnixMillis time, const JournalEntry& other) { return time < other.time; });
    journal_.insert(at, entry);
  }
  highest_lease_id_ = high;
  return Status::Ok();
}

Status MemoryLeaseStore::PruneJournal(UnixMillis before, std::size_t max_entries,
                                      std::size_t* removed) {
  std::lock_guard lk(mu_);
  std::size_t n = 0;
  while (n < journal_.size() && n < max_entries && journal_[n].time < before) ++n;
  journal_.erase(journal_.begin(), journal_.begin() + static_cast<std::ptrdiff_t>(n));
  *removed = n;
  return Status::Ok();
}

Status MemoryLeaseStore::ScanJournal(UnixMillis from, UnixMillis to, const JournalSink& sink,
                                     const AdminWork& work) {
  std::vector<JournalEntry> entries;
  {
    std::lock_guard lk(mu_);
    const auto by_time = [](const JournalEntry& e, UnixMillis t) { return e.time < t; };
    const auto first = std::lower_bound(journal_.begin(), journal_.end(), from, by_time);
    const auto last = std::lower_bound(first, journal_.end(), std::max(from, to), by_time);
    entries.assign(first, last);
  }
  std::uint64_t done = 0;
  for (JournalEntry& entry : entries) {
    if (work.cancelled()) {
      return Status::Error(Status::Code::kCancelled, "journal scan cancelled");
    }
    sink(entry);
    if (++done % 1000 == 0 && work.progress) work.progress(done, entries.size());
  }
  if (work.progress) work.progress(done, entries.size());
  return Status::Ok();
}

Status MemoryLeaseStore::LoadSignatureDigests(std::vector<std::string>* out) {
  std::lock_guard lk(mu_);
  out->assign(signature_digests_.begin(), signature_digests_.end());
  return Status::Ok();
}

Status MemoryLeaseStore::ReplaceSignatureDigests(const std::vector<std::string>& digests) {
  std::lock_guard lk(mu_);
  if (Status s = CheckSignatureDigests(digests); !s.ok()) return s;
  signature_digests_ = std::set<std::string>(digests.begin(), digests.end());
  return Status::Ok();
}

Status MemoryLeaseStore::WriteBackup(const std::string& path, const AdminWork&, BackupInfo* info) {
  *info = {};
  return Status::Error(
      Status::Code::kNotSupported,
      fmt::format("{}: not written; the in-memory store keeps no files to copy", path));
}

}  // namespace floatlm::store
