// Waiters: checkouts that asked to wait for a seat. FIFO per feature; a waiter waits on
// every pool that could serve it and is granted by the first seat that fits.
#include <fmt/format.h>

#include <utility>

#include "engine/denial_text.h"
#include "engine/engine_state.h"
#include "engine/placement.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {
namespace {

std::string UserKey(const std::string& feature, const std::string& user) {
  return fmt::format("{}\x1f{}", feature, user);
}

}  // namespace

std::variant<Queued, std::string> SeatEngine::State::Enqueue(const Identity& who,
                                                             const CheckoutRequest& req,
                                                             std::vector<PoolId> wait_on,
                                                             const Now& now) {
  if (wait_on.empty()) {
    return std::string();  // nothing to wait on (named-user pools): the denial says why
  }
  for (PoolId id : wait_on) {
    if (pools[id].waiting >= config.max_queue_per_pool) {
      return fmt::format("The queue is full ({} waiting at most per pool).",
                         config.max_queue_per_pool);
    }
  }
  const std::string user_key = UserKey(req.feature, who.user);
  if (auto same = waiters_by_user.find(user_key);
      same != waiters_by_user.end() && same->second.size() >= config.max_queue_per_user) {
    return fmt::format("{} already has {} checkouts of {} waiting, the most one user may.",
                       who.user, same->second.size(), req.feature);
  }
  if (auto peer = waiters_by_peer.find(who.peer);
      peer != waiters_by_peer.end() && peer->second >= config.max_queue_per_address) {
    return fmt::format(
        "{} checkouts from address {} are waiting already, the most one address may.", peer->second,
        who.peer.empty() ? "(unknown)" : who.peer);
  }
  for (PoolId id : wait_on) {
    ++pools[id].waiting;
  }
  Waiter waiter;
  waiter.id = next_waiter++;
  waiter.client = req.client;
  waiter.tag = req.tag;
  waiter.who = who;
  waiter.feature = req.feature;
  waiter.version = req.version;
  waiter.dup_group = req.dup_group;
  waiter.seats = req.seats;
  waiter.deadline = now.mono + req.wait;
  waiter.pools = std::move(wait_on);
  HoldFor(waiter);

  deadlines.push({waiter.deadline, Deadline::Kind::kWaiter, waiter.id, 0});
  waiter_feature.emplace(waiter.id, req.feature);
  waiters_by_user[user_key].insert(waiter.id);
  ++waiters_by_peer[who.peer];
  client_waiters[req.client].insert(waiter.id);
  auto& queue = queues[req.feature];
  queue.emplace(waiter.id, std::move(waiter));
  // Position in the feature's line; waiters for other versions may be served around it.
  return Queued{queue.size()};
}

void SeatEngine::State::DropWaiter(std::uint64_t id) {
  auto where = waiter_feature.find(id);
  if (where == waiter_feature.end()) {
    return;
  }
  auto queue = queues.find(where->second);
  auto it = queue->second.find(id);
  for (PoolId pool : it->second.pools) {
    --pools[pool].waiting;
    // Seats held for it are free for the others now.
    if (pools[pool].multi_waiters.erase(id) > 0) MarkDirty(pool);
  }
  auto same_user = waiters_by_user.find(UserKey(it->second.feature, it->second.who.user));
  same_user->second.erase(id);
  if (same_user->second.empty()) {
    waiters_by_user.erase(same_user);
  }
  if (auto peer = waiters_by_peer.find(it->second.who.peer);
      peer != waiters_by_peer.end() && --peer->second == 0) {
    waiters_by_peer.erase(peer);
  }
  auto mine = client_waiters.find(it->second.client);
  mine->second.erase(id);
  if (mine->second.empty()) {
    client_waiters.erase(mine);
  }
  queue->second.erase(it);
  if (queue->second.empty()) {
    queues.erase(queue);
  }
  waiter_feature.erase(where);
}

void SeatEngine::State::HoldFor(const Waiter& waiter) {
  if (waiter.seats <= 1) return;
  for (PoolId id : waiter.pools) {
    if (!pools[id].spec->uncounted) pools[id].multi_waiters.emplace(waiter.id, waiter.seats);
  }
}

