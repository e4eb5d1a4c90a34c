// The seat engine's public operations and the lease life cycle. Waiters live in
// queue.cc, Reload in reload.cc, status views in snapshot.cc.
#include "engine/seat_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "engine/denial_text.h"
#include "engine/engine_state.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {
namespace {

std::string Seconds(Millis span) { return fmt::format("{:g} s", span.count() / 1000.0); }

std::string LeaseLabel(const LeaseView& lease) {
  return fmt::format("lease {} of '{}' held by {}", lease.id, lease.feature, HolderName(lease.who));
}

}  // namespace

SeatEngine::State::State(licenses::Model m, EngineConfig c)
    : model(std::move(m)), config(std::move(c)) {
  if (!config.token_source) {
    throw std::invalid_argument("SeatEngine needs a token source for reattach tokens");
  }
  IndexPools();
}

void SeatEngine::State::IndexPools() {
  pools.assign(model.pools.size(), PoolState{});
  by_feature.clear();
  features.clear();
  for (PoolId id = 0; id < pools.size(); ++id) {
    pools[id].spec = &model.pools[id];
    by_feature[model.pools[id].feature].push_back(id);
    features.insert(model.pools[id].feature);
  }
  for (auto& [feature, ids] : by_feature) {
    std::stable_sort(ids.begin(), ids.end(), [this](PoolId a, PoolId b) {
      return CascadeBefore(model.pools[a], model.pools[b]);
    });
  }
}

LeaseView SeatEngine::State::Grant(const Identity& who, ClientId client, const std::string& feature,
                                   const std::optional<licenses::Version>& version, PoolId pool_id,
                                   const std::string* share_key, const Now& now,
                                   bool* opened_seat) {
  const LeaseId id = next_lease++;
  PoolState& pool = pools[pool_id];
  std::string key;
  if (share_key) {
    key = *share_key;
  } else {
    // DUP_GROUP=NONE: the lease id makes a key no other checkout can match.
    key = HolderKey(*pool.spec, who, version).value_or(fmt::format("#{}", id));
  }
  auto [seat_it, opened] = pool.seats.try_emplace(key);
  Seat& seat = seat_it->second;
  if (opened) {
    seat.holder = who;
    seat.since = now.wall;
    seat.serial = next_seat_serial++;
    pool.by_age.emplace(seat.serial, &seat);
  }
  if (opened_seat) {
    *opened_seat = opened;
  }
  ++seat.products[feature];
  seat.leases.insert(id);

  Lease lease;
  lease.view.id = id;
  lease.view.token = config.token_source();
  lease.view.pool = pool_id;
  lease.view.feature = feature;
  lease.view.version = version.value_or(licenses::Version{});
  lease.view.who = who;
  lease.view.client = client;
  lease.view.since = now.wall;
  lease.view.expires = now.mono + config.ttl;
  lease.view.shared = !opened;
  lease.seat_key = std::move(key);
  lease.scheduled = lease.view.expires;
  deadlines.push({lease.scheduled, Deadline::Kind::kLease, id, lease.generation});
  client_leases[client].insert(id);
  return leases.emplace(id, std::move(lease)).first->second.view;
}

void SeatEngine::State::SetDeadline(Lease& lease, MonoTime at) {
  lease.view.expires = at;
  // A later deadline is picked up when the filed entry comes due; only an earlier one
  // needs a new entry (the old one then no longer matches the generation).
  if (at < lease.scheduled) {
    ++lease.generation;
    lease.scheduled = at;
    deadlines.push({at, Deadline::Kind::kLease, lease.view.id, lease.generation});
  }
}

LeaseView SeatEngine::State::Free(LeaseId id) {
  auto it = leases.find(id);
  Lease lease = std::move(it->second);
  leases.erase(it);
  if (!lease.view.detached) {
    auto owner = client_leases.find(lease.view.client);
    owner->second.erase(id);
    if (owner->second.empty()) {
      client_leases.erase(owner);
    }
  }
  PoolState& pool = pools[lease.view.pool];
  auto seat_it = pool.seats.find(lease.seat_key);
  Seat& seat = seat_it->second;
  seat.leases.erase(id);
  auto product = seat.products.find(lease.view.feature);
  if (--product->second == 0) {
    seat.products.erase(product);
  }
  if (seat.leases.empty()) {
    pool.by_age.erase(seat.serial);
    pool.seats.erase(seat_it);
    MarkDirty(pool.spec->feature);
  }
  return std::move(lease.view);
}

