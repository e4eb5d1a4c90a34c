// Where a checkout goes: the seat rules of DESIGN §5 applied to the candidate pools of
// one product, with the options policy consulted in FlexLM's order. Internal to the engine.
#ifndef FLOATLM_DAEMON_ENGINE_PLACEMENT_H_
#define FLOATLM_DAEMON_ENGINE_PLACEMENT_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/engine_state.h"
#include "options/options_policy.h"

namespace floatlm::engine {

// Why one pool could not serve a request, most actionable last.
enum class Refusal : std::uint8_t {
  kVersion,
  // The pool cannot give that many seats at once: fewer in all today, or a kind of pool
  // that gives one at a time (cloud service, named users or hosts).
  kTooFew,
  kNotYetValid,
  kExpired,
  kNotAssigned,
  kHostNotNamed,  // HOST_BASED: the host is not on the options file's INCLUDE HOST lines
  kWrongHost,     // the pool is node-locked (HOSTID=) to other hosts
  kOptions,       // the options file would not let the requester take a seat here
  kCloudFull,     // every cloud-user slot of the collection is taken
  kHeld,          // free seats are held for an earlier multi-seat waiter (PoolState::multi_waiters)
  kFull,          // too few seats free now
};

struct PoolRefusal {
  PoolId pool;
  Refusal why;
  options::Verdict verdict;  // kOptions: the rule's answer
};

struct Placement {
  enum class Kind : std::uint8_t {
    kRefused,  // see `excluded` and `refusals`
    kRide,     // onto seat `seat` of `pool`, which the holder already has
    kNewSeat,  // a new seat of `pool` for holder key `holder_key`
    kCloud,    // a seatless cloud lease on collection pool `pool`
  };
  Kind kind = Kind::kRefused;
  PoolId pool = 0;
  std::uint32_t seat = 0;
  std::optional<std::string> holder_key;
  std::uint32_t seats = 1;                   // seats asked for (kNewSeat: the new seat's weight)
  bool new_slot = false;                     // kCloud: the user takes a new cloud-user slot
  std::string reason;                        // LeaseView::reason
  std::optional<options::Verdict> excluded;  // Admission refused the product itself
  // Every pool passed over, and why; kept on a grant too (pools ranked before the chosen
  // one that were full, closed by options, out of date, ...), for `floatlm diag`.
  std::vector<PoolRefusal> refusals;

  bool granted() const { return kind != Kind::kRefused; }
};

// The refusal to report when pools refused for different reasons: the one the user can
// act on soonest (seats in use: wait or queue) wins. `refusals` must not be empty.
Refusal MostActionable(const std::vector<PoolRefusal>& refusals);

// Whether a refusal is worth waiting for: seats are held by others (kFull, kHeld). Dates,
// versions and options rules will not change within a wait.
inline bool Waitable(Refusal why) { return why == Refusal::kFull || why == Refusal::kHeld; }

// Whether a node-locked pool serves this identity (always true for a floating pool).
bool HostAdmitted(const licenses::Pool& pool, const Identity& who);

// "HOSTNAME=ws1, 0242ac110002" (at most a few, then "and N more"): what a client reported.
std::string ReportedHostIds(const Identity& who);

// The requester the options policy sees for an identity.
options::Requester RequesterOf(const Identity& who);

// Numbers of the seats `who` holds in `pool` under the pool's sharing rule (empty when
// the rule shares nothing, e.g. DUP_GROUP=NONE).
const std::set<std::uint32_t>& HolderSeats(const PoolState& pool, const Identity& who,
                                           const std::optional<licenses::Version>& version,
                                           const std::optional<licenses::DupGroup>& app_group);

// "cad and cam", "cad, cam and sim".
std::string ProductList(const Seat& seat);

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_PLACEMENT_H_
