// A message about a place in a license file, printed as "file:line:col: message".
#ifndef FLOATLM_LICENSES_DIAGNOSTIC_H_
#define FLOATLM_LICENSES_DIAGNOSTIC_H_

#include <string>
#include <vector>

namespace floatlm::licenses {

struct Diagnostic {
  enum class Severity { kError, kNote, kWarning };
  // kError: the line was rejected; kNote: informational; kWarning: accepted, but the file
  // is ambiguous or floatlm reads it differently from FlexLM (the message says how).
  Severity severity = Severity::kError;
  std::string file;
  int line = 0;    // 1-based physical line
  int column = 0;  // 1-based byte column
  std::string message;

  // "file:line:col: message"; notes read "file:line:col: note: message".
  std::string ToString() const;
};

// True if any diagnostic is an error.
bool HasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_DIAGNOSTIC_H_