void SeatEngine::State::End(LeaseId id, Errc reason, std::string message) {
  LeaseView view = Free(id);
  Event event{Event::Kind::kLeaseEnded};
  event.client = view.client;
  event.lease = std::move(view);
  event.reason = reason;
  event.message = std::move(message);
  events.push_back(std::move(event));
}

void SeatEngine::State::EndLapsedPools(const Now& now) {
  // Runs once per calendar day and on reload, so a scan of the pool table is cheap.
  for (PoolState& pool : pools) {
    if (pool.seats.empty()) {
      continue;
    }
    if (DateStateOn(*pool.spec, now.today) == DateState::kInForce) {
      continue;
    }
    const std::string why = NotInForceText(*pool.spec, now.today);
    std::vector<LeaseId> ending;
    for (const auto& [key, seat] : pool.seats) {
      ending.insert(ending.end(), seat.leases.begin(), seat.leases.end());
    }
    std::sort(ending.begin(), ending.end());
    for (LeaseId id : ending) {
      std::string message = fmt::format("{} ended: the license is no longer in force: {}",
                                        LeaseLabel(leases.at(id).view), why);
      End(id, Errc::kLeaseExpired, std::move(message));
    }
  }
}

SeatEngine::SeatEngine(licenses::Model model, EngineConfig config)
    : state_(std::make_unique<State>(std::move(model), std::move(config))) {}

SeatEngine::~SeatEngine() = default;

CheckoutResult SeatEngine::Checkout(const Identity& who, const CheckoutRequest& req,
                                    const Now& now) {
  State& s = *state_;
  auto cascade = s.by_feature.find(req.feature);
  if (cascade == s.by_feature.end()) {
    return NoSuchFeatureDenial(req.feature, s.features);
  }

  Selection sel = SelectSeat(s.pools, cascade->second, who, req.version, now.today);
  if (sel.pool) {
    return s.Grant(who, req.client, req.feature, req.version, *sel.pool,
                   sel.share_key ? &*sel.share_key : nullptr, now);
  }
  // Only "every seat is held" is worth waiting for; dates and versions will not change
  // within a wait.
  const bool full = MostActionable(sel.refusals) == Refusal::kFull;
  if (full && req.wait > Millis::zero()) {
    if (auto queued =
            s.Enqueue(who, req, WaitablePools(s.pools, cascade->second, req.version), now)) {
      return *queued;
    }
    Denial denial = DenialFor(req.feature, req.version, sel.refusals, s.pools, now);
    denial.message += fmt::format(" The queue is full ({} waiting at most per pool).",
                                  s.config.max_queue_per_pool);
    return denial;
  }
  return DenialFor(req.feature, req.version, sel.refusals, s.pools, now);
}

Errc SeatEngine::Checkin(ClientId client, LeaseId lease, const Now& now) {
  State& s = *state_;
  auto it = s.leases.find(lease);
  if (it == s.leases.end() || it->second.view.client != client || it->second.view.detached) {
    return Errc::kNoSuchLease;
  }
  s.Free(lease);
  s.ServeDirty(now);
  return Errc::kOk;
}

std::size_t SeatEngine::Heartbeat(ClientId client, const Now& now) {
  State& s = *state_;
  auto it = s.client_leases.find(client);
  if (it == s.client_leases.end()) {
    return 0;
  }
  for (LeaseId id : it->second) {
    Lease& lease = s.leases.at(id);
    // A deadline that has passed is final even if Tick has not reaped the lease yet:
    // whether a late heartbeat saves it must not depend on the caller's tick rate.
    if (now.mono < lease.view.expires) {
      s.SetDeadline(lease, now.mono + s.config.ttl);
    }
  }
  return it->second.size();
}

