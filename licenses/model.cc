// Value semantics of the license model (model.h): parsing and printing of the
// small value types, and the per-pool queries the seat engine asks.
#include "floatlm/licenses/model.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace floatlm::licenses {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && StartsWithNoCase(a, b);
}

// INTERNET=a.b.c.d host ids: each octet a number or `*`. `ip` is dotted IPv4, or
// IPv4-mapped IPv6 ("::ffff:10.0.0.1").
bool InternetMatches(std::string_view pattern, std::string_view ip) {
  if (StartsWithNoCase(ip, "::FFFF:")) ip.remove_prefix(7);
  for (int octet = 0; octet < 4; ++octet) {
    const std::size_t pe = pattern.find('.');
    const std::size_t ie = ip.find('.');
    if ((pe == std::string_view::npos) != (ie == std::string_view::npos) ||
        (octet < 3 && pe == std::string_view::npos) || (octet == 3 && pe != std::string_view::npos)) {
      return false;
    }
    const std::string_view p = pattern.substr(0, pe);
    const std::string_view i = ip.substr(0, ie);
    if (i.empty() || i.size() > 3 ||
        !std::all_of(i.begin(), i.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return false;
    }
    if (p != "*") {
      std::string_view a = p, b = i;
      while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
      while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
      if (a != b) return false;
    }
    if (pe == std::string_view::npos) break;
    pattern.remove_prefix(pe + 1);
    ip.remove_prefix(ie + 1);
  }
  return true;
}

bool Covers(const PoolLine& line, Date day) {
  if (line.start && day < *line.start) return false;
  if (line.expiry && *line.expiry < day) return false;
  return true;
}

}  // namespace

std::optional<Version> Version::Parse(std::string_view text) {
  constexpr std::uint64_t kScale = 1'000'000;
  // The integer part is bounded so that value * 1e6 cannot overflow 64 bits.
  constexpr std::size_t kMaxIntegerDigits = 12;
  std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > kMaxIntegerDigits) return std::nullopt;
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 6)) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  std::uint64_t fraction = 0;
  std::uint64_t unit = kScale;
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    unit /= 10;
    fraction += static_cast<std::uint64_t>(c - '0') * unit;
  }
  return Version{value * kScale + fraction};
}

std::string Version::ToString() const {
  // On every grant's path (reply, record, journal, log): digits by hand, no formatting
  // machinery; a version such as "2027.0" fits the string's inline buffer.
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + 20, scaled / 1'000'000);
  *end++ = '.';
  std::uint64_t frac = scaled % 1'000'000;
  char digits[6];
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int keep = 6;
  while (keep > 1 && digits[keep - 1] == '0') --keep;
  for (int i = 0; i < keep; ++i) *end++ = digits[i];
  return std::string(buf, end);
}

std::optional<DupGroup> DupGroup::Parse(std::string_view text) {
  if (EqualsNoCase(text, "NONE")) return DupGroup{kNone};
  if (EqualsNoCase(text, "SITE")) return DupGroup{kSite};
  if (text.empty()) return std::nullopt;
  std::uint8_t bits = 0;
  for (char c : text) {
    std::uint8_t bit = 0;
    switch (std::toupper(static_cast<unsigned char>(c))) {
      case 'U': bit = kUser; break;
      case 'H': bit = kHost; break;
      case 'D': bit = kDisplay; break;
      case 'V': bit = kVersion; break;
      default: return std::nullopt;
    }
    if (bits & bit) return std::nullopt;  // "UU" is a typo, not a group
    bits = static_cast<std::uint8_t>(bits | bit);
  }
  return DupGroup{bits};
}

std::string DupGroup::ToString() const {
  if (bits == kNone) return "NONE";
  if (bits & kSite) return "SITE";
  std::string out;
  if (bits & kUser) out += 'U';
  if (bits & kHost) out += 'H';
  if (bits & kDisplay) out += 'D';
  if (bits & kVersion) out += 'V';
  return out;
}

std::string SourceRef::ToString() const { return fmt::format("{}:{}", file, line); }

std::string Rejection::ToString() const { return fmt::format("{}: {}", source.ToString(), reason); }

int Pool::CountOn(Date day) const {
  if (uncounted) return 0;
  int total = 0;
  for (const PoolLine& line : lines) {
    if (Covers(line, day)) total += line.count;
  }
  return total;
}

bool Pool::ServesVersion(const std::optional<Version>& requested) const {
  if (!requested) return true;
  if (version < *requested) return false;
  if (prev_versions) {
    // Subscription licenses serve the newest release and n before it, counted in majors.
    constexpr std::uint64_t kScale = 1'000'000;
    const auto wanted = static_cast<std::int64_t>(requested->scaled / kScale);
    const auto newest = static_cast<std::int64_t>(version.scaled / kScale);
    if (wanted < newest - *prev_versions) return false;
  }
  return true;
}

