#include "options/options_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

#include "options/edit_distance.h"
#include "options/matcher.h"
#include "options/options_rules.h"
#include "floatlm/licenses/text_file.h"

namespace floatlm::options {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

// FlexLM keywords floatlm reads without acting on, so a file written for a FlexLM vendor
// daemon loads unchanged. Each use is reported as a note.
bool IsIgnoredKeyword(std::string_view upper) {
  static constexpr std::string_view kIgnored[] = {
      "ACTIVATION_EXPIRY_DAYS",
      "ACTIVATION_LOWWATER",
      "AUTOMATIC_REREAD",
      "BORROW_LOWWATER",
      "DAEMON_SELECT_TIMEOUT",
      "DEBUGLOG",
      "EXCLUDE_BORROW",
      "EXCLUDE_ENTITLEMENT",
      "EXCLUDEALL_ENTITLEMENT",
      "FQDN_MATCHING",
      "INCLUDE_BORROW",
      "INCLUDE_ENTITLEMENT",
      "INCLUDEALL_ENTITLEMENT",
      "LINGER",
      "MAX_BORROW_HOURS",
      "MAX_CONNECTIONS",
      "MAX_OVERDRAFT",
      "NOLOG",
      "REPORTLOG",
  };
  return std::find(std::begin(kIgnored), std::end(kIgnored), upper) != std::end(kIgnored);
}

// One directive after comments and continuations are resolved.
struct Directive {
  int line = 0;  // physical line the directive starts on
  std::vector<std::string> fields;
};

class Parser {
 public:
  Parser(std::string_view file, std::string_view text) : file_(file), text_(text) {}

