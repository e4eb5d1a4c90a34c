// This machine's host ids, as a license's SERVER line may name them: ethernet
// addresses, the host name and the systemd machine id. Reads /sys and /etc; used by
// floatlmd at start-up and by `floatlm hostid`.
#ifndef FLOATLM_DAEMON_HOSTID_HOST_IDS_H_
#define FLOATLM_DAEMON_HOSTID_HOST_IDS_H_

#include <string>
#include <vector>

#include "floatlm/licenses/model.h"

namespace floatlm::hostid {

struct HostIds {
  std::vector<std::string> ethernet;  // lower-case 12-hex, no separators, one per interface
  std::string hostname;
  std::string machine_id;             // /etc/machine-id, may be empty
};

HostIds ThisHost();

// Whether a SERVER line's host id names this machine. ANY always matches.
bool Matches(const licenses::HostId& id, const HostIds& host);

// "ethernet 0242ac110002, HOSTNAME=ws1, ID=..." for messages.
std::string Describe(const HostIds& host);

}  // namespace floatlm::hostid

#endif  // FLOATLM_DAEMON_HOSTID_HOST_IDS_H_
