// The canonical form of a signed license line: the exact bytes Ed25519 signs.
// Defined in licenses/README.md ("Canonical form"), with test vectors. In short:
//
//   floatlm-license-v1\n
//   hostid <SERVER hostid of the file, normalised; ANY without a SERVER line>\n
//   <KEYWORD> <field> <field> ...\n
//   <KEY>=<value>\n   or  <KEY>\n for a bare flag, sorted by key, SIGN/SIGN2 left out
#ifndef FLOATLM_LICENSES_CANONICAL_H_
#define FLOATLM_LICENSES_CANONICAL_H_

#include <string>

#include "floatlm/licenses/model.h"
#include "floatlm/licenses/parser.h"

namespace floatlm::licenses {

// The host id a file's lines are bound to: its SERVER line's, or ANY.
HostId BoundHostId(const ParsedFile& file);

// Canonical bytes of `line` bound to `hostid`. Defined for every parsed line,
// valid or not, so that verification never depends on semantic checks.
std::string CanonicalForm(const LicenseLine& line, const HostId& hostid);

// `line` printed back in file syntax on one physical line: keyword, fields and
// attributes (sorted like the canonical form, SIGN/SIGN2 last), values quoted
// when needed. Parsing the result gives a line with the same canonical form.
std::string FormatLicenseLine(const LicenseLine& line);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_CANONICAL_H_
