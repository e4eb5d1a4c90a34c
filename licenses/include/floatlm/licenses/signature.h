// Signing and verifying license files as text. Signing rewrites only SIGN values
// (or appends SIGN="..." to a line without one), keeping comments and layout.
#ifndef FLOATLM_LICENSES_SIGNATURE_H_
#define FLOATLM_LICENSES_SIGNATURE_H_

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "floatlm/licenses/diagnostic.h"
#include "floatlm/licenses/ed25519.h"
#include "floatlm/licenses/model.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/licenses/result.h"

namespace floatlm::licenses {

// Why `line` does not verify against `key` when bound to `hostid`
// ("no SIGN", "malformed SIGN: ...", "wrong key or modified line"), or nullopt if it does.
std::optional<std::string> VerifyLine(const LicenseLine& line, const HostId& hostid,
                                      const PublicKey& key);

// Signatures that verified before, by PublicKey::Digest of (key, signature, signed text).
// The daemon keeps the set of each load in its state database and hands it to the next,
// which then checks only the lines that are new or changed.
using SignatureDigests = std::unordered_set<std::string>;

// VerifyLine, remembering: a line whose digest is in `known` passes without the Ed25519
// check. If the line verifies, *digest is set to its digest; *checked says whether the
// Ed25519 check ran. Each pointer may be null. Whatever `known` holds, a line verifies only if its
// exact key, signature and signed text (host id binding included) verified once.
std::optional<std::string> VerifyLine(const LicenseLine& line, const HostId& hostid,
                                      const PublicKey& key, const SignatureDigests* known,
                                      std::string* digest, bool* checked);

// Signs every FEATURE/INCREMENT/PACKAGE line of `text` and returns the new text.
// Fails, listing every diagnostic one per line, if the file has parse or semantic
// errors: a vendor must not issue a file the daemon would reject.
Result<std::string> SignLicenseText(std::string_view file_name, std::string_view text,
                                    const PrivateKey& key);

struct VerifyReport {
  int signed_lines = 0;
  int verified = 0;
  std::vector<Rejection> failures;       // "file:line: signature does not verify (...)"
  std::vector<Diagnostic> parse_errors;  // lines that could not be read at all
  bool ok() const { return failures.empty() && parse_errors.empty(); }
};

// Verifies every signed line of `text` with one key (the vendor tool's check).
VerifyReport VerifyLicenseText(std::string_view file_name, std::string_view text,
                               const PublicKey& key);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_SIGNATURE_H_
