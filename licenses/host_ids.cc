#include "floatlm/licenses/host_ids.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>

namespace floatlm::licenses {
namespace {

std::string FirstLine(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

HostIds ThisHost() {
  HostIds ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net", ec)) {
    std::string mac = FirstLine(entry.path() / "address");
    mac.erase(std::remove(mac.begin(), mac.end(), ':'), mac.end());
    // Skip loopback (all zeros) and anything that is not a 48-bit address.
    if (mac.size() != 12 || mac == "000000000000") continue;
    ids.ethernet.push_back(Lower(mac));
    NetInterface nic;
    nic.name = entry.path().filename().string();
    nic.mac = Lower(mac);
    // A real device has a `device` link; virtual ones (bridges, veth, ifb, tun) do not.
    nic.physical = std::filesystem::exists(entry.path() / "device", ec);
    nic.up = FirstLine(entry.path() / "operstate") == "up";
    // Bit 1 of the first octet: a locally administered address, made up by software.
    const int first = std::stoi(nic.mac.substr(0, 2), nullptr, 16);
    nic.local = (first & 0x02) != 0;
    ids.interfaces.push_back(std::move(nic));
  }
  std::sort(ids.interfaces.begin(), ids.interfaces.end(),
            [](const NetInterface& a, const NetInterface& b) {
              return std::tie(b.physical, b.up, a.name) < std::tie(a.physical, a.up, b.name);
            });
  std::sort(ids.ethernet.begin(), ids.ethernet.end());
  ids.ethernet.erase(std::unique(ids.ethernet.begin(), ids.ethernet.end()), ids.ethernet.end());
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0) ids.hostname = name;
  ids.machine_id = FirstLine("/etc/machine-id");
  return ids;
}

std::vector<HostId> HostIds::List() const {
  std::vector<HostId> out;
  for (const std::string& mac : ethernet) out.push_back(HostId{HostId::Kind::kEthernet, mac});
  if (!hostname.empty()) out.push_back(HostId{HostId::Kind::kHostname, hostname});
  if (!machine_id.empty()) out.push_back(HostId{HostId::Kind::kId, machine_id});
  return out;
}

bool Matches(const HostId& id, const HostIds& host) {
  // A SERVER line names the daemon's own machine: no peer address applies.
  return id.kind != HostId::Kind::kInternet && id.Admits(host.List(), "");
}

std::string Describe(const HostIds& host) {
  std::string out;
  for (const auto& mac : host.ethernet) out += "ethernet " + mac + ", ";
  out += "HOSTNAME=" + host.hostname;
  if (!host.machine_id.empty()) out += ", ID=" + host.machine_id;
  return out;
}

}  // namespace floatlm::licenses
