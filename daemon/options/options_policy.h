// The options file's decisions: who may use a feature, who may take a free seat while
// others hold reservations, how many seats one person or group may hold, and idle
// timeouts. A pure evaluator: no I/O, no clock, no threads. The seat engine owns one
// (replaced whole on reread) and passes in everything it needs to know about seats.
//
// Precedence (FlexLM's): EXCLUDE > RESERVE > MAX > INCLUDE.
//   1. EXCLUDE / EXCLUDEALL naming the requester: denied, whatever else the file says.
//   2. RESERVE: an unused reservation for the requester grants the seat (MAX and INCLUDE
//      are not consulted); otherwise the requester may not take a seat that unused
//      reservations of others still need.
//   3. MAX: the requester (or its group / host / host group / address range) already
//      holds the limit.
//   4. INCLUDE / INCLUDEALL: when any applies to the feature, only those named (or named
//      on a RESERVE line for the feature) may use it.
//
// Thread rule: const methods only; a policy may be read from any thread once built.
#ifndef FLOATLM_DAEMON_OPTIONS_OPTIONS_POLICY_H_
#define FLOATLM_DAEMON_OPTIONS_OPTIONS_POLICY_H_

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floatlm/proto/errc.h"

namespace floatlm::options {

struct RuleSet;

// Who asks for a seat. The engine fills user, host and display from what the client
// states and ip from the peer address it observed (IPv4 text; "::ffff:a.b.c.d" is
// accepted). An empty field matches no rule of that type.
struct Requester {
  std::string user;
  std::string host;
  std::string display;
  std::string ip;
  // Set by the engine when the requester is a named user of the pool through `floatlm
  // assign`: INCLUDE lists admit such a user as if they named them (EXCLUDE still applies).
  bool assigned = false;
};

// One license line of a pool, as qualifiers see it: its SN, its expiry field as
// "31-dec-2027" or "permanent", and every keyword=value attribute with upper-cased keys
// (licenses::PoolLine::attributes; not owned, may be null). Empty fields are unknown.
struct LineRef {
  std::string_view serial;
  std::string_view expiry;
  const std::map<std::string, std::string>* attributes = nullptr;
};

// The pool a seat would come from: the feature name, the pool's VERSION (empty when
// unknown) and its lines (not owned). Unqualified rules match by name only; a rule
// qualified `feature:VERSION=v` matches the pool's version, and one qualified by any
// other keyword matches when at least one of the pool's lines carries it (a pool is one
// set of interchangeable seats, so the rule then applies to the whole pool; the loader
// warns when only some lines carry it). With no lines such rules do not apply.
struct FeatureRef {
  std::string_view name;
  std::string_view version;
  std::span<const LineRef> lines;
};

// The options-file line behind a decision.
struct RuleRef {
  std::string file;
  int line = 0;
  std::string text;  // e.g. "EXCLUDE cad USER bob"

  // "opts.opt:12 (EXCLUDE cad USER bob)"
  std::string ToString() const;
};

// An answer. code == Errc::kOk means allowed; message is then empty unless a rule
// granted it (a reservation). A denial's message is one sentence naming the rule.
struct Verdict {
  Errc code = Errc::kOk;
  std::string message;
  std::optional<RuleRef> rule;

  bool ok() const { return code == Errc::kOk; }
};

// The seats of one pool at the moment of a request, as the engine knows them.
struct SeatUse {
  // Seats of the pool nobody holds. The evaluator assumes the engine already found at
  // least one; with none it answers kAllSeatsInUse.
  long long free_seats = 0;
  // One entry per seat held in this pool (a seat shared by DUP_GROUP counts once, with
  // the identity of the lease that opened it). RESERVE and MAX count these.
  std::span<const Requester> holders;
};

// One RESERVE line as a status display lists it: "1 RESERVATION for USER robert".
struct ReserveLine {
  long long count = 0;
  std::string type;  // USER, HOST, DISPLAY, INTERNET, GROUP, HOST_GROUP or PROJECT
  std::string name;
  RuleRef rule;
};

// How a reservation-aware status display can describe a pool.
struct ReservationUse {
  long long reserved = 0;  // seats set aside by RESERVE lines that apply to the pool
  long long in_use = 0;    // of those, held by the people they are reserved for
};

class OptionsPolicy {
 public:
  // An empty policy: everyone may use everything, no reservations, limits or timeouts.
  OptionsPolicy();
  // Built by ParseOptions() (options_parser.h); `rules` must be non-null.
  explicit OptionsPolicy(std::shared_ptr<const RuleSet> rules);

