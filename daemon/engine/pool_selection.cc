#include "engine/pool_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <tuple>

namespace floatlm::engine {
namespace {

bool LineInForce(const licenses::PoolLine& line, licenses::Date today) {
  if (line.start && today < *line.start) {
    return false;
  }
  // The expiry day itself is still valid: the license ends at the end of that day.
  if (line.expiry && *line.expiry < today) {
    return false;
  }
  return true;
}

}  // namespace

bool HasFreeSeat(const PoolState& pool, licenses::Date today, std::uint32_t seats) {
  if (pool.spec->uncounted) {
    return true;
  }
  return pool.used + static_cast<long long>(seats) <= pool.spec->CountOn(today);
}

std::uint64_t HeldFor(const PoolState& pool, licenses::Date today) {
  for (const auto& [waiter, seats] : pool.multi_waiters) {
    if (static_cast<long long>(seats) <= pool.spec->CountOn(today)) return waiter;
  }
  return 0;
}

bool IsCloudServiceOf(const PoolState& pool, const std::string& feature) {
  return pool.collection && std::find(pool.collection->cloud.begin(), pool.collection->cloud.end(),
                                      feature) != pool.collection->cloud.end();
}

std::optional<licenses::Version> ServedVersion(const PoolState& pool, const std::string& feature) {
  if (pool.spec->feature == feature) {
    return pool.spec->version;
  }
  if (!pool.collection) {
    return std::nullopt;
  }
  for (const licenses::Component& c : pool.collection->components) {
    if (c.feature == feature) {
      return c.version.value_or(pool.collection->version.value_or(pool.spec->version));
    }
  }
  return std::nullopt;
}

bool ServesRequest(const PoolState& pool, const std::string& feature,
                   const std::optional<licenses::Version>& requested) {
  if (pool.spec->feature == feature) {
    return VersionCovers(*pool.spec, requested);
  }
  // A component is licensed up to its own version; PREV_VERSIONS of the enabling line
  // speaks about the collection's releases, not the products', so it is not applied.
  const std::optional<licenses::Version> served = ServedVersion(pool, feature);
  return served && (!requested || *requested <= *served);
}

licenses::DupGroup EffectiveDupGroup(const PoolState& pool,
                                     const std::optional<licenses::DupGroup>& app_group) {
  if (pool.spec->dup_group_given || !app_group) return pool.spec->dup_group;
  return *app_group;
}

std::optional<std::string> SeatHolderKey(const PoolState& pool, const Identity& who,
                                         const std::optional<licenses::Version>& requested,
                                         const std::optional<licenses::DupGroup>& app_group) {
  if (pool.spec->user_based) {
    // Home-use rights: the assigned user runs anywhere on the one seat.
    return HolderKey(licenses::DupGroup{licenses::DupGroup::kUser}, who, requested);
  }
  if (pool.spec->host_based) {
    // A named host's users share its seat.
    return HolderKey(licenses::DupGroup{licenses::DupGroup::kHost}, who, requested);
  }
  if (pool.collection) {
    return HolderKey(pool.collection->suite_dup_group, who, requested);
  }
  return HolderKey(EffectiveDupGroup(pool, app_group), who, requested);
}

bool AnyFreeSeat(const std::vector<PoolState>& pools, const std::vector<PoolId>& cascade,
                 const std::string& feature, licenses::Date today) {
  for (PoolId id : cascade) {
    const PoolState& pool = pools[id];
    if (pool.spec->user_based || pool.spec->host_based || IsCloudServiceOf(pool, feature)) {
      continue;
    }
    if (DateStateOn(*pool.spec, today) != DateState::kInForce) {
      continue;
    }
    if (HasFreeSeat(pool, today)) {
      return true;
    }
  }
  return false;
}

bool VersionCovers(const licenses::Pool& pool, const std::optional<licenses::Version>& requested) {
  return pool.ServesVersion(requested);
}

DateState DateStateOn(const licenses::Pool& pool, licenses::Date today) {
  bool any_expired = pool.lines.empty();
  for (const licenses::PoolLine& line : pool.lines) {
    if (LineInForce(line, today)) {
      return DateState::kInForce;
    }
    if (line.expiry && *line.expiry < today) {
      any_expired = true;
    }
  }
  return any_expired ? DateState::kExpired : DateState::kNotYetValid;
}

bool CascadeBefore(const licenses::Pool& a, const licenses::Pool& b) {
  // Time-limited seats go first so that they are used up before they lapse.
  auto key = [](const licenses::Pool& p) {
    return std::make_tuple(p.rank, p.LastExpiry() ? 0 : 1, p.sort, p.order);
  };
  return key(a) < key(b);
}

std::optional<std::string> HolderKey(const licenses::DupGroup& group, const Identity& who,
                                     const std::optional<licenses::Version>& requested) {
  using Bits = licenses::DupGroup::Bits;
  const std::uint8_t bits = group.bits;
  if (bits & Bits::kSite) {
    return std::string("*site*");
  }
  if ((bits & (Bits::kUser | Bits::kHost | Bits::kDisplay | Bits::kVersion)) == 0) {
    return std::nullopt;
  }
  // '\x1f' never occurs in identities the protocol accepts, so fields cannot run together.
  std::string key;
  if (bits & Bits::kUser) {
    key += fmt::format("u={}\x1f", who.user);
  }
  if (bits & Bits::kHost) {
    key += fmt::format("h={}\x1f", who.host);
  }
  if (bits & Bits::kDisplay) {
    key += fmt::format("d={}\x1f", who.display);
  }
  if (bits & Bits::kVersion) {
    key += fmt::format("v={}\x1f", requested ? requested->scaled : std::uint64_t{0});
  }
  return key;
}

std::vector<PoolId> WaitablePools(const std::vector<PoolState>& pools,
                                  const std::vector<PoolId>& cascade, const std::string& feature,
                                  const std::optional<licenses::Version>& requested) {
  std::vector<PoolId> out;
  for (PoolId id : cascade) {
    const PoolState& pool = pools[id];
    if (ServesRequest(pool, feature, requested) && !pool.spec->user_based &&
        !pool.spec->host_based && !IsCloudServiceOf(pool, feature)) {
      out.push_back(id);
    }
  }
  return out;
}

}  // namespace floatlm::engine
