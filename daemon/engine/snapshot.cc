// Read-only status views of the engine's tables.
#include <algorithm>
#include <numeric>

#include "engine/engine_state.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {

namespace {

// The seat with its leases from `first` on (all of them: `leases.begin()`), at most
// `max`; `*last` is set to the last one given.
SeatView ViewOf(const std::unordered_map<LeaseId, Lease>& leases, const PoolState& pool,
                const Seat& seat, std::set<LeaseId>::const_iterator first, std::size_t max,
                LeaseId* last) {
  SeatView view;
  view.number = seat.number;
  view.weight = seat.weight;
  view.holder = seat.holder;
  view.since = seat.since;
  view.products.reserve(seat.products.size());
  for (const auto& [product, n] : seat.products) view.products.push_back(product);
  for (auto it = first; it != seat.leases.end() && view.leases.size() < max; ++it) {
    LeaseView& lease = view.leases.emplace_back(leases.at(*it).view);
    lease.licensed = ServedVersion(pool, lease.feature);
    // Sharing is what the seat holds now: the lease it rode on may have left.
    lease.shared = seat.leases.size() > 1;
    *last = *it;
  }
  return view;
}

}  // namespace

std::vector<PoolView> SeatEngine::PoolSummaries(const Now& now) const {
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
    view.in_use = static_cast<int>(pool.used);
    view.collection = pool.collection;
    view.named_by_options = pool.named_order;
    view.named_over_limit = pool.named_over;
    if (s.policy) view.reservations = s.policy->ReservesFor(pool.policy_view->ref());
    for (LeaseId id : pool.cloud_leases) {
      view.cloud_leases.push_back(s.leases.at(id).view);
      view.cloud_leases.back().licensed = ServedVersion(pool, view.cloud_leases.back().feature);
    }
  }
  // Each queue is in FIFO order and all its pools belong to its feature, so appending
  // queue by queue keeps every pool's list in FIFO order.
  for (const auto& [feature, queue] : s.queues) {
    for (const auto& [id, waiter] : queue) {
      for (PoolId pool : waiter.pools) {
        views[slot[pool]].queue.push_back(
            {waiter.client, waiter.who, waiter.feature, waiter.deadline, waiter.seats});
      }
    }
  }
  return views;
}

std::vector<PoolView> SeatEngine::Snapshot(const Now& now) const {
  const State& s = *state_;
  std::vector<PoolView> views = PoolSummaries(now);
  for (PoolView& view : views) {
    const PoolState& pool = s.pools[view.id];
    view.seats.reserve(pool.by_age.size());
    for (const auto& [serial, seat] : pool.by_age) {
      LeaseId last = 0;
      view.seats.push_back(
          ViewOf(s.leases, pool, *seat, seat->leases.begin(), seat->leases.size(), &last));
    }
  }
  return views;
}

std::vector<SeatView> SeatEngine::SeatsAfter(PoolId pool_id, SeatCursor* cursor, std::size_t max,
                                             bool with_leases) const {
  const State& s = *state_;
  std::vector<SeatView> page;
  if (pool_id >= s.pools.size() || max == 0) return page;
  const PoolState& pool = s.pools[pool_id];
  std::size_t items = 0;
  if (!with_leases) {
    for (auto it = pool.by_age.upper_bound(cursor->seat); it != pool.by_age.end() && items < max;
         ++it, ++items) {
      const Seat& seat = *it->second;
      LeaseId unused = 0;
      page.push_back(ViewOf(s.leases, pool, seat, seat.leases.end(), 0, &unused));
      cursor->seat = it->first;
    }
    return page;
  }
  for (auto it = pool.by_age.lower_bound(cursor->seat); it != pool.by_age.end() && items < max;
       ++it) {
    const Seat& seat = *it->second;
    const bool same = it->first == cursor->seat && cursor->lease != 0;
    const auto first = same ? seat.leases.upper_bound(cursor->lease) : seat.leases.begin();
    if (first == seat.leases.end()) continue;  // that seat was done
    LeaseId last = 0;
    SeatView view = ViewOf(s.leases, pool, seat, first, max - items, &last);
    view.continued = same;
    items += view.leases.size();
    cursor->seat = it->first;
    cursor->lease = last;
    page.push_back(std::move(view));
  }
  return page;
}

std::uint64_t SeatEngine::generation() const { return state_->generation; }

}  // namespace floatlm::engine
