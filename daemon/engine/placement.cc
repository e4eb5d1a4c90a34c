// The seat rules, in the order DESIGN §5 gives them:
//   1. the holder already runs the product (or holds a cloud-user slot): ride on it;
//   2. the holder has a collection seat with a free product slot covering it: ride on it;
//   3. a new seat (or cloud-user slot) from the first candidate pool, by rank, that has
//      one free and that the options file lets the holder take.
// Riding needs no options check beyond Admission: no seat changes hands.
#include "engine/placement.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/denial_text.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {
namespace {

std::string SeatOwner(const Seat& seat) { return HolderName(seat.holder); }

// `assigned`: `who` is a named user of this USER_BASED pool by floatlm assign. A request
// for several seats is asked as that many single seats taken one after the other, each
// counted against MAX and RESERVE with the ones before it: all must pass.
options::Verdict AskPolicy(const options::OptionsPolicy& policy, const PoolState& pool,
                           const Identity& who, licenses::Date today, bool assigned,
                           std::uint32_t seats) {
  const licenses::Pool& spec = *pool.spec;
  std::vector<options::Requester> holders;
  holders.reserve(static_cast<std::size_t>(pool.used) + seats);
  for (const auto& [serial_no, seat] : pool.by_age) {
    for (std::uint32_t i = 0; i < seat->weight; ++i) holders.push_back(RequesterOf(seat->holder));
  }
  options::Requester requester = RequesterOf(who);
  requester.assigned = assigned;
  long long free_seats =
      spec.uncounted ? 1'000'000'000LL : static_cast<long long>(spec.CountOn(today)) - pool.used;
  for (std::uint32_t i = 0;; ++i) {
    options::SeatUse use;
    use.free_seats = free_seats;
    use.holders = holders;
    options::Verdict verdict = policy.MayTakeSeat(pool.policy_view->ref(), requester, use);
    if (!verdict.ok() || i + 1 == seats) return verdict;
    holders.push_back(requester);
    --free_seats;
  }
}

}  // namespace

Refusal MostActionable(const std::vector<PoolRefusal>& refusals) {
  Refusal worst = Refusal::kVersion;
  for (const PoolRefusal& r : refusals) {
    worst = std::max(worst, r.why);
  }
  return worst;
}

bool HostAdmitted(const licenses::Pool& pool, const Identity& who) {
  if (pool.hostids.empty()) return true;
  static const std::vector<licenses::HostId> kNone;
  return pool.AdmitsHost(who.host_ids ? *who.host_ids : kNone, who.peer);
}

std::string ReportedHostIds(const Identity& who) {
  constexpr std::size_t kListed = 4;
  if (!who.host_ids || who.host_ids->empty()) return "no host id";
  std::string out;
  for (std::size_t i = 0; i < who.host_ids->size() && i < kListed; ++i) {
    out += (i > 0 ? ", " : "") + (*who.host_ids)[i].ToString();
  }
  if (who.host_ids->size() > kListed) {
    out += fmt::format(" and {} more", who.host_ids->size() - kListed);
  }
  return out;
}

options::Requester RequesterOf(const Identity& who) {
  return {who.user, who.host, who.display, who.peer};
}

std::string ProductList(const Seat& seat) {
  std::string out;
  std::size_t i = 0;
  for (const auto& [product, n] : seat.products) {
    if (i > 0) {
      out += i + 1 == seat.products.size() ? " and " : ", ";
    }
    out += product;
    ++i;
  }
  return out;
}

const std::set<std::uint32_t>& HolderSeats(const PoolState& pool, const Identity& who,
                                           const std::optional<licenses::Version>& version,
                                           const std::optional<licenses::DupGroup>& app_group) {
  static const std::set<std::uint32_t> kNone;
  const std::optional<std::string> key = SeatHolderKey(pool, who, version, app_group);
  if (!key) return kNone;
  auto mine = pool.by_holder.find(*key);
  return mine == pool.by_holder.end() ? kNone : mine->second;
}

bool SeatEngine::State::IsAssigned(const std::string& feature, const std::string& user) const {
  auto it = assignments.find(feature);
  return it != assignments.end() && it->second.contains(user);
}

