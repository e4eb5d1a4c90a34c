// Cloud-user slots. A collection's cloud services take no seat; each unique user name
// that runs one holds a slot of the collection until an administrator releases it.
// The limit is the collection's seats in force today x CLOUD_USERS_PER_SEAT.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <set>

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
  for (const auto& [user, slot] : slots->second) {
    out.push_back({collection, user, slot.since, slot.last_used});
  }
  std::stable_sort(out.begin(), out.end(), [](const CloudSlotView& a, const CloudSlotView& b) {
    return a.since < b.since;
  });
  return out;
}

bool SeatEngine::IsCollection(const std::string& name) const {
  for (const PoolState& pool : state_->pools) {
    if (pool.collection && pool.collection->name == name) return true;
  }
  return false;
}

AdminResult SeatEngine::ReleaseCloudSlot(const std::string& collection, const std::string& user,
                                         const Now& now) {
  State& s = *state_;
  if (!IsCollection(collection)) {
    return Denial{Errc::kNoSuchFeature, fmt::format("no collection named '{}'", collection)};
  }
  auto slots = s.cloud_slots.find(collection);
  if (slots == s.cloud_slots.end() || slots->second.erase(user) == 0) {
    return Denial{Errc::kNoSuchLease,
                  fmt::format("{} holds no cloud-user slot of {}", user, collection)};
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
  return Done{true, fmt::format("released {}'s cloud-user slot of {}", user, collection)};
}

void SeatEngine::RestoreCloudSlots(std::vector<CloudSlotView> slots) {
  State& s = *state_;
  std::set<std::string> collections;
  for (const PoolState& pool : s.pools) {
    if (pool.collection) collections.insert(pool.collection->name);
  }
  for (CloudSlotView& slot : slots) {
    if (collections.contains(slot.collection)) {
      // A slot stored before its use was kept counts as used when granted.
      const WallTime used = std::max(slot.since, slot.last_used);
      s.cloud_slots[slot.collection].emplace(std::move(slot.user),
                                             CloudSlotState{slot.since, used, used});
    }
  }
}

CloudSweep SeatEngine::SweepCloudSlots(const Now& now) {
  State& s = *state_;
  const std::optional<Millis>& idle_limit = s.config.cloud_slot_idle;
  CloudSweep sweep;
  if (s.cloud_slots.empty()) return sweep;
  std::set<std::pair<std::string, std::string>> in_use;  // (collection, user)
  for (const PoolState& pool : s.pools) {
    if (!pool.collection) continue;
    for (LeaseId id : pool.cloud_leases) {
      in_use.emplace(pool.collection->name, s.leases.at(id).view.who.user);
    }
  }
  constexpr auto kStoreEvery = std::chrono::hours(1);
  for (auto collection = s.cloud_slots.begin(); collection != s.cloud_slots.end();) {
    auto& slots = collection->second;
    for (auto it = slots.begin(); it != slots.end();) {
      CloudSlotState& slot = it->second;
      if (in_use.contains({collection->first, it->first})) {
        slot.last_used = std::max(slot.last_used, now.wall);
      }
      const CloudSlotView view{collection->first, it->first, slot.since, slot.last_used};
      if (slot.last_used - slot.stored_last_used >= kStoreEvery) {
        slot.stored_last_used = slot.last_used;
        sweep.touched.push_back(view);
      }
      if (idle_limit && !in_use.contains({collection->first, it->first}) &&
          now.wall - slot.last_used >= *idle_limit) {
        sweep.released.push_back(view);
        it = slots.erase(it);
        continue;
      }
      ++it;
    }
    collection = slots.empty() ? s.cloud_slots.erase(collection) : std::next(collection);
  }
  // A freed slot may let a cloud checkout that was refused succeed: nothing waits for
  // cloud slots, so there is nothing to serve here.
  return sweep;
}

}  // namespace floatlm::engine
