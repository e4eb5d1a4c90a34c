// Turns parsed license lines into the Model the daemon serves (model.h), checking
// their meaning. Every problem is reported, not only the first: a bad line is
// rejected (Model::rejected plus an error Diagnostic with its column) and the rest
// still load. Rules (DESIGN.md section 3):
//  - FEATURE: the first line for a feature+vendor wins; later ones are ignored (note).
//  - INCREMENT: lines with the same Pool::Key() add into one pool.
//  - SUPERSEDE (bare, or SUPERSEDE="f1 f2"): removes earlier lines of the same
//    feature (or the listed ones) and vendor whose ISSUED is earlier or missing.
//  - PACKAGE needs an enabling FEATURE/INCREMENT of the same name and vendor;
//    OPTIONS=SUITE makes it a collection and gives that pool the package's RANK.
//  - SERVER: at most one host id across all files.
#ifndef FLOATLM_LICENSES_MODEL_BUILDER_H_
#define FLOATLM_LICENSES_MODEL_BUILDER_H_

#include <vector>

#include "floatlm/licenses/diagnostic.h"
#include "floatlm/licenses/model.h"
#include "floatlm/licenses/parser.h"

namespace floatlm::licenses {

struct BuildResult {
  Model model;
  std::vector<Diagnostic> diagnostics;  // errors (rejected lines) and notes, file order
};

// `files` in load order. Parse diagnostics of the files are carried into the
// result and Model::rejected. `already_rejected` (e.g. failed signatures) are
// copied into Model::rejected first; the caller leaves those lines out of `files`.
BuildResult BuildModel(const std::vector<ParsedFile>& files,
                       std::vector<Rejection> already_rejected = {});

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_MODEL_BUILDER_H_