bool SeatEngine::State::IsCloudService(const PoolState& pool, const std::string& feature) const {
  return IsCloudServiceOf(pool, feature);
}

Placement SeatEngine::State::Place(const Identity& who, const std::string& feature,
                                   const std::optional<licenses::Version>& version,
                                   const std::optional<licenses::DupGroup>& app_group,
                                   const Now& now, std::uint32_t seats,
                                   std::uint64_t waiter) const {
  Placement out;
  out.seats = seats;
  const bool several = seats > 1;
  const std::vector<PoolId>& cascade = by_feature.at(feature);
  if (policy) {
    options::Requester requester = RequesterOf(who);
    requester.assigned = IsAssigned(feature, who.user);
    options::Verdict admitted = policy->Admission({feature, "", {}}, requester);
    if (!admitted.ok()) {
      out.excluded = std::move(admitted);
      return out;
    }
  }

  std::vector<PoolId> serving;  // pools that pass version, date and assignment rules
  serving.reserve(cascade.size());
  for (PoolId id : cascade) {
    const PoolState& pool = pools[id];
    if (!ServesRequest(pool, feature, version)) {
      out.refusals.push_back({id, Refusal::kVersion, {}});
      continue;
    }
    switch (DateStateOn(*pool.spec, now.today)) {
      case DateState::kNotYetValid:
        out.refusals.push_back({id, Refusal::kNotYetValid, {}});
        continue;
      case DateState::kExpired:
        out.refusals.push_back({id, Refusal::kExpired, {}});
        continue;
      case DateState::kInForce:
        break;
    }
    if (!HostAdmitted(*pool.spec, who)) {
      out.refusals.push_back({id, Refusal::kWrongHost, {}});
      continue;
    }
    if (pool.spec->user_based && !pool.named.contains(who.user)) {
      auto assigned = assignments.find(pool.spec->feature);
      if (assigned == assignments.end() || !assigned->second.contains(who.user)) {
        out.refusals.push_back({id, Refusal::kNotAssigned, {}});
        continue;
      }
    }
    if (pool.spec->host_based && !pool.named.contains(who.host)) {
      out.refusals.push_back({id, Refusal::kHostNotNamed, {}});
      continue;
    }
    // Several seats at once come from one counted pool with that many in force.
    if (several &&
        (IsCloudServiceOf(pool, feature) || pool.spec->user_based || pool.spec->host_based ||
         (!pool.spec->uncounted && pool.spec->CountOn(now.today) < static_cast<int>(seats)))) {
      out.refusals.push_back({id, Refusal::kTooFew, {}});
      continue;
    }
    serving.push_back(id);
  }

  auto ride = [&](PoolId id, const Seat& seat, std::string reason) {
    out.kind = Placement::Kind::kRide;
    out.pool = id;
    out.seat = seat.number;
    out.reason = std::move(reason);
    return out;
  };

  static const std::vector<PoolId> kNoPools;
  const std::vector<PoolId>& riding = several ? kNoPools : serving;  // steps 1 and 2

  // 1. The holder already runs the product, or already has a cloud-user slot. DUP_GROUP
  // promises one seat per identity, so this wins even if an earlier pool has room.
  // A multi-seat request rides on nothing: it takes its own seats (step 3).
  for (PoolId id : riding) {
    const PoolState& pool = pools[id];
    if (IsCloudServiceOf(pool, feature)) {
      auto slots = cloud_slots.find(pool.collection->name);
      if (slots != cloud_slots.end() && slots->second.contains(who.user)) {
        out.kind = Placement::Kind::kCloud;
        out.pool = id;
        out.reason = fmt::format("cloud service of {}: {} holds a cloud-user slot",
                                 pool.collection->name, who.user);
            return out;
      }
      continue;
    }
    for (std::uint32_t number : HolderSeats(pool, who, version, app_group)) {
      const Seat& seat = pool.seats.at(number);
      if (!seat.products.contains(feature)) {
        continue;
      }
      if (pool.collection) {
        return ride(id, seat,
                    fmt::format("rides on {}'s collection seat {} of {} (runs {})", SeatOwner(seat),
                                number, pool.collection->name, ProductList(seat)));
      }
      return ride(
          id, seat,
          fmt::format("shares {}'s seat {} of {} (DUP_GROUP={})", SeatOwner(seat), number,
                      pool.spec->feature,
                      pool.spec->user_based ? "USER_BASED"
                                            : EffectiveDupGroup(pool, app_group).ToString()));
    }
  }

  // 2. A collection seat of the holder with a free product slot.
  const Seat* full_seat = nullptr;  // a full collection seat: a new seat is a further seat
  const PoolState* full_pool = nullptr;
  for (PoolId id : riding) {
    const PoolState& pool = pools[id];
    if (!pool.collection || IsCloudServiceOf(pool, feature)) {
      continue;
    }
    for (std::uint32_t number : HolderSeats(pool, who, version, app_group)) {
      const Seat& seat = pool.seats.at(number);
      if (static_cast<int>(seat.products.size()) < pool.collection->products_per_seat) {
        return ride(id, seat,
                    fmt::format("rides on {}'s collection seat {} of {} (runs {})", SeatOwner(seat),
                                number, pool.collection->name, ProductList(seat)));
      }
      if (!full_seat) {
        full_seat = &seat;
        full_pool = &pool;
      }
    }
  }

  // 3. A new seat or cloud-user slot, in cascading order.
  for (PoolId id : serving) {
    const PoolState& pool = pools[id];
    if (IsCloudServiceOf(pool, feature)) {
      auto slots = cloud_slots.find(pool.collection->name);
      const long long taken =
          slots == cloud_slots.end() ? 0 : static_cast<long long>(slots->second.size());
      const long long limit = CloudLimit(*pool.collection, now.today);
      if (taken >= limit) {
        out.refusals.push_back({id, Refusal::kCloudFull, {}});
        continue;
      }
      out.kind = Placement::Kind::kCloud;
      out.pool = id;
      out.new_slot = true;
      out.reason = fmt::format("cloud service of {}: new cloud-user slot for {} ({} of {})",
                               pool.collection->name, who.user, taken + 1, limit);
        return out;
    }
    if (!HasFreeSeat(pool, now.today, seats)) {
      out.refusals.push_back({id, Refusal::kFull, {}});
      continue;
    }
    // Seats held for a multi-seat request that waits: later requests queue behind it.
    if (const std::uint64_t held = pool.multi_waiters.empty() ? 0 : HeldFor(pool, now.today);
        held != 0 && (waiter == 0 || waiter > held)) {
      out.refusals.push_back({id, Refusal::kHeld, {}});
      continue;
    }
    if (policy) {
      options::Verdict verdict =
          AskPolicy(*policy, pool, who, now.today,
                    pool.spec->user_based && IsAssigned(pool.spec->feature, who.user), seats);
      if (!verdict.ok()) {
        out.refusals.push_back({id, Refusal::kOptions, std::move(verdict)});
        continue;
      }
    }
    out.kind = Placement::Kind::kNewSeat;
    out.pool = id;
    // The seats of a multi-seat lease are its own: nobody shares them.
    out.holder_key = several ? std::nullopt : SeatHolderKey(pool, who, version, app_group);
    if (several) {
      out.reason = pool.collection ? fmt::format("{} collection seats of {}, running {}", seats,
                                                 pool.collection->name, feature)
                                   : fmt::format("{} own seats of {}", seats, pool.spec->feature);
      return out;
    }
    std::string further;
    if (full_seat) {
      further =
          full_pool == &pool
              ? fmt::format("seat {} already runs {}", full_seat->number, ProductList(*full_seat))
              : fmt::format("seat {} of {} already runs {}", full_seat->number,
                            full_pool->collection->name, ProductList(*full_seat));
    }
    if (pool.collection) {
      out.reason = full_seat ? fmt::format("further seat of {}: {}", pool.collection->name, further)
                             : fmt::format("new collection seat of {}", pool.collection->name);
    } else {
      out.reason =
          full_seat ? fmt::format("further seat: own seat of {}; {}", pool.spec->feature, further)
                    : fmt::format("own seat of {}", pool.spec->feature);
    }
    return out;
  }
  return out;
}

}  // namespace floatlm::engine