  ParsedOptions Run() {
    for (const Directive& d : Split()) {
      const std::size_t first_error = errors_.size();
      Handle(d);
      // Idle timeouts decide when an idle seat is freed, never who may take one.
      const std::string keyword = Upper(d.fields[0]);
      if (keyword == "TIMEOUT" || keyword == "TIMEOUTALL") SkipSince(first_error);
    }
    CheckGroupReferences();

    ParsedOptions out;
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const Problem& a, const Problem& b) { return a.line < b.line; });
    for (const Problem& p : errors_) {
      if (p.skipped) {
        out.skipped.push_back(fmt::format("{}:{}: {}; {}", file_, p.line, p.message, p.consequence));
      } else {
        out.errors.push_back(fmt::format("{}:{}: {}", file_, p.line, p.message));
      }
    }
    for (auto& [line, message] : notes_) {
      out.notes.push_back(fmt::format("{}:{}: note: {}", file_, line, message));
    }
    if (out.errors.empty()) {
      out.policy.emplace(std::make_shared<const RuleSet>(std::move(rules_)));
    }
    return out;
  }

 private:
  void Error(int line, std::string message) {
    errors_.push_back(Problem{line, std::move(message)});
  }
  // Marks the errors recorded since `first` as not rejecting the file; `consequence`
  // says what became of the line ("the line is skipped").
  void SkipSince(std::size_t first, std::string_view consequence = "the line is skipped") {
    for (std::size_t i = first; i < errors_.size(); ++i) {
      errors_[i].skipped = true;
      errors_[i].consequence = std::string(consequence);
    }
  }
  void Note(int line, std::string message) { notes_.emplace_back(line, std::move(message)); }

  // Comment lines go first, so a comment inside a continued directive does not end it.
  std::vector<Directive> Split() {
    std::vector<Directive> out;
    std::string pending;
    int start = 0;
    int number = 0;
    std::size_t pos = 0;
    while (pos <= text_.size()) {
      std::size_t end = text_.find('\n', pos);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view line = Trim(text_.substr(pos, end - pos));
      pos = end + 1;
      ++number;
      if (line.empty() && pending.empty()) continue;
      if (!line.empty() && line.front() == '#') continue;
      if (pending.empty()) start = number;
      const bool continued = !line.empty() && line.back() == '\\';
      if (continued) line.remove_suffix(1);
      pending.append(line);
      pending.push_back(' ');
      if (continued) continue;
      if (auto d = Tokenize(start, pending)) out.push_back(std::move(*d));
      pending.clear();
    }
    if (!pending.empty()) {
      if (auto d = Tokenize(start, pending)) out.push_back(std::move(*d));
    }
    return out;
  }

  // Whitespace-separated fields; "double quotes" keep spaces inside one field.
  std::optional<Directive> Tokenize(int line, std::string_view text) {
    Directive d{line, {}};
    std::size_t i = 0;
    while (i < text.size()) {
      if (IsBlank(text[i])) {
        ++i;
        continue;
      }
      std::string field;
      while (i < text.size() && !IsBlank(text[i])) {
        if (text[i] == '"') {
          const std::size_t close = text.find('"', i + 1);
          if (close == std::string_view::npos) {
            Error(line, "unterminated quote");
            return std::nullopt;
          }
          field.append(text.substr(i + 1, close - i - 1));
          i = close + 1;
        } else {
          field.push_back(text[i++]);
        }
      }
      d.fields.push_back(std::move(field));
    }
    if (d.fields.empty()) return std::nullopt;
    return d;
  }

  Origin OriginOf(const Directive& d) const {
    std::string text;
    for (const std::string& f : d.fields) {
      if (!text.empty()) text.push_back(' ');
      const bool quote = f.empty() || std::any_of(f.begin(), f.end(), IsBlank);
      text += quote ? fmt::format("\"{}\"", f) : f;
    }
    return Origin{file_, d.line, std::move(text)};
  }

  // Exactly `want` fields after the keyword, else one error naming the expected form.
  bool Arity(const Directive& d, std::size_t want, std::string_view usage) {
    const std::size_t have = d.fields.size() - 1;
    if (have < want) {
      Error(d.line, fmt::format("missing fields: expected {}", usage));
      return false;
    }
    if (have > want) {
      Error(d.line, fmt::format("too many fields: expected {}", usage));
      return false;
    }
    return true;
  }

  std::optional<long long> Number(int line, std::string_view field, std::string_view what) {
    if (!field.empty() && field.front() == '-') {
      Error(line, fmt::format("{} must not be negative, got '{}'", what, field));
      return std::nullopt;
    }
    long long value = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec == std::errc::result_out_of_range) {
      Error(line, fmt::format("{} '{}' is too large", what, field));
      return std::nullopt;
    }
    if (ec != std::errc() || end != field.data() + field.size() || field.front() == '+') {
      Error(line, fmt::format("{} must be a whole number, got '{}'", what, field));
      return std::nullopt;
    }
    return value;
  }

  // "feature:KEYWORD=value", or FlexLM's alternative for names with colons, the quoted
  // "feature KEYWORD=value" (the quotes are gone by now; the blank remains).
  std::optional<FeatureSpec> Feature(int line, std::string_view field) {
    FeatureSpec spec;
    spec.written = std::string(field);
    std::size_t split = field.find_first_of(" \t");
    const bool quoted_form = split != std::string_view::npos;
    if (!quoted_form) split = field.find(':');
    spec.name = std::string(field.substr(0, split));
    if (spec.name.empty()) {
      Error(line, fmt::format("missing feature name in '{}'", field));
      return std::nullopt;
    }
    if (split == std::string_view::npos) return spec;
    const std::string_view qualifier = Trim(field.substr(split + 1));
    if (quoted_form && qualifier.empty()) {
      Error(line, fmt::format("'{}': a feature name cannot contain a blank; the quoted form is "
                              "\"feature KEYWORD=value\"",
                              field));
      return std::nullopt;
    }
    const std::size_t eq = qualifier.find('=');
    const std::string key = Upper(Trim(qualifier.substr(0, eq)));
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : Trim(qualifier.substr(eq + 1));
    if (eq == std::string_view::npos || value.empty() || key.empty()) {
      Error(line, fmt::format("feature qualifier '{}' must be KEYWORD=value (e.g. {}:VERSION=2.0)",
                              qualifier, spec.name));
      return std::nullopt;
    }
    if (std::any_of(key.begin(), key.end(), [](unsigned char c) {
          return std::isalnum(c) == 0 && c != '_';
        })) {
      Error(line, fmt::format("feature qualifier keyword '{}' is not a license-line keyword",
                              qualifier.substr(0, eq)));
      return std::nullopt;
    }
    if (key == "VERSION") {
      const std::size_t dot = value.find('.');
      const auto digits = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(),
                                         [](unsigned char c) { return std::isdigit(c) != 0; });
      };
      if (!digits(value.substr(0, dot)) ||
          (dot != std::string_view::npos && !digits(value.substr(dot + 1)))) {
        Error(line, fmt::format("VERSION '{}' is not a version number like 2.0", value));
        return std::nullopt;
      }
      spec.version = std::string(value);
    } else {
      spec.keyword = key;
      spec.value = std::string(value);
    }
    return spec;
  }

  std::optional<Target> TargetOf(int line, std::string_view type, std::string_view name) {
    static const std::map<std::string, TargetType, std::less<>> kTypes = {
        {"USER", TargetType::kUser},       {"HOST", TargetType::kHost},
        {"DISPLAY", TargetType::kDisplay}, {"INTERNET", TargetType::kInternet},
        {"GROUP", TargetType::kGroup},     {"HOST_GROUP", TargetType::kHostGroup},
        {"PROJECT", TargetType::kProject},
    };
    const auto it = kTypes.find(Upper(type));
    if (it == kTypes.end()) {
      Error(line, fmt::format("unknown type '{}' (expected USER, HOST, DISPLAY, INTERNET, "
                              "GROUP, HOST_GROUP or PROJECT)",
                              type));
      return std::nullopt;
    }
    Target target{it->second, std::string(name), std::nullopt};
    switch (target.type) {
      case TargetType::kInternet:
        target.ip = ParseIpv4Pattern(name);
        if (!target.ip) {
          Error(line, fmt::format("bad INTERNET pattern '{}' (expected four octets 0-255 or "
                                  "*, e.g. 192.168.1.*)",
                                  name));
          return std::nullopt;
        }
        break;
      case TargetType::kHost:
        if (LooksLikeIpv4(name) && !ParseIpv4Pattern(name)) {
          Error(line, fmt::format("bad HOST address '{}' (expected four octets 0-255 or *)", name));
          return std::nullopt;
        }
        break;
      case TargetType::kGroup:
      case TargetType::kHostGroup:
        // On an INCLUDE or RESERVE line an undefined group names nobody, which can only
        // narrow access; on EXCLUDE or MAX it would lift what the line imposes.
        group_refs_.push_back({line, target.type, target.name,
                               keyword_ == "INCLUDE" || keyword_ == "INCLUDEALL" ||
                                   keyword_ == "RESERVE"});
        break;
      case TargetType::kProject:
        Note(line, "PROJECT rules never match: floatlm clients do not send a project");
        break;
      default:
        break;
    }
    return target;
  }

  void Handle(const Directive& d) {
    const std::string keyword = Upper(d.fields[0]);
    keyword_ = keyword;
    const std::size_t first_error = errors_.size();
    if (keyword == "GROUP" || keyword == "HOST_GROUP") {
      DefineGroup(d, keyword == "HOST_GROUP");
    } else if (keyword == "INCLUDE" || keyword == "EXCLUDE") {
      std::optional<FeatureSpec> feature;
      if (d.fields.size() > 1) feature = Feature(d.line, d.fields[1]);
      std::optional<Target> target;
      if (Arity(d, 3, fmt::format("{} feature[:keyword=value] type name", keyword))) {
        target = TargetOf(d.line, d.fields[2], d.fields[3]);
      }
      if (feature && target) {
        rules_.access.push_back({Kind(keyword), std::move(feature), std::move(*target), OriginOf(d)});
      } else if (keyword == "INCLUDE" && feature) {
        // The feature is known: its INCLUDE list stays closed, naming nobody here.
        rules_.access.push_back({AccessKind::kInclude, std::move(feature),
                                 Target{TargetType::kNobody, "", std::nullopt}, OriginOf(d)});
        SkipSince(first_error, "the line includes nobody");
      }
    } else if (keyword == "INCLUDEALL" || keyword == "EXCLUDEALL") {
      std::optional<Target> target;
      if (Arity(d, 2, fmt::format("{} type name", keyword))) {
        target = TargetOf(d.line, d.fields[1], d.fields[2]);
      }
      if (target) {
        rules_.access.push_back({Kind(keyword), std::nullopt, std::move(*target), OriginOf(d)});
      } else if (keyword == "INCLUDEALL") {
        rules_.access.push_back({AccessKind::kInclude, std::nullopt,
                                 Target{TargetType::kNobody, "", std::nullopt}, OriginOf(d)});
        SkipSince(first_error, "the line includes nobody");
      }
    } else if (keyword == "RESERVE" || keyword == "MAX") {
      CountLine(d, keyword);
    } else if (keyword == "TIMEOUT") {
      if (!Arity(d, 2, "TIMEOUT feature seconds")) return;
      const std::string& feature = d.fields[1];
      if (feature.find(':') != std::string::npos) {
        Error(d.line, "TIMEOUT takes a plain feature name, without a :keyword=value qualifier");
        return;
      }
      const auto seconds = Timeout(d.line, d.fields[2]);
      if (!seconds) return;
      if (const auto prev = timeout_lines_.find(feature); prev != timeout_lines_.end()) {
        Note(d.line, fmt::format("replaces the TIMEOUT for {} on line {}", feature, prev->second));
      }
      timeout_lines_[feature] = d.line;
      rules_.timeouts[feature] = *seconds;
      rules_.timeout_origins[feature] = OriginOf(d);
    } else if (keyword == "TIMEOUTALL") {
      if (!Arity(d, 1, "TIMEOUTALL seconds")) return;
      const auto seconds = Timeout(d.line, d.fields[1]);
      if (!seconds) return;
      if (timeout_all_line_ != 0) {
        Note(d.line, fmt::format("replaces the TIMEOUTALL on line {}", timeout_all_line_));
      }
      timeout_all_line_ = d.line;
      rules_.timeout_all = *seconds;
    } else if (keyword == "GROUPCASEINSENSITIVE") {
      if (!Arity(d, 1, "GROUPCASEINSENSITIVE ON|OFF")) return;
      const std::string value = Upper(d.fields[1]);
      if (value != "ON" && value != "OFF") {
        Error(d.line, fmt::format("GROUPCASEINSENSITIVE must be ON or OFF, got '{}'", d.fields[1]));
        return;
      }
      rules_.group_case_insensitive = value == "ON";
    } else if (IsIgnoredKeyword(keyword)) {
      Note(d.line,
           fmt::format("{} is accepted for compatibility and has no effect in floatlm", keyword));
    } else if (const auto near = RestrictingKeywordNear(keyword)) {
      // Perhaps a misspelt EXCLUDE or MAX: skipping it could open what it was meant to close.
      Error(d.line, fmt::format("unknown keyword '{}' (did you mean {}?)", d.fields[0], *near));
    } else {
      Error(d.line, fmt::format("unknown keyword '{}'", d.fields[0]));
      SkipSince(first_error);
    }
  }

  // The restricting keyword `keyword` may be a misspelling of (edit distance at most 2),
  // if any.
  static std::optional<std::string_view> RestrictingKeywordNear(std::string_view keyword) {
    static constexpr std::string_view kRestricting[] = {
        "EXCLUDE", "EXCLUDEALL", "INCLUDE", "INCLUDEALL", "RESERVE", "MAX", "GROUP", "HOST_GROUP",
        "GROUPCASEINSENSITIVE", "EXCLUDE_BORROW", "INCLUDE_BORROW", "BORROW_LOWWATER"};
    for (std::string_view known : kRestricting) {
      if (EditDistance(keyword, known) <= 2) return known;
    }
    return std::nullopt;
  }


  static AccessKind Kind(std::string_view keyword) {
    return keyword.starts_with("EXCLUDE") ? AccessKind::kExclude : AccessKind::kInclude;
  }

  void DefineGroup(const Directive& d, bool hosts) {
    const std::string_view keyword = hosts ? "HOST_GROUP" : "GROUP";
    if (d.fields.size() < 3) {
      Error(d.line, fmt::format("missing fields: expected {} name member...", keyword));
      return;
    }
    bool ok = true;
    if (hosts) {
      for (std::size_t i = 2; i < d.fields.size(); ++i) {
        if (LooksLikeIpv4(d.fields[i]) && !ParseIpv4Pattern(d.fields[i])) {
          Error(d.line, fmt::format("bad HOST_GROUP address '{}' (expected four octets "
                                    "0-255 or *)",
                                    d.fields[i]));
          ok = false;
        }
      }
    }
    if (!ok) return;
    auto& groups = hosts ? rules_.host_groups : rules_.user_groups;
    // Repeated lines for one name add members, as FlexLM does.
    groups[d.fields[1]].insert(d.fields.begin() + 2, d.fields.end());
  }

  void CountLine(const Directive& d, const std::string& keyword) {
    if (!Arity(d, 4, fmt::format("{} count feature[:keyword=value] type name", keyword))) {
      return;
    }
    const auto count = Number(d.line, d.fields[1], fmt::format("{} count", keyword));
    auto feature = Feature(d.line, d.fields[2]);
    auto target = TargetOf(d.line, d.fields[3], d.fields[4]);
    if (!count || !feature || !target) return;
    if (*count == 0 && keyword == "RESERVE") Note(d.line, "RESERVE 0 reserves nothing");
    CountRule rule{*count, std::move(*feature), std::move(*target), OriginOf(d)};
    (keyword == "RESERVE" ? rules_.reserves : rules_.maxes).push_back(std::move(rule));
  }

  std::optional<long long> Timeout(int line, std::string_view field) {
    auto seconds = Number(line, field, "timeout");
    if (!seconds) return std::nullopt;
    if (*seconds < OptionsPolicy::kMinTimeoutSeconds) {
      Note(line, fmt::format("timeout {} s raised to the minimum of {} s", *seconds,
                             OptionsPolicy::kMinTimeoutSeconds));
      seconds = OptionsPolicy::kMinTimeoutSeconds;
    }
    return seconds;
  }

  // Groups may be defined after the lines that use them, so references wait until the end.
  void CheckGroupReferences() {
    for (const GroupRef& ref : group_refs_) {
      const bool hosts = ref.type == TargetType::kHostGroup;
      const auto& defined = hosts ? rules_.host_groups : rules_.user_groups;
      if (defined.contains(ref.name)) continue;
      const auto& other = hosts ? rules_.user_groups : rules_.host_groups;
      std::string hint;
      if (other.contains(ref.name)) {
        hint = fmt::format(" (there is a {} of that name)", hosts ? "GROUP" : "HOST_GROUP");
      }
      const std::size_t first = errors_.size();
      Error(ref.line, fmt::format("{} '{}' is used but never defined{}",
                                  hosts ? "HOST_GROUP" : "GROUP", ref.name, hint));
      if (ref.narrows_if_missing) SkipSince(first, "the group names nobody");
    }
  }

  struct GroupRef {
    int line;
    TargetType type;
    std::string name;
    bool narrows_if_missing;
  };

  std::string file_;
  std::string_view text_;
  RuleSet rules_;
  std::vector<GroupRef> group_refs_;
  std::map<std::string, int> timeout_lines_;
  int timeout_all_line_ = 0;
  struct Problem {
    int line;
    std::string message;
    bool skipped = false;     // the file is still used
    std::string consequence;  // set when skipped: what became of the line
  };
  std::vector<Problem> errors_;
  std::vector<std::pair<int, std::string>> notes_;
  std::string keyword_;  // the directive being handled, upper-cased
};

}  // namespace

ParsedOptions ParseOptions(std::string_view file_name, std::string_view text) {
  return Parser(file_name, text).Run();
}

ParsedOptions LoadOptionsFile(const std::string& path) {
  auto text = licenses::ReadTextFile(path, licenses::kMaxOptionsFileBytes);
  if (!text) {
    ParsedOptions out;
    // "PATH: cannot read options file: WHY", as the admin guide shows it.
    std::string why = text.error().message;
    const std::string prefix = path + ": cannot read: ";
    if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
    out.errors.push_back(fmt::format("{}: cannot read options file: {}", path, why));
    return out;
  }
  return ParseOptions(path, text.value());
}

}  // namespace floatlm::options
