#include "server/license_set.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "floatlm/licenses/loader.h"
#include "hostid/host_ids.h"
#include "log/log.h"

namespace floatlm::server {

LicenseSet LoadLicenseSet(const std::vector<std::string>& files, const std::string& keys_dir) {
  LicenseSet out;
  std::vector<std::filesystem::path> paths(files.begin(), files.end());
  auto loaded = licenses::LoadLicenses(paths, keys_dir);
  for (const auto& r : loaded.model.rejected) {
    FLOATLM_LOG(kWarn, "license.rejected", "line={} reason=\"{}\"", r.source.ToString(), r.reason);
  }
  if (!loaded.errors.empty()) {
    std::string all;
    for (const auto& e : loaded.errors) all += (all.empty() ? "" : "; ") + e;
    out.error = all;
    return out;
  }
  if (loaded.model.pools.empty()) {
    out.error = fmt::format("no valid feature in {} ({} line{} rejected{})",
                            fmt::join(files, ", "), loaded.model.rejected.size(),
                            loaded.model.rejected.size() == 1 ? "" : "s",
                            loaded.model.rejected.empty() ? "" : ": see license.rejected above");
    return out;
  }
  if (loaded.model.server) {
    const auto& server = *loaded.model.server;
    const auto here = hostid::ThisHost();
    if (!hostid::Matches(server.hostid, here)) {
      out.error = fmt::format("{}: SERVER host id {} does not match this host ({})",
                              server.source.ToString(), server.hostid.ToString(),
                              hostid::Describe(here));
      return out;
    }
  }
  out.model = std::move(loaded.model);
  return out;
}

}  // namespace floatlm::server
