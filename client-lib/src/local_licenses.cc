#include "local_licenses.h"

#include <algorithm>
#include <charconv>

#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/licenses/text_file.h"

namespace floatlm::client {

bool ReadLicenseFiles(const std::vector<std::string>& files, LocalLicenses* out,
                      std::string* error) {
  for (const std::string& path : files) {
    auto text = licenses::ReadTextFile(path);
    if (!text) {
      *error = "license file " + text.error().message;
      return false;
    }
    const licenses::ParsedFile parsed = licenses::ParseLicenseText(path, text.value());
    bool use_server = false;
    for (const licenses::LicenseLine& line : parsed.lines) {
      if (line.keyword == licenses::Keyword::kUseServer) use_server = true;
      if (line.keyword != licenses::Keyword::kServer || line.fields.empty()) continue;
      Endpoint ep;
      ep.host = line.fields[0].text == "this_host" ? "localhost" : line.fields[0].text;
      if (line.fields.size() > 2) {
        unsigned port = 0;
        const std::string& f = line.fields[2].text;
        const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), port);
        if (ec == std::errc() && end == f.data() + f.size() && port > 0 && port <= 65535) {
          ep.port = static_cast<std::uint16_t>(port);
        }
      }
      if (std::find(out->servers.begin(), out->servers.end(), ep) == out->servers.end()) {
        out->servers.push_back(std::move(ep));
      }
    }
    if (use_server) continue;
    // The builder rejects a second SERVER line of a triad; the lines it keeps are what
    // counts here, and their signatures are checked at checkout.
    licenses::BuildResult built = licenses::BuildModel({parsed});
    for (licenses::Pool& pool : built.model.pools) {
      if (!pool.uncounted || !pool.attributes.contains("HOSTID")) continue;
      if (std::find(out->vendors.begin(), out->vendors.end(), pool.vendor) == out->vendors.end()) {
        out->vendors.push_back(pool.vendor);
      }
      out->pools.push_back(std::move(pool));
    }
  }
  return true;
}

}  // namespace floatlm::client
