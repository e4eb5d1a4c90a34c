#include "options/matcher.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace floatlm::options {
namespace {

bool IsDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Splits on '.', keeping empty parts so "1..2.3" is rejected rather than squeezed.
std::vector<std::string_view> SplitDots(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

// GROUPCASEINSENSITIVE only relaxes group membership; USER and HOST rules stay exact,
// as FlexLM documents them.
bool InGroup(const std::map<std::string, std::set<std::string>>& groups, const std::string& group,
             bool case_insensitive, const auto& member_matches) {
  const auto it = groups.find(group);
  if (it == groups.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const std::string& m) { return member_matches(m, case_insensitive); });
}

bool HostNameMatches(std::string_view rule_host, const Requester& who, bool case_insensitive) {
  // A host written as an address (wildcards allowed) matches the requester's address,
  // so admins can say HOST 10.1.2.* as FlexLM allows.
  if (LooksLikeIpv4(rule_host)) {
    const auto pattern = ParseIpv4Pattern(rule_host);
    return pattern && Ipv4Matches(*pattern, who.ip);
  }
  if (who.host.empty()) return false;
  return case_insensitive ? EqualsIgnoreCase(rule_host, who.host) : rule_host == who.host;
}

// "007.50" -> ("7", "5"): integer part without leading zeros, fraction without trailing.
std::optional<std::pair<std::string_view, std::string_view>> NormalizeVersion(std::string_view v) {
  const std::size_t dot = v.find('.');
  std::string_view whole = v.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : v.substr(dot + 1);
  if (!IsDigits(whole) || (!frac.empty() && !IsDigits(frac))) return std::nullopt;
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  return std::pair{whole, frac};
}

// Words of a HOSTID list, lower-cased and sorted: host ids compare without regard to case
// or order ("ID=7 0242AC110002" equals "0242ac110002 id=7").
std::vector<std::string> HostIdWords(std::string_view list) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == '\t')) ++i;
    std::string word;
    while (i < list.size() && list[i] != ' ' && list[i] != '\t') {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(list[i++]))));
    }
    if (!word.empty()) words.push_back(std::move(word));
  }
  std::sort(words.begin(), words.end());
  return words;
}

bool HostIdListsEqual(std::string_view a, std::string_view b) {
  return HostIdWords(a) == HostIdWords(b);
}

// License dates compare without regard to case ("31-Dec-2027" is "31-dec-2027") and
// without a leading zero in the day.
bool DatesEqual(std::string_view a, std::string_view b) {
  const auto strip = [](std::string_view s) {
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    return s;
  };
  return EqualsIgnoreCase(strip(a), strip(b));
}

}  // namespace

std::optional<Ipv4Pattern> ParseIpv4Pattern(std::string_view text) {
  const auto parts = SplitDots(text);
  if (parts.size() != 4) return std::nullopt;
  Ipv4Pattern pattern;
  for (std::size_t i = 0; i < 4; ++i) {
    if (parts[i] == "*") continue;  // wildcard: leave the octet unset
    if (!IsDigits(parts[i]) || parts[i].size() > 3) return std::nullopt;
    const int value = std::stoi(std::string(parts[i]));
    if (value > 255) return std::nullopt;
    pattern[i] = static_cast<unsigned char>(value);
  }
  return pattern;
}

bool LooksLikeIpv4(std::string_view text) {
  return text.find('.') != std::string_view::npos &&
         std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0 || c == '.' || c == '*'; });
}

bool Ipv4Matches(const Ipv4Pattern& pattern, std::string_view ip) {
  constexpr std::string_view kMapped = "::ffff:";
  if (ip.size() > kMapped.size() && EqualsIgnoreCase(ip.substr(0, kMapped.size()), kMapped)) {
    ip.remove_prefix(kMapped.size());
  }
  if (ip.find('*') != std::string_view::npos) return false;  // an address, not a pattern
  const auto address = ParseIpv4Pattern(ip);
  if (!address) return false;
  for (std::size_t i = 0; i < 4; ++i) {
    if (pattern[i] && *pattern[i] != *(*address)[i]) return false;
  }
  return true;
}

bool TargetMatches(const Target& target, const Requester& who, const RuleSet& rules) {
  switch (target.type) {
    case TargetType::kUser:
      return !who.user.empty() && target.name == who.user;
    case TargetType::kHost:
      return HostNameMatches(target.name, who, false);
    case TargetType::kDisplay:
      return !who.display.empty() && target.name == who.display;
    case TargetType::kInternet:
      return target.ip && Ipv4Matches(*target.ip, who.ip);
    case TargetType::kGroup:
      if (who.user.empty()) return false;
      return InGroup(rules.user_groups, target.name, rules.group_case_insensitive,
                     [&](const std::string& member, bool ci) {
                       return ci ? EqualsIgnoreCase(member, who.user) : member == who.user;
                     });
    case TargetType::kHostGroup:
      return InGroup(
          rules.host_groups, target.name, rules.group_case_insensitive,
          [&](const std::string& member, bool ci) { return HostNameMatches(member, who, ci); });
    case TargetType::kProject:
      // floatlm clients send no project, so a PROJECT rule never names anyone.
      return false;
    case TargetType::kNobody:
      return false;
  }
  return false;
}

bool VersionsEqual(std::string_view a, std::string_view b) {
  const auto na = NormalizeVersion(a);
  const auto nb = NormalizeVersion(b);
  if (!na || !nb) return a == b;
  return *na == *nb;
}

bool LineMatches(const FeatureSpec& spec, const LineRef& line) {
  if (spec.keyword == "SN") return !line.serial.empty() && spec.value == line.serial;
  if (spec.keyword == "EXPDATE") return !line.expiry.empty() && DatesEqual(spec.value, line.expiry);
  if (line.attributes == nullptr) return false;
  const auto it = line.attributes->find(spec.keyword);
  if (it == line.attributes->end()) return false;
  if (spec.keyword == "HOSTID") return HostIdListsEqual(spec.value, it->second);
  return spec.value == it->second;
}

bool FeatureMatches(const FeatureSpec& spec, const FeatureRef& feature) {
  if (spec.name != feature.name) return false;
  if (spec.version && (feature.version.empty() || !VersionsEqual(*spec.version, feature.version))) {
    return false;
  }
  if (spec.keyword.empty()) return true;
  return std::any_of(feature.lines.begin(), feature.lines.end(),
                     [&](const LineRef& line) { return LineMatches(spec, line); });
}

}  // namespace floatlm::options
