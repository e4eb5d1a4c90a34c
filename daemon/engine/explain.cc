// SeatEngine::Explain: the placement a checkout would get, laid out pool by pool in
// cascading order with the facts behind each verdict. Reads the tables; changes nothing.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "engine/denial_text.h"
#include "engine/engine_state.h"
#include "engine/placement.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {
namespace {

std::string RoleOf(const PoolState& pool, const std::string& feature) {
  if (pool.collection) {
    if (IsCloudServiceOf(pool, feature)) {
      return fmt::format("cloud service of {}", pool.collection->name);
    }
    return fmt::format("collection {} ({} products per seat)", pool.collection->name,
                       pool.collection->products_per_seat);
  }
  if (pool.spec->user_based) {
    return "named users";
  }
  if (pool.spec->host_based) {
    return "named hosts";
  }
  return "own pool";
}

std::string HoldersOf(const PoolState& pool) {
  return HolderList(pool, ", ", [&pool](const Seat& seat) {
    const std::string seats = seat.weight > 1 ? fmt::format(" on {} seats", seat.weight) : "";
    return pool.collection
               ? fmt::format("{} ({}{})", HolderName(seat.holder), ProductList(seat), seats)
               : HolderName(seat.holder) + seats;
  });
}

// `assignments`: the named-user table (feature -> user -> since).
std::string RefusalText(const std::map<std::string, std::map<std::string, WallTime>>& assignments,
                        const PoolState& pool, const PoolRefusal& r,
                        const Identity& who, const std::string& feature,
                        const std::optional<licenses::Version>& version, const Now& now) {
  switch (r.why) {
    case Refusal::kVersion: {
      const std::optional<licenses::Version> served = ServedVersion(pool, feature);
      std::string text = fmt::format("serves '{}' up to version {}", feature,
                                     served ? served->ToString() : pool.spec->version.ToString());
      if (pool.spec->prev_versions) {
        text += fmt::format(" (PREV_VERSIONS={})", *pool.spec->prev_versions);
      }
      return fmt::format("version {} is not covered: {}",
                         version ? version->ToString() : std::string("(any)"), text);
    }
    case Refusal::kNotYetValid:
    case Refusal::kExpired:
      return NotInForceText(*pool.spec, now.today);
    case Refusal::kNotAssigned: {
      std::string users;
      for (const std::string& user : pool.named_order) users += (users.empty() ? "" : ", ") + user;
      if (auto it = assignments.find(pool.spec->feature); it != assignments.end()) {
        for (const auto& [user, since] : it->second) {
          if (!pool.named.contains(user)) users += (users.empty() ? "" : ", ") + user;
        }
      }
      return fmt::format("named-user license and {} is not assigned to it (assigned: {})",
                         who.user, users.empty() ? "nobody" : users);
    }
    case Refusal::kHostNotNamed:
      return fmt::format("named-host license (HOST_BASED) and {} is not among its hosts ({})",
                         who.host,
                         pool.named_order.empty() ? std::string("none")
                                                  : fmt::format("{}", fmt::join(pool.named_order, ", ")));
    case Refusal::kWrongHost:
      return fmt::format("node-locked to HOSTID={}; this computer reports {}",
                         pool.spec->HostIdText(), ReportedHostIds(who));
    case Refusal::kOptions:
      return r.verdict.message;
    case Refusal::kCloudFull:
      return "every cloud-user slot is taken; a slot stays with its user until an "
             "administrator releases it";
    case Refusal::kFull:
      return "every seat is in use";
    case Refusal::kHeld:
      return "its free seats are held for an earlier checkout of several seats that waits";
    case Refusal::kTooFew:
      if (IsCloudServiceOf(pool, feature)) return "a cloud service gives one user slot per user";
      if (pool.spec->user_based || pool.spec->host_based) {
        return "a named-user or named-host license gives one seat each";
      }
      return fmt::format("has {} seats in force today, fewer than asked for",
                         pool.spec->CountOn(now.today));
  }
  return "refused";
}

}  // namespace

