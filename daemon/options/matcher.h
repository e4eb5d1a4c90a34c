// Does a rule apply? Matching of rule targets against a requester and of feature specs
// against a pool. Internal to floatlm_options.
#ifndef FLOATLM_DAEMON_OPTIONS_MATCHER_H_
#define FLOATLM_DAEMON_OPTIONS_MATCHER_H_

#include <optional>
#include <string_view>

#include "options/options_policy.h"
#include "options/options_rules.h"

namespace floatlm::options {

// "a.b.c.d" where each part is 0-255 or `*`; nullopt otherwise.
std::optional<Ipv4Pattern> ParseIpv4Pattern(std::string_view text);

// True when `text` is made only of digits, dots and `*` and has a dot: the admin meant an
// address, so a malformed one is an error rather than a host name.
bool LooksLikeIpv4(std::string_view text);

// `ip` is dotted IPv4, optionally IPv4-mapped IPv6 ("::ffff:10.0.0.1").
bool Ipv4Matches(const Ipv4Pattern& pattern, std::string_view ip);

// Whether `target` names `who`, resolving GROUP / HOST_GROUP through `rules`.
bool TargetMatches(const Target& target, const Requester& who, const RuleSet& rules);

// Whether a rule's feature spec covers the pool `feature`: the name matches exactly, and a
// qualifier other than VERSION matches when one of the pool's lines does (LineMatches).
bool FeatureMatches(const FeatureSpec& spec, const FeatureRef& feature);

// Whether one line carries a rule's qualifier (spec.keyword non-empty). The keyword was
// upper-cased by the parser; the value compares: VERSION as a number, HOSTID
// as a list of ids without regard to case or order, EXPDATE as a date without regard to
// case, SN and every other keyword (VENDOR_STRING, ISSUER, NOTICE, asset_info, dist_info,
// user_info, KEY, SIGN, any vendor-defined one) exactly. A keyword the line does not carry
// never matches.
bool LineMatches(const FeatureSpec& spec, const LineRef& line);

// Versions compare as decimal numbers: "2.0" equals "2" and "2.000".
bool VersionsEqual(std::string_view a, std::string_view b);

}  // namespace floatlm::options

#endif  // FLOATLM_DAEMON_OPTIONS_MATCHER_H_