bool Pool::InForceOn(Date day) const {
  return std::any_of(lines.begin(), lines.end(),
                     [day](const PoolLine& line) { return Covers(line, day); });
}

std::optional<Date> Pool::LastExpiry() const {
  std::optional<Date> last;
  for (const PoolLine& line : lines) {
    if (!line.expiry) return std::nullopt;
    if (!last || *last < *line.expiry) last = line.expiry;
  }
  return last;
}

namespace {

std::string KeyWith(const Pool& pool, std::string_view vendor_string) {
  // '\x1f' (unit separator) cannot occur in a parsed field, so keys never collide. Keys
  // are stored with leases: a floating pool's key keeps the form it always had.
  std::string key = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", pool.feature, pool.vendor,
                                pool.version.ToString(), pool.dup_group.ToString(),
                                pool.user_based ? "USER_BASED" : "", vendor_string);
  if (pool.host_based) key += "\x1fHOST_BASED";
  if (!pool.hostids.empty()) {
    std::vector<std::string> ids;
    for (const HostId& id : pool.hostids) ids.push_back(Lower(id.ToString()));
    std::sort(ids.begin(), ids.end());
    key += fmt::format("\x1fHOSTID={}", fmt::join(ids, " "));
  }
  return key;
}

}  // namespace

std::string Pool::Key() const {
  return KeyWith(*this, pool_by_vendor_string ? std::string_view(vendor_string) : "");
}

std::string Pool::LegacyKey() const {
  if (pool_by_vendor_string || vendor_string.empty()) return {};
  return KeyWith(*this, vendor_string);
}

bool Pool::AdmitsHost(const std::vector<HostId>& reported, std::string_view peer) const {
  if (hostids.empty()) return true;
  return std::any_of(hostids.begin(), hostids.end(),
                     [&](const HostId& id) { return id.Admits(reported, peer); });
}

std::string Pool::HostIdText() const {
  std::string out;
  for (const HostId& id : hostids) {
    if (!out.empty()) out += ' ';
    out += id.ToString();
  }
  return out;
}

bool HostId::Admits(const std::vector<HostId>& reported, std::string_view peer) const {
  switch (kind) {
    case Kind::kAny:
    case Kind::kDemo:
      return true;
    case Kind::kInternet:
      return !peer.empty() && InternetMatches(value, peer);
    default:
      break;
  }
  return std::any_of(reported.begin(), reported.end(), [&](const HostId& r) {
    return r.kind == kind && Lower(r.value) == Lower(value);
  });
}

std::optional<HostId> HostId::Parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (EqualsNoCase(text, "ANY")) return HostId{Kind::kAny, ""};
  if (EqualsNoCase(text, "DEMO")) return HostId{Kind::kDemo, ""};
  if (StartsWithNoCase(text, "COMPOSITE=")) {
    if (text.size() == 10) return std::nullopt;
    return HostId{Kind::kComposite, Lower(text.substr(10))};
  }
  if (StartsWithNoCase(text, "INTERNET=")) {
    const std::string_view pattern = text.substr(9);
    const bool ok = std::count(pattern.begin(), pattern.end(), '.') == 3 &&
                    std::all_of(pattern.begin(), pattern.end(), [](unsigned char c) {
                      return std::isdigit(c) != 0 || c == '.' || c == '*';
                    });
    if (!ok) return std::nullopt;
    return HostId{Kind::kInternet, std::string(pattern)};
  }
  if (StartsWithNoCase(text, "HOSTNAME=")) {
    if (text.size() == 9) return std::nullopt;
    return HostId{Kind::kHostname, std::string(text.substr(9))};
  }
  if (StartsWithNoCase(text, "ID=")) {
    if (text.size() == 3) return std::nullopt;
    return HostId{Kind::kId, std::string(text.substr(3))};
  }
  std::string hex;
  bool only_hex = true;
  for (char c : text) {
    if (IsHex(c)) {
      hex += c;
    } else if (c != '-' && c != ':') {
      only_hex = false;
      break;
    }
  }
  if (only_hex && hex.size() == 12) return HostId{Kind::kEthernet, Lower(hex)};
  if (only_hex && hex.size() == 8 && hex.size() == text.size()) return HostId{Kind::kHex32, Lower(hex)};
  return HostId{Kind::kOther, std::string(text)};
}

std::string HostId::ToString() const {
  switch (kind) {
    case Kind::kAny: return "ANY";
    case Kind::kDemo: return "DEMO";
    case Kind::kComposite: return "COMPOSITE=" + value;
    case Kind::kInternet: return "INTERNET=" + value;
    case Kind::kHostname: return "HOSTNAME=" + value;
    case Kind::kId: return "ID=" + value;
    default: return value;
  }
}

}  // namespace floatlm::licenses
