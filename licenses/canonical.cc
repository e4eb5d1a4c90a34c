#include "floatlm/licenses/canonical.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "floatlm/licenses/dates.h"

namespace floatlm::licenses {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A calendar date is rewritten as d-mmm-yyyy (lower-case month, no leading zero);
// anything else (permanent, year 0, or not a date at all) is only lower-cased.
std::string NormalizeDate(std::string_view text) {
  auto date = ParseLicenseDate(text);
  if (date && date.value()) return FormatLicenseDate(*date.value());
  return Lower(text);
}

// Parsed values never contain '"' or a newline, so quoting the ones with a space
// (or nothing) in them keeps the form unambiguous.
void AppendQuoted(std::string& out, std::string_view value) {
  if (value.empty() || value.find(' ') != std::string_view::npos) {
    out += '"';
    out += value;
    out += '"';
  } else {
    out += value;
  }
}

}  // namespace

HostId BoundHostId(const ParsedFile& file) {
  for (const LicenseLine& line : file.lines) {
    if (line.keyword != Keyword::kServer || line.fields.size() < 2) continue;
    if (auto id = HostId::Parse(line.fields[1].text)) return *id;
  }
  return HostId{};
}

std::string CanonicalForm(const LicenseLine& line, const HostId& hostid) {
  std::string out = "floatlm-license-v1\nhostid ";
  out += hostid.ToString();
  out += '\n';
  out += KeywordName(line.keyword);
  bool feature = line.keyword == Keyword::kFeature || line.keyword == Keyword::kIncrement;
  for (std::size_t i = 0; i < line.fields.size(); ++i) {
    out += ' ';
    const std::string& text = line.fields[i].text;
    if (feature && i == 3) {
      AppendQuoted(out, NormalizeDate(text));
    } else if (feature && i == 4) {
      AppendQuoted(out, Lower(text));
    } else {
      AppendQuoted(out, text);
    }
  }
  out += '\n';
  std::vector<const Attribute*> attributes;
  for (const Attribute& a : line.attributes) {
    if (a.key != "SIGN" && a.key != "SIGN2") attributes.push_back(&a);
  }
  std::stable_sort(attributes.begin(), attributes.end(),
                   [](const Attribute* a, const Attribute* b) { return a->key < b->key; });
  for (const Attribute* a : attributes) {
    out += a->key;
    if (a->value) {
      out += '=';
      if (a->key == "START" || a->key == "ISSUED") {
        AppendQuoted(out, NormalizeDate(*a->value));
      } else {
        AppendQuoted(out, *a->value);
      }
    }
    out += '\n';
  }
  return out;
}

std::string FormatLicenseLine(const LicenseLine& line) {
  std::string out(KeywordName(line.keyword));
  for (const Field& field : line.fields) {
    out += ' ';
    AppendQuoted(out, field.text);
  }
  std::vector<const Attribute*> attributes;
  for (const Attribute& a : line.attributes) attributes.push_back(&a);
  auto signature_key = [](const Attribute* a) { return a->key == "SIGN" || a->key == "SIGN2"; };
  std::stable_sort(attributes.begin(), attributes.end(),
                   [&](const Attribute* a, const Attribute* b) {
                     return std::make_pair(signature_key(a), a->key) <
                            std::make_pair(signature_key(b), b->key);
                   });
  for (const Attribute* a : attributes) {
    out += ' ';
    out += a->key;
    if (a->value) {
      // Always quote values: a bare value could be read back as a flag word.
      out += "=\"";
      out += *a->value;
      out += '"';
    }
  }
  return out;
}

}  // namespace floatlm::licenses
