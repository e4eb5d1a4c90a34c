#include "lexer.h"

#include <algorithm>
#include <iterator>

namespace floatlm::licenses::internal {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (IsBlank(c) || c == '\n') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

Position LogicalLine::At(std::size_t index) const {
  if (index >= text.size() || segments.empty()) return end;
  // The last segment that begins at or before `index`.
  auto it = std::upper_bound(segments.begin(), segments.end(), index,
                             [](std::size_t i, const Segment& s) { return i < s.begin; });
  const Segment& seg = *std::prev(it);
  const std::size_t into = index - seg.begin;
  return Position{seg.line, static_cast<int>(into + 1), seg.offset + into};
}

std::vector<LogicalLine> SplitLogicalLines(std::string_view text) {
  std::vector<LogicalLine> lines;
  LogicalLine current;
  bool continuing = false;
  std::size_t offset = 0;
  int line_number = 0;
  while (offset < text.size()) {
    ++line_number;
    std::size_t newline = text.find('\n', offset);
    std::size_t stop = newline == std::string_view::npos ? text.size() : newline;
    std::string_view physical = text.substr(offset, stop - offset);
    std::size_t line_offset = offset;
    offset = newline == std::string_view::npos ? text.size() : newline + 1;

    // Trailing blanks (and a DOS '\r') do not count when looking for '\'.
    std::size_t content_end = physical.size();
    while (content_end > 0 && IsBlank(physical[content_end - 1])) --content_end;
    std::size_t first = 0;
    while (first < content_end && IsBlank(physical[first])) ++first;

    if (!continuing) {
      if (first == content_end || physical[first] == '#') continue;
      current = LogicalLine{};
    } else if (first == content_end) {
      // A blank line after a trailing '\' ends the logical line.
      lines.push_back(std::move(current));
      continuing = false;
      continue;
    }

    bool continues = content_end > 0 && physical[content_end - 1] == '\\';
    std::size_t take = continues ? content_end - 1 : content_end;
    current.segments.push_back({current.text.size(), line_number, line_offset});
    current.text.append(physical.substr(0, take));
    if (continues) current.text += ' ';  // the backslash's place
    current.end = Position{line_number, static_cast<int>(take + 1), line_offset + take};
    continuing = continues;
    if (!continuing) lines.push_back(std::move(current));
  }
  if (continuing) lines.push_back(std::move(current));
  return lines;
}

std::optional<TokenError> Tokenize(const LogicalLine& line, std::vector<Token>* tokens) {
  const std::string& s = line.text;
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    if (i >= s.size()) break;
    Token token;
    token.begin = i;
    std::string raw;  // token text without the quote characters
    bool in_quote = false;
    std::size_t quote_start = 0;
    std::size_t value_start = std::string::npos;  // in `raw`, after '='
    bool quoted_value = false;
    while (i < s.size() && (in_quote || !IsBlank(s[i]))) {
      char c = s[i];
      if (c == '"') {
        if (!in_quote) quote_start = i;
        in_quote = !in_quote;
        if (value_start != std::string::npos || token.key.empty()) quoted_value = true;
      } else if (c == '=' && !in_quote && value_start == std::string::npos && !quoted_value) {
        token.has_equals = true;
        token.key = raw;
        value_start = raw.size();
      } else {
        raw += c;
      }
      ++i;
    }
    if (in_quote) return TokenError{quote_start, "unterminated quoted value"};
    token.end = i;
    token.quoted = quoted_value;
    std::string_view value = raw;
    if (value_start != std::string::npos) value = value.substr(value_start);
    token.value = CollapseWhitespace(value);
    tokens->push_back(std::move(token));
  }
  return std::nullopt;
}

}  // namespace floatlm::licenses::internal
