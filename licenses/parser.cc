#include "floatlm/licenses/parser.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "lexer.h"

namespace floatlm::licenses {
namespace {

using internal::LogicalLine;
using internal::Token;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<Keyword> KeywordFromText(std::string_view word) {
  std::string upper = Upper(word);
  if (upper == "SERVER") return Keyword::kServer;
  if (upper == "VENDOR" || upper == "DAEMON") return Keyword::kVendor;
  if (upper == "USE_SERVER") return Keyword::kUseServer;
  if (upper == "FEATURE") return Keyword::kFeature;
  if (upper == "INCREMENT") return Keyword::kIncrement;
  if (upper == "PACKAGE") return Keyword::kPackage;
  return std::nullopt;
}

bool StartsWithDigit(std::string_view s) { return !s.empty() && s[0] >= '0' && s[0] <= '9'; }

// Whether the next bare word is still a positional field of `keyword`, given how
// many fields came before. After the positional slots, bare words are flags.
bool TakesPositional(Keyword keyword, std::size_t have, const Token& token) {
  switch (keyword) {
    case Keyword::kServer:
      return have < 3;
    case Keyword::kVendor:
      return have < 4;  // name, [daemon path], [options path], [port]
    case Keyword::kUseServer:
      return false;
    case Keyword::kFeature:
    case Keyword::kIncrement:
      return have < 5;
    case Keyword::kPackage:
      // The version is optional, so a third word is positional only if it looks
      // like a number; otherwise it is a flag.
      return have < 2 || (have == 2 && StartsWithDigit(token.value));
  }
  return false;
}

}  // namespace

std::string_view KeywordName(Keyword keyword) {
  switch (keyword) {
    case Keyword::kServer: return "SERVER";
    case Keyword::kVendor: return "VENDOR";
    case Keyword::kUseServer: return "USE_SERVER";
    case Keyword::kFeature: return "FEATURE";
    case Keyword::kIncrement: return "INCREMENT";
    case Keyword::kPackage: return "PACKAGE";
  }
  return "?";
}

const Attribute* LicenseLine::Find(std::string_view key) const {
  auto it = std::find_if(attributes.begin(), attributes.end(),
                         [&](const Attribute& a) { return a.key == key; });
  return it == attributes.end() ? nullptr : &*it;
}

bool LicenseLine::IsSigned() const {
  return keyword == Keyword::kFeature || keyword == Keyword::kIncrement ||
         keyword == Keyword::kPackage;
}

namespace {

// The first of U+201C, U+201D, U+2033 (and U+2018, U+2019) outside straight double quotes
// in a token's raw text: (byte offset, the character). Word processors put them in place
// of '"', and a line signed with them reads differently from what was meant.
std::optional<std::pair<std::size_t, std::string_view>> TypographicQuoteOutsideQuotes(
    std::string_view raw) {
  static constexpr std::string_view kQuotes[] = {"\u201C", "\u201D", "\u2033", "\u2018",
                                                 "\u2019"};
  bool inside = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '"') {
      inside = !inside;
      continue;
    }
    if (inside || static_cast<unsigned char>(raw[i]) != 0xE2) continue;
    for (std::string_view q : kQuotes) {
      if (raw.substr(i, q.size()) == q) return std::pair{i, q};
    }
  }
  return std::nullopt;
}

