#include "engine/denial_text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

#include "engine/labels.h"
#include "engine/placement.h"
#include "engine/pool_selection.h"
#include "options/edit_distance.h"

namespace floatlm::engine {
namespace {

// ", or its user leaves it unused for N days" when slots expire; nothing otherwise.
std::string IdleClause(const std::optional<Millis>& idle) {
  if (!idle) return {};
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(*idle).count();
  if (hours % 24 == 0) return fmt::format(" or its user leaves it unused for {} days", hours / 24);
  return fmt::format(" or its user leaves it unused for {} hours", hours);
}

// Holders and features listed in one message; the rest are counted.
constexpr std::size_t kMaxListed = 10;
// Cloud-slot holders are listed further: the admin decides whose slot to release.
constexpr std::size_t kMaxCloudListed = 100;

std::string SourceOf(const licenses::Pool& pool) {
  return pool.lines.empty() ? std::string() : pool.lines.front().source.ToString();
}

std::string LineLabel(const licenses::Pool& pool, const licenses::PoolLine& line) {
  return fmt::format("{} {} ({})", pool.feature, pool.version.ToString(), line.source.ToString());
}

// A collection names what each holder runs: that is what decides whether waiting helps.
std::string CollectionSeatsInUse(const PoolState& pool, const Now& now) {
  const std::string holders = HolderList(pool, "; ", [](const Seat& seat) {
    std::string products;
    for (const auto& [product, n] : seat.products) {
      products += (products.empty() ? "" : ", ") + product;
    }
    if (seat.weight > 1) {
      return fmt::format("{} runs {} on {} seats", HolderName(seat.holder), products, seat.weight);
    }
    return fmt::format("{} runs {}", HolderName(seat.holder), products);
  });
  const long long in_use = pool.used;
  std::string text = fmt::format("{}: {} of {} collection seats in use", PoolLabel(*pool.spec),
                                 in_use, pool.spec->CountOn(now.today));
  if (!holders.empty()) {
    text += ": " + holders;
  }
  return text;
}

std::string SeatsInUse(const PoolState& pool, const Now& now) {
  if (pool.collection) {
    return CollectionSeatsInUse(pool, now);
  }
  const std::string holders = HolderList(pool, ", ", [&now](const Seat& seat) {
    if (seat.weight > 1) {
      return fmt::format("{} ({} seats) since {}", HolderName(seat.holder), seat.weight,
                         SinceText(seat.since, now.wall));
    }
    return fmt::format("{} since {}", HolderName(seat.holder), SinceText(seat.since, now.wall));
  });
  const long long in_use = pool.used;

  const licenses::Pool& spec = *pool.spec;
  std::string text =
      fmt::format("{}: {} of {} seats in use", PoolLabel(spec), in_use, spec.CountOn(now.today));
  if (!holders.empty()) {
    text += " by " + holders;
  }
  return text;
}

std::string Expired(const licenses::Pool& pool, licenses::Date today) {
  const licenses::PoolLine* last = nullptr;
  for (const licenses::PoolLine& line : pool.lines) {
    if (line.expiry && *line.expiry < today && (!last || *last->expiry < *line.expiry)) {
      last = &line;
    }
  }
  if (!last) {
    return fmt::format("{} has no line in force", PoolLabel(pool));
  }
  return fmt::format("{} expired at the end of {}", LineLabel(pool, *last),
                     LicenseDate(*last->expiry));
}

std::string NotYetValid(const licenses::Pool& pool, licenses::Date today) {
  const licenses::PoolLine* first = nullptr;
  for (const licenses::PoolLine& line : pool.lines) {
    if (line.start && today < *line.start && (!first || *line.start < *first->start)) {
      first = &line;
    }
  }
  if (!first) {
    return fmt::format("{} has no line in force", PoolLabel(pool));
  }
  return fmt::format("{} starts on {} (START)", LineLabel(pool, *first),
                     LicenseDate(*first->start));
}

std::string VersionText(std::string_view feature, const licenses::Version& wanted,
                        const std::vector<const licenses::Pool*>& refused) {
  const licenses::Pool* newest = refused.front();
  for (const licenses::Pool* p : refused) {
    if (newest->version < p->version) {
      newest = p;
    }
  }
  if (newest->version < wanted) {
    return fmt::format("version {} of '{}' requested; licensed up to {} ({})", wanted.ToString(),
                       feature, newest->version.ToString(), SourceOf(*newest));
  }
  // Every pool new enough refused it as too old (PREV_VERSIONS): name the widest range.
  auto oldest_major = [](const licenses::Pool* p) {
    return static_cast<long long>(p->version.scaled / 1'000'000) - p->prev_versions.value_or(0);
  };
  const licenses::Pool* widest = nullptr;
  for (const licenses::Pool* p : refused) {
    if (p->version < wanted) {
      continue;
    }
    if (!widest || oldest_major(p) < oldest_major(widest)) {
      widest = p;
    }
  }
  return fmt::format(
      "version {} of '{}' requested; {} serves versions {}.0 through {} only (PREV_VERSIONS={})",
      wanted.ToString(), feature, PoolLabel(*widest), oldest_major(widest),
      widest->version.ToString(), widest->prev_versions.value_or(0));
}

std::string JoinPools(const std::vector<const licenses::Pool*>& pools, licenses::Date today,
                      std::string (*describe)(const licenses::Pool&, licenses::Date)) {
  std::string out;
  for (const licenses::Pool* p : pools) {
    if (!out.empty()) {
      out += "; ";
    }
    out += describe(*p, today);
  }
  return out;
}

}  // namespace

std::string NotInForceText(const licenses::Pool& pool, licenses::Date today) {
  return DateStateOn(pool, today) == DateState::kNotYetValid ? NotYetValid(pool, today)
                                                             : Expired(pool, today);
}

std::string HolderName(const Identity& who) { return fmt::format("{}@{}", who.user, who.host); }

std::string HolderList(const PoolState& pool, std::string_view separator,
                       const std::function<std::string(const Seat&)>& describe) {
  std::string out;
  std::size_t listed = 0;
  for (const auto& [serial, seat] : pool.by_age) {
    if (listed == kMaxListed) {
      out += fmt::format("{}and {} more", separator == ", " ? " " : separator,
                         pool.seats.size() - listed);
      break;
    }
    if (listed++ > 0) out += separator;
    out += describe(*seat);
  }
  return out;
}

Denial NoSuchFeatureDenial(std::string_view feature, const std::set<std::string>& licensed) {
  std::string list;
  std::size_t n = 0;
  for (const std::string& name : licensed) {
    if (n == kMaxListed) {
      break;
    }
    if (n++ > 0) {
      list += ", ";
    }
    list += name;
  }
  if (licensed.size() > kMaxListed) {
    list += fmt::format(" and {} more", licensed.size() - kMaxListed);
  }
  if (licensed.empty()) {
    list = "none";
  }
  // Feature names are case-sensitive, as in FlexLM: a near miss is named, not served.
  std::string hint;
  const auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  // A difference of case, or (for names of 4 letters or more) one edit, two from 8 on.
  const std::size_t allowed = feature.size() < 4 ? 0 : feature.size() < 8 ? 1 : 2;
  std::size_t best = allowed + 1;
  // Edits are looked for among a few thousand names at most: a denial stays cheap.
  constexpr std::size_t kMaxCompared = 2000;
  const bool edits = licensed.size() <= kMaxCompared && allowed > 0;
  for (const std::string& name : licensed) {
    const std::size_t d = lower(name) == lower(feature) ? 0
                          : edits                       ? options::EditDistance(name, feature)
                                                        : best;
    if (d < best) {
      best = d;
      hint = fmt::format(" (did you mean '{}'?)", name);
    }
  }
  return {Errc::kNoSuchFeature, fmt::format("no license for feature '{}'{}; licensed features: {}",
                                            feature, hint, list)};
}


Denial SeatEngine::State::DenialFor(const Identity& who, const std::string& feature,
                                   const std::optional<licenses::Version>& requested,
                                   const Placement& where, const Now& now) const {
  if (where.excluded) {
    return {where.excluded->code, where.excluded->message};
  }
  const Refusal worst = MostActionable(where.refusals);
  // "; its free seats are held for bob@ws2, who waits for 4 at once (until 09:20 UTC)".
  const auto held_text = [this, &now](const PoolState& pool) -> std::string {
    const std::uint64_t first = HeldFor(pool, now.today);
    const Waiter& waiter = queues.at(waiter_feature.at(first)).at(first);
    const long long free_seats = pool.spec->CountOn(now.today) - pool.used;
    return fmt::format("; {} free seat{} {} held for {}, who waits for {} at once and came first",
                       free_seats, free_seats == 1 ? "" : "s", free_seats == 1 ? "is" : "are",
                       HolderName(waiter.who), waiter.seats);
  };
  std::vector<const licenses::Pool*> named;
  std::vector<const PoolRefusal*> picked;
  for (const PoolRefusal& r : where.refusals) {
    if (r.why != worst) {
      continue;
    }
    named.push_back(pools[r.pool].spec);
    picked.push_back(&r);
  }
  switch (worst) {
    case Refusal::kHeld:
    case Refusal::kFull: {
      // Pools that are full and pools whose free seats wait for an earlier request of
      // several seats are one case for the requester: wait, or queue.
      std::string text =
          where.seats > 1 ? fmt::format(
                                "{} seats of '{}' were asked for at once and no pool has that many "
                                "free. ",
                                where.seats, feature)
                          : fmt::format("all seats of '{}' are in use. ", feature);
      bool first = true;
      for (const PoolRefusal& r : where.refusals) {
        if (!Waitable(r.why)) continue;
        if (!first) text += "; ";
        first = false;
        text += SeatsInUse(pools[r.pool], now);
        if (r.why == Refusal::kHeld) text += held_text(pools[r.pool]);
      }
      // Pools with free seats the options file keeps from the requester, for the record.
      for (const PoolRefusal& r : where.refusals) {
        if (r.why == Refusal::kOptions) {
          text += fmt::format("; {}: {}", PoolLabel(*pools[r.pool].spec), r.verdict.message);
        }
      }
      return {Errc::kAllSeatsInUse, std::move(text)};
    }
    case Refusal::kTooFew: {
      std::string text;
      for (const PoolRefusal* r : picked) {
        const PoolState& pool = pools[r->pool];
        text += text.empty() ? "" : "; ";
        if (IsCloudServiceOf(pool, feature)) {
          text += fmt::format("{} serves it as a cloud service of {}, one user slot per user",
                              PoolLabel(*pool.spec), pool.collection->name);
        } else if (pool.spec->user_based || pool.spec->host_based) {
          text += fmt::format("{} gives named {} one seat each", PoolLabel(*pool.spec),
                              pool.spec->user_based ? "users" : "hosts");
        } else {
          text += fmt::format("{} has {} seat{} in force today", PoolLabel(*pool.spec),
                              pool.spec->CountOn(now.today),
                              pool.spec->CountOn(now.today) == 1 ? "" : "s");
        }
      }
      return {Errc::kTooFewSeats,
              fmt::format("{} seats of '{}' were asked for at once and no license can give that "
                          "many: {}; ask for fewer",
                          where.seats, feature, text)};
    }
    case Refusal::kCloudFull: {
      const licenses::Package& collection = *pools[picked.front()->pool].collection;
      std::string holders;
      std::size_t listed = 0;
      auto slots = cloud_slots.find(collection.name);
      const std::size_t taken = slots == cloud_slots.end() ? 0 : slots->second.size();
      if (slots != cloud_slots.end()) {
        for (const auto& [user, since] : slots->second) {
          if (listed == kMaxCloudListed) {
            holders += fmt::format(" and {} more", taken - listed);
            break;
          }
          holders += (listed++ > 0 ? ", " : "") + user;
        }
      }
      return {Errc::kCloudUsersExhausted,
              fmt::format(
                  "'{}' is a cloud service of collection {}: all {} cloud-user slots are "
                  "taken ({} collection seats x {} users per seat), held by {}; a slot "
                  "stays with its user until an administrator releases it{}",
                  feature, collection.name, CloudLimit(collection, now.today),
                  CloudLimit(collection, now.today) / std::max(1, collection.cloud_users_per_seat),
                  collection.cloud_users_per_seat, holders.empty() ? "nobody" : holders,
                  IdleClause(config.cloud_slot_idle))};
    }
    case Refusal::kOptions: {
      // Every pool with a free seat is closed to the requester by the options file: the
      // first rule in cascading order speaks, the others are named after it.
      Denial denial{picked.front()->verdict.code, picked.front()->verdict.message};
      for (std::size_t i = 1; i < picked.size(); ++i) {
        denial.message += fmt::format("; {}: {}", PoolLabel(*pools[picked[i]->pool].spec),
                                      picked[i]->verdict.message);
      }
      return denial;
    }
    case Refusal::kHostNotNamed: {
      std::string text;
      for (const PoolRefusal* r : picked) {
        const PoolState& pool = pools[r->pool];
        text += fmt::format("{}{} serves the hosts named by INCLUDE HOST lines of the options "
                            "file ({})",
                            text.empty() ? "" : "; ", PoolLabel(*pool.spec),
                            pool.named_order.empty() ? std::string("none")
                                                     : fmt::format("{}", fmt::join(pool.named_order, ", ")));
      }
      return {Errc::kNotAssigned,
              fmt::format("'{}' is licensed to named hosts only (HOST_BASED) and {} is not one "
                          "of them: {}",
                          feature, who.host, text)};
    }
    case Refusal::kNotAssigned: {
      std::string labels;
      std::string users;
      std::set<std::string> listed;
      for (const licenses::Pool* p : named) {
        labels += (labels.empty() ? "" : ", ") + PoolLabel(*p);
      }
      for (const PoolRefusal* r : picked) {
        for (const std::string& user : pools[r->pool].named_order) {
          if (listed.insert(user).second) users += (users.empty() ? "" : ", ") + user;
        }
      }
      if (auto assigned = assignments.find(feature); assigned != assignments.end()) {
        for (const auto& [user, since] : assigned->second) {
          if (listed.insert(user).second) users += (users.empty() ? "" : ", ") + user;
        }
      }
      if (users.empty()) {
        return {Errc::kNotAssigned,
                fmt::format("'{}' is licensed to named users only ({}) and no user is assigned "
                            "to it; an administrator names users with INCLUDE lines of the "
                            "options file or 'floatlm assign'",
                            feature, labels)};
      }
      return {Errc::kNotAssigned,
              fmt::format("'{}' is licensed to named users only ({}) and is assigned to {}; an "
                          "administrator names users with INCLUDE lines of the options file or "
                          "'floatlm assign'",
                          feature, labels, users)};
    }
    case Refusal::kWrongHost: {
      std::string locks;
      for (const licenses::Pool* p : named) {
        locks += fmt::format("{}{} is locked to HOSTID={}", locks.empty() ? "" : "; ",
                             PoolLabel(*p), p->HostIdText());
      }
      return {Errc::kWrongHost,
              fmt::format("the license for '{}' is node-locked to other computers: {}; this "
                          "computer reports {}",
                          feature, locks, ReportedHostIds(who))};
    }
    case Refusal::kExpired:
      return {Errc::kExpired, fmt::format("the license for '{}' has expired: {}", feature,
                                          JoinPools(named, now.today, Expired))};
    case Refusal::kNotYetValid:
      return {Errc::kNotYetValid, fmt::format("the license for '{}' is not valid yet: {}", feature,
                                              JoinPools(named, now.today, NotYetValid))};
    case Refusal::kVersion:
      break;
  }
  // A version refusal only happens when a version was requested.
  return {Errc::kVersionNotLicensed,
          VersionText(feature, requested.value_or(licenses::Version{}), named)};
}

}  // namespace floatlm::engine
