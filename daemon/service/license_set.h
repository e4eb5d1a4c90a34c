// Loads what the daemon serves and decides whether it can be served: the license files
// (at least one valid feature, a SERVER host id that names this machine) and the
// options file, if any (every line valid). Start-up and reread both use it, so a reread
// swaps in licenses and options together or neither.
#ifndef FLOATLM_DAEMON_SERVICE_LICENSE_SET_H_
#define FLOATLM_DAEMON_SERVICE_LICENSE_SET_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "floatlm/licenses/model.h"
#include "floatlm/licenses/signature.h"
#include "options/options_policy.h"

namespace floatlm::server {

struct LicenseSet {
  licenses::Model model;
  std::shared_ptr<const options::OptionsPolicy> policy;  // null without an options file
  std::string options_file;    // the options file in force ("" = none)
  std::string options_origin;  // "--options", or "VENDOR line at site.lic:3"
  std::vector<std::string> option_notes;                 // "file:line: note: ..."
  // Options lines left out (or kept as naming nobody) because that can only narrow access:
  // "file:line: message; the line is skipped". Empty with strict_options, which refuses them.
  std::vector<std::string> option_skipped;
  // Rules of the options file that apply to nothing the licenses serve (a misspelt
  // feature, a qualifier no line matches): "file:line: warning: ...".
  std::vector<std::string> option_warnings;
  // License lines accepted but read differently from FlexLM or ambiguous (a repeated line,
  // a merged VENDOR_STRING, a second PACKAGE of one version): "file:line:col: warning: ...".
  std::vector<std::string> license_warnings;
  std::string error;  // non-empty: nothing can be served, and why
  licenses::SignatureDigests verified;    // every verified line's digest, for the next load
  std::size_t signatures_checked = 0;     // lines whose signature was checked this time
  std::size_t signatures_remembered = 0;  // lines passed on a digest in `known`
};

// Reads, verifies and checks. Every rejected license line is logged as license.rejected
// and every options-file problem as options.error; `options_file` may be empty.
// `known` (may be null): digests of signatures verified at an earlier load.
// `options_file` "" means the options file a VENDOR line names, if any (FlexLM's rule).
// `strict_options`: options lines that could be skipped reject the file too.
LicenseSet LoadLicenseSet(const std::vector<std::string>& files, const std::string& keys_dir,
                          const std::string& options_file, const licenses::SignatureDigests* known,
                          bool strict_options = false);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_LICENSE_SET_H_
