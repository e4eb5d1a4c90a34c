// Reload: swap in a new license model without dropping live leases. A lease stays when
// a pool with the same Key() exists in the new model, whatever its count now is.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <utility>

#include "engine/denial_text.h"
#include "engine/engine_state.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {
namespace {

std::string CountText(const licenses::Pool& pool, licenses::Date today) {
  return pool.uncounted ? std::string("uncounted") : fmt::format("{}", pool.CountOn(today));
}

// "cad 2027.0: 10 -> 5 seats (7 in use)" and "cad 2027.0: expiry ... -> ..." when a
// pool kept across a reread changed.
void ReportChanges(const licenses::Pool& was, const licenses::Pool& is, std::size_t in_use,
                   licenses::Date today, std::vector<std::string>* changed) {
  const std::string before = CountText(was, today);
  const std::string after = CountText(is, today);
  if (before != after) {
    changed->push_back(fmt::format("{} {}: {} -> {}{} ({} in use)", is.feature,
                                   is.version.ToString(), before, after,
                                   is.uncounted ? "" : " seats", in_use));
  }
  if (was.LastExpiry() != is.LastExpiry()) {
    changed->push_back(fmt::format("{} {}: expiry {} -> {}", is.feature, is.version.ToString(),
                                   ExpiryText(was.LastExpiry()), ExpiryText(is.LastExpiry())));
  }
}

}  // namespace

// A renewal may drop a product from a collection (or lower its version, or move it to
// the CLOUD list): leases the pool no longer serves end now, as if their pool had gone.
void SeatEngine::State::EndUncoveredLeases() {
  State& s = *this;
  std::vector<LeaseId> ending;
  for (const PoolState& pool : s.pools) {
    if (!pool.collection) {
      continue;  // a product pool with the same Key() serves what it served
    }
    auto check = [&](LeaseId id) {
      const LeaseView& view = s.leases.at(id).view;
      const std::optional<licenses::Version> requested =
          view.version == licenses::Version{} ? std::nullopt : std::optional(view.version);
      if (!ServesRequest(pool, view.feature, requested) ||
          IsCloudServiceOf(pool, view.feature) != view.cloud) {
        ending.push_back(id);
      }
    };
    for (LeaseId id : pool.cloud_leases) check(id);
    for (const auto& [number, seat] : pool.seats) {
      for (LeaseId id : seat.leases) check(id);
    }
  }
  std::sort(ending.begin(), ending.end());
  for (LeaseId id : ending) {
    const LeaseView& view = s.leases.at(id).view;
    std::string message = fmt::format(
        "lease {} of '{}' held by {} ended: a reread took '{}' out of collection {}", view.id,
        view.feature, HolderName(view.who), view.feature, s.pools[view.pool].collection->name);
    s.End(id, Errc::kPoolRemoved, std::move(message));
  }
}

ReloadReport SeatEngine::Reload(licenses::Model model, const Now& now) {
  return Reload(std::move(model), state_->policy, now);
}

