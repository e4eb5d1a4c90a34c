// Short human descriptions of license objects, shared by replies, logs and status.
#ifndef FLOATLM_DAEMON_RENDER_DESCRIBE_H_
#define FLOATLM_DAEMON_RENDER_DESCRIBE_H_

#include <optional>
#include <string>

#include "engine/seat_engine.h"
#include "floatlm/licenses/model.h"

namespace floatlm::server {

std::string FormatDate(const licenses::Date& d);                  // "31-dec-2027"
std::string FormatExpiry(const std::optional<licenses::Date>& d);  // date or "permanent"
std::string PoolLabel(const licenses::Pool& pool);                 // "cad 2027.0 (site.lic:5)"
std::string FormatWallTime(engine::WallTime t);                    // ISO-8601 UTC
// The pool a lease sits on, or nullptr if the id is out of range.
const licenses::Pool* PoolOf(const engine::SeatEngine& engine, engine::PoolId id);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_RENDER_DESCRIBE_H_
