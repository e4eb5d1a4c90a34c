#include "floatlm/licenses/migration.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "floatlm/licenses/model.h"

namespace floatlm::licenses {
namespace {

bool AllHex(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::size_t HexDigits(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; }));
}

class Report {
 public:
  Report(const ParsedFile& file, const LicenseLine& line, std::vector<Diagnostic>& out)
      : file_(file), line_(line), out_(out) {}

  void At(int line, int column, std::string message) {
    out_.push_back(Diagnostic{Diagnostic::Severity::kWarning, file_.name, line, column,
                              std::move(message)});
  }
  void Line(std::string message) { At(line_.line, line_.column, std::move(message)); }
  void Attr(const Attribute& a, std::string message) { At(a.line, a.column, std::move(message)); }

 private:
  const ParsedFile& file_;
  const LicenseLine& line_;
  std::vector<Diagnostic>& out_;
};

void CheckFeature(const LicenseLine& line, Report& report) {
  std::string count = line.fields.size() >= 5 ? line.fields[4].text : std::string();
  for (char& c : count) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool uncounted = count == "0" || count == "uncounted";
  const Attribute* hostid = line.Find("HOSTID");
  if (uncounted && hostid == nullptr) {
    report.Line("uncounted line without HOSTID: FlexLM requires a host id on uncounted lines; "
                "floatlm serves it to every client (write HOSTID=ANY to say so, or the host id)");
  }
  if (line.Find("DUP_GROUP") == nullptr) {
    report.Line("no DUP_GROUP: floatlm lets one user on one host share a seat (UH); FlexLM "
                "leaves it to the vendor daemon's setting: write DUP_GROUP= to state it");
  }
  if (hostid != nullptr && hostid->value) {
    std::string_view ids = *hostid->value;
    std::size_t i = 0;
    while (i < ids.size()) {
      while (i < ids.size() && (ids[i] == ' ' || ids[i] == ',')) ++i;
      std::size_t start = i;
      while (i < ids.size() && ids[i] != ' ' && ids[i] != ',') ++i;
      if (i == start) continue;
      const std::string word(ids.substr(start, i - start));
      const auto id = HostId::Parse(word);
      if (!id) continue;
      if (id->kind == HostId::Kind::kOther || id->kind == HostId::Kind::kHex32 ||
          id->kind == HostId::Kind::kComposite) {
        report.Attr(*hostid,
                    fmt::format("HOSTID {}: floatlm does not read this kind of id from a machine; "
                                "only a client whose application reports it "
                                "(floatlm_options_add_host_id) is served",
                                word));
      }
    }
  }
  for (const Attribute& a : line.attributes) {
    if (a.key == "OVERDRAFT") {
      report.Attr(a, fmt::format("OVERDRAFT={}: floatlm grants no overdraft seats; FlexLM lets "
                                 "that many more be used",
                                 a.value.value_or("")));
    } else if (a.key == "PLATFORMS") {
      report.Attr(a, "PLATFORMS is not enforced: every platform is served");
    } else if (a.key == "TS_OK") {
      report.Attr(a, "TS_OK has no effect: floatlm does not detect terminal-server sessions "
                     "(and so never refuses one)");
    } else if (a.key == "BORROW") {
      report.Attr(a, "BORROW: seats cannot be borrowed in this floatlm release; the line is served "
                     "as a network seat");
    } else if (a.key == "MINIMUM") {
      report.Attr(a, "MINIMUM has no effect: a checkout takes one seat");
    } else if (a.key == "SIGN2" || a.key == "KEY") {
      report.Attr(a, fmt::format("{} (FlexLM's signature or key) is not checked: floatlm checks "
                                 "SIGN= (re-sign with floatlm-vendor sign); the value still "
                                 "selects the line in options qualifiers",
                                 a.key));
    } else if (a.key == "SIGN" && a.value && HexDigits(*a.value) != 128) {
      report.Attr(a, "SIGN is FlexLM's, not floatlm's: re-sign with floatlm-vendor sign");
    } else if (!a.value && AllHex(a.key) && a.key.size() >= 12) {
      report.Attr(a, fmt::format("'{}' looks like a legacy FlexLM license key: floatlm ignores it "
                                 "and checks SIGN= (re-sign with floatlm-vendor sign)",
                                 a.key));
    }
  }
}

}  // namespace

std::vector<Diagnostic> MigrationReport(const std::vector<ParsedFile>& files) {
  std::vector<Diagnostic> out;
  for (const ParsedFile& file : files) {
    const std::size_t first = out.size();
    int servers = 0;
    for (const LicenseLine& line : file.lines) {
      Report report(file, line, out);
      switch (line.keyword) {
        case Keyword::kFeature:
        case Keyword::kIncrement:
          CheckFeature(line, report);
          break;
        case Keyword::kServer:
          if (++servers == 2) {
            report.Line("a second SERVER line: FlexLM's three-server triad; floatlm serves from "
                        "one host (the first SERVER line)");
          }
          break;
        case Keyword::kVendor: {
          int paths = 0;
          for (std::size_t i = 1; i < line.fields.size(); ++i) {
            const std::string& f = line.fields[i].text;
            if (!std::all_of(f.begin(), f.end(), [](unsigned char c) { return std::isdigit(c); })) {
              ++paths;
            } else {
              report.At(line.fields[i].line, line.fields[i].column,
                        "the vendor daemon port is not used: floatlmd serves every vendor on "
                        "its one port (--port)");
            }
          }
          if (paths >= 1) {
            report.Line("the vendor daemon path is not used: floatlmd serves every vendor itself");
          }
          // The options file it names is read when --options is not given, as in FlexLM.
          if (const Attribute* port = line.Find("PORT")) {
            report.Attr(*port, "the vendor daemon port is not used: floatlmd serves every vendor "
                               "on its one port (--port)");
          }
          break;
        }
        case Keyword::kPackage:
        case Keyword::kUseServer:
          break;
      }
    }
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
  }
  return out;
}

}  // namespace floatlm::licenses
