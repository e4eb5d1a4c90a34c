// Syntax of FlexLM-style license files (DESIGN.md section 3). The parser does no
// I/O: it takes a file name (for messages) and the file's text, and returns the
// logical lines it understood plus a diagnostic for each line it could not read.
// Meaning (dates, counts, versions, pools) is checked later by BuildModel.
//
// Lexical rules: '#' as the first non-blank character makes a comment line; a
// trailing '\' joins the next physical line (also inside a quoted value); values
// may be quoted with '"' and then contain spaces; keywords and attribute keys are
// case-insensitive (keys are stored upper-cased). DAEMON is read as VENDOR.
#ifndef FLOATLM_LICENSES_PARSER_H_
#define FLOATLM_LICENSES_PARSER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floatlm/licenses/diagnostic.h"

namespace floatlm::licenses {

enum class Keyword { kServer, kVendor, kUseServer, kFeature, kIncrement, kPackage };

// Upper-case spelling: "FEATURE".
std::string_view KeywordName(Keyword keyword);

// A positional field. `text` has quotes removed and inner whitespace collapsed.
struct Field {
  std::string text;
  int line = 0;
  int column = 0;
};

// key=value, or a bare flag word after the positional fields (value nullopt).
struct Attribute {
  std::string key;                   // upper-cased
  std::optional<std::string> value;  // quotes removed, whitespace collapsed and trimmed
  int line = 0;
  int column = 0;
  std::size_t raw_begin = 0;  // byte span of "KEY=value" in the file text,
  std::size_t raw_end = 0;    // quotes and continuations included
};

// One logical line (continuations joined).
struct LicenseLine {
  Keyword keyword = Keyword::kFeature;
  int line = 0;  // where the keyword is
  int column = 0;
  int end_line = 0;  // just after the last token, for "missing field" messages
  int end_column = 0;
  std::vector<Field> fields;
  std::vector<Attribute> attributes;  // file order
  std::size_t raw_begin = 0;          // byte span in the file text, from the keyword
  std::size_t raw_end = 0;            // to just after the last token

  // First attribute with this (upper-case) key, or nullptr.
  const Attribute* Find(std::string_view key) const;
  // FEATURE, INCREMENT and PACKAGE lines carry signatures.
  bool IsSigned() const;
};

struct ParsedFile {
  std::string name;
  std::vector<LicenseLine> lines;        // lines that parsed, file order
  std::vector<Diagnostic> diagnostics;   // one error per line that did not
};

ParsedFile ParseLicenseText(std::string_view file_name, std::string_view text);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_PARSER_H_
