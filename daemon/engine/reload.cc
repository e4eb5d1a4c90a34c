// Reload: swap in a new license model without dropping live leases. A lease stays when
// a pool with the same Key() exists in the new model, whatever its count now is.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "engine/denial_text.h"
#include "engine/engine_state.h"

namespace floatlm::engine {
namespace {

std::string CountText(const licenses::Pool& pool, licenses::Date today) {
  return pool.uncounted ? std::string("uncounted") : fmt::format("{}", pool.CountOn(today));
}

std::string ExpiryText(const std::optional<licenses::Date>& expiry) {
  return expiry ? FormatDate(*expiry) : std::string("permanent");
}

}  // namespace

void SeatEngine::State::RebuildSeatAges() {
  for (PoolState& pool : pools) {
    pool.by_age.clear();
    for (const auto& [key, seat] : pool.seats) {
      pool.by_age.emplace(seat.serial, &seat);
    }
  }
}

ReloadReport SeatEngine::Reload(licenses::Model model, const Now& now) {
  State& s = *state_;
  ReloadReport report;
  // The old model stays alive until the end so that the old pool specs can be compared.
  const licenses::Model old_model = std::exchange(s.model, std::move(model));
  std::vector<PoolState> old_pools = std::move(s.pools);
  s.IndexPools();

  std::unordered_map<std::string, PoolId> by_key;
  for (PoolId id = 0; id < s.pools.size(); ++id) {
    by_key.try_emplace(s.pools[id].spec->Key(), id);
  }
  std::vector<bool> kept(s.pools.size(), false);

  for (PoolState& old : old_pools) {
    const licenses::Pool& was = *old.spec;
    auto match = by_key.find(was.Key());
    if (match == by_key.end()) {
      report.removed.push_back(PoolSummary(was, now.today));
      // The seat table goes away with old_pools; only the lease records need ending.
      std::vector<LeaseId> ending;
      for (const auto& [key, seat] : old.seats) {
        ending.insert(ending.end(), seat.leases.begin(), seat.leases.end());
      }
      std::sort(ending.begin(), ending.end());
      for (LeaseId id : ending) {
        auto it = s.leases.find(id);
        LeaseView view = std::move(it->second.view);
        s.leases.erase(it);
        if (!view.detached) {
          auto owner = s.client_leases.find(view.client);
          owner->second.erase(id);
          if (owner->second.empty()) {
            s.client_leases.erase(owner);
          }
        }
        Event event{Event::Kind::kLeaseEnded};
        event.client = view.client;
        event.reason = Errc::kPoolRemoved;
        event.message = fmt::format("lease {} of '{}' held by {} ended: a reread removed {}",
                                    view.id, view.feature, HolderName(view.who), PoolLabel(was));
        event.lease = view;
        s.events.push_back(std::move(event));
        report.ended.push_back(std::move(view));
      }
      continue;
    }

    const PoolId id = match->second;
    kept[id] = true;
    PoolState& now_pool = s.pools[id];
    for (auto& [key, seat] : old.seats) {
      for (LeaseId lease : seat.leases) {
        s.leases.at(lease).view.pool = id;
      }
      auto [it, fresh] = now_pool.seats.try_emplace(key, std::move(seat));
      if (!fresh) {  // two old pools with one key: keep one seat per holder
        it->second.leases.insert(seat.leases.begin(), seat.leases.end());
        for (const auto& [product, n] : seat.products) {
          it->second.products[product] += n;
        }
      }
    }
    const licenses::Pool& is = *now_pool.spec;
    const std::string before = CountText(was, now.today);
    const std::string after = CountText(is, now.today);
    if (before != after) {
      report.changed.push_back(fmt::format("{} {}: {} -> {}{} ({} in use)", is.feature,
                                           is.version.ToString(), before, after,
                                           is.uncounted ? "" : " seats", now_pool.seats.size()));
    }
    if (was.LastExpiry() != is.LastExpiry()) {
      report.changed.push_back(fmt::format("{} {}: expiry {} -> {}", is.feature,
                                           is.version.ToString(), ExpiryText(was.LastExpiry()),
                                           ExpiryText(is.LastExpiry())));
    }
  }
  for (PoolId id = 0; id < s.pools.size(); ++id) {
    if (!kept[id]) {
      report.added.push_back(PoolSummary(*s.pools[id].spec, now.today));
    }
  }

  // A renewal may carry other dates: leases on a pool with no line in force end now, as
  // they would at the next Tick, so that no lease outlives its license.
  s.RebuildSeatAges();
  s.EndLapsedPools(now);
  s.RecomputeWaiterPools();
  // Counts may have grown and lines started: serve waiters now.
  s.MarkAllQueuesDirty();
  s.ServeDirty(now, /*full_scan=*/true);
  return report;
}

}  // namespace floatlm::engine
