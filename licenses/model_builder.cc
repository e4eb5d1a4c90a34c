#include "floatlm/licenses/model_builder.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "floatlm/licenses/canonical.h"
#include "floatlm/licenses/dates.h"
#include "floatlm/licenses/evidence.h"

namespace floatlm::licenses {
namespace {

constexpr int kDefaultBorrowHours = 168;  // FlexLM's default for a bare BORROW

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int> ParseInt(std::string_view text, int min, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != ',') ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

// Collects the problems of one line; the line is rejected if there are any.
class LineCheck {
 public:
  LineCheck(const ParsedFile& file, const LicenseLine& line) : file_(file), line_(line) {}

  void ErrorAt(int line, int column, std::string message) {
    errors_.push_back(Diagnostic{Diagnostic::Severity::kError, file_.name, line, column,
                                 std::move(message)});
  }
  void ErrorAt(const Field& field, std::string message) {
    ErrorAt(field.line, field.column, std::move(message));
  }
  void ErrorAt(const Attribute& attribute, std::string message) {
    ErrorAt(attribute.line, attribute.column, std::move(message));
  }
  void ErrorAtEnd(std::string message) {
    ErrorAt(line_.end_line, line_.end_column, std::move(message));
  }
  bool ok() const { return errors_.empty(); }
  std::vector<Diagnostic>& errors() { return errors_; }

  // The value of an attribute that must have one.
  std::optional<std::string_view> Value(const Attribute& a) {
    if (!a.value) {
      ErrorAt(a, fmt::format("{} needs a value ({}=...)", a.key, a.key));
      return std::nullopt;
    }
    return std::string_view(*a.value);
  }
  std::optional<int> Int(const Attribute& a, int min, int max) {
    auto text = Value(a);
    if (!text) return std::nullopt;
    auto value = ParseInt(*text, min, max);
    if (!value) {
      ErrorAt(a, fmt::format("{}={} is not a number in {}..{}", a.key, *text, min, max));
    }
    return value;
  }
  std::optional<Date> DateAttr(const Attribute& a) {
    auto text = Value(a);
    if (!text) return std::nullopt;
    auto date = ParseLicenseDate(*text);
    if (!date) {
      ErrorAt(a, fmt::format("{}: {}", a.key, date.error().message));
      return std::nullopt;
    }
    if (!date.value()) ErrorAt(a, fmt::format("{} must be a calendar date, not permanent", a.key));
    return date.value();
  }
  std::optional<Version> VersionOf(std::string_view text, int line, int column) {
    auto version = Version::Parse(text);
    if (!version) {
      ErrorAt(line, column,
              fmt::format("bad version '{}' (expected N.N with at most 6 fraction digits)", text));
    }
    return version;
  }
  std::optional<DupGroup> DupGroupAttr(const Attribute& a) {
    auto text = Value(a);
    if (!text) return std::nullopt;
    auto group = DupGroup::Parse(*text);
    if (!group) {
      ErrorAt(a, fmt::format("bad {} '{}' (expected NONE, SITE or letters of UHDV)", a.key, *text));
    }
    return group;
  }
  void NoDuplicateKeys() {
    std::set<std::string> seen;
    for (const Attribute& a : line_.attributes) {
      if (!seen.insert(a.key).second) ErrorAt(a, fmt::format("duplicate attribute '{}'", a.key));
    }
  }

