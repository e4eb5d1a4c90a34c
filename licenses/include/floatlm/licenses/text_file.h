// Whole-file reads for the loader and tools; errors as messages naming the path.
#ifndef FLOATLM_LICENSES_TEXT_FILE_H_
#define FLOATLM_LICENSES_TEXT_FILE_H_

#include <filesystem>
#include <string>

#include "floatlm/licenses/result.h"

namespace floatlm::licenses {

// Largest files floatlmd reads (documented in the admin guide). A 10,000-line license
// file is about 2 MB.
inline constexpr std::size_t kMaxLicenseFileBytes = 64u << 20;
inline constexpr std::size_t kMaxOptionsFileBytes = 16u << 20;
inline constexpr std::size_t kMaxKeyFileBytes = 64u << 10;  // a PEM key is under 1 KiB

// The file's bytes, or a message naming the path and why: it cannot be opened or read,
// it is not a regular file (a FIFO, a device, a directory: such a path is refused
// without waiting for a writer or reading without end), or it holds more than
// `max_bytes`.
Result<std::string> ReadTextFile(const std::filesystem::path& path,
                                 std::size_t max_bytes = kMaxLicenseFileBytes);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_TEXT_FILE_H_
