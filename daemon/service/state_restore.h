// Start-up: the stored records (store::StoredState) back into the engine. The inverse of
// StateRecorder (engine to records); both live here so the two mappings change together.
#ifndef FLOATLM_DAEMON_SERVICE_STATE_RESTORE_H_
#define FLOATLM_DAEMON_SERVICE_STATE_RESTORE_H_

#include "engine/seat_engine.h"
#include "store/records.h"

namespace floatlm::server {

// Puts cloud-user slots, named-user assignments and leases back (in that order, as the
// engine requires), and reserves the lease ids the store has used. Returns the engine's
// report: what came back and what was dropped, with why. A record whose DUP_GROUP no
// longer parses is restored with the default grouping and logged.
engine::RestoreReport RestoreStoredState(engine::SeatEngine& engine, store::StoredState state,
                                         const engine::Now& now);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_STATE_RESTORE_H_
