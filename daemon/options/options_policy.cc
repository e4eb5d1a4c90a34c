#include "options/options_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "options/matcher.h"
#include "options/options_rules.h"
#include "options/reservations.h"

namespace floatlm::options {
namespace {

RuleRef RefOf(const Origin& origin) { return RuleRef{origin.file, origin.line, origin.text}; }

Verdict Deny(Errc code, std::string message, const Origin& origin) {
  return Verdict{code, std::move(message), RefOf(origin)};
}

bool AccessApplies(const AccessRule& rule, const FeatureRef& feature) {
  return !rule.feature || FeatureMatches(*rule.feature, feature);
}

std::optional<Verdict> ExcludedBy(const RuleSet& rules, const FeatureRef& feature,
                                  const Requester& who) {
  for (const AccessRule& rule : rules.access) {
    if (rule.kind == AccessKind::kExclude && AccessApplies(rule, feature) &&
        TargetMatches(rule.target, who, rules)) {
      return Deny(Errc::kExcludedByOptions,
                  fmt::format("excluded by {}", RefOf(rule.origin).ToString()), rule.origin);
    }
  }
  return std::nullopt;
}

// INCLUDE and INCLUDEALL lines that apply to the feature form one list: being on any of
// them admits. A RESERVE line for the feature admits too, because a reservation is the
// stronger statement that the person is meant to use it.
std::optional<Verdict> NotIncluded(const RuleSet& rules, const FeatureRef& feature,
                                   const Requester& who) {
  const AccessRule* first = nullptr;
  for (const AccessRule& rule : rules.access) {
    if (rule.kind != AccessKind::kInclude || !AccessApplies(rule, feature)) continue;
    if (TargetMatches(rule.target, who, rules)) return std::nullopt;
    if (first == nullptr) first = &rule;
  }
  if (first == nullptr) return std::nullopt;  // no INCLUDE list: everyone not excluded
  if (who.assigned) return std::nullopt;     // a named user by floatlm assign
  for (const CountRule& rule : rules.reserves) {
    if (FeatureMatches(rule.feature, feature) && TargetMatches(rule.target, who, rules)) {
      return std::nullopt;
    }
  }
  return Deny(
      Errc::kExcludedByOptions,
      fmt::format("not on the INCLUDE list, which starts at {}", RefOf(first->origin).ToString()),
      first->origin);
}

long long CountMatching(const Target& target, std::span<const Requester> holders,
                        const RuleSet& rules) {
  long long n = 0;
  for (const Requester& holder : holders) {
    if (TargetMatches(target, holder, rules)) ++n;
  }
  return n;
}

// Shared by every default-constructed policy; never modified.
const std::shared_ptr<const RuleSet>& EmptyRules() {
  static const auto* const kEmpty = new std::shared_ptr<const RuleSet>(std::make_shared<RuleSet>());
  return *kEmpty;
}

}  // namespace

std::string RuleRef::ToString() const { return fmt::format("{}:{} ({})", file, line, text); }

OptionsPolicy::OptionsPolicy() : rules_(EmptyRules()) {}

OptionsPolicy::OptionsPolicy(std::shared_ptr<const RuleSet> rules) : rules_(std::move(rules)) {}

Verdict OptionsPolicy::Admission(const FeatureRef& feature, const Requester& who) const {
  if (auto denied = ExcludedBy(*rules_, feature, who)) return *std::move(denied);
  if (auto denied = NotIncluded(*rules_, feature, who)) return *std::move(denied);
  return Verdict{};
}

Verdict OptionsPolicy::Reservation(const FeatureRef& feature, const Requester& who,
                                   const SeatUse& use) const {
  if (use.free_seats <= 0) {
    return Verdict{Errc::kAllSeatsInUse, "no free seat in this pool", std::nullopt};
  }
  ReservationMatcher matcher(*rules_, feature, use.holders);
  if (matcher.reserved() == 0) return Verdict{};
  const long long unused = matcher.reserved() - matcher.used();
  const std::optional<std::size_t> blocking = matcher.FirstWithUnusedSeats();
  if (const auto granted = matcher.Claim(who)) {
    const Origin& origin = rules_->reserves[*granted].origin;
    return Verdict{Errc::kOk, fmt::format("reserved seat of {}", RefOf(origin).ToString()),
                   RefOf(origin)};
  }
  if (use.free_seats > unused || !blocking) return Verdict{};
  const Origin& origin = rules_->reserves[*blocking].origin;
  return Deny(Errc::kReservedForOthers,
              fmt::format("{} free seat{} reserved for others by {}", use.free_seats,
                          use.free_seats == 1 ? " is" : "s are", RefOf(origin).ToString()),
              origin);
}

Verdict OptionsPolicy::Max(const FeatureRef& feature, const Requester& who,
                           const SeatUse& use) const {
  for (const CountRule& rule : rules_->maxes) {
    if (!FeatureMatches(rule.feature, feature) || !TargetMatches(rule.target, who, *rules_)) {
      continue;
    }
    const long long held = CountMatching(rule.target, use.holders, *rules_);
    if (held >= rule.count) {
      return Deny(Errc::kMaxReachedForUser,
                  fmt::format("{} of {} seat{} already held; limited by {}", held, rule.count,
                              rule.count == 1 ? "" : "s", RefOf(rule.origin).ToString()),
                  rule.origin);
    }
  }
  return Verdict{};
}

Verdict OptionsPolicy::MayTakeSeat(const FeatureRef& feature, const Requester& who,
                                   const SeatUse& use) const {
  if (auto denied = ExcludedBy(*rules_, feature, who)) return *std::move(denied);
  Verdict reserve = Reservation(feature, who, use);
  // A reserved seat is the admin's explicit promise: MAX and INCLUDE do not take it away.
  if (!reserve.ok() || reserve.rule) return reserve;
  if (Verdict max = Max(feature, who, use); !max.ok()) return max;
  if (auto denied = NotIncluded(*rules_, feature, who)) return *std::move(denied);
  return Verdict{};
}

ReservationUse OptionsPolicy::Reservations(const FeatureRef& feature,
                                           std::span<const Requester> holders) const {
  ReservationMatcher matcher(*rules_, feature, holders);
  return ReservationUse{matcher.reserved(), matcher.used()};
}

namespace {

std::vector<std::string> Included(const RuleSet& rules, const FeatureRef& feature, bool hosts) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  const auto add = [&](const std::string& name) {
    if (seen.insert(name).second) out.push_back(name);
  };
  for (const AccessRule& rule : rules.access) {
    if (rule.kind != AccessKind::kInclude || !AccessApplies(rule, feature)) continue;
    const Target& t = rule.target;
    if (!hosts && t.type == TargetType::kUser) add(t.name);
    if (hosts && t.type == TargetType::kHost && !LooksLikeIpv4(t.name)) add(t.name);
    const auto& groups = hosts ? rules.host_groups : rules.user_groups;
    if (t.type == (hosts ? TargetType::kHostGroup : TargetType::kGroup)) {
      if (auto it = groups.find(t.name); it != groups.end()) {
        for (const std::string& member : it->second) {
          if (!hosts || !LooksLikeIpv4(member)) add(member);
        }
      }
    }
  }
  return out;
}

}  // namespace