Diagnosis SeatEngine::Explain(const Identity& who, const std::string& feature,
                              const std::optional<licenses::Version>& version, const Now& now,
                              std::uint32_t seats) const {
  const State& s = *state_;
  Diagnosis out;
  auto cascade = s.by_feature.find(feature);
  if (cascade == s.by_feature.end()) {
    const Denial denial = NoSuchFeatureDenial(feature, s.features);
    out.outcome = denial.code;
    out.summary = denial.message;
    return out;
  }

  const Placement where = s.Place(who, feature, version, std::nullopt, now, std::max(seats, 1u));
  if (where.granted()) {
    out.summary = where.reason;
  } else {
    const Denial denial = s.DenialFor(who, feature, version, where, now);
    out.outcome = denial.code;
    out.summary = denial.message;
    out.would_queue = !where.excluded && Waitable(MostActionable(where.refusals));
  }

  for (PoolId id : cascade->second) {
    const PoolState& pool = s.pools[id];
    PoolDiagnosis d;
    d.pool = id;
    d.label = PoolLabel(*pool.spec);
    d.role = RoleOf(pool, feature);

    if (pool.collection && IsCloudServiceOf(pool, feature)) {
      auto slots = s.cloud_slots.find(pool.collection->name);
      const std::size_t taken = slots == s.cloud_slots.end() ? 0 : slots->second.size();
      d.use = fmt::format("cloud-user slots: {} of {} taken", taken,
                          s.CloudLimit(*pool.collection, now.today));
      if (slots != s.cloud_slots.end() && slots->second.contains(who.user)) {
        d.holding = fmt::format("{} holds a cloud-user slot", who.user);
      }
    } else {
      const std::string what = pool.collection ? "collection seats" : "seats";
      if (pool.spec->uncounted) {
        d.use = fmt::format("uncounted, {} {} open", pool.used, what);
      } else if (DateStateOn(*pool.spec, now.today) != DateState::kInForce) {
        d.use = fmt::format("no line in force today, {} {} held", pool.used, what);
      } else {
        d.use = fmt::format("{} of {} {} in use", pool.used, pool.spec->CountOn(now.today), what);
      }
      if (!pool.seats.empty()) {
        d.use += ": " + HoldersOf(pool);
      }
      std::string seats;
      for (std::uint32_t number : HolderSeats(pool, who, version, std::nullopt)) {
        seats += fmt::format("{}{} (runs {})", seats.empty() ? "" : ", ", number,
                             ProductList(pool.seats.at(number)));
      }
      if (!seats.empty()) {
        d.holding = fmt::format("{} holds seat {}", HolderName(who), seats);
      }
    }

    const PoolRefusal* refused = nullptr;
    for (const PoolRefusal& r : where.refusals) {
      if (r.pool == id) refused = &r;
    }
    if (where.granted() && where.pool == id) {
      d.verdict = PoolDiagnosis::Verdict::kChosen;
      d.why = where.reason;
    } else if (refused) {
      d.verdict = PoolDiagnosis::Verdict::kRefused;
      d.why = RefusalText(s.assignments, pool, *refused, who, feature, version, now);
    } else if (where.excluded) {
      d.verdict = PoolDiagnosis::Verdict::kNotReached;
      d.why = "not tried: the options file refuses the product itself";
    } else if (where.kind == Placement::Kind::kRide ||
               (where.kind == Placement::Kind::kCloud && !where.new_slot)) {
      d.verdict = PoolDiagnosis::Verdict::kNotNeeded;
      d.why = "not needed: a seat or slot the requester already holds comes first";
    } else {
      d.verdict = PoolDiagnosis::Verdict::kNotReached;
      d.why = "not reached: a pool ranked earlier serves the checkout";
    }
    out.pools.push_back(std::move(d));
  }
  return out;
}

}  // namespace floatlm::engine