void SeatEngine::State::DropClientWaiters(ClientId client) {
  auto mine = client_waiters.find(client);
  if (mine == client_waiters.end()) {
    return;
  }
  const std::vector<std::uint64_t> ids(mine->second.begin(), mine->second.end());
  for (std::uint64_t id : ids) {
    DropWaiter(id);
  }
}

void SeatEngine::State::TimeOutWaiter(std::uint64_t id) {
  auto where = waiter_feature.find(id);
  if (where == waiter_feature.end()) {
    return;  // served or dropped already
  }
  const Waiter& waiter = queues.at(where->second).at(id);
  RefuseWaiter(id, Errc::kQueueTimeout,
               fmt::format("no seat of '{}' came free while {} waited; try again later",
                           waiter.feature, HolderName(waiter.who)));
}

void SeatEngine::State::MarkDirty(PoolId pool) {
  // A collection seat serves every component: each of their queues may move.
  for (const std::string& feature : pools[pool].serves) {
    if (queues.contains(feature)) {
      dirty_features.insert(feature);
    }
  }
}

void SeatEngine::State::MarkAllQueuesDirty() {
  for (const auto& [feature, queue] : queues) {
    dirty_features.insert(feature);
  }
}

void SeatEngine::State::ServeDirty(const Now& now, bool full_scan) {
  // A grant frees no seat itself; seats that consolidation frees afterwards mark their
  // features again and Settle calls back here.
  const std::set<std::string> features = std::exchange(dirty_features, {});
  for (const std::string& feature : features) {
    ServeQueue(feature, now, full_scan);
  }
  const auto slots = std::exchange(freed_slots, {});
  for (const auto& [pool, user] : slots) {
    ServeRiders(pool, user, now);
  }
}

void SeatEngine::State::ServeQueue(const std::string& feature, const Now& now, bool full_scan) {
  auto cascade = by_feature.find(feature);
  if (cascade == by_feature.end()) {
    return;  // unlicensed since a reload: wait out the timeout
  }
  // One FIFO pass. A waiter skipped here found no seat in any of its pools; grants later
  // in the pass only take seats, so it could not fit afterwards either. Once no seat of
  // the feature is free only sharing can serve a waiter, and ServeSharers handles the
  // seats this pass opens, so the usual pass stops there: a checkin costs O(1) waiters,
  // not the whole queue. The queue is looked up again after each grant because dropping
  // the last waiter erases it.
  std::uint64_t next = 0;
  for (;;) {
    if (!full_scan && !AnyFreeSeat(pools, cascade->second, feature, now.today)) {
      return;
    }
    auto queue = queues.find(feature);
    if (queue == queues.end()) {
      return;
    }
    auto it = queue->second.lower_bound(next);
    if (it == queue->second.end()) {
      return;
    }
    next = it->first + 1;
    const Waiter& waiter = it->second;
    const Placement where =
        Place(waiter.who, feature, waiter.version, waiter.dup_group, now, waiter.seats, waiter.id);
    if (where.excluded) {
      // SetPolicy closed the feature to this waiter: it would wait in vain.
      RefuseWaiter(waiter.id, where.excluded->code, where.excluded->message);
      continue;
    }
    if (!where.granted()) {
      continue;
    }
    const Identity who = waiter.who;
    const std::optional<licenses::DupGroup> group = waiter.dup_group;
    if (GrantWaiter(waiter.id, where, now)) {
      ServeSharers(feature, where.pool, who, group, now);
      if (pools[where.pool].collection) {
        ServeRiders(where.pool, who.user, now);
      }
    }
  }
}

bool SeatEngine::State::GrantWaiter(std::uint64_t id, const Placement& where, const Now& now) {
  const Waiter waiter = queues.at(waiter_feature.at(id)).at(id);
  DropWaiter(id);
  bool opened = false;
  Event event{Event::Kind::kQueuedGranted};
  event.client = waiter.client;
  event.tag = waiter.tag;
  event.lease = Grant(waiter.who, waiter.client, waiter.feature, waiter.version, waiter.dup_group,
                      where, now, &opened);
  event.message =
      fmt::format("queued checkout of '{}' granted: lease {}", waiter.feature, event.lease.id);
  events.push_back(std::move(event));
  return opened;
}

