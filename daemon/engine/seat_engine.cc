// The seat engine's public operations and the lease life cycle. Waiters live in
// queue.cc, Reload in reload.cc, status views in snapshot.cc.
#include "engine/seat_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "engine/denial_text.h"
#include "engine/engine_state.h"
#include "engine/placement.h"
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

void SeatEngine::State::NameFromOptions() {
  for (PoolState& pool : pools) {
    pool.named.clear();
    pool.named_order.clear();
    pool.named_over.clear();
    const licenses::Pool& spec = *pool.spec;
    if (!policy || (!spec.user_based && !spec.host_based)) continue;
    std::vector<std::string> listed = spec.user_based ? policy->IncludedUsers(pool.policy_view->ref())
                                                      : policy->IncludedHosts(pool.policy_view->ref());
    long long seats = 0;
    for (const licenses::PoolLine& line : spec.lines) seats += line.count;
    const long long limit =
        (spec.user_based ? spec.user_based_limit : spec.host_based_limit).value_or(seats);
    for (std::string& name : listed) {
      if (static_cast<long long>(pool.named_order.size()) < limit) {
        pool.named.insert(name);
        pool.named_order.push_back(std::move(name));
      } else {
        pool.named_over.push_back(std::move(name));
      }
    }
  }
}

void SeatEngine::State::IndexPools() {
  pools.assign(model.pools.size(), PoolState{});
  by_feature.clear();
  features.clear();
  for (PoolId id = 0; id < pools.size(); ++id) {
    pools[id].spec = &model.pools[id];
    pools[id].policy_view = std::make_shared<const PolicyFeature>(model.pools[id]);
    pools[id].serves.push_back(model.pools[id].feature);
    by_feature[model.pools[id].feature].push_back(id);
    features.insert(model.pools[id].feature);
  }
  // A suite package's enabling pools (same name and vendor) are candidates for each of
  // its components, after the components' own pools by rank.
  for (const licenses::Package& package : model.packages) {
    if (!package.suite) {
      continue;
    }
    for (PoolId id = 0; id < pools.size(); ++id) {
      PoolState& pool = pools[id];
      if (pool.spec->feature != package.name || pool.spec->vendor != package.vendor ||
          pool.collection || (package.version && pool.spec->version != *package.version)) {
        continue;
      }
      pool.collection = &package;
      for (const licenses::Component& component : package.components) {
        if (component.feature == package.name ||
            std::find(pool.serves.begin(), pool.serves.end(), component.feature) !=
                pool.serves.end()) {
          continue;
        }
        pool.serves.push_back(component.feature);
        by_feature[component.feature].push_back(id);
        features.insert(component.feature);
      }
    }
  }
  for (auto& [feature, ids] : by_feature) {
    std::stable_sort(ids.begin(), ids.end(), [this](PoolId a, PoolId b) {
      return CascadeBefore(model.pools[a], model.pools[b]);
    });
  }
}

