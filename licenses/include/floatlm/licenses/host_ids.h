// This machine's host ids, as a license's SERVER line or a FEATURE line's HOSTID= may name
// them: ethernet addresses, the host name and the systemd machine id. Reads /sys and
// /etc. Used by floatlmd (its SERVER line), by `floatlm hostid`, and by libfloatlm, which
// reports them in HELLO so the daemon can serve node-locked lines to their hosts.
#ifndef FLOATLM_LICENSES_HOST_IDS_H_
#define FLOATLM_LICENSES_HOST_IDS_H_

#include <string>
#include <vector>

#include "floatlm/licenses/model.h"

namespace floatlm::licenses {

// One network interface with an ethernet address.
struct NetInterface {
  std::string name;        // "eth0"
  std::string mac;         // lower-case 12-hex
  bool physical = false;   // a device behind it (/sys/class/net/NAME/device)
  bool up = false;         // operstate "up"
  bool local = false;      // a locally administered address (made up by software)
  // A physical interface's address survives reboots; a virtual one's (ifb, veth, bridges)
  // may be made up anew at each boot.
  bool stable() const { return physical; }
};

struct HostIds {
  std::vector<std::string> ethernet;  // lower-case 12-hex, no separators, one per interface
  // The same addresses with their interfaces: physical and up first, then by name.
  std::vector<NetInterface> interfaces;
  std::string hostname;
  std::string machine_id;             // /etc/machine-id, may be empty

  // The ids as HostId values: each ethernet address, HOSTNAME=, and ID= when known.
  std::vector<HostId> List() const;
};

// Reads the machine's ids. Never fails: what cannot be read is left empty.
HostIds ThisHost();

// Whether a SERVER line's host id names this machine. ANY and DEMO always match.
bool Matches(const HostId& id, const HostIds& host);

// "ethernet 0242ac110002, HOSTNAME=ws1, ID=..." for messages.
std::string Describe(const HostIds& host);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_HOST_IDS_H_
