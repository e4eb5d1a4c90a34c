#include "render/describe.h"

namespace floatlm::server {

const licenses::Pool* PoolOf(const engine::SeatEngine& engine, engine::PoolId id) {
  const auto& pools = engine.model().pools;
  return id < pools.size() ? &pools[id] : nullptr;
}

}  // namespace floatlm::server