std::vector<ReserveLine> OptionsPolicy::ReservesFor(const FeatureRef& feature) const {
  static constexpr const char* kTypes[] = {"USER",  "HOST",       "DISPLAY", "INTERNET",
                                           "GROUP", "HOST_GROUP", "PROJECT", "USER"};
  std::vector<ReserveLine> out;
  for (const CountRule& rule : rules_->reserves) {
    if (!FeatureMatches(rule.feature, feature)) continue;
    out.push_back(ReserveLine{rule.count, kTypes[static_cast<int>(rule.target.type)],
                              rule.target.name, RefOf(rule.origin)});
  }
  return out;
}

std::vector<std::string> OptionsPolicy::IncludedUsers(const FeatureRef& feature) const {
  return Included(*rules_, feature, false);
}

std::vector<std::string> OptionsPolicy::IncludedHosts(const FeatureRef& feature) const {
  return Included(*rules_, feature, true);
}

std::optional<long long> OptionsPolicy::IdleTimeoutSeconds(std::string_view feature) const {
  const auto it = rules_->timeouts.find(std::string(feature));
  if (it != rules_->timeouts.end()) return it->second;
  return rules_->timeout_all;
}

std::vector<std::string> OptionsPolicy::UnmatchedRules(std::span<const FeatureRef> served) const {
  std::vector<std::pair<int, std::string>> found;
  const auto named = [&](std::string_view name) {
    return std::any_of(served.begin(), served.end(),
                       [&](const FeatureRef& f) { return f.name == name; });
  };
  const auto check = [&](const FeatureSpec& spec, const Origin& origin) {
    if (!named(spec.name)) {
      found.emplace_back(origin.line,
                         fmt::format("{}:{}: warning: no license line has feature '{}'; the rule "
                                     "\"{}\" applies to nothing",
                                     origin.file, origin.line, spec.name, origin.text));
      return;
    }
    if (std::none_of(served.begin(), served.end(),
                     [&](const FeatureRef& f) { return FeatureMatches(spec, f); })) {
      found.emplace_back(origin.line,
                         fmt::format("{}:{}: warning: no license line of '{}' matches '{}'; the "
                                     "rule \"{}\" applies to nothing",
                                     origin.file, origin.line, spec.name, spec.written,
                                     origin.text));
      return;
    }
    if (spec.keyword.empty()) return;
    for (const FeatureRef& f : served) {
      if (!FeatureMatches(spec, f)) continue;
      const auto carrying = std::count_if(f.lines.begin(), f.lines.end(),
                                          [&](const LineRef& l) { return LineMatches(spec, l); });
      if (static_cast<std::size_t>(carrying) == f.lines.size()) continue;
      found.emplace_back(
          origin.line,
          fmt::format("{}:{}: warning: '{}' names {} of the {} lines of one pool of '{}' "
                      "{}; the rule \"{}\" applies to all the pool's seats",
                      origin.file, origin.line, spec.written, carrying, f.lines.size(), f.name,
                      f.version, origin.text));
    }
  };
  for (const AccessRule& rule : rules_->access) {
    if (rule.feature) check(*rule.feature, rule.origin);
  }
  for (const CountRule& rule : rules_->reserves) check(rule.feature, rule.origin);
  for (const CountRule& rule : rules_->maxes) check(rule.feature, rule.origin);
  for (const auto& [feature, origin] : rules_->timeout_origins) {
    if (!named(feature)) {
      found.emplace_back(origin.line,
                         fmt::format("{}:{}: warning: no license line has feature '{}'; the rule "
                                     "\"{}\" applies to nothing",
                                     origin.file, origin.line, feature, origin.text));
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  out.reserve(found.size());
  for (auto& [line, text] : found) out.push_back(std::move(text));
  return out;
}

std::size_t OptionsPolicy::rule_count() const {
  return rules_->access.size() + rules_->reserves.size() + rules_->maxes.size() +
         rules_->timeouts.size() + (rules_->timeout_all ? 1 : 0);
}

bool OptionsPolicy::empty() const {
  return rules_->access.empty() && rules_->reserves.empty() && rules_->maxes.empty() &&
         rules_->timeouts.empty() && !rules_->timeout_all;
}

}  // namespace floatlm::options
