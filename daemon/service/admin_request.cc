#include "service/admin_request.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <optional>
#include <vector>

namespace floatlm::server {
namespace {

constexpr std::array<std::string_view, 10> kCommands = {
    "remove",     "reread",        "down",
    "report",     "assign",        "unassign",
    "cloud-list", "cloud-release", "cloud-release-all",
    "backup"};

// A value from the request, fit for a one-line message: at most kQuoteBytes of it, and
// every byte outside printable ASCII written as \xNN (the CLI prints the message on a
// terminal; the log puts it between quotes).
constexpr std::size_t kQuoteBytes = 40;
std::string Quote(std::string_view s) {
  std::string out = "'";
  for (const char c : s.substr(0, kQuoteBytes)) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b > 0x7e || c == '\'' || c == '\\') {
      out += fmt::format("\\x{:02x}", b);
    } else {
      out += c;
    }
  }
  out += s.size() > kQuoteBytes ? "'..." : "'";
  return out;
}

proto::Error Bad(std::string message) {
  return proto::Error{Errc::kBadArgument, std::move(message)};
}

std::optional<std::uint64_t> ParseUnsigned(const std::string& s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Checks that each argument is a usable name; `what` names them in the usage order.
std::optional<proto::Error> CheckNames(std::string_view command,
                                       const std::vector<std::string>& args,
                                       std::initializer_list<std::string_view> what) {
  std::size_t i = 0;
  for (const std::string_view role : what) {
    const std::string& value = args[i++];
    if (value.empty()) return Bad(fmt::format("{}: {} must not be empty", command, role));
    if (value.size() > proto::kMaxName) {
      return Bad(fmt::format("{}: {} {} is longer than {} bytes", command, role, Quote(value),
                             proto::kMaxName));
    }
  }
  return std::nullopt;
}

std::variant<AdminRequest, proto::Error> ParseRemove(const std::vector<std::string>& a) {
  constexpr const char* kUsage = "usage: remove FEATURE USER HOST [DISPLAY] | remove --lease ID";
  if (!a.empty() && a[0] == "--lease") {
    if (a.size() != 2) return Bad(kUsage);
    const auto id = ParseUnsigned(a[1]);
    if (!id) return Bad(fmt::format("remove --lease: {} is not a lease id", Quote(a[1])));
    if (*id == 0) return Bad("remove --lease: lease ids start at 1");
    return admin_cmd::RemoveLease{*id};
  }
  if (a.size() == 4) {
    if (auto error = CheckNames("remove", a, {"FEATURE", "USER", "HOST", "DISPLAY"})) return *error;
    return admin_cmd::RemoveHeld{a[0], a[1], a[2], a[3]};
  }
  if (a.size() != 3) return Bad(kUsage);
  if (auto error = CheckNames("remove", a, {"FEATURE", "USER", "HOST"})) return *error;
  return admin_cmd::RemoveHeld{a[0], a[1], a[2], std::nullopt};
}

std::variant<AdminRequest, proto::Error> ParseReport(const std::vector<std::string>& a) {
  if (a.size() != 3 || (a[2] != "text" && a[2] != "csv")) {
    return Bad("usage: report SINCE_MS UNTIL_MS text|csv");
  }
  const auto since = ParseUnsigned(a[0]);
  const auto until = ParseUnsigned(a[1]);
  constexpr auto kLatest = static_cast<std::uint64_t>(kLatestReportMillis);
  if (!since || !until || *since >= *until || *until > kLatest) {
    return Bad("report: SINCE must be before UNTIL, both Unix milliseconds before year 10000");
  }
  return admin_cmd::Report{static_cast<store::UnixMillis>(*since),
                           static_cast<store::UnixMillis>(*until), a[2] == "csv"};
}

}  // namespace

std::span<const std::string_view> AdminCommandNames() { return kCommands; }

bool IsAdminCommand(std::string_view command) {
  return std::find(kCommands.begin(), kCommands.end(), command) != kCommands.end();
}

std::variant<AdminRequest, proto::Error> ParseAdminRequest(const proto::Admin& cmd) {
  const std::string& c = cmd.command;
  const auto& a = cmd.args;
  if (c == "remove") return ParseRemove(a);
  if (c == "report") return ParseReport(a);
  if (c == "reread") {
    if (a.empty()) return admin_cmd::Reread{};
    if (a.size() == 1 && a[0] == "--partial") return admin_cmd::Reread{admin_cmd::RereadMode::kPartial};
    if (a.size() == 1 && a[0] == "--dry-run") return admin_cmd::Reread{admin_cmd::RereadMode::kDryRun};
    return Bad("usage: reread [--partial | --dry-run]");
  }
  if (c == "down" || c == "backup") {
    if (!a.empty()) return Bad(fmt::format("usage: {} (no arguments)", c));
    if (c == "backup") return admin_cmd::Backup{};
    return admin_cmd::Down{};
  }
  if (c == "assign" || c == "unassign") {
    if (a.size() != 2) return Bad(fmt::format("usage: {} FEATURE USER", c));
    if (auto error = CheckNames(c, a, {"FEATURE", "USER"})) return *error;
    if (c == "assign") return admin_cmd::Assign{a[0], a[1]};
    return admin_cmd::Unassign{a[0], a[1]};
  }
  if (c == "cloud-list") {
    if (a.size() != 1) return Bad("usage: cloud list COLLECTION");
    if (auto error = CheckNames("cloud list", a, {"COLLECTION"})) return *error;
    return admin_cmd::CloudList{a[0]};
  }
  if (c == "cloud-release") {
    if (a.size() != 2) return Bad("usage: cloud release COLLECTION USER");
    if (auto error = CheckNames("cloud release", a, {"COLLECTION", "USER"})) return *error;
    return admin_cmd::CloudRelease{a[0], a[1]};
  }
  if (c == "cloud-release-all") {
    if (a.size() != 2 || (a[0] != "collection" && a[0] != "user")) {
      return Bad("usage: cloud release COLLECTION --all | cloud release --user USER");
    }
    const bool by_user = a[0] == "user";
    if (auto error = CheckNames("cloud release", {a[1]}, {by_user ? "USER" : "COLLECTION"})) {
      return *error;
    }
    return admin_cmd::CloudReleaseAll{by_user, a[1]};
  }
  return Bad(
      fmt::format("unknown admin command {} (known: {})", Quote(c), fmt::join(kCommands, ", ")));
}

}  // namespace floatlm::server
