// floatlm hostid: this machine's host ids, to send to a vendor for a SERVER line
// (like lmhostid). Local: no daemon needed.
#include <algorithm>
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
  for (const auto& nic : ids.interfaces) {
    std::printf("  %-12s  ethernet address of %s (%s, %s%s)%s\n", nic.mac.c_str(),
                nic.name.c_str(), nic.physical ? "physical" : "virtual", nic.up ? "up" : "down",
                nic.local ? ", locally administered" : "",
                nic.stable() ? "  stable" : "  may change at reboot: do not use it");
  }
  std::printf("  HOSTNAME=%s  (changes when the machine is renamed)\n", ids.hostname.c_str());
  if (!ids.machine_id.empty()) {
    std::printf("  ID=%s  (systemd machine id: stable until the OS is reinstalled)\n",
                ids.machine_id.c_str());
  }
  std::printf("  ANY  (any host)\n");
  const auto stable = std::find_if(ids.interfaces.begin(), ids.interfaces.end(),
                                   [](const auto& nic) { return nic.stable(); });
  if (stable != ids.interfaces.end()) {
    std::printf("stable choice: %s (%s)\n", stable->mac.c_str(), stable->name.c_str());
  } else if (!ids.machine_id.empty()) {
    std::printf("stable choice: ID=%s (no physical interface)\n", ids.machine_id.c_str());
  }
  return kExitOk;
}

}  // namespace floatlm::cli
