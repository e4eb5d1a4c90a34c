// The privileged commands an ADMIN request may carry, parsed and checked into typed
// values before anything runs. Pure: no I/O, no engine, no clock. The server executes
// what this accepts (admin_commands.cc); the fuzz targets run the same parser.
// Authentication (admin_auth.h) happens before parsing, so a refused caller learns
// nothing about argument rules.
//
// Every accepted request keeps these bounds, whatever the input:
//  - names (feature, user, host, collection) are non-empty and at most proto::kMaxName
//    bytes; any other byte is allowed, since user and host names are the client's word;
//  - lease ids are > 0 (the engine never hands out 0);
//  - a report's 0 <= since < until <= kLatestReportMillis, so the journal look-back
//    before `since` cannot overflow.
// Anything else is a proto::Error with code bad_argument and a message that says what
// was wrong and how the command is spelled; values from the request are quoted cut to
// a few dozen bytes with control bytes escaped.
#ifndef FLOATLM_DAEMON_SERVICE_ADMIN_REQUEST_H_
#define FLOATLM_DAEMON_SERVICE_ADMIN_REQUEST_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "floatlm/proto/messages.h"
#include "store/records.h"

namespace floatlm::server {

// 9999-12-31T23:59:59.999Z in Unix milliseconds: the latest a report may reach.
inline constexpr store::UnixMillis kLatestReportMillis = 253'402'300'799'999;

namespace admin_cmd {

struct RemoveLease {  // remove --lease ID
  std::uint64_t lease = 0;
  bool operator==(const RemoveLease&) const = default;
};
// remove FEATURE USER HOST [DISPLAY]: every lease of FEATURE that USER holds on HOST (on
// that DISPLAY only when given, as lmremove's four-argument form).
struct RemoveHeld {
  std::string feature, user, host;
  std::optional<std::string> display;
  bool operator==(const RemoveHeld&) const = default;
};
// reread: apply new files only if every line of them is accepted; reread --partial: apply
// the accepted lines if that ends no lease; reread --dry-run: say what would change.
enum class RereadMode { kApply, kPartial, kDryRun };
struct Reread {  // reread [--partial | --dry-run]
  RereadMode mode = RereadMode::kApply;
  bool operator==(const Reread&) const = default;
};
struct Down {  // down
  bool operator==(const Down&) const = default;
};
struct Report {  // report SINCE_MS UNTIL_MS text|csv: usage over [since, until)
  store::UnixMillis since = 0;
  store::UnixMillis until = 0;
  bool csv = false;
  bool operator==(const Report&) const = default;
};
struct Assign {  // assign FEATURE USER
  std::string feature, user;
  bool operator==(const Assign&) const = default;
};
struct Unassign {  // unassign FEATURE USER
  std::string feature, user;
  bool operator==(const Unassign&) const = default;
};
struct CloudList {  // cloud-list COLLECTION
  std::string collection;
  bool operator==(const CloudList&) const = default;
};
struct CloudRelease {  // cloud-release COLLECTION USER
  std::string collection, user;
  bool operator==(const CloudRelease&) const = default;
};
struct CloudReleaseAll {  // cloud-release-all collection NAME | cloud-release-all user NAME
  bool by_user = false;   // true: NAME is a user, released from every collection
  std::string name;
  bool operator==(const CloudReleaseAll&) const = default;
};
struct Backup {  // backup: a hot copy of the state database into <state>/backups/
  bool operator==(const Backup&) const = default;
};

}  // namespace admin_cmd

using AdminRequest =
    std::variant<admin_cmd::RemoveLease, admin_cmd::RemoveHeld, admin_cmd::Reread, admin_cmd::Down,
                 admin_cmd::Report, admin_cmd::Assign, admin_cmd::Unassign, admin_cmd::CloudList,
                 admin_cmd::CloudRelease, admin_cmd::CloudReleaseAll, admin_cmd::Backup>;

// The request, or why it cannot run. The token is not looked at.
std::variant<AdminRequest, proto::Error> ParseAdminRequest(const proto::Admin& cmd);

// The command words ParseAdminRequest knows: "remove", "reread", "down", "report",
// "assign", "unassign", "cloud-list", "cloud-release", "cloud-release-all", "backup".
std::span<const std::string_view> AdminCommandNames();
bool IsAdminCommand(std::string_view command);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_ADMIN_REQUEST_H_
