// Renders SeatEngine::Explain for `floatlm diag`: text for people, JSON (schema
// "floatlm.diag/1", documented in docs/status-json.md) for scripts. Pure.
#ifndef FLOATLM_DAEMON_RENDER_DIAG_RENDER_H_
#define FLOATLM_DAEMON_RENDER_DIAG_RENDER_H_

#include <string>

#include "engine/seat_engine.h"

namespace floatlm::server {

struct DiagRequest {
  engine::Identity who;
  std::string feature;
  std::string version;  // as asked, "" = any
};

std::string RenderDiagText(const DiagRequest& request, const engine::Diagnosis& diagnosis);
std::string RenderDiagJson(const DiagRequest& request, const engine::Diagnosis& diagnosis);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_RENDER_DIAG_RENDER_H_
