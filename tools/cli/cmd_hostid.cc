// floatlm hostid: this machine's host ids, to send to a vendor for a SERVER line
// (like lmhostid). Local: no daemon needed.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_common.h"
#include "floatlm/licenses/host_ids.h"

namespace floatlm::cli {

int RunHostid(const std::vector<std::string>& args) {
  boost::program_options::options_description desc("floatlm hostid options");
  desc.add_options()("help,h", "show this help");
  boost::program_options::variables_map vm;
  if (!ParseArgs(args, desc, nullptr, "floatlm hostid", &vm)) return kExitOk;
  const auto ids = licenses::ThisHost();
  std::printf("host ids of this machine (for a SERVER line, or HOSTID= on a node-locked line):\n");
  for (const auto& mac : ids.ethernet) std::printf("  %-12s  ethernet address\n", mac.c_str());
  std::printf("  HOSTNAME=%s\n", ids.hostname.c_str());
  if (!ids.machine_id.empty()) std::printf("  ID=%s  (systemd machine id)\n", ids.machine_id.c_str());
  std::printf("  ANY  (any host)\n");
  return kExitOk;
}

}  // namespace floatlm::cli
