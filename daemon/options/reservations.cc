#include "options/reservations.h"

#include <algorithm>

#include "options/matcher.h"

namespace floatlm::options {

ReservationMatcher::ReservationMatcher(const RuleSet& rules, const FeatureRef& feature,
                                       std::span<const Requester> holders)
    : rules_(rules) {
  for (std::size_t i = 0; i < rules.reserves.size(); ++i) {
    const CountRule& rule = rules.reserves[i];
    if (rule.count <= 0 || !FeatureMatches(rule.feature, feature)) continue;
    rule_index_.push_back(i);
    capacity_.push_back(rule.count);
    reserved_ += rule.count;
  }
  members_.resize(rule_index_.size());
  if (rule_index_.empty()) return;

  fits_.reserve(holders.size());
  for (const Requester& holder : holders) fits_.push_back(MatchingRules(holder));
  for (std::size_t h = 0; h < fits_.size(); ++h) {
    if (fits_[h].empty()) continue;
    std::vector<char> seen(rule_index_.size(), 0);
    if (Augment(h, seen)) ++used_;
  }
}

std::vector<std::size_t> ReservationMatcher::MatchingRules(const Requester& who) const {
  std::vector<std::size_t> fits;
  for (std::size_t local = 0; local < rule_index_.size(); ++local) {
    if (TargetMatches(rules_.reserves[rule_index_[local]].target, who, rules_)) {
      fits.push_back(local);
    }
  }
  return fits;
}

// Kuhn's augmenting path, with a capacity per reservation. Each level of recursion marks
// one more reservation as seen, so the depth is bounded by the number of RESERVE lines.
bool ReservationMatcher::Augment(std::size_t holder, std::vector<char>& seen) {
  for (std::size_t local : fits_[holder]) {
    if (seen[local]) continue;
    seen[local] = 1;
    if (static_cast<long long>(members_[local].size()) < capacity_[local]) {
      members_[local].push_back(holder);
      return true;
    }
    // Full: make room by moving one of its holders to another reservation naming them.
    std::vector<std::size_t>& members = members_[local];
    for (std::size_t k = 0; k < members.size(); ++k) {
      if (Augment(members[k], seen)) {
        members[k] = holder;
        return true;
      }
    }
  }
  return false;
}

std::optional<std::size_t> ReservationMatcher::FirstWithUnusedSeats() const {
  for (std::size_t local = 0; local < rule_index_.size(); ++local) {
    if (static_cast<long long>(members_[local].size()) < capacity_[local]) {
      return rule_index_[local];
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> ReservationMatcher::Claim(const Requester& who) {
  if (rule_index_.empty()) return std::nullopt;
  const std::size_t id = fits_.size();
  fits_.push_back(MatchingRules(who));
  if (fits_.back().empty()) return std::nullopt;
  std::vector<char> seen(rule_index_.size(), 0);
  if (!Augment(id, seen)) return std::nullopt;
  ++used_;
  for (std::size_t local = 0; local < members_.size(); ++local) {
    if (std::find(members_[local].begin(), members_[local].end(), id) != members_[local].end()) {
      return rule_index_[local];
    }
  }
  return std::nullopt;  // unreachable: Augment placed `id` somewhere
}

}  // namespace floatlm::options
