// The sentences the engine puts in denials, events and reload reports. Each names the
// facts an administrator needs (pools tried, holders, dates, versions, license lines);
// the stable part for programs is the Errc, not the text.
#ifndef FLOATLM_DAEMON_ENGINE_DENIAL_TEXT_H_
#define FLOATLM_DAEMON_ENGINE_DENIAL_TEXT_H_

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine_state.h"
#include "engine/labels.h"

namespace floatlm::engine {

// Dates, times and pool labels: engine/labels.h.
std::string HolderName(const Identity& who);                                // "alice@ws1"
// The first ten holders of `pool`'s seats, oldest first, each as `describe` says, joined
// by `separator`; "... and N more" when there are more.
std::string HolderList(const PoolState& pool, std::string_view separator,
                       const std::function<std::string(const Seat&)>& describe);

// Why a pool has no line in force on `today`: the expiry or START that rules it out.
std::string NotInForceText(const licenses::Pool& pool, licenses::Date today);

// kNoSuchFeature, listing up to ten licensed features.
Denial NoSuchFeatureDenial(std::string_view feature, const std::set<std::string>& licensed);

// The denial for a refused checkout is SeatEngine::State::DenialFor (engine_state.h):
// it needs the assignment and cloud-slot tables besides the pools.

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_DENIAL_TEXT_H_