  // May this requester use this feature at all? EXCLUDE/EXCLUDEALL, then
  // INCLUDE/INCLUDEALL. Use it to skip pools the options file closes to the requester
  // before looking for a free seat. Denials: kExcludedByOptions.
  Verdict Admission(const FeatureRef& feature, const Requester& who) const;

  // RESERVE alone: may `who` take one of `use.free_seats`? Granted with the rule named
  // when an unused reservation matches `who`; kReservedForOthers when every free seat is
  // needed by unused reservations of others.
  Verdict Reservation(const FeatureRef& feature, const Requester& who, const SeatUse& use) const;

  // MAX alone: may `who` hold one more seat of this pool? kMaxReachedForUser when a MAX
  // rule matching `who` already counts `count` holders that match the same rule.
  Verdict Max(const FeatureRef& feature, const Requester& who, const SeatUse& use) const;

  // The whole decision for taking a new seat from a pool with a free seat, in
  // precedence order. The one call the engine makes per candidate pool on checkout
  // (not for a checkout that shares a seat the holder already has).
  Verdict MayTakeSeat(const FeatureRef& feature, const Requester& who, const SeatUse& use) const;

  // The RESERVE lines that apply to the pool `feature`, in file order.
  std::vector<ReserveLine> ReservesFor(const FeatureRef& feature) const;

  // RESERVE bookkeeping for status output.
  ReservationUse Reservations(const FeatureRef& feature, std::span<const Requester> holders) const;

  // The people INCLUDE and INCLUDEALL lines name for the pool `feature`, in file order and
  // without repeats: the users of USER lines and of GROUP members (for a USER_BASED pool),
  // or the hosts of HOST lines and HOST_GROUP members that are names, not addresses (for a
  // HOST_BASED pool). FlexLM defines such pools' named users and hosts this way.
  std::vector<std::string> IncludedUsers(const FeatureRef& feature) const;
  std::vector<std::string> IncludedHosts(const FeatureRef& feature) const;

  // Idle timeout in seconds for a feature: its TIMEOUT line, else TIMEOUTALL, else
  // nullopt (no idle timeout). Values below kMinTimeoutSeconds were raised at parse time.
  std::optional<long long> IdleTimeoutSeconds(std::string_view feature) const;

  // The floor for TIMEOUT/TIMEOUTALL, as in FlexLM: shorter idle timeouts would free
  // seats of people who are merely thinking.
  static constexpr long long kMinTimeoutSeconds = 900;

  // Every rule that can never apply to what the licenses serve (a feature name no license
  // line or PACKAGE component has, a qualifier no line of that feature matches), and every
  // qualified rule that names only some lines of a pool. One "file:line: warning: ..." per
  // finding, in file order. `served` lists every pool; package and component names may be
  // added as refs with the name only.
  std::vector<std::string> UnmatchedRules(std::span<const FeatureRef> served) const;

  // How many access, RESERVE, MAX and TIMEOUT rules the file has (for the start-up log).
  std::size_t rule_count() const;

  // True when the file contained no access, RESERVE, MAX or timeout rules.
  bool empty() const;

 private:
  std::shared_ptr<const RuleSet> rules_;
};

}  // namespace floatlm::options

#endif  // FLOATLM_DAEMON_OPTIONS_OPTIONS_POLICY_H_
