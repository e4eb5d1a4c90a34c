#include "service/license_lines.h"

#include <algorithm>

namespace floatlm::server {

std::vector<std::string> LicenseLinesOf(const licenses::Model& model, const licenses::Pool& pool,
                                        const std::string& feature) {
  std::vector<std::string> lines;
  lines.reserve(pool.lines.size() + 1);
  // All of the pool's lines, in force or not: the client wants every line that adds to
  // the pool to verify, so that a line of another key cannot hide among genuine ones.
  for (const licenses::PoolLine& line : pool.lines) lines.push_back(line.evidence);
  if (pool.feature == feature) return lines;
  // The engine makes a pool the collection of the first suite PACKAGE of its name and
  // vendor (seat_engine.cc); the same one is named here.
  for (const licenses::Package& package : model.packages) {
    if (!package.suite || package.name != pool.feature || package.vendor != pool.vendor) continue;
    lines.push_back(package.evidence);
    break;
  }
  return lines;
}

}  // namespace floatlm::server
