// Named-user (USER_BASED) assignments. An administrator gives each of a pool's seats to a
// user name; only those users may check the feature out, each on any number of hosts at
// once as one seat (the seat's holder key is the user alone).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "engine/denial_text.h"
#include "engine/engine_state.h"
#include "engine/pool_selection.h"

namespace floatlm::engine {
namespace {

std::string Names(const std::map<std::string, WallTime>& users) {
  std::string out;
  for (const auto& [user, since] : users) {
    out += (out.empty() ? "" : ", ") + user;
  }
  return out;
}

}  // namespace

AdminResult SeatEngine::Assign(const std::string& feature, const std::string& user,
                               const Now& now) {
  State& s = *state_;
  long long seats = 0;
  bool named = false;
  std::set<std::string> by_options;  // users the options file names, who take seats first
  for (const PoolState& pool : s.pools) {
    if (pool.spec->feature == feature && pool.spec->user_based) {
      named = true;
      seats += pool.spec->user_based_limit.value_or(pool.spec->CountOn(now.today));
      by_options.insert(pool.named_order.begin(), pool.named_order.end());
    }
  }
  if (!named) {
    std::string message = fmt::format("'{}' has no named-user (USER_BASED) license", feature);
    return Denial{Errc::kNoSuchFeature, std::move(message)};
  }
  auto& users = s.assignments[feature];
  if (users.contains(user)) {
    std::string message = fmt::format("{} is already assigned to '{}'", user, feature);
    return Done{false, std::move(message)};
  }
  if (by_options.contains(user)) {
    std::string message =
        fmt::format("{} is already a named user of '{}' by the options file", user, feature);
    if (users.empty()) s.assignments.erase(feature);
    return Done{false, std::move(message)};
  }
  if (static_cast<long long>(users.size() + by_options.size()) >= seats) {
    std::string message = fmt::format(
        "all {} seats of {} are assigned ({}{}{}): unassign one first", seats, feature,
        Names(users), users.empty() || by_options.empty() ? "" : "; ",
        by_options.empty()
            ? std::string()
            : fmt::format("named by the options file: {}", fmt::join(by_options, ", ")));
    if (users.empty()) {
      s.assignments.erase(feature);
    }
    return Denial{Errc::kAssignmentsFull, std::move(message)};
  }
  users.emplace(user, now.wall);
  std::string message = fmt::format("{} assigned to '{}' ({} of {} seats assigned)", user, feature,
                                    users.size(), seats);
  return Done{true, std::move(message)};
}

AdminResult SeatEngine::Unassign(const std::string& feature, const std::string& user,
                                 const Now& now) {
  State& s = *state_;
  auto users = s.assignments.find(feature);
  if (users == s.assignments.end() || users->second.erase(user) == 0) {
    std::string message = fmt::format("{} is not assigned to '{}'", user, feature);
    return Denial{Errc::kNotAssigned, std::move(message)};
  }
  if (users->second.empty()) {
    s.assignments.erase(users);
  }
  // The seat belongs to the assignment: without it the user's leases end now, so that
  // the next assignee can use the seat.
  std::vector<LeaseId> ending;
  for (const PoolState& pool : s.pools) {
    if (pool.spec->feature != feature || !pool.spec->user_based) {
      continue;
    }
    for (const auto& [number, seat] : pool.seats) {
      for (LeaseId id : seat.leases) {
        if (s.leases.at(id).view.who.user == user) {
          ending.push_back(id);
        }
      }
    }
  }
  std::sort(ending.begin(), ending.end());
  for (LeaseId id : ending) {
    const LeaseView& view = s.leases.at(id).view;
    std::string text =
        fmt::format("lease {} of '{}' held by {} ended: an administrator unassigned {} from '{}'",
                    id, view.feature, HolderName(view.who), user, feature);
    s.End(id, Errc::kLeaseRemoved, std::move(text));
  }
  std::string message =
      fmt::format("{} unassigned from '{}' ({} lease(s) ended)", user, feature, ending.size());
  s.Settle(now);
  return Done{true, std::move(message)};
}

std::vector<AssignmentView> SeatEngine::Assignments() const {
  std::vector<AssignmentView> out;
  for (const auto& [feature, users] : state_->assignments) {
    for (const auto& [user, since] : users) {
      out.push_back({feature, user, since});
    }
  }
  return out;
}

void SeatEngine::RestoreAssignments(std::vector<AssignmentView> assignments) {
  for (AssignmentView& a : assignments) {
    state_->assignments[a.feature].emplace(std::move(a.user), a.since);
  }
}

}  // namespace floatlm::engine