 private:
  const ParsedFile& file_;
  const LicenseLine& line_;
  std::vector<Diagnostic> errors_;
};

// A validated FEATURE/INCREMENT line waiting to be pooled.
struct FeatureRecord {
  bool increment = false;
  Pool pool;  // this line's attributes, lines = {this line}
  bool supersede = false;
  std::vector<std::string> supersede_features;
  int order = 0;
  bool removed = false;
  std::string canonical;  // the signed bytes (without the signature): identical lines match
};

struct PackageRecord {
  Package package;
  const ParsedFile* file = nullptr;
  const LicenseLine* line = nullptr;
};

void ApplyCommonAttribute(LineCheck& check, const Attribute& a, FeatureRecord& record) {
  Pool& pool = record.pool;
  PoolLine& line = pool.lines.front();
  const std::string& key = a.key;
  if (key == "START") {
    line.start = check.DateAttr(a);
  } else if (key == "ISSUED") {
    line.issued = check.DateAttr(a);
  } else if (key == "SN") {
    if (auto v = check.Value(a)) line.serial = std::string(*v);
  } else if (key == "SUPERSEDE") {
    record.supersede = true;
    if (a.value) record.supersede_features = SplitWords(*a.value);
  } else if (key == "DUP_GROUP") {
    if (auto g = check.DupGroupAttr(a)) {
      pool.dup_group = *g;
      pool.dup_group_given = true;
    }
  } else if (key == "SORT") {
    if (auto n = check.Int(a, 0, 1'000'000)) pool.sort = *n;
  } else if (key == "USER_BASED") {
    // FlexLM: the users are named by INCLUDE lines of the options file (or floatlm assign),
    // at most n of them, or as many as the line's count.
    pool.user_based = true;
    if (a.value) pool.user_based_limit = check.Int(a, 1, 1'000'000);
  } else if (key == "HOST_BASED") {
    pool.host_based = true;
    if (a.value) pool.host_based_limit = check.Int(a, 1, 1'000'000);
  } else if (key == "PREV_VERSIONS") {
    pool.prev_versions = check.Int(a, 0, 1'000);
  } else if (key == "VENDOR_STRING") {
    if (auto v = check.Value(a)) pool.vendor_string = std::string(*v);
  } else if (key == "POOL_BY_VENDOR_STRING") {
    pool.pool_by_vendor_string = true;
  } else if (key == "BORROW") {
    pool.borrow_hours = kDefaultBorrowHours;
    if (a.value) {
      if (auto n = check.Int(a, 1, 24 * 366 * 10)) pool.borrow_hours = *n;
    }
  } else if (key == "HOSTID") {
    if (auto v = check.Value(a)) {
      bool floats = false;
      for (const std::string& word : SplitWords(*v)) {
        auto id = HostId::Parse(word);
        if (!id) {
          check.ErrorAt(a, fmt::format("bad HOSTID '{}'", word));
          continue;
        }
        floats = floats || id->kind == HostId::Kind::kAny || id->kind == HostId::Kind::kDemo;
        line.hostids.push_back(std::move(*id));
      }
      if (floats) line.hostids.clear();  // ANY or DEMO among the ids: served to every host
      pool.hostids = line.hostids;
    }
  }
  // Every other attribute (NOTICE, SIGN, SIGN2, vendor-defined keys...) is kept as is.
}

std::optional<FeatureRecord> CheckFeature(const ParsedFile& file, const LicenseLine& line,
                                          LineCheck& check) {
  static constexpr std::string_view kNames[] = {"<name>", "<vendor>", "<version>", "<expiry>",
                                                "<count>"};
  std::string_view keyword = KeywordName(line.keyword);
  if (line.fields.size() < 5) {
    check.ErrorAtEnd(fmt::format("{} needs <name> <vendor> <version> <expiry> <count|uncounted>: "
                                 "missing {}",
                                 keyword, kNames[line.fields.size()]));
    return std::nullopt;
  }
  FeatureRecord record;
  record.increment = line.keyword == Keyword::kIncrement;
  Pool& pool = record.pool;
  pool.feature = line.fields[0].text;
  pool.vendor = line.fields[1].text;
  pool.lines.push_back(PoolLine{SourceRef{file.name, line.line}});
  PoolLine& pool_line = pool.lines.front();
  if (auto v = check.VersionOf(line.fields[2].text, line.fields[2].line, line.fields[2].column)) {
    pool.version = *v;
  }
  auto expiry = ParseLicenseDate(line.fields[3].text);
  if (expiry) {
    pool_line.expiry = expiry.value();
  } else {
    check.ErrorAt(line.fields[3], fmt::format("expiry: {}", expiry.error().message));
  }
  const Field& count = line.fields[4];
  if (Upper(count.text) == "UNCOUNTED") {
    pool.uncounted = true;
  } else if (auto n = ParseInt(count.text, 0, 1'000'000'000)) {
    // FlexLM: a count of 0 means uncounted.
    pool.uncounted = *n == 0;
    pool_line.count = *n;
  } else {
    check.ErrorAt(count, fmt::format("count '{}' is not a number or 'uncounted'", count.text));
  }
  check.NoDuplicateKeys();
  for (const Attribute& a : line.attributes) {
    ApplyCommonAttribute(check, a, record);
    pool.attributes.emplace(a.key, a.value.value_or(""));
    pool_line.attributes.emplace(a.key, a.value.value_or(""));
  }
  if (pool_line.start && pool_line.expiry && *pool_line.expiry < *pool_line.start) {
    const Attribute* start = line.Find("START");
    check.ErrorAt(line.fields[3],
                  fmt::format("expiry {} is before START {}", line.fields[3].text,
                              start && start->value ? *start->value : "?"));
  }
  if (!check.ok()) return std::nullopt;
  return record;
}

std::optional<Package> CheckPackage(const ParsedFile& file, const LicenseLine& line,
                                    LineCheck& check) {
  if (line.fields.size() < 2) {
    check.ErrorAtEnd(fmt::format("PACKAGE needs <name> <vendor> [version] COMPONENTS=\"...\": "
                                 "missing {}",
                                 line.fields.empty() ? "<name>" : "<vendor>"));
    return std::nullopt;
  }
  Package package;
  package.source = SourceRef{file.name, line.line};
  package.name = line.fields[0].text;
  package.vendor = line.fields[1].text;
  if (line.fields.size() > 2) {
    package.version = check.VersionOf(line.fields[2].text, line.fields[2].line,
                                      line.fields[2].column);
  }
  check.NoDuplicateKeys();
  const Attribute* components = line.Find("COMPONENTS");
  if (!components) check.ErrorAtEnd("PACKAGE needs COMPONENTS=\"f1[:ver[:count]] ...\"");
  bool suite_dup_group_given = false;
  for (const Attribute& a : line.attributes) {
    package.attributes.emplace(a.key, a.value.value_or(""));
    if (a.key == "COMPONENTS") {
      auto text = check.Value(a);
      if (!text) continue;
      for (const std::string& entry : SplitWords(*text)) {
        Component component;
        std::vector<std::string_view> parts;
        std::string_view rest = entry;
        while (true) {
          std::size_t colon = rest.find(':');
          parts.push_back(rest.substr(0, colon));
          if (colon == std::string_view::npos) break;
          rest = rest.substr(colon + 1);
        }
        if (parts.size() > 3 || parts[0].empty()) {
          check.ErrorAt(a, fmt::format("bad component '{}' (expected feature[:version[:count]])",
                                       entry));
          continue;
        }
        component.feature = std::string(parts[0]);
        if (parts.size() > 1) component.version = check.VersionOf(parts[1], a.line, a.column);
        if (parts.size() > 2) {
          if (auto n = ParseInt(parts[2], 1, 1'000'000)) {
            component.count = *n;
          } else {
            check.ErrorAt(a, fmt::format("component '{}': count '{}' is not a positive number",
                                         entry, parts[2]));
          }
        }
        package.components.push_back(std::move(component));
      }
      if (package.components.empty()) check.ErrorAt(a, "COMPONENTS is empty");
    } else if (a.key == "OPTIONS") {
      if (auto v = check.Value(a)) {
        for (const std::string& word : SplitWords(*v)) {
          if (Upper(word) == "SUITE") package.suite = true;
        }
      }
    } else if (a.key == "PRODUCTS_PER_SEAT") {
      if (auto n = check.Int(a, 1, 1'000)) package.products_per_seat = *n;
    } else if (a.key == "SUITE_DUP_GROUP") {
      suite_dup_group_given = true;
      if (auto g = check.DupGroupAttr(a)) package.suite_dup_group = *g;
    } else if (a.key == "CLOUD") {
      if (auto v = check.Value(a)) package.cloud = SplitWords(*v);
    } else if (a.key == "CLOUD_USERS_PER_SEAT") {
      if (auto n = check.Int(a, 0, 1'000'000)) package.cloud_users_per_seat = *n;
    } else if (a.key == "RANK") {
      if (auto v = check.Value(a)) {
        std::string rank = Upper(*v);
        if (rank == "PRODUCT") {
          package.rank = Rank::kProduct;
        } else if (rank == "COLLECTION") {
          package.rank = Rank::kCollection;
        } else if (rank == "SUITE") {
          package.rank = Rank::kSuite;
        } else {
          check.ErrorAt(a, fmt::format("bad RANK '{}' (expected product, collection or suite)", *v));
        }
      }
    }
  }
  if (!suite_dup_group_given) package.suite_dup_group = DupGroup{DupGroup::kUser | DupGroup::kHost};
  for (const std::string& service : package.cloud) {
    bool known = std::any_of(package.components.begin(), package.components.end(),
                             [&](const Component& c) { return c.feature == service; });
    if (!known && components) {
      check.ErrorAt(*line.Find("CLOUD"),
                    fmt::format("CLOUD service '{}' is not one of the COMPONENTS", service));
    }
  }
  if (!check.ok()) return std::nullopt;
  return package;
}

std::optional<int> PortField(LineCheck& check, const Field& field) {
  auto port = ParseInt(field.text, 1, 65535);
  if (!port) check.ErrorAt(field, fmt::format("bad port '{}' (expected 1..65535)", field.text));
  return port;
}

}  // namespace

BuildResult BuildModel(const std::vector<ParsedFile>& files,
                       std::vector<Rejection> already_rejected) {
  BuildResult result;
  Model& model = result.model;
  model.rejected = std::move(already_rejected);
  const std::size_t already = model.rejected.size();
  std::vector<Diagnostic> diagnostics;
  std::vector<FeatureRecord> features;
  std::vector<PackageRecord> packages;
  int order = 0;

  auto reject = [&](const std::string& file, int line, std::vector<Diagnostic>& errors) {
    std::string reason;
    for (const Diagnostic& d : errors) {
      if (!reason.empty()) reason += "; ";
      reason += d.message;
    }
    model.rejected.push_back(Rejection{SourceRef{file, line}, reason});
    diagnostics.insert(diagnostics.end(), errors.begin(), errors.end());
  };

  for (const ParsedFile& file : files) {
    const HostId hostid = BoundHostId(file);
    for (const Diagnostic& d : file.diagnostics) {
      if (d.severity == Diagnostic::Severity::kError) {
        std::vector<Diagnostic> one = {d};
        reject(file.name, d.line, one);
      } else {
        diagnostics.push_back(d);
      }
    }
    for (const LicenseLine& line : file.lines) {
      LineCheck check(file, line);
      switch (line.keyword) {
        case Keyword::kFeature:
        case Keyword::kIncrement:
          if (auto record = CheckFeature(file, line, check)) {
            record->pool.lines.front().evidence = EvidenceOf(hostid, line);
            record->canonical = CanonicalForm(line, hostid);
            record->order = order++;
            features.push_back(std::move(*record));
          }
          break;
        case Keyword::kPackage:
          if (auto package = CheckPackage(file, line, check)) {
            package->evidence = EvidenceOf(hostid, line);
            packages.push_back(PackageRecord{std::move(*package), &file, &line});
          }
          break;
        case Keyword::kServer: {
          if (line.fields.size() < 2) {
            check.ErrorAtEnd(fmt::format("SERVER needs <host> <hostid|ANY> [port]: missing {}",
                                         line.fields.empty() ? "<host>" : "<hostid>"));
            break;
          }
          ServerLine server{SourceRef{file.name, line.line}, line.fields[0].text};
          if (auto id = HostId::Parse(line.fields[1].text)) {
            server.hostid = *id;
          } else {
            check.ErrorAt(line.fields[1], fmt::format("bad hostid '{}'", line.fields[1].text));
          }
          if (line.fields.size() > 2) server.port = PortField(check, line.fields[2]);
          if (check.ok() && model.server &&
              model.server->hostid.ToString() != server.hostid.ToString()) {
            check.ErrorAt(line.line, line.column,
                          fmt::format("second SERVER line with another hostid (first at {}); "
                                      "only one license host is supported",
                                      model.server->source.ToString()));
          }
          if (check.ok() && !model.server) model.server = std::move(server);
          break;
        }
        case Keyword::kVendor: {
          if (line.fields.empty()) {
            check.ErrorAtEnd("VENDOR needs <vendor> [options path] [port] [port=N] [options=FILE]");
            break;
          }
          VendorLine vendor{SourceRef{file.name, line.line}, line.fields[0].text};
          // Positional: all digits is a port; the first path is FlexLM's daemon path, which
          // floatlm does not need, and a second one the options file.
          std::vector<const Field*> paths;
          for (std::size_t i = 1; i < line.fields.size(); ++i) {
            const Field& f = line.fields[i];
            if (!f.text.empty() && std::all_of(f.text.begin(), f.text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
              vendor.port = PortField(check, f);
            } else {
              paths.push_back(&f);
            }
          }
          // FlexLM: VENDOR name [daemon_path] [[OPTIONS=]options_path] [[PORT=]port]: a
          // single path is the daemon's.
          if (paths.size() >= 2) vendor.options_file = paths[1]->text;
          check.NoDuplicateKeys();
          for (const Attribute& a : line.attributes) {
            if (a.key == "PORT") {
              vendor.port = check.Int(a, 1, 65535);
            } else if (a.key == "OPTIONS") {
              if (auto v = check.Value(a)) vendor.options_file = std::string(*v);
            }
          }
          if (check.ok()) model.vendors.push_back(std::move(vendor));
          break;
        }
        case Keyword::kUseServer:
          model.use_server = true;
          break;
      }
      if (!check.ok()) reject(file.name, line.line, check.errors());
    }
  }

  // A line repeated verbatim (the same file listed twice, a renewal pasted next to the
  // original) counts once, as in FlexLM.
  {
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < features.size(); ++i) {
      auto [it, fresh] = seen.try_emplace(features[i].canonical, i);
      if (fresh) continue;
      FeatureRecord& repeat = features[i];
      repeat.removed = true;
      const PoolLine& line = repeat.pool.lines.front();
      diagnostics.push_back(Diagnostic{
          Diagnostic::Severity::kWarning, line.source.file, line.source.line, 1,
          fmt::format("identical to {}; a repeated line counts once",
                      features[it->second].pool.lines.front().source.ToString())});
    }
  }

  // SUPERSEDE (FlexLM): a line with SUPERSEDE removes the lines of the same vendor and of
  // its feature (or of the features it lists) issued before it, wherever they are in the
  // files. With the same ISSUED date the higher version of the same feature wins. Lines
  // without ISSUED keep the file-order rule: a superseding line without ISSUED removes the
  // lines before it, and an undated line is removed by a later superseding line.
  for (std::size_t i = 0; i < features.size(); ++i) {
    FeatureRecord& newer = features[i];
    if (!newer.supersede || newer.removed) continue;
    std::vector<std::string> targets = newer.supersede_features;
    if (targets.empty()) targets.push_back(newer.pool.feature);
    const PoolLine& newer_line = newer.pool.lines.front();
    for (std::size_t j = 0; j < features.size(); ++j) {
      FeatureRecord& older = features[j];
      if (j == i || older.removed || older.pool.vendor != newer.pool.vendor) continue;
      if (std::find(targets.begin(), targets.end(), older.pool.feature) == targets.end()) continue;
      const PoolLine& older_line = older.pool.lines.front();
      bool superseded = false;
      if (!newer_line.issued || !older_line.issued) {
        superseded = j < i;
      } else if (*older_line.issued < *newer_line.issued) {
        superseded = true;
      } else if (*older_line.issued == *newer_line.issued &&
                 older.pool.feature == newer.pool.feature) {
        if (older.pool.version < newer.pool.version) {
          superseded = true;
        } else if (older.pool.version == newer.pool.version && j < i) {
          diagnostics.push_back(Diagnostic{
              Diagnostic::Severity::kWarning, newer_line.source.file, newer_line.source.line, 1,
              fmt::format("SUPERSEDE with the same ISSUED date and version as {}: neither "
                          "supersedes the other, both are served",
                          older_line.source.ToString())});
        }
      }
      if (!superseded) continue;
      older.removed = true;
      diagnostics.push_back(Diagnostic{Diagnostic::Severity::kNote, older_line.source.file,
                                       older_line.source.line, 1,
                                       fmt::format("superseded by {}", newer_line.source.ToString())});
    }
  }

  // Pools by name and vendor (the first one of that name) and by Key(): a file of
  // thousands of lines must not compare every line with every pool before it.
  std::unordered_map<std::string, std::size_t> by_name;
  std::unordered_map<std::string, std::size_t> by_key;
  model.pools.reserve(model.pools.size() + features.size());
  for (FeatureRecord& record : features) {
    if (record.removed) continue;
    const PoolLine& line = record.pool.lines.front();
    std::string name = record.pool.feature + '\x1f' + record.pool.vendor;
    std::string key = record.pool.Key();
    if (!record.increment) {
      if (auto existing = by_name.find(name); existing != by_name.end()) {
        diagnostics.push_back(Diagnostic{
            Diagnostic::Severity::kNote, line.source.file, line.source.line, 1,
            fmt::format("FEATURE '{}' already defined at {}; this line is ignored",
                        record.pool.feature,
                        model.pools[existing->second].lines.front().source.ToString())});
        continue;
      }
    } else if (auto existing = by_key.find(key); existing != by_key.end()) {
      Pool& joined = model.pools[existing->second];
      if (joined.vendor_string != record.pool.vendor_string) {
        diagnostics.push_back(Diagnostic{
            Diagnostic::Severity::kWarning, line.source.file, line.source.line, 1,
            fmt::format("VENDOR_STRING differs from {} but the lines share one pool, as in "
                        "FlexLM when the vendor does not pool by VENDOR_STRING (a vendor that "
                        "does signs POOL_BY_VENDOR_STRING on the lines)",
                        joined.lines.front().source.ToString())});
      }
      joined.lines.push_back(line);
      continue;
    }
    record.pool.order = record.order;
    by_name.emplace(std::move(name), model.pools.size());
    by_key.emplace(std::move(key), model.pools.size());
    model.pools.push_back(std::move(record.pool));
  }

  // PACKAGE lines: one package per name, vendor and version. Its enabling pools are the
  // FEATURE/INCREMENT pools of the same name and vendor, and of its version when it has
  // one (FlexLM: the enabling line must have the package's version).
  // Accepted packages: (index in model.packages, the record it came from).
  std::vector<std::pair<std::size_t, const PackageRecord*>> accepted;
  for (PackageRecord& record : packages) {
    Package& package = record.package;
    const PackageRecord* twin = nullptr;
    const Package* first = nullptr;
    for (const auto& [index, other] : accepted) {
      const Package& p = model.packages[index];
      if (p.name == package.name && p.vendor == package.vendor && p.version == package.version) {
        twin = other;
        first = &p;
        break;
      }
    }
    if (twin) {
      const bool same = CanonicalForm(*twin->line, BoundHostId(*twin->file)) ==
                        CanonicalForm(*record.line, BoundHostId(*record.file));
      diagnostics.push_back(Diagnostic{
          same ? Diagnostic::Severity::kNote : Diagnostic::Severity::kWarning, record.file->name,
          record.line->line, record.line->column,
          same ? fmt::format("PACKAGE '{}' repeats {}; counted once", package.name,
                             first->source.ToString())
               : fmt::format("PACKAGE '{}'{} is already defined at {} with other COMPONENTS or "
                             "options; this line is ignored and the first one applies",
                             package.name,
                             package.version ? " " + package.version->ToString() : std::string(),
                             first->source.ToString())});
      continue;
    }
    bool enabled = false;
    std::optional<DupGroup> line_dup_group;
    for (Pool& pool : model.pools) {
      if (pool.feature != package.name || pool.vendor != package.vendor) continue;
      if (package.version && pool.version != *package.version) continue;
      enabled = true;
      if (package.suite) pool.rank = package.rank;
      // Autodesk writes SUITE_DUP_GROUP on the enabling INCREMENT, where FlexLM documents it.
      if (auto it = pool.attributes.find("SUITE_DUP_GROUP"); it != pool.attributes.end()) {
        if (auto group = DupGroup::Parse(it->second)) line_dup_group = *group;
      }
    }
    if (line_dup_group && !(*line_dup_group == package.suite_dup_group)) {
      if (package.attributes.contains("SUITE_DUP_GROUP")) {
        diagnostics.push_back(Diagnostic{
            Diagnostic::Severity::kWarning, record.file->name, record.line->line,
            record.line->column,
            fmt::format("SUITE_DUP_GROUP={} here, {} on the enabling line: the enabling "
                        "line's applies",
                        package.suite_dup_group.ToString(), line_dup_group->ToString())});
      }
      package.suite_dup_group = *line_dup_group;
    }
    if (!enabled) {
      std::vector<Diagnostic> errors = {Diagnostic{
          Diagnostic::Severity::kError, record.file->name, record.line->line, record.line->column,
          fmt::format("PACKAGE '{}' has no enabling FEATURE/INCREMENT '{}'{} for vendor '{}'",
                      package.name, package.name,
                      package.version ? " of version " + package.version->ToString() : std::string(),
                      package.vendor)}};
      reject(record.file->name, record.line->line, errors);
      continue;
    }
    accepted.emplace_back(model.packages.size(), &record);
    model.packages.push_back(std::move(package));
  }

  // Report in file order, whichever pass found the problem.
  auto file_index = [&](const std::string& name) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (files[i].name == name) return i;
    }
    return files.size();
  };
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) {
                     auto ka = std::make_tuple(file_index(a.file), a.line, a.column);
                     auto kb = std::make_tuple(file_index(b.file), b.line, b.column);
                     return ka < kb;
                   });
  std::stable_sort(model.rejected.begin() + static_cast<std::ptrdiff_t>(already), model.rejected.end(),
                   [&](const Rejection& a, const Rejection& b) {
                     return std::make_tuple(file_index(a.source.file), a.source.line) <
                            std::make_tuple(file_index(b.source.file), b.source.line);
                   });
  result.diagnostics = std::move(diagnostics);
  return result;
}

}  // namespace floatlm::licenses