ReloadReport SeatEngine::Reload(licenses::Model model,
                                std::shared_ptr<const options::OptionsPolicy> policy,
                                const Now& now) {
  State& s = *state_;
  ++s.generation;
  // An empty rule set allows everything, like no options file (SetPolicy).
  s.policy = policy && policy->empty() ? nullptr : std::move(policy);
  ReloadReport report;
  // The old model stays alive until the end so that the old pool specs can be compared.
  const licenses::Model old_model = std::exchange(s.model, std::move(model));
  std::vector<PoolState> old_pools = std::move(s.pools);
  s.IndexPools();
  s.NameFromOptions();

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
      std::vector<LeaseId> ending(old.cloud_leases.begin(), old.cloud_leases.end());
      for (const auto& [number, seat] : old.seats) {
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
    for (LeaseId lease : old.cloud_leases) {
      s.leases.at(lease).view.pool = id;
    }
    now_pool.cloud_leases.merge(old.cloud_leases);
    for (auto& [number, seat] : old.seats) {
      // Keys are unique in a model, so two old pools never map to one new pool; a
      // number already taken would only come from a malformed model: renumber then.
      std::uint32_t at = number;
      while (now_pool.seats.contains(at)) {
        ++at;
      }
      // The pool may have become (or stopped being) a collection: its sharing identity
      // is worked out again from the opener and the first lease's requested version.
      const LeaseView& first = s.leases.at(*seat.leases.begin()).view;
      // A multi-seat lease's seat stays its own.
      seat.holder_key = seat.weight > 1 ? std::nullopt
                                        : SeatHolderKey(now_pool, seat.holder,
                                                        first.version == licenses::Version{}
                                                            ? std::nullopt
                                                            : std::optional(first.version),
                                                        first.dup_group);
      for (LeaseId lease : seat.leases) {
        s.leases.at(lease).view.pool = id;
        s.leases.at(lease).view.seat = at;
      }
      now_pool.used += seat.weight;  // RebuildSeatIndexes counts again; the report needs it now
      now_pool.seats.emplace(at, std::move(seat));
    }
    ReportChanges(was, *now_pool.spec, static_cast<std::size_t>(now_pool.used), now.today,
                  &report.changed);
  }
  for (PoolId id = 0; id < s.pools.size(); ++id) {
    if (!kept[id]) {
      report.added.push_back(PoolSummary(*s.pools[id].spec, now.today));
    }
  }

  // A renewal may carry other dates: leases on a pool with no line in force end now, as
  // they would at the next Tick, so that no lease outlives its license.
  s.RebuildSeatIndexes();
  // Cloud-user slots of collections no longer licensed go; the others stay, even above a
  // smaller limit (a user keeps a slot), and new users wait for the count to drop.
  std::set<std::string> collections;
  for (const PoolState& pool : s.pools) {
    if (pool.collection) collections.insert(pool.collection->name);
  }
  std::erase_if(s.cloud_slots,
                [&](const auto& entry) { return !collections.contains(entry.first); });
  s.EndLapsedPools(now);
  s.EndUncoveredLeases();
  s.RecomputeWaiterPools();
  // Collections may have come or grown: every holder is consolidated again.
  for (const auto& [user, seats] : s.seats_by_user) {
    s.unsettled_users.insert(user);
  }
  // Counts may have grown and lines started: serve waiters now.
  s.MarkAllQueuesDirty();
  s.Settle(now, /*full_scan=*/true);
  return report;
}

ReloadReport SeatEngine::PreviewReload(const licenses::Model& model, const Now& now) const {
  const State& s = *state_;
  ReloadReport report;
  std::unordered_map<std::string, const licenses::Pool*> next;
  for (const licenses::Pool& pool : model.pools) next.try_emplace(pool.Key(), &pool);
  std::set<std::string> matched;
  for (const PoolState& old : s.pools) {
    const licenses::Pool& was = *old.spec;
    auto it = next.find(was.Key());
    if (it == next.end()) {
      report.removed.push_back(PoolSummary(was, now.today));
      std::vector<LeaseId> ending(old.cloud_leases.begin(), old.cloud_leases.end());
      for (const auto& [number, seat] : old.seats) {
        ending.insert(ending.end(), seat.leases.begin(), seat.leases.end());
      }
      std::sort(ending.begin(), ending.end());
      for (LeaseId id : ending) report.ended.push_back(s.leases.at(id).view);
      continue;
    }
    matched.insert(it->first);
    ReportChanges(was, *it->second, static_cast<std::size_t>(old.used), now.today, &report.changed);
  }
  for (const licenses::Pool& pool : model.pools) {
    if (!matched.contains(pool.Key())) report.added.push_back(PoolSummary(pool, now.today));
  }
  return report;
}

}  // namespace floatlm::engine
