// Read-only status views of the engine's tables.
#include <algorithm>
#include <numeric>

#include "engine/engine_state.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {

std::vector<PoolView> SeatEngine::Snapshot(const Now& now) const {
  const State& s = *state_;
  std::vector<PoolId> order(s.pools.size());
  std::iota(order.begin(), order.end(), PoolId{0});
  std::stable_sort(order.begin(), order.end(), [&s](PoolId a, PoolId b) {
    return CascadeBefore(*s.pools[a].spec, *s.pools[b].spec);
  });

  std::vector<PoolView> views(s.pools.size());
  std::vector<std::size_t> slot(s.pools.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const PoolState& pool = s.pools[order[i]];
    slot[order[i]] = i;
    PoolView& view = views[i];
    view.id = order[i];
    view.spec = pool.spec;
    view.total = pool.spec->CountOn(now.today);
    view.in_use = static_cast<int>(pool.seats.size());
    view.collection = pool.collection;
    view.named_by_options = pool.named_order;
    view.named_over_limit = pool.named_over;
    if (s.policy) view.reservations = s.policy->ReservesFor(pool.policy_view->ref());
    for (LeaseId id : pool.cloud_leases) {
      view.cloud_leases.push_back(s.leases.at(id).view);
      view.cloud_leases.back().licensed = ServedVersion(pool, view.cloud_leases.back().feature);
    }

    for (const auto& [serial, seat] : pool.by_age) {
      SeatView seat_view;
      seat_view.number = seat->number;
      seat_view.holder = seat->holder;
      seat_view.since = seat->since;
      for (const auto& [product, n] : seat->products) {
        seat_view.products.push_back(product);
      }
      for (LeaseId id : seat->leases) {
        seat_view.leases.push_back(s.leases.at(id).view);
        LeaseView& lease = seat_view.leases.back();
        lease.licensed = ServedVersion(pool, lease.feature);
        // Sharing is what the seat holds now: the lease it rode on may have left.
        lease.shared = seat->leases.size() > 1;
      }
      view.seats.push_back(std::move(seat_view));
    }
  }
  // Each queue is in FIFO order and all its pools belong to its feature, so appending
  // queue by queue keeps every pool's list in FIFO order.
  for (const auto& [feature, queue] : s.queues) {
    for (const auto& [id, waiter] : queue) {
      for (PoolId pool : waiter.pools) {
        views[slot[pool]].queue.push_back(
            {waiter.client, waiter.who, waiter.feature, waiter.deadline});
      }
    }
  }
  return views;
}

}  // namespace floatlm::engine
