// floatlm-vendor check: how floatlm would read a license file, before it is signed.
#include <algorithm>
#include <cstdio>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "floatlm/licenses/migration.h"
#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/licenses/text_file.h"

namespace floatlm::vendor {

int Check(const std::string& in) {
  auto text = licenses::ReadTextFile(in);
  if (!text) {
    fmt::print(stderr, "floatlm-vendor: {}\n", text.error().message);
    return 1;
  }
  const licenses::ParsedFile parsed = licenses::ParseLicenseText(in, text.value());
  const licenses::BuildResult built = licenses::BuildModel({parsed});
  std::vector<licenses::Diagnostic> all = built.diagnostics;
  const auto differences = licenses::MigrationReport({parsed});
  all.insert(all.end(), differences.begin(), differences.end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  std::size_t errors = 0, warnings = 0;
  for (const licenses::Diagnostic& d : all) {
    const char* tag = d.severity == licenses::Diagnostic::Severity::kError ? "error: " : "";
    errors += d.severity == licenses::Diagnostic::Severity::kError;
    warnings += d.severity == licenses::Diagnostic::Severity::kWarning;
    fmt::print("{}{}\n", tag, d.ToString());
  }
  fmt::print("{}: {} pool(s), {} package(s); {} line(s) floatlm would reject, {} place(s) "
             "where floatlm reads the file differently from FlexLM\n",
             in, built.model.pools.size(), built.model.packages.size(), errors, warnings);
  return errors == 0 ? 0 : 1;
}

}  // namespace floatlm::vendor