// "0A1B", "2c3d4e": what a signature's groups look like once its quotes are lost.
bool LooksLikeHexGroup(std::string_view word) {
  return word.size() >= 4 &&
         std::all_of(word.begin(), word.end(),
                     [](unsigned char c) { return std::isxdigit(c) != 0; }) &&
         std::any_of(word.begin(), word.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

ParsedFile ParseLicenseText(std::string_view file_name, std::string_view text) {
  ParsedFile result;
  result.name = std::string(file_name);
  for (const LogicalLine& logical : internal::SplitLogicalLines(text)) {
    auto error_at = [&](std::size_t index, std::string message) {
      const internal::Position p = logical.At(index);
      result.diagnostics.push_back(Diagnostic{Diagnostic::Severity::kError, result.name, p.line,
                                              p.column, std::move(message)});
    };
    auto warn_at = [&](std::size_t index, std::string message) {
      const internal::Position p = logical.At(index);
      result.diagnostics.push_back(Diagnostic{Diagnostic::Severity::kWarning, result.name, p.line,
                                              p.column, std::move(message)});
    };
    std::vector<Token> tokens;
    if (auto bad = internal::Tokenize(logical, &tokens)) {
      error_at(bad->index, bad->message);
      continue;
    }
    if (tokens.empty()) continue;  // a line of only a continuation
    const Token& head = tokens.front();
    std::optional<Keyword> keyword;
    if (!head.has_equals && !head.quoted) keyword = KeywordFromText(head.value);
    if (!keyword) {
      error_at(head.begin, fmt::format("unknown keyword '{}'",
                                       std::string_view(logical.text).substr(
                                           head.begin, head.end - head.begin)));
      continue;
    }

    LicenseLine line;
    line.keyword = *keyword;
    line.fields.reserve(tokens.size() - 1);
    const internal::Position first_char = logical.At(head.begin);
    line.line = first_char.line;
    line.column = first_char.column;
    line.raw_begin = first_char.offset;
    const Token& last = tokens.back();
    const internal::Position last_char = logical.At(last.end - 1);
    line.end_line = last_char.line;
    line.end_column = last_char.column + 1;
    line.raw_end = last_char.offset + 1;

    bool bad_line = false;
    bool seen_attribute = false;
    bool seen_sign = false;
    for (std::size_t t = 1; t < tokens.size(); ++t) {
      const Token& token = tokens[t];
      const internal::Position at = logical.At(token.begin);
      const std::string_view raw =
          std::string_view(logical.text).substr(token.begin, token.end - token.begin);
      if (auto quote = TypographicQuoteOutsideQuotes(raw)) {
        error_at(token.begin + quote->first,
                 fmt::format("typographic quote '{}' (copy-paste damage?): write straight "
                             "double quotes (\")",
                             quote->second));
        bad_line = true;
        break;
      }
      // SERVER's host id may itself contain '=' (HOSTNAME=x, ID=n).
      bool server_hostid = line.keyword == Keyword::kServer && line.fields.size() == 1;
      if (!seen_attribute && (!token.has_equals || server_hostid) &&
          TakesPositional(line.keyword, line.fields.size(), token)) {
        std::string field = token.value;
        if (token.has_equals) field = token.key + "=" + token.value;
        line.fields.push_back(Field{std::move(field), at.line, at.column});
        continue;
      }
      if (token.has_equals && token.key.empty()) {
        error_at(token.begin, "attribute without a name before '='");
        bad_line = true;
        break;
      }
      if (token.has_equals && token.value.empty() && !token.quoted) {
        if (line.keyword == Keyword::kVendor && Upper(token.key) == "OPTIONS") {
          // A template's placeholder; VENDOR lines are not signed, so nothing is lost.
          warn_at(token.begin, "empty options= ignored: the vendor has no options file");
          continue;
        }
        error_at(token.begin, fmt::format("attribute '{}' has no value", Upper(token.key)));
        bad_line = true;
        break;
      }
      if (!token.has_equals && !token.quoted && seen_sign && LooksLikeHexGroup(token.value)) {
        error_at(token.begin,
                 fmt::format("'{}' after SIGN= looks like part of an unquoted signature: put "
                             "the whole signature in double quotes, SIGN=\"...\"",
                             token.value));
        bad_line = true;
        break;
      }
      Attribute attribute;
      attribute.line = at.line;
      attribute.column = at.column;
      attribute.raw_begin = at.offset;
      attribute.raw_end = logical.At(token.end - 1).offset + 1;
      if (token.has_equals) {
        attribute.key = Upper(token.key);
        attribute.value = token.value;
        seen_attribute = true;
        seen_sign = seen_sign || attribute.key == "SIGN" || attribute.key == "SIGN2";
      } else {
        if (token.quoted) {
          error_at(token.begin, fmt::format("unexpected quoted word \"{}\"", token.value));
          bad_line = true;
          break;
        }
        attribute.key = Upper(token.value);
      }
      line.attributes.push_back(std::move(attribute));
    }
    if (!bad_line) result.lines.push_back(std::move(line));
  }
  return result;
}

}  // namespace floatlm::licenses
