// Reads an options file (FlexLM syntax) into an OptionsPolicy. The parser is pure: a file
// name (used only in messages) and the text go in; a policy or every problem comes out.
// A file with an error that could widen access yields no policy at all, so the daemon
// keeps the one it has; lines whose absence can only narrow access are skipped instead.
#ifndef FLOATLM_DAEMON_OPTIONS_OPTIONS_PARSER_H_
#define FLOATLM_DAEMON_OPTIONS_OPTIONS_PARSER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options/options_policy.h"

namespace floatlm::options {

struct ParsedOptions {
  // Set if and only if `errors` is empty.
  std::optional<OptionsPolicy> policy;
  // Every problem that rejects the file, in line order, each "file:line: message".
  std::vector<std::string> errors;
  // Problems of lines the policy was built without, because leaving them out can only
  // narrow access, never widen it (docs/options-file.md, "Lines that fail to parse"): each
  // "file:line: message; the line is skipped". A caller that wants a file with any problem
  // refused (--strict-options, --check-config) treats these as errors too.
  std::vector<std::string> skipped;
  // Things accepted but worth telling the admin, each "file:line: note: message":
  // FlexLM keywords floatlm does not act on, PROJECT rules, raised timeouts.
  std::vector<std::string> notes;

  bool ok() const { return errors.empty(); }
};

// Parses `text`; `file_name` prefixes every message and appears in denial sentences.
ParsedOptions ParseOptions(std::string_view file_name, std::string_view text);

// Reads `path` and parses it under that name. A file that cannot be read is one error,
// "path: cannot read options file: reason".
ParsedOptions LoadOptionsFile(const std::string& path);

}  // namespace floatlm::options

#endif  // FLOATLM_DAEMON_OPTIONS_OPTIONS_PARSER_H_
