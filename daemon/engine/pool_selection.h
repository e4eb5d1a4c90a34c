// Which pools may serve a checkout, in which order, and which seat it lands on.
// Pure functions over the model and the seat tables; internal to the engine.
#ifndef FLOATLM_DAEMON_ENGINE_POOL_SELECTION_H_
#define FLOATLM_DAEMON_ENGINE_POOL_SELECTION_H_

#include <optional>
#include <string>
#include <vector>

#include "engine/engine_state.h"

namespace floatlm::engine {

// True if `pool` serves `requested` (nullopt: any version): requested <= pool version
// and, with PREV_VERSIONS=n, no more than n major releases below it.
bool VersionCovers(const licenses::Pool& pool, const std::optional<licenses::Version>& requested);

enum class DateState : std::uint8_t { kInForce, kNotYetValid, kExpired };
// kInForce if some line covers `today` (START <= today <= expiry, expiry day included).
// Otherwise kExpired if some line has expired, else kNotYetValid.
DateState DateStateOn(const licenses::Pool& pool, licenses::Date today);

// Cascading order: rank, time-limited before permanent, SORT, then file order.
bool CascadeBefore(const licenses::Pool& a, const licenses::Pool& b);

// The DUP_GROUP identity of a holder in `pool`. nullopt for DUP_GROUP=NONE, where no
// two checkouts share a seat.
std::optional<std::string> HolderKey(const licenses::Pool& pool, const Identity& who,
                                     const std::optional<licenses::Version>& requested);

// Whether a named-user (USER_BASED) pool admits `who`. Assignments are not held by the
// engine yet, so no user is assigned and such pools admit nobody.
bool NamedUserAssigned(const licenses::Pool& pool, const Identity& who);

// Why one pool could not serve a request, most actionable last.
enum class Refusal : std::uint8_t { kVersion, kNotYetValid, kExpired, kNotAssigned, kFull };

struct PoolRefusal {
  PoolId pool;
  Refusal why;
};

struct Selection {
  std::optional<PoolId> pool;            // where the lease goes; nullopt: refused
  std::optional<std::string> share_key;  // set: ride on the existing seat with this key
  std::vector<PoolRefusal> refusals;     // every pool that could not serve, and why
};

// The refusal to report when pools refused for different reasons: the one the user can
// act on soonest (seats in use: wait or queue) wins. `refusals` must not be empty.
Refusal MostActionable(const std::vector<PoolRefusal>& refusals);

// Applies the seat rules to the pools of one feature (`cascade`, already ordered):
// an existing seat of the holder in any serving pool first, else a free seat in the
// first serving pool. Cost: O(pools of the feature x their lines).
Selection SelectSeat(const std::vector<PoolState>& pools, const std::vector<PoolId>& cascade,
                     const Identity& who, const std::optional<licenses::Version>& requested,
                     licenses::Date today);

// True if some pool of `cascade` could open a seat today for someone (named-user pools
// aside). Lets the queue stop early once a feature is full.
bool AnyFreeSeat(const std::vector<PoolState>& pools, const std::vector<PoolId>& cascade,
                 licenses::Date today);

// Pools a queued request waits on: version fits and not named-user. Dates are left out on
// purpose: they change while the request waits and are checked again when it is served.
std::vector<PoolId> WaitablePools(const std::vector<PoolState>& pools,
                                  const std::vector<PoolId>& cascade,
                                  const std::optional<licenses::Version>& requested);

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_POOL_SELECTION_H_
