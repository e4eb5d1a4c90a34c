// Lookups the renderers share. Dates, times and pool labels: engine/labels.h.
#ifndef FLOATLM_DAEMON_RENDER_DESCRIBE_H_
#define FLOATLM_DAEMON_RENDER_DESCRIBE_H_

#include "engine/labels.h"
#include "engine/seat_engine.h"
#include "floatlm/licenses/model.h"

namespace floatlm::server {

// The pool a lease sits on, or nullptr if the id is out of range.
const licenses::Pool* PoolOf(const engine::SeatEngine& engine, engine::PoolId id);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_RENDER_DESCRIBE_H_
