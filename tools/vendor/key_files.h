// Key files of the vendor tool: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub.
#ifndef FLOATLM_TOOLS_VENDOR_KEY_FILES_H_
#define FLOATLM_TOOLS_VENDOR_KEY_FILES_H_

#include <filesystem>
#include <string_view>

#include "floatlm/licenses/result.h"

namespace floatlm::vendor {

// Creates `path` with mode 0600 from the start and writes `contents`. Refuses to
// replace an existing file: overwriting a vendor's signing key loses it for good.
licenses::Result<bool> WriteNewPrivateFile(const std::filesystem::path& path,
                                           std::string_view contents);

// Writes (or replaces) an ordinary file.
licenses::Result<bool> WriteFile(const std::filesystem::path& path, std::string_view contents);

}  // namespace floatlm::vendor

#endif  // FLOATLM_TOOLS_VENDOR_KEY_FILES_H_