void SeatEngine::Disconnect(ClientId client, const Now& now) {
  State& s = *state_;
  auto it = s.client_leases.find(client);
  if (it != s.client_leases.end()) {
    for (LeaseId id : it->second) {
      Lease& lease = s.leases.at(id);
      lease.view.detached = true;
      s.SetDeadline(lease, now.mono + s.config.reattach_window);
    }
    s.client_leases.erase(it);
  }
  s.DropClientWaiters(client);
}

std::variant<LeaseView, Denial> SeatEngine::Reattach(ClientId client, const Identity& who,
                                                     LeaseId lease, std::uint64_t token,
                                                     const Now& now) {
  State& s = *state_;
  auto it = s.leases.find(lease);
  // Past its deadline the lease is as good as gone (see Heartbeat); Tick will end it.
  if (it == s.leases.end() || it->second.view.expires <= now.mono) {
    return Denial{Errc::kNoSuchLease,
                  fmt::format("lease {} is unknown: it was freed, removed or never granted; "
                              "check out again",
                              lease)};
  }
  Lease& held = it->second;
  if (held.view.token != token) {
    return Denial{Errc::kBadToken,
                  fmt::format("the reattach token does not match lease {}", lease)};
  }
  // A client may come back before its old connection was seen to close: move the lease.
  if (!held.view.detached) {
    auto owner = s.client_leases.find(held.view.client);
    owner->second.erase(lease);
    if (owner->second.empty()) {
      s.client_leases.erase(owner);
    }
  }
  held.view.client = client;
  held.view.detached = false;
  // The seat key stays the identity the lease was granted to; only the observed
  // address is refreshed.
  held.view.who.peer = who.peer;
  s.SetDeadline(held, now.mono + s.config.ttl);
  s.client_leases[client].insert(lease);
  return held.view;
}

void SeatEngine::Tick(const Now& now) {
  State& s = *state_;
  if (!s.last_today || *s.last_today != now.today) {
    s.last_today = now.today;
    s.EndLapsedPools(now);
    // A new day can bring lines into force (START) and so free seats for waiters.
    s.MarkAllQueuesDirty();
    s.ServeDirty(now, /*full_scan=*/true);
  }
  while (!s.deadlines.empty() && s.deadlines.top().at <= now.mono) {
    const Deadline due = s.deadlines.top();
    s.deadlines.pop();
    if (due.kind == Deadline::Kind::kWaiter) {
      // Seats freed by earlier deadlines go to waiters before this one gives up.
      s.ServeDirty(now);
      s.TimeOutWaiter(due.id);
      continue;
    }
    auto it = s.leases.find(due.id);
    if (it == s.leases.end() || it->second.generation != due.generation) {
      continue;
    }
    Lease& lease = it->second;
    if (now.mono < lease.view.expires) {  // heartbeats moved it on: file it again
      lease.scheduled = lease.view.expires;
      s.deadlines.push({lease.scheduled, Deadline::Kind::kLease, due.id, lease.generation});
      continue;
    }
    std::string message =
        lease.view.detached
            ? fmt::format("{} ended: the client did not reconnect within {} of disconnecting",
                          LeaseLabel(lease.view), Seconds(s.config.reattach_window))
            : fmt::format("{} timed out: no heartbeat for {}", LeaseLabel(lease.view),
                          Seconds(s.config.ttl));
    s.End(due.id, Errc::kLeaseTimedOut, std::move(message));
  }
  s.ServeDirty(now);
}

Errc SeatEngine::Remove(LeaseId lease, const Now& now) {
  State& s = *state_;
  auto it = s.leases.find(lease);
  if (it == s.leases.end()) {
    return Errc::kNoSuchLease;
  }
  std::string message =
      fmt::format("{} was removed by an administrator", LeaseLabel(it->second.view));
  s.End(lease, Errc::kLeaseRemoved, std::move(message));
  s.ServeDirty(now);
  return Errc::kOk;
}

std::vector<Event> SeatEngine::TakeEvents() { return std::exchange(state_->events, {}); }

const licenses::Model& SeatEngine::model() const { return state_->model; }

std::optional<LeaseView> SeatEngine::FindLease(LeaseId lease) const {
  auto it = state_->leases.find(lease);
  if (it == state_->leases.end()) {
    return std::nullopt;
  }
  return it->second.view;
}

std::size_t SeatEngine::lease_count() const { return state_->leases.size(); }

}  // namespace floatlm::engine
