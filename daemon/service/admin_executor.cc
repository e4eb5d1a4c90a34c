#include "service/admin_executor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

#include "engine/labels.h"
#include "log/log.h"
#include "render/report_render.h"
#include "service/daemon_core.h"
#include "store/usage_report.h"

namespace floatlm::server {
namespace {

std::vector<proto::Message> One(proto::Message m) { return {std::move(m)}; }

long long MillisSince(const CoreHost& host, engine::MonoTime began) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(host.Elapsed() - began).count();
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

std::vector<proto::Message> AdminExecutor::FromSocket(const proto::Message& request,
                                                      const AdminTarget& target,
                                                      const admin::PeerCredentials& peer,
                                                      const engine::Now& now) {
  const std::string who = "socket " + peer.Describe();
  if (const auto* st = std::get_if<proto::Status>(&request)) {
    // The admin socket's answer is sent whole: its peer is the daemon's own admin.
    return ChunkedText(DrainStream(*core_.RenderStatus(st->feature, st->format == 1, now)));
  }
  const auto* cmd = std::get_if<proto::Admin>(&request);
  if (!cmd) {
    return One(
        proto::Error{Errc::kUnknownMessage, "the admin socket takes ADMIN and STATUS requests"});
  }
  if (!admin::IsAdmin(peer)) {
    FLOATLM_LOG(kWarn, "admin.refused",
                "command={} by=\"{}\" reason=\"not root, not the daemon user, not in group {}\"",
                cmd->command, who, admin::kAdminGroup);
    return One(proto::Error{Errc::kPermissionDenied,
                            fmt::format("permission denied: admin commands need root or "
                                        "membership of the group '{}'",
                                        admin::kAdminGroup)});
  }
  return Execute(*cmd, target, who, now);
}

std::vector<proto::Message> AdminExecutor::FromClientPort(const proto::Admin& cmd,
                                                          const AdminTarget& target,
                                                          const ClientContext& ctx,
                                                          const engine::Now& now) {
  const std::string who = fmt::format("{} peer={} user={} host={}", ctx.tls ? "tls" : "tcp",
                                      ctx.who.peer, ctx.who.user, ctx.who.host);
  // Whatever the token's worth, it must not travel in the clear: refusing it here makes
  // a client that sends it learn so at once, rather than after someone copied it.
  if (!ctx.tls && !cmd.token.empty()) {
    FLOATLM_LOG(kWarn, "admin.refused",
                "command={} by=\"{}\" reason=\"admin token over plain TCP\"", cmd.command, who);
    return One(proto::Error{Errc::kPermissionDenied,
                            "admin token over an unencrypted connection; use TLS or the admin "
                            "socket"});
  }
  if (!core_.admin_token_) {
    FLOATLM_LOG(kWarn, "admin.refused", "command={} by=\"{}\" reason=\"no admin token configured\"",
                cmd.command, who);
    return One(proto::Error{Errc::kPermissionDenied,
                            "permission denied: this daemon accepts admin commands only on its "
                            "admin socket (no --admin-token-file)"});
  }
  if (!core_.admin_token_->Matches(cmd.token)) {
    FLOATLM_LOG(kWarn, "admin.refused", "command={} by=\"{}\" reason=\"{}\"", cmd.command, who,
                cmd.token.empty() ? "no token" : "wrong token");
    return One(proto::Error{Errc::kPermissionDenied, cmd.token.empty()
                                                         ? "permission denied: no admin token given"
                                                         : "permission denied: wrong admin token"});
  }
  return Execute(cmd, target, who, now);
}

std::vector<proto::Message> AdminExecutor::Execute(const proto::Admin& cmd,
                                                   const AdminTarget& target,
                                                   const std::string& who, const engine::Now& now) {
  FLOATLM_LOG(kInfo, "admin.request", "command={} args=\"{}\" by=\"{}\"", cmd.command,
              fmt::join(cmd.args, " "), who);
  auto parsed = ParseAdminRequest(cmd);
  if (auto* error = std::get_if<proto::Error>(&parsed)) {
    if (IsAdminCommand(cmd.command)) {
      FLOATLM_LOG(kWarn, "admin.bad_arguments", "command={} by=\"{}\" reason=\"{}\"", cmd.command,
                  who, error->message);
    } else {
      FLOATLM_LOG(kWarn, "admin.unknown_command", "command={} by=\"{}\"", cmd.command, who);
    }
    return One(std::move(*error));
  }
  return std::visit(
      Overloaded{
          [&](const admin_cmd::Reread& r) {
            auto result = core_.Reread(r.mode, now);
            return One(result.ok ? proto::Message(proto::Ok{0, result.text})
                                 : proto::Message(proto::Error{Errc::kRereadFailed, result.text}));
          },
          [&](const admin_cmd::Down&) {
            // The shell stops after this turn, once the reply has been handed over.
            core_.host_.StopRequested();
            return One(
                proto::Ok{0, fmt::format("floatlmd is stopping; {} lease(s) are kept for reattach",
                                         core_.engine_->lease_count())});
          },
          [&](const admin_cmd::RemoveLease& r) { return RemoveLeases({r.lease}, who, now); },
          [&](const admin_cmd::RemoveHeld& r) { return RemoveHeld(r, who, now); },
          [&](const admin_cmd::Report& r) { return Report(r, target, now); },
          [&](const admin_cmd::Backup&) { return Backup(target, who, now); },
          [&](const admin_cmd::Assign& r) { return AssignUser(r.feature, r.user, true, who, now); },
          [&](const admin_cmd::Unassign& r) {
            return AssignUser(r.feature, r.user, false, who, now);
          },
          [&](const admin_cmd::CloudList& r) { return CloudList(r.collection, now); },
          [&](const admin_cmd::CloudRelease& r) { return ReleaseCloudSlot(r, who, now); },
          [&](const admin_cmd::CloudReleaseAll& r) { return ReleaseCloudSlots(r, who, now); },
      },
      std::get<AdminRequest>(parsed));
}

std::vector<proto::Message> AdminExecutor::RemoveHeld(const admin_cmd::RemoveHeld& r,
                                                      const std::string& who,
                                                      const engine::Now& now) {
  std::vector<engine::LeaseId> ids;
  for (const auto& pool : core_.engine_->Snapshot(now)) {
    for (const auto& seat : pool.seats) {
      for (const auto& l : seat.leases) {
        // A product on a collection seat is removed by its own name too.
        if (l.feature != r.feature && pool.spec->feature != r.feature) continue;
        if (l.who.user != r.user || l.who.host != r.host) continue;
        if (r.display && l.who.display != *r.display) continue;
        ids.push_back(l.id);
      }
    }
  }
  if (ids.empty()) {
    return One(proto::Error{
        Errc::kNoSuchLease,
        fmt::format("no lease of {} is held by user {} on host {}{}", r.feature, r.user, r.host,
                    r.display ? " with display " + *r.display : std::string())});
  }
  return RemoveLeases(ids, who, now);
}

std::vector<proto::Message> AdminExecutor::ReleaseCloudSlot(const admin_cmd::CloudRelease& r,
                                                            const std::string& who,
                                                            const engine::Now& now) {
  const engine::AdminResult result = core_.engine_->ReleaseCloudSlot(r.collection, r.user, now);
  if (const auto* denial = std::get_if<engine::Denial>(&result)) {
    return One(proto::Error{denial->code, denial->message});
  }
  SlotReleased(r.collection, r.user, who, now);
  core_.DispatchEvents(now);
  return One(proto::Ok{1, std::get<engine::Done>(result).message});
}

std::vector<proto::Message> AdminExecutor::RemoveLeases(const std::vector<engine::LeaseId>& ids,
                                                        const std::string& who,
                                                        const engine::Now& now) {
  std::string text;
  for (auto id : ids) {
    const auto lease = core_.engine_->FindLease(id);
    const engine::AdminResult result = core_.engine_->Remove(id, now);
    if (const auto* denial = std::get_if<engine::Denial>(&result)) {
      return One(proto::Error{denial->code, denial->message});
    }
    FLOATLM_LOG(kInfo, "lease.removed", "lease={} feature={} user={} host={} by=\"{}\"", id,
                lease->feature, lease->who.user, lease->who.host, who);
    text += std::get<engine::Done>(result).message + "\n";
  }
  core_.DispatchEvents(now);
  return One(proto::Ok{ids.size(), text});
}

std::vector<proto::Message> AdminExecutor::AssignUser(const std::string& feature,
                                                      const std::string& user, bool assign,
                                                      const std::string& who,
                                                      const engine::Now& now) {
  auto& engine = *core_.engine_;
  const engine::AdminResult result =
      assign ? engine.Assign(feature, user, now) : engine.Unassign(feature, user, now);
  if (const auto* denial = std::get_if<engine::Denial>(&result)) {
    return One(proto::Error{denial->code, denial->message});
  }
  const auto& done = std::get<engine::Done>(result);
  if (done.changed) {
    if (assign) {
      core_.recorder_->Assigned(feature, user, now.wall);
    } else {
      core_.recorder_->Unassigned(feature, user, now.wall);
    }
    FLOATLM_LOG(kInfo, assign ? "user.assigned" : "user.unassigned", "feature={} user={} by=\"{}\"",
                feature, user, who);
  }
  core_.DispatchEvents(now);  // an unassign ends the user's leases
  return One(proto::Ok{done.changed ? 1u : 0u, done.message});
}

void AdminExecutor::SlotReleased(const std::string& collection, const std::string& user,
                                 const std::string& who, const engine::Now& now) {
  core_.recorder_->CloudSlotReleased(collection, user, now.wall);
  FLOATLM_LOG(kInfo, "cloud.slot_released", "collection={} user={} by=\"{}\"", collection, user,
              who);
}

std::vector<proto::Message> AdminExecutor::ReleaseCloudSlots(const admin_cmd::CloudReleaseAll& r,
                                                             const std::string& who,
                                                             const engine::Now& now) {
  std::vector<engine::CloudSlotView> slots;
  if (r.by_user) {
    for (const licenses::Package& package : core_.engine_->model().packages) {
      for (auto& slot : core_.engine_->CloudSlots(package.name)) {
        if (slot.user == r.name) slots.push_back(std::move(slot));
      }
    }
    if (slots.empty()) {
      return One(
          proto::Error{Errc::kNoSuchLease,
                       fmt::format("{} holds no cloud-user slot of any collection", r.name)});
    }
  } else {
    if (!core_.engine_->IsCollection(r.name)) {
      return One(
          proto::Error{Errc::kNoSuchFeature, fmt::format("no collection named '{}'", r.name)});
    }
    slots = core_.engine_->CloudSlots(r.name);
  }
  std::string text;
  std::size_t released = 0;
  for (const auto& slot : slots) {
    const engine::AdminResult result =
        core_.engine_->ReleaseCloudSlot(slot.collection, slot.user, now);
    if (!std::holds_alternative<engine::Done>(result)) continue;
    SlotReleased(slot.collection, slot.user, who, now);
    text += std::get<engine::Done>(result).message + "\n";
    ++released;
  }
  if (released == 0) text = fmt::format("no cloud-user slot of {} is taken\n", r.name);
  core_.DispatchEvents(now);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return One(proto::Ok{static_cast<std::uint32_t>(released), std::move(text)});
}

std::vector<proto::Message> AdminExecutor::CloudList(const std::string& collection,
                                                     const engine::Now& now) {
  const auto slots = core_.engine_->CloudSlots(collection);
  int limit = -1;
  for (const auto& pool : core_.engine_->Snapshot(now)) {
    if (pool.collection && pool.collection->name == collection) {
      limit = (limit < 0 ? 0 : limit) + pool.total * pool.collection->cloud_users_per_seat;
    }
  }
  if (limit < 0) {
    return One(
        proto::Error{Errc::kNoSuchFeature, fmt::format("no collection named '{}'", collection)});
  }
  std::string text =
      fmt::format("cloud-user slots of {}: {} of {} used\n", collection, slots.size(), limit);
  for (const auto& slot : slots) {
    text += fmt::format("  {}  since {}\n", slot.user, engine::IsoTime(slot.since));
  }
  return One(proto::Ok{slots.size(), text});
}

std::vector<proto::Message> AdminExecutor::StartJob(AdminJobs::Job job, const engine::Now& now) {
  const std::string what = job.what;
  if (core_.jobs_->Start(std::move(job), now.mono)) return {};
  return One(proto::Error{
      Errc::kTooManyRequests,
      fmt::format("{} refused: {} reports and backups are running or waiting already; try again "
                  "when they are done",
                  what, AdminJobs::kMaxJobs)});
}

// The usage report over [since, until) from the journal. Entries from a week before
// `since` are read too, so leases that began earlier are clipped rather than lost; the
// parser bounds `until`, so the look-back cannot overflow. The scan and the arithmetic
// run on the admin worker; only the commit before it runs here.
std::vector<proto::Message> AdminExecutor::Report(const admin_cmd::Report& r,
                                                  const AdminTarget& target,
                                                  const engine::Now& now) {
  // Pending changes first, so the report sees everything acknowledged so far, and the
  // denials counted but not yet written.
  core_.handler_->FlushDenials(now);
  core_.Commit();
  constexpr store::UnixMillis kLookBack = 7LL * 24 * 3600 * 1000;
  struct Result {
    store::Status status;
    std::string text;
    std::uint64_t entries = 0;
  };
  auto result = std::make_shared<Result>();
  store::LeaseStore* store = core_.store_.get();
  // Leases still held count up to now, not to the end of a range that lies ahead.
  const store::UnixMillis now_ms = ToUnixMillis(now.wall);
  const store::UnixMillis from = r.since - kLookBack;
  AdminJobs::Job job;
  job.what = "report";
  job.target = target;
  job.run = [result, store, from, now_ms, r](const std::atomic<bool>& cancel, ProgressNote& note) {
    store::ReportBuilder builder(r.since, r.until, std::chrono::minutes(0), now_ms);
    store::UnixMillis last = from;  // the time of the latest entry read: how far the scan is
    const double span =
        static_cast<double>(std::max<store::UnixMillis>(1, std::min(r.until, now_ms) - from));
    store::AdminWork work;
    work.cancel = &cancel;
    work.progress = [&](std::uint64_t done, std::uint64_t) {
      const double share = std::clamp(static_cast<double>(last - from) / span, 0.0, 1.0);
      note.Set(fmt::format("report: {} journal entries read, up to {} ({:.0f}%)", done,
                           engine::IsoTime(engine::WallTime(std::chrono::milliseconds(last))),
                           share * 100));
    };
    result->status = store->ScanJournal(
        from, r.until,
        [&](store::JournalEntry& e) {
          last = e.time;
          builder.Add(e);
        },
        work);
    result->entries = builder.entries();
    if (!result->status.ok()) return;
    note.Set(fmt::format("report: {} journal entries read; computing", result->entries));
    const auto report = std::move(builder).Finish();
    result->text = r.csv ? store::RenderReportCsv(report) : store::RenderReportText(report);
  };
  const auto began = core_.host_.Elapsed();
  job.finish = [this, result, began] {
    const auto ms = MillisSince(core_.host_, began);
    if (!result->status.ok()) {
      FLOATLM_LOG(kError, "admin.report_failed", "entries={} ms={} reason=\"{}\"", result->entries,
                  ms, result->status.message());
      return One(proto::Error{Errc::kStoreUnavailable, result->status.message()});
    }
    FLOATLM_LOG(kInfo, "admin.report", "entries={} bytes={} ms={}", result->entries,
                result->text.size(), ms);
    return ChunkedText(result->text);
  };
  return StartJob(std::move(job), now);
}

std::vector<proto::Message> AdminExecutor::Backup(const AdminTarget& target, const std::string& who,
                                                  const engine::Now& now) {
  // Pending changes first, so the copy holds everything acknowledged so far.
  core_.Commit();
  const auto began = core_.host_.Elapsed();
  const auto& config = core_.config_;
  // An absolute path in the reply: the admin's shell is not in the daemon's directory.
  std::error_code abs_ec;
  auto state = std::filesystem::absolute(config.state_dir, abs_ec);
  if (abs_ec) state = config.state_dir;
  const auto dir = state.lexically_normal() / "backups";
  // Owner-only, like the copies it will hold; an existing directory is left as it is.
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    const auto reason =
        fmt::format("{}: {} (backup directory)", dir.string(), std::strerror(errno));
    FLOATLM_LOG(kError, "state.backup_failed", "by=\"{}\" reason=\"{}\"", who, reason);
    return One(proto::Error{Errc::kStoreUnavailable, "backup failed: " + reason});
  }
  // floatlm-20261128T041500Z.db; a second backup within the same second gets -2, -3...
  // (one still being written counts as taken).
  const std::time_t t = std::chrono::system_clock::to_time_t(now.wall);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const auto stem = fmt::format("floatlm-{:04}{:02}{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  auto path = dir / (stem + ".db");
  for (int n = 2;
       (std::filesystem::exists(path) || backups_in_flight_.contains(path.string())) && n < 100;
       ++n) {
    path = dir / fmt::format("{}-{}.db", stem, n);
  }
  struct Result {
    store::Status status;
    store::BackupInfo info;
  };
  auto result = std::make_shared<Result>();
  store::LeaseStore* store = core_.store_.get();
  AdminJobs::Job job;
  job.what = "backup";
  job.target = target;
  job.run = [result, store, path = path.string()](const std::atomic<bool>& cancel,
                                                  ProgressNote& note) {
    store::AdminWork work;
    work.cancel = &cancel;
    work.progress = [&note](std::uint64_t done, std::uint64_t total) {
      note.Set(fmt::format(
          "backup: {} of {} pages copied ({:.0f}%)", done, total,
          total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total)));
    };
    result->status = store->WriteBackup(path, work, &result->info);
  };
  job.finish = [this, result, began, who, path = path.string()] {
    backups_in_flight_.erase(path);
    if (!result->status.ok()) {
      FLOATLM_LOG(kError, "state.backup_failed", "by=\"{}\" reason=\"{}\"", who,
                  result->status.message());
      return One(
          proto::Error{Errc::kStoreUnavailable, "backup failed: " + result->status.message()});
    }
    const auto& info = result->info;
    const auto ms = MillisSince(core_.host_, began);
    FLOATLM_LOG(kInfo, "state.backup", "path={} bytes={} pages={} ms={} by=\"{}\"", path,
                info.bytes, info.pages, ms, who);
    return One(proto::Ok{
        info.bytes,
        fmt::format("backup written: {} ({} KiB, {} ms)\n"
                    "to restore it: stop floatlmd, copy it over {}/floatlm.db, remove any "
                    "floatlm.db-wal beside it, start floatlmd\n",
                    path, (info.bytes + 1023) / 1024, ms, core_.config_.state_dir)});
  };
  auto started = StartJob(std::move(job), now);
  if (started.empty()) backups_in_flight_.insert(path.string());
  return started;
}

}  // namespace floatlm::server
