// Renders the daemon's status, like `lmstat -a`, as text for people and as JSON
// (schema "floatlm.status/1", documented in docs/status-json.md) for scripts.
// Pure: reads the engine's snapshot and the facts passed in.
//
// StreamStatus takes the snapshot at once and formats it a slice at a time
// (reply_stream.h); lease rows of a pool are aligned in blocks of 64. The Render*
// functions drain such a stream.
#ifndef FLOATLM_DAEMON_RENDER_STATUS_RENDER_H_
#define FLOATLM_DAEMON_RENDER_STATUS_RENDER_H_

#include <memory>
#include <string>

#include "engine/seat_engine.h"
#include "render/reply_stream.h"

namespace floatlm::server {

struct ServerFacts {
  std::string version;
  std::string address;      // "127.0.0.1:27000"
  engine::WallTime started;
  std::size_t clients = 0;  // open connections
};

std::unique_ptr<ReplyStream> StreamStatus(const engine::SeatEngine& engine,
                                          const ServerFacts& facts, const std::string& feature,
                                          bool json, const engine::Now& now);
std::string RenderStatusText(const engine::SeatEngine& engine, const ServerFacts& facts,
                             const std::string& feature, const engine::Now& now);
std::string RenderStatusJson(const engine::SeatEngine& engine, const ServerFacts& facts,
                             const std::string& feature, const engine::Now& now);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_RENDER_STATUS_RENDER_H_
