#include "floatlm/licenses/diagnostic.h"

#include <algorithm>

#include <fmt/format.h>

namespace floatlm::licenses {

std::string Diagnostic::ToString() const {
  return fmt::format("{}:{}:{}: {}{}", file, line, column,
                     severity == Severity::kNote      ? "note: "
                     : severity == Severity::kWarning ? "warning: "
                                                      : "",
                     message);
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::kError;
  });
}

}  // namespace floatlm::licenses
