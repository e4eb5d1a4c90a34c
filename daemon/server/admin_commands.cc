// Privileged commands, from the admin socket or from TCP with the admin token.
// Every request and every refusal is logged with who asked.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>

#include "log/log.h"
#include "server/describe.h"
#include "server/server.h"
#include "store/usage_report.h"

namespace floatlm::server {
namespace {

std::optional<std::uint64_t> ParseId(const std::string& s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<proto::Message> One(proto::Message m) { return {std::move(m)}; }

std::vector<proto::Message> Usage(std::string text) {
  return One(proto::Error{Errc::kBadArgument, std::move(text)});
}

}  // namespace

std::vector<proto::Message> Server::HandleAdminSocketRequest(const proto::Message& request,
                                                             const admin::PeerCredentials& peer) {
  const std::string who = "socket " + peer.Describe();
  if (const auto* st = std::get_if<proto::Status>(&request)) {
    return ChunkedText(RenderStatus(st->feature, st->format == 1));
  }
  const auto* cmd = std::get_if<proto::Admin>(&request);
  if (!cmd) {
    return One(proto::Error{Errc::kUnknownMessage, "the admin socket takes ADMIN and STATUS requests"});
  }
  if (!admin::IsAdmin(peer)) {
    FLOATLM_LOG(kWarn, "admin.refused", "command={} by=\"{}\" reason=\"not root, not the daemon user, not in group {}\"",
                cmd->command, who, admin::kAdminGroup);
    return One(proto::Error{Errc::kPermissionDenied,
                            fmt::format("permission denied: admin commands need root or "
                                        "membership of the group '{}'",
                                        admin::kAdminGroup)});
  }
  return ExecuteAdmin(*cmd, who);
}

std::vector<proto::Message> Server::HandleAdminOverTcp(const proto::Admin& cmd, const ClientContext& ctx) {
  const std::string who = fmt::format("tcp peer={} user={} host={}", ctx.who.peer, ctx.who.user,
                                      ctx.who.host);
  if (!admin_token_) {
    FLOATLM_LOG(kWarn, "admin.refused", "command={} by=\"{}\" reason=\"no admin token configured\"",
                cmd.command, who);
    return One(proto::Error{Errc::kPermissionDenied,
                            "permission denied: this daemon accepts admin commands only on its "
                            "admin socket (no --admin-token-file)"});
  }
  if (!admin_token_->Matches(cmd.token)) {
    FLOATLM_LOG(kWarn, "admin.refused", "command={} by=\"{}\" reason=\"{}\"", cmd.command, who,
                cmd.token.empty() ? "no token" : "wrong token");
    return One(proto::Error{Errc::kPermissionDenied,
                            cmd.token.empty() ? "permission denied: no admin token given"
                                              : "permission denied: wrong admin token"});
  }
  return ExecuteAdmin(cmd, who);
}

std::vector<proto::Message> Server::ExecuteAdmin(const proto::Admin& cmd, const std::string& who) {
  FLOATLM_LOG(kInfo, "admin.request", "command={} args=\"{}\" by=\"{}\"", cmd.command,
              fmt::join(cmd.args, " "), who);
  const auto now = CurrentNow();
  const auto& a = cmd.args;

  if (cmd.command == "reread") {
    auto result = Reread();
    return One(result.ok ? proto::Message(proto::Ok{0, result.text})
                         : proto::Message(proto::Error{Errc::kRereadFailed, result.text}));
  }

  if (cmd.command == "down") {
    // Reply first, then stop: the post runs after this reply is queued.
    asio::post(io_, [this] { Stop(); });
    return One(proto::Ok{0, fmt::format("floatlmd is stopping; {} lease(s) are kept for reattach",
                                        engine_->lease_count())});
  }

  if (cmd.command == "remove") {
    std::vector<engine::LeaseId> ids;
    if (a.size() == 2 && a[0] == "--lease") {
      auto id = ParseId(a[1]);
      if (!id) return Usage(fmt::format("remove --lease: '{}' is not a lease id", a[1]));
      ids.push_back(*id);
    } else if (a.size() == 3) {
      for (const auto& pool : engine_->Snapshot(now)) {
        if (pool.spec->feature != a[0]) continue;
        for (const auto& seat : pool.seats) {
          for (const auto& l : seat.leases) {
            if (l.who.user == a[1] && l.who.host == a[2]) ids.push_back(l.id);
          }
        }
      }
      if (ids.empty()) {
        return One(proto::Error{Errc::kNoSuchLease, fmt::format("no lease of {} is held by user "
                                                                "{} on host {}",
                                                                a[0], a[1], a[2])});
      }
    } else {
      return Usage("usage: remove FEATURE USER HOST | remove --lease ID");
    }
    std::string text;
    for (auto id : ids) {
      const auto lease = engine_->FindLease(id);
      if (engine_->Remove(id, now) != Errc::kOk || !lease) {
        return One(proto::Error{Errc::kNoSuchLease, fmt::format("lease {} does not exist", id)});
      }
      FLOATLM_LOG(kInfo, "lease.removed", "lease={} feature={} user={} host={} by=\"{}\"", id,
                  lease->feature, lease->who.user, lease->who.host, who);
      text += fmt::format("removed lease {} ({} held by {}@{})\n", id, lease->feature,
                          lease->who.user, lease->who.host);
    }
    DispatchEvents();
    return One(proto::Ok{ids.size(), text});
  }

  if (cmd.command == "report") return Report(a);

  if (cmd.command == "assign" || cmd.command == "unassign") {
    if (a.size() != 2) return Usage(fmt::format("usage: {} FEATURE USER", cmd.command));
    std::string message;
    const bool assign = cmd.command == "assign";
    const Errc rc = assign ? engine_->Assign(a[0], a[1], now, &message)
                           : engine_->Unassign(a[0], a[1], now, &message);
    if (rc != Errc::kOk) {
      return One(proto::Error{rc, message.empty() ? std::string(ErrcName(rc)) : message});
    }
    if (assign) {
      recorder_->Assigned(a[0], a[1], now.wall);
    } else {
      recorder_->Unassigned(a[0], a[1], now.wall);
    }
    FLOATLM_LOG(kInfo, assign ? "user.assigned" : "user.unassigned", "feature={} user={} by=\"{}\"",
                a[0], a[1], who);
    DispatchEvents();  // an unassign ends the user's leases
    Flush();
    return One(proto::Ok{1, message.empty() ? fmt::format("{} {} {} {}", assign ? "assigned" : "unassigned",
                                                          a[0], assign ? "to" : "from", a[1])
                                            : message});
  }

  if (cmd.command == "cloud-list") {
    if (a.size() != 1) return Usage("usage: cloud list COLLECTION");
    const auto slots = engine_->CloudSlots(a[0]);
    int limit = -1;
    for (const auto& pool : engine_->Snapshot(now)) {
      if (pool.collection && pool.collection->name == a[0]) {
        limit = (limit < 0 ? 0 : limit) + pool.total * pool.collection->cloud_users_per_seat;
      }
    }
    if (limit < 0) {
      return One(proto::Error{Errc::kNoSuchFeature, fmt::format("no collection named '{}'", a[0])});
    }
    std::string text = fmt::format("cloud-user slots of {}: {} of {} used\n", a[0], slots.size(), limit);
    for (const auto& slot : slots) {
      text += fmt::format("  {}  since {}\n", slot.user, FormatWallTime(slot.since));
    }
    return One(proto::Ok{slots.size(), text});
  }

  if (cmd.command == "cloud-release") {
    if (a.size() != 2) return Usage("usage: cloud release COLLECTION USER");
    const Errc rc = engine_->ReleaseCloudSlot(a[0], a[1], now);
    if (rc == Errc::kNoSuchFeature) {
      return One(proto::Error{rc, fmt::format("no collection named '{}'", a[0])});
    }
    if (rc != Errc::kOk) {
      return One(proto::Error{rc, fmt::format("{} holds no cloud-user slot of {}", a[1], a[0])});
    }
    recorder_->CloudSlotReleased(a[0], a[1], now.wall);
    FLOATLM_LOG(kInfo, "cloud.slot_released", "collection={} user={} by=\"{}\"", a[0], a[1], who);
    DispatchEvents();
    Flush();
    return One(proto::Ok{1, fmt::format("released {}'s cloud-user slot of {}", a[1], a[0])});
  }

  FLOATLM_LOG(kWarn, "admin.unknown_command", "command={} by=\"{}\"", cmd.command, who);
  return Usage(fmt::format("unknown admin command '{}' (known: remove, reread, down, report, assign, unassign, cloud-list, cloud-release)",
                           cmd.command));
}

}  // namespace floatlm::server

namespace floatlm::server {

// report SINCE_MS UNTIL_MS text|csv: the usage report over [SINCE, UNTIL) from the journal.
// Entries from a week before SINCE are read too, so leases that began earlier are clipped
// rather than lost.
std::vector<proto::Message> Server::Report(const std::vector<std::string>& args) {
  if (args.size() != 3 || (args[2] != "text" && args[2] != "csv")) {
    return Usage("usage: report SINCE_MS UNTIL_MS text|csv");
  }
  const auto from = ParseId(args[0]);
  const auto to = ParseId(args[1]);
  // Bounded so that the look-back below cannot overflow.
  constexpr std::uint64_t kLatest = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
  if (!from || !to || *from >= *to || *to > kLatest) {
    return Usage("report: SINCE must be before UNTIL, both Unix milliseconds before year 10000");
  }
  // Pending changes first, so the report sees everything acknowledged so far.
  Flush();
  constexpr store::UnixMillis kLookBack = 7LL * 24 * 3600 * 1000;
  std::vector<store::JournalEntry> entries;
  const auto since = static_cast<store::UnixMillis>(*from);
  const auto until = static_cast<store::UnixMillis>(*to);
  if (auto st = store_->ReadJournal(since - kLookBack, until, &entries); !st.ok()) {
    return One(proto::Error{Errc::kStoreUnavailable, st.message()});
  }
  const auto report = store::ComputeReport(entries, since, until);
  return ChunkedText(args[2] == "csv" ? store::RenderReportCsv(report)
                                      : store::RenderReportText(report));
}

}  // namespace floatlm::server
