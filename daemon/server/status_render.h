// Renders the daemon's status, like `lmstat -a`, as text for people and as JSON
// (schema "floatlm.status/1", documented in docs/status-json.md) for scripts.
// Pure: reads the engine's snapshot and the facts passed in.
#ifndef FLOATLM_DAEMON_SERVER_STATUS_RENDER_H_
#define FLOATLM_DAEMON_SERVER_STATUS_RENDER_H_

#include <string>

#include "engine/seat_engine.h"

namespace floatlm::server {

struct ServerFacts {
  std::string version;
  std::string address;      // "127.0.0.1:27000"
  engine::WallTime started;
  std::size_t clients = 0;  // open connections
};

std::string RenderStatusText(const engine::SeatEngine& engine, const ServerFacts& facts,
                             const std::string& feature, const engine::Now& now);
std::string RenderStatusJson(const engine::SeatEngine& engine, const ServerFacts& facts,
                             const std::string& feature, const engine::Now& now);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_STATUS_RENDER_H_
