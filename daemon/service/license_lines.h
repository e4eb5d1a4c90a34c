// The signed license lines behind a seat, as GRANTED carries them for the client's own
// signature check (licenses/evidence.h, proto/PROTOCOL.md "License lines").
#ifndef FLOATLM_DAEMON_SERVICE_LICENSE_LINES_H_
#define FLOATLM_DAEMON_SERVICE_LICENSE_LINES_H_

#include <string>
#include <vector>

#include "floatlm/licenses/model.h"

namespace floatlm::server {

// For a seat of `feature` on `pool`: every FEATURE/INCREMENT line of the pool, and when
// the pool enables a suite PACKAGE that lists `feature` (a collection seat or a cloud
// service), that PACKAGE line. Evidence texts, in file order.
std::vector<std::string> LicenseLinesOf(const licenses::Model& model, const licenses::Pool& pool,
                                        const std::string& feature);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_LICENSE_LINES_H_
