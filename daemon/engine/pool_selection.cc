#include "engine/pool_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <tuple>

namespace floatlm::engine {
namespace {

constexpr std::uint64_t kScale = 1'000'000;

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

bool HasFreeSeat(const PoolState& pool, licenses::Date today) {
  if (pool.spec->uncounted) {
    return true;
  }
  return static_cast<long>(pool.seats.size()) < pool.spec->CountOn(today);
}

}  // namespace

bool AnyFreeSeat(const std::vector<PoolState>& pools, const std::vector<PoolId>& cascade,
                 licenses::Date today) {
  for (PoolId id : cascade) {
    const PoolState& pool = pools[id];
    if (pool.spec->user_based) {
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
  if (!requested) {
    return true;
  }
  if (pool.version < *requested) {
    return false;
  }
  if (pool.prev_versions) {
    // Subscription licenses serve the newest release and n before it, counted in majors.
    const auto wanted = static_cast<std::int64_t>(requested->scaled / kScale);
    const auto newest = static_cast<std::int64_t>(pool.version.scaled / kScale);
    if (wanted < newest - *pool.prev_versions) {
      return false;
    }
  }
  return true;
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

std::optional<std::string> HolderKey(const licenses::Pool& pool, const Identity& who,
                                     const std::optional<licenses::Version>& requested) {
  using Bits = licenses::DupGroup::Bits;
  const std::uint8_t bits = pool.dup_group.bits;
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

bool NamedUserAssigned(const licenses::Pool& /*pool*/, const Identity& /*who*/) { return false; }

Refusal MostActionable(const std::vector<PoolRefusal>& refusals) {
  Refusal worst = Refusal::kVersion;
  for (const PoolRefusal& r : refusals) {
    worst = std::max(worst, r.why);
  }
  return worst;
}

Selection SelectSeat(const std::vector<PoolState>& pools, const std::vector<PoolId>& cascade,
                     const Identity& who, const std::optional<licenses::Version>& requested,
                     licenses::Date today) {
  Selection out;
  std::vector<PoolId> serving;  // pools that pass version, date and assignment rules
  serving.reserve(cascade.size());
  for (PoolId id : cascade) {
    const licenses::Pool& spec = *pools[id].spec;
    if (!VersionCovers(spec, requested)) {
      out.refusals.push_back({id, Refusal::kVersion});
      continue;
    }
    switch (DateStateOn(spec, today)) {
      case DateState::kNotYetValid:
        out.refusals.push_back({id, Refusal::kNotYetValid});
        continue;
      case DateState::kExpired:
        out.refusals.push_back({id, Refusal::kExpired});
        continue;
      case DateState::kInForce:
        break;
    }
    if (spec.user_based && !NamedUserAssigned(spec, who)) {
      out.refusals.push_back({id, Refusal::kNotAssigned});
      continue;
    }
    serving.push_back(id);
  }
  // A holder who already has a seat rides on it, even if an earlier pool has room:
  // DUP_GROUP promises one seat per identity.
  for (PoolId id : serving) {
    std::optional<std::string> key = HolderKey(*pools[id].spec, who, requested);
    if (key && pools[id].seats.contains(*key)) {
      out.pool = id;
      out.share_key = std::move(key);
      out.refusals.clear();
      return out;
    }
  }
  for (PoolId id : serving) {
    if (HasFreeSeat(pools[id], today)) {
      out.pool = id;
      out.refusals.clear();
      return out;
    }
    out.refusals.push_back({id, Refusal::kFull});
  }
  return out;
}

std::vector<PoolId> WaitablePools(const std::vector<PoolState>& pools,
                                  const std::vector<PoolId>& cascade,
                                  const std::optional<licenses::Version>& requested) {
  std::vector<PoolId> out;
  for (PoolId id : cascade) {
    const licenses::Pool& spec = *pools[id].spec;
    if (VersionCovers(spec, requested) && !spec.user_based) {
      out.push_back(id);
    }
  }
  return out;
}

}  // namespace floatlm::engine
