// Loads the license files the daemon serves and decides whether they can be served:
// at least one valid feature, and a SERVER host id that names this machine.
#ifndef FLOATLM_DAEMON_SERVER_LICENSE_SET_H_
#define FLOATLM_DAEMON_SERVER_LICENSE_SET_H_

#include <string>
#include <vector>

#include "floatlm/licenses/model.h"

namespace floatlm::server {

struct LicenseSet {
  licenses::Model model;
  std::string error;  // non-empty: nothing can be served, and why
};

// Reads, verifies and checks. Every rejected line is logged as license.rejected.
LicenseSet LoadLicenseSet(const std::vector<std::string>& files, const std::string& keys_dir);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_LICENSE_SET_H_
