// Where floatlm reads a FlexLM license file differently from FlexLM: the report a
// migrating admin reads before re-signing a vendor's file (`floatlm-vendor check`,
// `floatlmd --check-config`). Pure: parsed files in, findings out.
#ifndef FLOATLM_LICENSES_MIGRATION_H_
#define FLOATLM_LICENSES_MIGRATION_H_

#include <vector>

#include "floatlm/licenses/diagnostic.h"
#include "floatlm/licenses/parser.h"

namespace floatlm::licenses {

// One kWarning diagnostic per construct floatlm serves differently from FlexLM (or not
// at all): defaults that differ, attributes without effect, host ids floatlm cannot read,
// legacy keys, several SERVER lines, vendor daemon paths and ports. In file order, then
// position. The model builder's own warnings (repeated lines, merged VENDOR_STRING, ...)
// are not repeated here.
std::vector<Diagnostic> MigrationReport(const std::vector<ParsedFile>& files);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_MIGRATION_H_