void SeatEngine::State::ServeSharers(const std::string& feature, PoolId pool,
                                     const Identity& holder,
                                     const std::optional<licenses::DupGroup>& holder_group,
                                     const Now& now) {
  // Only waiters whose DUP_GROUP identity matches the new seat can ride on it. With a
  // user in the group those are the same user's waiters; other groups (host, display,
  // SITE) are rare enough to look at the whole queue.
  const PoolState& opened = pools[pool];
  const std::uint8_t bits = opened.collection         ? opened.collection->suite_dup_group.bits
                            : opened.spec->user_based ? std::uint8_t{licenses::DupGroup::kUser}
                            : opened.spec->host_based
                                ? std::uint8_t{licenses::DupGroup::kHost}
                                : EffectiveDupGroup(opened, holder_group).bits;
  if (bits == licenses::DupGroup::kNone) {
    return;
  }
  std::vector<std::uint64_t> candidates;
  if ((bits & licenses::DupGroup::kUser) && !(bits & licenses::DupGroup::kSite)) {
    auto same_user = waiters_by_user.find(UserKey(feature, holder.user));
    if (same_user == waiters_by_user.end()) {
      return;
    }
    candidates.assign(same_user->second.begin(), same_user->second.end());
  } else if (auto queue = queues.find(feature); queue != queues.end()) {
    for (const auto& [id, waiter] : queue->second) {
      candidates.push_back(id);
    }
  }
  GrantRidingWaiters(candidates, feature, now);
}

void SeatEngine::State::GrantRidingWaiters(const std::vector<std::uint64_t>& candidates,
                                           const std::string& feature, const Now& now) {
  for (std::uint64_t id : candidates) {
    auto found = waiter_feature.find(id);
    if (found == waiter_feature.end()) {
      continue;  // granted or dropped by an earlier grant of this pass
    }
    const Waiter& waiter = queues.at(found->second).at(id);
    if (waiter.seats > 1) continue;  // rides on nothing
    const Placement where =
        Place(waiter.who, feature, waiter.version, waiter.dup_group, now, 1, waiter.id);
    // A free seat is not taken here: it belongs to whoever is first in line.
    if (where.kind == Placement::Kind::kRide) {
      GrantWaiter(id, where, now);
    }
  }
}

void SeatEngine::State::ServeRiders(PoolId pool, const std::string& user, const Now& now) {
  // A collection seat of `user` has room: that user's waiters for any product the
  // collection covers may ride on it, ahead of the line (they take no seat).
  for (const std::string& feature : pools[pool].serves) {
    auto same_user = waiters_by_user.find(UserKey(feature, user));
    if (same_user == waiters_by_user.end()) {
      continue;
    }
    GrantRidingWaiters({same_user->second.begin(), same_user->second.end()}, feature, now);
  }
}

void SeatEngine::State::RefuseWaiter(std::uint64_t id, Errc code, const std::string& message) {
  auto found = waiter_feature.find(id);
  if (found == waiter_feature.end()) {
    return;
  }
  const Waiter& waiter = queues.at(found->second).at(id);
  Event event{Event::Kind::kQueueTimeout};
  event.client = waiter.client;
  event.tag = waiter.tag;
  event.lease.feature = waiter.feature;
  event.lease.version = waiter.version.value_or(licenses::Version{});
  event.lease.who = waiter.who;
  event.lease.client = waiter.client;
  event.reason = code;
  event.message = message;
  DropWaiter(id);
  events.push_back(std::move(event));
}

void SeatEngine::State::RecomputeWaiterPools() {
  for (PoolState& pool : pools) {
    pool.waiting = 0;
    pool.multi_waiters.clear();
  }
  for (auto& [feature, queue] : queues) {
    auto cascade = by_feature.find(feature);
    for (auto& [id, waiter] : queue) {
      waiter.pools = cascade == by_feature.end()
                         ? std::vector<PoolId>{}
                         : WaitablePools(pools, cascade->second, feature, waiter.version);
      for (PoolId pool : waiter.pools) {
        ++pools[pool].waiting;
      }
      HoldFor(waiter);
    }
  }
}

}  // namespace floatlm::engine
