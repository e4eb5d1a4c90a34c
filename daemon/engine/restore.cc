// Restoring leases from the state store at start-up.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "engine/engine_state.h"
#include "engine/pool_selection.h"
#include "engine/seat_engine.h"

namespace floatlm::engine {

void SeatEngine::ReserveLeaseIds(LeaseId highest) {
  state_->next_lease = std::max(state_->next_lease, highest + 1);
}

RestoreReport SeatEngine::Restore(std::vector<RestoredLease> leases, const Now& now) {
  State& s = *state_;
  RestoreReport report;
  std::unordered_map<std::string, PoolId> by_key;
  for (PoolId id = 0; id < s.pools.size(); ++id) by_key.emplace(s.pools[id].spec->Key(), id);

  // Id order is grant order: when a pool shrank, the oldest leases keep their seats.
  std::sort(leases.begin(), leases.end(),
            [](const RestoredLease& a, const RestoredLease& b) { return a.id < b.id; });
  for (auto& r : leases) {
    LeaseView view;
    view.id = r.id;
    view.token = r.token;
    view.feature = r.feature;
    view.version = r.version;
    view.who = r.who;
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
    std::string key = HolderKey(*pool.spec, r.who, requested).value_or(fmt::format("#{}", r.id));
    auto seat_it = pool.seats.find(key);
    const bool opens = seat_it == pool.seats.end();
    if (opens && !pool.spec->uncounted &&
        static_cast<long>(pool.seats.size()) >= pool.spec->CountOn(now.today)) {
      report.dropped.emplace_back(
          std::move(view), fmt::format("the pool has only {} seat(s) today and they are taken",
                                       pool.spec->CountOn(now.today)));
      continue;
    }
    if (opens) {
      seat_it = pool.seats.try_emplace(key).first;
      Seat& seat = seat_it->second;
      seat.holder = r.who;
      seat.since = r.since;
      seat.serial = s.next_seat_serial++;
      pool.by_age.emplace(seat.serial, &seat);
    }
    Seat& seat = seat_it->second;
    ++seat.products[r.feature];
    seat.leases.insert(r.id);
    view.shared = !opens;

    Lease lease;
    lease.view = view;
    lease.seat_key = std::move(key);
    lease.scheduled = view.expires;
    s.deadlines.push({lease.scheduled, Deadline::Kind::kLease, r.id, lease.generation});
    s.leases.emplace(r.id, std::move(lease));
    ++report.restored;
  }
  return report;
}

}  // namespace floatlm::engine