LeaseView SeatEngine::State::Grant(const Identity& who, ClientId client, const std::string& feature,
                                   const std::optional<licenses::Version>& version,
                                   const std::optional<licenses::DupGroup>& dup_group,
                                   const Placement& where, const Now& now, bool* opened_seat) {
  const LeaseId id = next_lease++;
  std::uint32_t number = 0;
  bool opened = false;
  switch (where.kind) {
    case Placement::Kind::kRide:
      number = where.seat;
      break;
    case Placement::Kind::kNewSeat:
      number = OpenSeat(where.pool, who, where.holder_key, now.wall, where.seats);
      opened = true;
      break;
    case Placement::Kind::kCloud:
      if (where.new_slot) {
        const std::string& collection = pools[where.pool].collection->name;
        cloud_slots[collection].emplace(who.user, CloudSlotState{now.wall, now.wall, now.wall});
        Event event{Event::Kind::kCloudSlotGranted};
        event.client = client;
        event.lease.pool = where.pool;
        event.lease.feature = feature;
        event.lease.who = who;
        event.message = collection;
        events.push_back(std::move(event));
      } else if (auto slots = cloud_slots.find(pools[where.pool].collection->name);
                 slots != cloud_slots.end()) {
        if (auto slot = slots->second.find(who.user); slot != slots->second.end()) {
          slot->second.last_used = std::max(slot->second.last_used, now.wall);
        }
      }
      break;
    case Placement::Kind::kRefused:
      break;
  }
  if (opened_seat) {
    *opened_seat = opened;
  }

  Lease lease;
  lease.view.id = id;
  lease.view.token = config.token_source();
  lease.view.token_digest = token::Of(id, lease.view.token);
  lease.view.feature = feature;
  lease.view.version = version.value_or(licenses::Version{});
  lease.view.dup_group = dup_group;
  lease.view.seats = where.seats;
  lease.view.who = who;
  lease.view.client = client;
  lease.view.since = now.wall;
  lease.view.expires = now.mono + config.ttl;
  lease.view.shared = where.kind == Placement::Kind::kRide;
  lease.view.cloud = where.kind == Placement::Kind::kCloud;
  lease.view.reason = where.reason;
  lease.scheduled = lease.view.expires;
  AttachLease(lease, where.pool, number);
  deadlines.push({lease.scheduled, Deadline::Kind::kLease, id, lease.generation});
  client_leases[client].insert(id);
  unsettled_users.insert(who.user);
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
  if (lease.view.seat != 0) {
    unsettled_users.insert(pools[lease.view.pool].seats.at(lease.view.seat).holder.user);
  }
  DetachLease(lease);
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
    if (pool.seats.empty() && pool.cloud_leases.empty()) {
      continue;
    }
    if (DateStateOn(*pool.spec, now.today) == DateState::kInForce) {
      continue;
    }
    const std::string why = NotInForceText(*pool.spec, now.today);
    std::vector<LeaseId> ending(pool.cloud_leases.begin(), pool.cloud_leases.end());
    for (const auto& [number, seat] : pool.seats) {
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

SeatEngine::SeatEngine(licenses::Model model, EngineConfig config,
                       std::shared_ptr<const options::OptionsPolicy> policy)
    : state_(std::make_unique<State>(std::move(model), std::move(config))) {
  if (policy) SetPolicy(std::move(policy));
}

SeatEngine::~SeatEngine() = default;

CheckoutResult SeatEngine::Checkout(const Identity& who, const CheckoutRequest& req,
                                    const Now& now) {
  State& s = *state_;
  if (req.seats == 0) {
    throw std::invalid_argument("a checkout asks for at least one seat");
  }
  auto cascade = s.by_feature.find(req.feature);
  if (cascade == s.by_feature.end()) {
    return NoSuchFeatureDenial(req.feature, s.features);
  }

  const Placement where = s.Place(who, req.feature, req.version, req.dup_group, now, req.seats);
  if (where.granted()) {
    const LeaseView& granted =
        s.Grant(who, req.client, req.feature, req.version, req.dup_group, where, now);
    const LeaseId id = granted.id;
    s.events.push_back(Event{Event::Kind::kGranted, req.client, 0, granted, Errc::kOk, {}});
    s.Settle(now);
    // Consolidation may have moved the new lease already; answer with where it sits.
    return s.leases.at(id).view;
  }
  // Only "every seat is held" is worth waiting for; dates, versions and options rules
  // will not change within a wait.
  const bool full = !where.excluded && Waitable(MostActionable(where.refusals));
  if (full && req.wait > Millis::zero()) {
    auto queued =
        s.Enqueue(who, req, WaitablePools(s.pools, cascade->second, req.feature, req.version), now);
    if (const auto* place = std::get_if<Queued>(&queued)) return *place;
    Denial denial = s.DenialFor(who, req.feature, req.version, where, now);
    if (const auto& refused = std::get<std::string>(queued); !refused.empty()) {
      denial.message += " " + refused;
    }
    return denial;
  }
  return s.DenialFor(who, req.feature, req.version, where, now);
}

std::optional<Denial> SeatEngine::Checkin(ClientId client, LeaseId lease, const Now& now) {
  State& s = *state_;
  auto it = s.leases.find(lease);
  if (it == s.leases.end() || it->second.view.client != client || it->second.view.detached) {
    return Denial{Errc::kNoSuchLease,
                  fmt::format("lease {} is not held by this connection", lease)};
  }
  s.events.push_back(Event{Event::Kind::kCheckedIn, client, 0, it->second.view, Errc::kOk, {}});
  s.Free(lease);
  s.Settle(now);
  return std::nullopt;
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
  if (token == 0 || !token::Matches(held.view.token_digest, lease, token)) {
    return Denial{Errc::kBadToken,
                  fmt::format("the reattach token does not match lease {}", lease)};
  }
  // A client may come back before its old connection was seen to close: move the lease.
  if (!held.view.detached) {
    const ClientId old_client = held.view.client;
    auto owner = s.client_leases.find(old_client);
    owner->second.erase(lease);
    if (owner->second.empty()) {
      s.client_leases.erase(owner);
    }
    if (old_client != client) {
      Event event{Event::Kind::kLeaseTaken};
      event.client = old_client;
      event.lease = held.view;
      event.reason = Errc::kLeaseRemoved;
      event.message = fmt::format(
          "lease {} of {} was reattached by another connection (from {}, as {}@{}) while this "
          "one was open; this program no longer holds it",
          lease, held.view.feature, who.peer.empty() ? "?" : who.peer, who.user, who.host);
      s.events.push_back(std::move(event));
    }
  }
  held.view.token = token;  // known again, for the reply
  held.view.client = client;
  held.view.detached = false;
  // The seat key stays the identity the lease was granted to; only the observed
  // address is refreshed.
  held.view.who.peer = who.peer;
  s.SetDeadline(held, now.mono + s.config.ttl);
  s.client_leases[client].insert(lease);
  return held.view;
}

bool SeatEngine::Tick(const Now& now, std::size_t max_ends) {
  State& s = *state_;
  std::size_t ended = 0;
  if (!s.last_today || *s.last_today != now.today) {
    s.last_today = now.today;
    s.EndLapsedPools(now);
    // A new day can bring lines into force (START) and so free seats for waiters.
    s.MarkAllQueuesDirty();
    s.Settle(now, /*full_scan=*/true);
  }
  while (!s.deadlines.empty() && s.deadlines.top().at <= now.mono && ended < max_ends) {
    const Deadline due = s.deadlines.top();
    s.deadlines.pop();
    if (due.kind == Deadline::Kind::kWaiter) {
      // Seats freed by earlier deadlines go to waiters before this one gives up.
      s.Settle(now);
      s.TimeOutWaiter(due.id);
      ++ended;
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
    ++ended;
  }
  s.Settle(now);
  return !s.deadlines.empty() && s.deadlines.top().at <= now.mono;
}

AdminResult SeatEngine::Remove(LeaseId lease, const Now& now) {
  State& s = *state_;
  auto it = s.leases.find(lease);
  if (it == s.leases.end()) {
    return Denial{Errc::kNoSuchLease, fmt::format("lease {} does not exist", lease)};
  }
  const LeaseView& view = it->second.view;
  Done done{true, fmt::format("removed lease {} ({} held by {}@{})", lease, view.feature,
                              view.who.user, view.who.host)};
  std::string message = fmt::format("{} was removed by an administrator", LeaseLabel(view));
  s.End(lease, Errc::kLeaseRemoved, std::move(message));
  s.Settle(now);
  return done;
}

void SeatEngine::SetPolicy(std::shared_ptr<const options::OptionsPolicy> policy) {
  // An empty policy allows everything; dropping it saves the per-pool holder lists.
  if (policy && policy->empty()) {
    policy.reset();
  }
  state_->policy = std::move(policy);
  state_->NameFromOptions();
  // Rules may have opened pools to waiters; they are looked at on the next Tick.
  state_->MarkAllQueuesDirty();
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
