// Restoring leases from the state store at start-up.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "engine/denial_text.h"
#include "engine/engine_state.h"
#include "engine/pool_selection.h"
#include "engine/seat_engine.h"

namespace floatlm::engine {

void SeatEngine::ReserveLeaseIds(LeaseId highest) {
  state_->next_lease = std::max(state_->next_lease, highest + 1);
}

RestoreReport SeatEngine::Restore(std::vector<RestoredLease> leases, const Now& now) {
  State& s = *state_;
  ++s.generation;
  RestoreReport report;
  std::unordered_map<std::string, PoolId> by_key;
  for (PoolId id = 0; id < s.pools.size(); ++id) by_key.emplace(s.pools[id].spec->Key(), id);
  // Leases stored by a release that split pools by VENDOR_STRING.
  for (PoolId id = 0; id < s.pools.size(); ++id) {
    if (std::string legacy = s.pools[id].spec->LegacyKey(); !legacy.empty()) {
      by_key.emplace(std::move(legacy), id);
    }
  }

  // Id order is grant order: when a pool shrank, the oldest leases keep their seats.
  std::sort(leases.begin(), leases.end(),
            [](const RestoredLease& a, const RestoredLease& b) { return a.id < b.id; });
  for (auto& r : leases) {
    LeaseView view;
    view.id = r.id;
    view.token_digest = r.token_digest;
    view.dup_group = r.dup_group;
    view.seats = std::max<std::uint32_t>(r.seats, 1);
    view.feature = std::move(r.feature);
    view.version = r.version;
    view.who = std::move(r.who);
    view.since = r.since;
    view.detached = true;
    view.expires = now.mono + s.config.reattach_window;
    s.next_lease = std::max(s.next_lease, r.id + 1);

    const auto pool_it = by_key.find(r.pool_key);
    if (pool_it == by_key.end() || s.leases.count(r.id)) {
      report.dropped.emplace_back(std::move(view), "its pool is no longer in the license files");
      continue;
    }
    const PoolId pool_id = pool_it->second;
    PoolState& pool = s.pools[pool_id];
    view.pool = pool_id;
    if (DateStateOn(*pool.spec, now.today) != DateState::kInForce) {
      report.dropped.emplace_back(std::move(view), "its license is no longer in force");
      continue;
    }
    const std::optional<licenses::Version> requested =
        r.version == licenses::Version{} ? std::nullopt : std::optional(r.version);
    if (!ServesRequest(pool, view.feature, requested)) {
      std::string why = fmt::format("{} no longer serves '{}'", pool.spec->feature, view.feature);
      report.dropped.emplace_back(std::move(view), std::move(why));
      continue;
    }
    std::uint32_t number = 0;
    if (IsCloudServiceOf(pool, view.feature)) {
      // A cloud lease needs its user's slot, which RestoreCloudSlots brought back.
      auto slots = s.cloud_slots.find(pool.collection->name);
      if (slots == s.cloud_slots.end() || !slots->second.contains(view.who.user)) {
        std::string why =
            fmt::format("{} holds no cloud-user slot of {}", view.who.user, pool.collection->name);
        report.dropped.emplace_back(std::move(view), std::move(why));
        continue;
      }
      if (view.seats > 1) {
        report.dropped.emplace_back(std::move(view), "a cloud lease holds one seat at most");
        continue;
      }
      view.cloud = true;
      view.reason = fmt::format("cloud service of {}: {} holds a cloud-user slot",
                                pool.collection->name, view.who.user);
    } else {
      // The holder's seat running this product, else (collection) one with a free slot,
      // else a new seat while the pool has one today.
      // A multi-seat lease has a seat of its own, shared with nobody.
      std::optional<std::string> key =
          view.seats > 1 ? std::nullopt : SeatHolderKey(pool, view.who, requested, view.dup_group);
      if (key) {
        if (auto mine = pool.by_holder.find(*key); mine != pool.by_holder.end()) {
          for (std::uint32_t n : mine->second) {
            if (pool.seats.at(n).products.contains(view.feature)) {
              number = n;
              break;
            }
          }
          for (std::uint32_t n : mine->second) {
            if (number == 0 && pool.collection &&
                static_cast<int>(pool.seats.at(n).products.size()) <
                    pool.collection->products_per_seat) {
              number = n;
            }
          }
        }
      }
      view.shared = number != 0;
      if (number == 0) {
        if (!HasFreeSeat(pool, now.today, view.seats)) {
          std::string why =
              view.seats > 1
                  ? fmt::format(
                        "it holds {} seats and the pool has only {} today, {} of them taken",
                        view.seats, pool.spec->CountOn(now.today), pool.used)
                  : fmt::format("the pool has only {} seat(s) today and they are taken",
                                pool.spec->CountOn(now.today));
          report.dropped.emplace_back(std::move(view), std::move(why));
          continue;
        }
        number = s.OpenSeat(pool_id, view.who, std::move(key), r.since, view.seats);
      }
      const Seat& seat = pool.seats.at(number);
      view.reason = pool.collection
                        ? fmt::format("restored onto {}'s collection seat {} of {}",
                                      HolderName(seat.holder), number, pool.collection->name)
                        : fmt::format("restored onto {}'s seat {} of {}", HolderName(seat.holder),
                                      number, pool.spec->feature);
    }

    Lease lease;
    lease.view = std::move(view);
    lease.scheduled = lease.view.expires;
    s.AttachLease(lease, pool_id, number);
    s.deadlines.push({lease.scheduled, Deadline::Kind::kLease, r.id, lease.generation});
    s.leases.emplace(r.id, std::move(lease));
    ++report.restored;
  }
  // Restored seats are as they were persisted; dropped leases may have left room to
  // consolidate. Moves are reported as events like any other.
  for (const auto& [user, seats] : s.seats_by_user) {
    s.unsettled_users.insert(user);
  }
  s.Settle(now);
  return report;
}

}  // namespace floatlm::engine
