#include "store/records.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>

namespace floatlm::store {
namespace {

// Indexed by the enum's value; the order must match JournalEvent.
constexpr std::array<std::string_view, 14> kEventNames = {
    "start",   "stop",    "checkout", "checkin", "move",     "denial",      "timeout",
    "expired", "removal", "reread",   "assign",  "unassign", "cloud_grant", "cloud_release",
};
static_assert(kEventNames.size() == static_cast<std::size_t>(JournalEvent::kCloudRelease) + 1);

}  // namespace

std::string_view JournalEventName(JournalEvent event) {
  const auto index = static_cast<std::size_t>(event);
  return index < kEventNames.size() ? kEventNames[index] : std::string_view();
}

std::optional<JournalEvent> ParseJournalEvent(std::string_view name) {
  for (std::size_t i = 0; i < kEventNames.size(); ++i) {
    if (kEventNames[i] == name) return static_cast<JournalEvent>(i);
  }
  return std::nullopt;
}

bool Batch::empty() const {
  return upsert_leases.empty() && delete_leases.empty() && add_slots.empty() &&
         remove_slots.empty() && add_assignments.empty() && remove_assignments.empty() &&
         journal.empty() && highest_lease_id == 0;
}

Status CheckLease(const LeaseRecord& lease) {
  // Backends may store ids as signed 64-bit integers; daemon ids count up from 1.
  if (lease.id == 0 || lease.id > static_cast<std::uint64_t>(INT64_MAX)) {
    return Status::Error(Status::Code::kInvalidArgument,
                         fmt::format("lease id {} is outside 1..2^63-1", lease.id));
  }
  if (lease.seats == 0 || lease.seats > static_cast<std::uint32_t>(INT32_MAX)) {
    return Status::Error(Status::Code::kInvalidArgument,
                         fmt::format("lease {} holds {} seats", lease.id, lease.seats));
  }
  for (const std::string& product : lease.products) {
    // An empty name or a comma would not survive the comma-separated column.
    if (product.empty() || product.find(',') != std::string::npos) {
      return Status::Error(
          Status::Code::kInvalidArgument,
          fmt::format("lease {}: product name '{}' is empty or contains ','", lease.id, product));
    }
  }
  return Status::Ok();
}

Status CheckJournalEntry(const JournalEntry& entry) {
  if (JournalEventName(entry.event).empty()) {
    return Status::Error(Status::Code::kInvalidArgument,
                         fmt::format("journal entry at {} ms has unknown event kind {}", entry.time,
                                     static_cast<int>(entry.event)));
  }
  if (entry.count == 0) {
    return Status::Error(Status::Code::kInvalidArgument,
                         fmt::format("journal entry at {} ms counts 0 events", entry.time));
  }
  if (entry.seats == 0 || entry.seats > static_cast<std::uint32_t>(INT32_MAX)) {
    return Status::Error(
        Status::Code::kInvalidArgument,
        fmt::format("journal entry at {} ms stands for {} seats", entry.time, entry.seats));
  }
  return Status::Ok();
}

Status CheckSignatureDigests(const std::vector<std::string>& digests) {
  for (std::size_t i = 0; i < digests.size(); ++i) {
    if (digests[i].empty()) {
      return Status::Error(
          Status::Code::kInvalidArgument,
          fmt::format("signature digest {} of {} is empty", i + 1, digests.size()));
    }
  }
  return Status::Ok();
}

std::string JoinProducts(const std::vector<std::string>& products) {
  std::string text;
  for (const std::string& product : products) {
    if (!text.empty()) text += ',';
    text += product;
  }
  return text;
}

std::vector<std::string> SplitProducts(std::string_view text) {
  std::vector<std::string> products;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    products.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return products;
}

}  // namespace floatlm::store
