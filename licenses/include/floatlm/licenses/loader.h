// Loads license files for the daemon: reads, parses, verifies each signed line with
// its vendor's public key and builds the Model from the lines that verified.
// This is the one part of the library that touches the file system.
#ifndef FLOATLM_LICENSES_LOADER_H_
#define FLOATLM_LICENSES_LOADER_H_

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "floatlm/licenses/diagnostic.h"
#include "floatlm/licenses/model.h"
#include "floatlm/licenses/signature.h"

namespace floatlm::licenses {

struct LoadResult {
  Model model;                          // good lines; bad ones are in model.rejected
  std::vector<std::string> errors;      // unreadable files: fatal for the caller
  std::vector<Diagnostic> diagnostics;  // every rejection and note with its column
  SignatureDigests verified;            // the digest of every line that verified
  std::size_t signatures_checked = 0;   // Ed25519 checks run (lines not in `known`)
  std::size_t signatures_remembered = 0;  // lines that passed because `known` held them
};

// Public keys are `<vendor_keys_dir>/<vendor>.pub` (PEM). A line whose vendor has
// no key is rejected with "file:line: no public key for vendor 'x' in DIR"; a bad
// or missing signature with "file:line: signature does not verify (reason)".
// `known` (may be null): digests of signatures that verified at an earlier load (an
// earlier LoadResult::verified); lines among them are not checked again.
LoadResult LoadLicenses(const std::vector<std::filesystem::path>& files,
                        const std::filesystem::path& vendor_keys_dir,
                        const SignatureDigests* known = nullptr);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_LOADER_H_
