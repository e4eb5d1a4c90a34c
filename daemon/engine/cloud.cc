// Cloud-user slots. A collection's cloud services take no seat; each unique user name
// that runs one holds a slot of the collection until an administrator releases it.
// The limit is the collection's seats in force today x CLOUD_USERS_PER_SEAT.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "engine/denial_text.h"
#include "engine/engine_state.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {

long long SeatEngine::State::CloudLimit(const licenses::Package& collection,
                                        licenses::Date today) const {
  long long seats = 0;
  for (const PoolState& pool : pools) {
    if (pool.collection != &collection || DateStateOn(*pool.spec, today) != DateState::kInForce) {
      continue;
    }
    if (pool.spec->uncounted) {
      return std::numeric_limits<long long>::max();
    }
    seats += pool.spec->CountOn(today);
  }
  return seats * collection.cloud_users_per_seat;
}

std::vector<CloudSlotView> SeatEngine::CloudSlots(const std::string& collection) const {
  std::vector<CloudSlotView> out;
  auto slots = state_->cloud_slots.find(collection);
  if (slots == state_->cloud_slots.end()) {
    return out;
  }
  for (const auto& [user, since] : slots->second) {
    out.push_back({collection, user, since});
  }
  std::stable_sort(out.begin(), out.end(), [](const CloudSlotView& a, const CloudSlotView& b) {
    return a.since < b.since;
  });
  return out;
}

Errc SeatEngine::ReleaseCloudSlot(const std::string& collection, const std::string& user,
                                  const Now& now) {
  State& s = *state_;
  bool known = false;
  for (const PoolState& pool : s.pools) {
    if (pool.collection && pool.collection->name == collection) {
      known = true;
    }
  }
  if (!known) {
    return Errc::kNoSuchFeature;
  }
  auto slots = s.cloud_slots.find(collection);
  if (slots == s.cloud_slots.end() || slots->second.erase(user) == 0) {
    return Errc::kNoSuchLease;
  }
  if (slots->second.empty()) {
    s.cloud_slots.erase(slots);
  }
  // A slot is what entitles the user's cloud leases: without it they end now, so that
  // the slot really is free for someone else.
  std::vector<LeaseId> ending;
  for (const PoolState& pool : s.pools) {
    if (!pool.collection || pool.collection->name != collection) {
      continue;
    }
    for (LeaseId id : pool.cloud_leases) {
      if (s.leases.at(id).view.who.user == user) {
        ending.push_back(id);
      }
    }
  }
  std::sort(ending.begin(), ending.end());
  for (LeaseId id : ending) {
    const LeaseView& view = s.leases.at(id).view;
    std::string message = fmt::format(
        "lease {} of '{}' held by {} ended: an administrator released {}'s cloud-user slot of {}",
        id, view.feature, HolderName(view.who), user, collection);
    s.End(id, Errc::kLeaseRemoved, std::move(message));
  }
  s.Settle(now);
  return Errc::kOk;
}

void SeatEngine::RestoreCloudSlots(std::vector<CloudSlotView> slots) {
  State& s = *state_;
  std::set<std::string> collections;
  for (const PoolState& pool : s.pools) {
    if (pool.collection) collections.insert(pool.collection->name);
  }
  for (CloudSlotView& slot : slots) {
    if (collections.contains(slot.collection)) {
      s.cloud_slots[slot.collection].emplace(std::move(slot.user), slot.since);
    }
  }
}

}  // namespace floatlm::engine
