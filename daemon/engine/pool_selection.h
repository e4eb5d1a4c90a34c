// Which pools may serve a checkout and in which order: versions, dates, cascading rank,
// DUP_GROUP identities. Pure functions over the model and the seat tables; internal.
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

// The version a pool serves `feature` up to: the pool's own version for its feature, the
// component's version (default: the package's, else the enabling line's) for a product
// of a collection. nullopt if the pool does not serve the feature at all.
std::optional<licenses::Version> ServedVersion(const PoolState& pool, const std::string& feature);

// VersionCovers for a product served by a pool, own or through a collection.
bool ServesRequest(const PoolState& pool, const std::string& feature,
                   const std::optional<licenses::Version>& requested);

enum class DateState : std::uint8_t { kInForce, kNotYetValid, kExpired };
// kInForce if some line covers `today` (START <= today <= expiry, expiry day included).
// Otherwise kExpired if some line has expired, else kNotYetValid.
DateState DateStateOn(const licenses::Pool& pool, licenses::Date today);

// Cascading order: rank, time-limited before permanent, SORT, then file order.
bool CascadeBefore(const licenses::Pool& a, const licenses::Pool& b);

// The DUP_GROUP identity of a holder in `pool`. nullopt for DUP_GROUP=NONE, where no
// two checkouts share a seat.
std::optional<std::string> HolderKey(const licenses::DupGroup& group, const Identity& who,
                                     const std::optional<licenses::Version>& requested);

// The grouping of a product pool's seats: the line's DUP_GROUP= when written, else the
// application's choice (CHECKOUT's DUP_GROUP), else UH.
licenses::DupGroup EffectiveDupGroup(const PoolState& pool,
                                     const std::optional<licenses::DupGroup>& app_group);

// The identity that shares a seat of this pool: SUITE_DUP_GROUP for a collection, the
// user alone for a named-user pool (home-use rights), the host alone for a named-host
// pool, else EffectiveDupGroup.
std::optional<std::string> SeatHolderKey(const PoolState& pool, const Identity& who,
                                         const std::optional<licenses::Version>& requested,
                                         const std::optional<licenses::DupGroup>& app_group);

// `seats` seats of this pool are free today (uncounted pools always have them).
bool HasFreeSeat(const PoolState& pool, licenses::Date today, std::uint32_t seats = 1);

// The multi-seat waiter the free seats of `pool` are held for today: the first of
// PoolState::multi_waiters that the pool's count today can serve (a line that lapsed may
// have left one asking for more than the pool now has). 0: none.
std::uint64_t HeldFor(const PoolState& pool, licenses::Date today);

// True if some pool of `cascade` could open a seat today for someone (named-user pools
// and cloud services aside). Lets the queue stop early once a feature is full.
bool AnyFreeSeat(const std::vector<PoolState>& pools, const std::vector<PoolId>& cascade,
                 const std::string& feature, licenses::Date today);

// Pools a queued request waits on: version fits, not named-user, not a cloud service.
// Dates are left out on purpose: they change while the request waits and are checked
// again when it is served.
std::vector<PoolId> WaitablePools(const std::vector<PoolState>& pools,
                                  const std::vector<PoolId>& cascade, const std::string& feature,
                                  const std::optional<licenses::Version>& requested);

// True if `feature` is listed in the pool's collection CLOUD list.
bool IsCloudServiceOf(const PoolState& pool, const std::string& feature);

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_POOL_SELECTION_H_
