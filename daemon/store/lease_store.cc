#include "store/lease_store.h"

#include <utility>

namespace floatlm::store {

Status LeaseStore::ReadJournal(UnixMillis from, UnixMillis to, std::vector<JournalEntry>* out) {
  std::vector<JournalEntry> entries;
  Status s = ScanJournal(
      from, to, [&entries](JournalEntry& e) { entries.push_back(std::move(e)); }, AdminWork{});
  if (s.ok()) *out = std::move(entries);
  return s;
}

}  // namespace floatlm::store
