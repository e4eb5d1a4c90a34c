// License files in the server list, read as a FlexLM client reads them: their SERVER lines
// name the license servers, and their uncounted node-locked lines (HOSTID=) are served by
// the library itself, with no server, once their signature verifies (Client::Checkout).
// Pure apart from reading the files. Thread-safe.
#ifndef FLOATLM_CLIENT_LOCAL_LICENSES_H_
#define FLOATLM_CLIENT_LOCAL_LICENSES_H_

#include <string>
#include <vector>

#include "floatlm/licenses/model.h"
#include "server_list.h"

namespace floatlm::client {

struct LocalLicenses {
  // One per SERVER line, in file order: host ("this_host" becomes "localhost") and port
  // (27000 when the line names none).
  std::vector<Endpoint> servers;
  // Uncounted lines with HOSTID= (node-locked, or ANY/DEMO), unless a file says
  // USE_SERVER: then its lines are left to the server, as in FlexLM.
  std::vector<licenses::Pool> pools;
  // Vendors of those lines, for the keys that check them.
  std::vector<std::string> vendors;
};

// Reads every file. Fails with a sentence naming the file when one cannot be read; lines
// that do not parse are left out (the server, or the signature check, has the last word).
bool ReadLicenseFiles(const std::vector<std::string>& files, LocalLicenses* out,
                      std::string* error);

}  // namespace floatlm::client

#endif  // FLOATLM_CLIENT_LOCAL_LICENSES_H_
