// Whole-file reads for the loader and tools; errors as messages naming the path.
#ifndef FLOATLM_LICENSES_TEXT_FILE_H_
#define FLOATLM_LICENSES_TEXT_FILE_H_

#include <filesystem>
#include <string>

#include "floatlm/licenses/result.h"

namespace floatlm::licenses {

// The file's bytes, or "PATH: cannot read: <strerror>".
Result<std::string> ReadTextFile(const std::filesystem::path& path);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_TEXT_FILE_H_
