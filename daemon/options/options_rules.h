// The parsed options file: plain data that the parser fills and OptionsPolicy reads.
// Internal to floatlm_options; callers use options_policy.h and options_parser.h.
#ifndef FLOATLM_DAEMON_OPTIONS_OPTIONS_RULES_H_
#define FLOATLM_DAEMON_OPTIONS_OPTIONS_RULES_H_

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace floatlm::options {

// Who a rule names: the "type name" pair of an options line.
// kNobody stands for the target of an INCLUDE line that failed to parse: it keeps the
// feature's INCLUDE list closed and names no one.
enum class TargetType { kUser, kHost, kDisplay, kInternet, kGroup, kHostGroup, kProject, kNobody };

// An IPv4 address pattern; a missing octet is the `*` wildcard.
using Ipv4Pattern = std::array<std::optional<unsigned char>, 4>;

struct Target {
  TargetType type = TargetType::kUser;
  std::string name;
  // Set for INTERNET, and for HOST when the name is written as an IPv4 address.
  std::optional<Ipv4Pattern> ip;
};

// "feature[:KEYWORD=value]" (or the quoted "feature KEYWORD=value") as written on a rule
// line. VERSION= compares as a number; every other keyword is looked up among the license
// line's attributes (matcher.h states the rules).
struct FeatureSpec {
  std::string name;
  std::optional<std::string> version;  // kept as written; compared numerically
  std::string keyword;                 // upper-cased; empty without a qualifier or for VERSION
  std::string value;                   // the qualifier's value, as written
  std::string written;                 // the whole spec as written, for messages
};

// Where a rule came from, for denial messages: "opts.opt:12 (EXCLUDE cad USER bob)".
struct Origin {
  std::string file;
  int line = 0;
  std::string text;  // the directive's fields joined by single spaces
};

enum class AccessKind { kInclude, kExclude };

// INCLUDE/EXCLUDE (feature set) and INCLUDEALL/EXCLUDEALL (feature unset).
struct AccessRule {
  AccessKind kind = AccessKind::kInclude;
  std::optional<FeatureSpec> feature;
  Target target;
  Origin origin;
};

// RESERVE and MAX share a shape: a count of seats of a feature for a target.
struct CountRule {
  long long count = 0;
  FeatureSpec feature;
  Target target;
  Origin origin;
};

struct RuleSet {
  // GROUP and HOST_GROUP members, accumulated over repeated lines.
  std::map<std::string, std::set<std::string>> user_groups;
  std::map<std::string, std::set<std::string>> host_groups;
  bool group_case_insensitive = false;  // GROUPCASEINSENSITIVE ON

  std::vector<AccessRule> access;   // file order
  std::vector<CountRule> reserves;  // file order
  std::vector<CountRule> maxes;     // file order

  std::map<std::string, long long> timeouts;  // TIMEOUT feature -> seconds
  std::map<std::string, Origin> timeout_origins;  // TIMEOUT feature -> the line that set it
  std::optional<long long> timeout_all;       // TIMEOUTALL seconds
};

}  // namespace floatlm::options

#endif  // FLOATLM_DAEMON_OPTIONS_OPTIONS_RULES_H_
