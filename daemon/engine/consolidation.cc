// Consolidation: after every grant and every lease end, a holder whose seats changed is
// brought back to the fewest seats. Two kinds of move, both "F's leases go onto C and F
// is freed", where C is one of the holder's collection seats and the products of both fit
// within PRODUCTS_PER_SEAT (C has a free slot, or already runs what F runs):
//   - F is a product seat for a product C covers (product -> collection);
//   - F is another collection seat (a further seat) whose products fit beside C's.
// Targets are tried best first (cascading order, then lower seat number) and sources
// worst first, so a further seat moves back onto the holder's first seat. Every move
// keeps the lease ids and is reported as a kLeaseMoved event.
#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "engine/denial_text.h"
#include "engine/engine_state.h"
#include "engine/placement.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {
namespace {

// A product seat shared by more leases than this is a SITE-like seat of many people:
// it never fits one holder's collection seat, and checking each lease would be O(n).
constexpr std::size_t kMaxMovableLeases = 256;

std::optional<licenses::Version> Requested(const LeaseView& view) {
  if (view.version == licenses::Version{}) {
    return std::nullopt;
  }
  return view.version;
}

}  // namespace

void SeatEngine::State::Settle(const Now& now, bool full_scan) {
  // Moves free seats (waiters may get them) and grants to waiters change holders' seats
  // (they may consolidate): alternate until both are quiet. Each round either moves a
  // lease to fewer seats or grants a waiter, so it ends.
  for (bool first = true;; first = false) {
    while (!unsettled_users.empty()) {
      const std::string user = std::move(unsettled_users.extract(unsettled_users.begin()).value());
      Consolidate(user, now);
    }
    if (dirty_features.empty() && freed_slots.empty() && !(first && full_scan)) {
      return;
    }
    ServeDirty(now, first && full_scan);
    if (unsettled_users.empty() && dirty_features.empty() && freed_slots.empty()) {
      return;
    }
  }
}

void SeatEngine::State::Consolidate(const std::string& user, const Now& now) {
  for (;;) {
    if (!collection_seats_by_user.contains(user)) {
      return;
    }
    auto it = seats_by_user.find(user);
    if (it == seats_by_user.end()) {
      return;
    }
    std::vector<std::pair<PoolId, std::uint32_t>> mine(it->second.begin(), it->second.end());
    if (mine.size() < 2) {
      return;
    }
    std::stable_sort(mine.begin(), mine.end(), [this](const auto& a, const auto& b) {
      const licenses::Pool& pa = *pools[a.first].spec;
      const licenses::Pool& pb = *pools[b.first].spec;
      if (CascadeBefore(pa, pb)) return true;
      if (CascadeBefore(pb, pa)) return false;
      return a < b;
    });

    auto fits = [&](PoolId cp, const Seat& c, PoolId fp, const Seat& f) {
      const PoolState& target = pools[cp];
      const PoolState& source = pools[fp];
      if (source.spec->user_based || f.leases.size() > kMaxMovableLeases) {
        return false;  // a named user keeps the seat assigned to them
      }
      if (f.weight > 1) {
        return false;  // a multi-seat lease keeps its seats to itself
      }
      std::set<std::string> products;
      for (const auto& [product, n] : c.products) products.insert(product);
      for (const auto& [product, n] : f.products) products.insert(product);
      if (static_cast<int>(products.size()) > target.collection->products_per_seat) {
        return false;
      }
      for (LeaseId id : f.leases) {
        const LeaseView& view = leases.at(id).view;
        if (IsCloudServiceOf(target, view.feature) ||
            !ServesRequest(target, view.feature, Requested(view)) ||
            SeatHolderKey(target, view.who, Requested(view), view.dup_group) != c.holder_key) {
          return false;
        }
      }
      return true;
    };

    bool moved = false;
    for (const auto& [cp, cn] : mine) {
      const PoolState& target = pools[cp];
      if (!target.collection || DateStateOn(*target.spec, now.today) != DateState::kInForce) {
        continue;
      }
      const Seat& c = target.seats.at(cn);
      // A full seat may still absorb a seat whose products it already runs.
      if (!c.holder_key) {
        continue;
      }
      for (auto f_it = mine.rbegin(); f_it != mine.rend(); ++f_it) {
        const auto [fp, fn] = *f_it;
        if (fp == cp && fn == cn) {
          continue;
        }
        const Seat& f = pools[fp].seats.at(fn);
        if (!fits(cp, c, fp, f)) {
          continue;
        }
        MoveSeat(fp, fn, cp, cn);
        moved = true;
        break;
      }
      if (moved) {
        break;
      }
    }
    if (!moved) {
      return;
    }
  }
}

void SeatEngine::State::MoveSeat(PoolId from_pool, std::uint32_t from_seat, PoolId to_pool,
                                 std::uint32_t to_seat) {
  const PoolState& source = pools[from_pool];
  const PoolState& target = pools[to_pool];
  const Seat& from = source.seats.at(from_seat);
  const bool from_collection = source.collection != nullptr;
  const std::string products = ProductList(from);
  const std::string freed =
      from_collection
          ? fmt::format("further seat {} of {} freed", from_seat, source.collection->name)
          : fmt::format("seat {} of {} freed", from_seat, PoolLabel(*source.spec));
  const std::string why =
      from_collection ? "a product slot came free" : "the seat had a free product slot";
  const std::vector<LeaseId> moving(from.leases.begin(), from.leases.end());
  for (LeaseId id : moving) {
    Lease& lease = leases.at(id);
    DetachLease(lease);  // the last one closes the source seat
    AttachLease(lease, to_pool, to_seat);
  }
  const Seat& onto = target.seats.at(to_seat);
  const std::string reason =
      fmt::format("rides on {}'s collection seat {} of {} (runs {})", HolderName(onto.holder),
                  to_seat, target.collection->name, ProductList(onto));
  const std::string message =
      fmt::format("{} moved {}onto collection seat {} of {} ({}): {}; {}", products,
                  from_collection ? "back " : "", to_seat, target.collection->name,
                  PoolLabel(*target.spec), why, freed);
  for (LeaseId id : moving) {
    Lease& lease = leases.at(id);
    lease.view.shared = true;
    lease.view.reason = reason;
    Event event{Event::Kind::kLeaseMoved};
    event.client = lease.view.client;
    event.lease = lease.view;
    event.message = message;
    events.push_back(std::move(event));
  }
}

}  // namespace floatlm::engine
