// Internal: splits license text into logical lines and tokens, keeping for every
// character where it came from so that messages carry line:col and the signer can
// rewrite the exact bytes of a SIGN value.
#ifndef FLOATLM_LICENSES_LEXER_H_
#define FLOATLM_LICENSES_LEXER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace floatlm::licenses::internal {

struct Position {
  int line = 0;             // 1-based
  int column = 0;           // 1-based
  std::size_t offset = 0;   // byte offset in the file text
};

// Physical lines joined at trailing '\'. The backslash becomes one space.
struct LogicalLine {
  // The part of `text` taken from one physical line: text[begin..] starts at column 1
  // of file line `line`, at byte `offset` of the file.
  struct Segment {
    std::size_t begin = 0;
    int line = 0;
    std::size_t offset = 0;
  };

  std::string text;
  std::vector<Segment> segments;  // in text order, one per physical line
  Position end;                   // just past the last character

  // Where text[index] came from; `end` for an index past the text.
  Position At(std::size_t index) const;
};

// Comment lines ('#' first) and blank lines are dropped.
std::vector<LogicalLine> SplitLogicalLines(std::string_view text);

struct Token {
  std::string key;                   // text before an unquoted '=', empty if none
  bool has_equals = false;
  std::string value;                 // the word, or what follows '='; quotes removed,
                                     // whitespace collapsed and trimmed
  bool quoted = false;               // some part of the value was quoted
  std::size_t begin = 0;             // index range in LogicalLine::text
  std::size_t end = 0;
};

struct TokenError {
  std::size_t index = 0;  // where in LogicalLine::text
  std::string message;
};

// Splits at unquoted whitespace. Fails on an unterminated quote.
std::optional<TokenError> Tokenize(const LogicalLine& line, std::vector<Token>* tokens);

// Runs of blanks become one space; leading and trailing blanks go.
std::string CollapseWhitespace(std::string_view text);

}  // namespace floatlm::licenses::internal

#endif  // FLOATLM_LICENSES_LEXER_H_
