// Who is using which RESERVE seats of a pool. Internal to floatlm_options.
//
// Holders are matched to the RESERVE lines that name them so that as many reserved
// seats as possible count as used (a maximum matching with capacities): a holder who
// fits both a USER and a GROUP reservation never makes a colleague look unreserved.
// Built per request and thrown away; cost grows with holders x reservations.
#ifndef FLOATLM_DAEMON_OPTIONS_RESERVATIONS_H_
#define FLOATLM_DAEMON_OPTIONS_RESERVATIONS_H_

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "options/options_policy.h"
#include "options/options_rules.h"

namespace floatlm::options {

class ReservationMatcher {
 public:
  ReservationMatcher(const RuleSet& rules, const FeatureRef& feature,
                     std::span<const Requester> holders);

  long long reserved() const { return reserved_; }  // seats set aside for this pool
  long long used() const { return used_; }          // of those, held by their people

  // The first RESERVE line, in file order, with seats nobody it names is using.
  std::optional<std::size_t> FirstWithUnusedSeats() const;

  // If `who` can take an unused reserved seat (possibly by moving current holders to
  // other reservations that also name them), claims it and returns the index into
  // RuleSet::reserves of the line that grants it. Call at most once per matcher.
  std::optional<std::size_t> Claim(const Requester& who);

 private:
  bool Augment(std::size_t holder, std::vector<char>& seen);
  std::vector<std::size_t> MatchingRules(const Requester& who) const;

  const RuleSet& rules_;
  std::vector<std::size_t> rule_index_;            // local id -> RuleSet::reserves index
  std::vector<long long> capacity_;                // local id -> RESERVE count
  std::vector<std::vector<std::size_t>> members_;  // local id -> holders using it
  std::vector<std::vector<std::size_t>> fits_;     // holder -> local ids naming it
  long long reserved_ = 0;
  long long used_ = 0;
};

}  // namespace floatlm::options

#endif  // FLOATLM_DAEMON_OPTIONS_RESERVATIONS_H_
