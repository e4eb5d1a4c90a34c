#include "service/daemon_core.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "config/file_permissions.h"
#include "engine/labels.h"
#include "log/log.h"
#include "render/status_render.h"
#include "service/admin_executor.h"
#include "service/event_record.h"
#include "service/state_restore.h"
#include "token/reattach_token.h"

namespace floatlm::server {
namespace {

using namespace std::chrono_literals;

// Leases (and waiters) ended per sweep. When more lapse at once (a restart's unclaimed
// leases, a crashed client with thousands), the rest end in the sweeps that follow, with
// clients served in between: about a millisecond of work per sweep.
constexpr std::size_t kEndsPerTurn = 64;

long long MillisBetween(engine::MonoTime from, engine::MonoTime to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

engine::EngineConfig MakeEngineConfig(const config::DaemonConfig& c) {
  engine::EngineConfig ec;
  ec.ttl = c.lease_ttl;
  ec.reattach_window = c.reattach_window;
  ec.max_queue_per_user = c.max_waiters_per_user;
  ec.max_queue_per_address = c.max_waiters_per_address;
  if (c.cloud_slot_idle_days > 0) {
    ec.cloud_slot_idle =
        std::chrono::duration_cast<engine::Millis>(std::chrono::days(c.cloud_slot_idle_days));
  }
  ec.token_source = token::New;
  return ec;
}

// The pools a reread adds, removes and changes, one line each.
std::string PoolChanges(const engine::ReloadReport& report) {
  std::string text;
  for (const auto& a : report.added) text += "added:   " + a + "\n";
  for (const auto& r : report.removed) text += "removed: " + r + "\n";
  for (const auto& c : report.changed) text += "changed: " + c + "\n";
  return text;
}

std::string LeaseLines(const std::vector<engine::LeaseView>& leases, std::string_view verb) {
  std::string text;
  for (const auto& lease : leases) {
    text += fmt::format("  {}: lease {} of {} held by {}@{}\n", verb, lease.id, lease.feature,
                        lease.who.user, lease.who.host);
  }
  return text;
}

}  // namespace

LicenseLoader LoadFromConfig(const config::DaemonConfig& config) {
  return [config](const licenses::SignatureDigests& known, bool reread) {
    if (reread) config::WarnAboutPermissions(config, config::PermissionScope::kReread);
    return LoadLicenseSet(config.license_files, config.vendor_keys_dir, config.options_file, &known,
                          config.strict_options);
  };
}

DaemonCore::DaemonCore(const config::DaemonConfig& config, std::unique_ptr<store::LeaseStore> store,
                       LicenseLoader load, CoreHost& host, const engine::Now& now,
                       CoreOptions options)
    : config_(config),
      host_(host),
      load_(std::move(load)),
      admin_token_(std::move(options.admin_token)),
      started_(now.wall),
      store_(std::move(store)) {
  // The store first: it remembers which license signatures verified before.
  std::vector<std::string> digests;
  if (auto st = store_->LoadSignatureDigests(&digests); !st.ok()) {
    throw std::runtime_error(st.message());
  }
  known_signatures_ = licenses::SignatureDigests(std::make_move_iterator(digests.begin()),
                                                 std::make_move_iterator(digests.end()));
  auto set = load_(known_signatures_, false);
  if (!set.error.empty()) throw std::runtime_error(set.error);
  if (set.policy) {
    FLOATLM_LOG(kInfo, "options.loaded", "file={} from=\"{}\" rules={} skipped_lines={}",
                set.options_file, set.options_origin, set.policy->rule_count(),
                set.option_skipped.size());
  }
  FLOATLM_LOG(kInfo, "license.loaded",
              "pools={} packages={} rejected={} signatures_checked={} signatures_remembered={}",
              set.model.pools.size(), set.model.packages.size(), set.model.rejected.size(),
              set.signatures_checked, set.signatures_remembered);
  RememberSignatures(std::move(set.verified));
  engine::EngineConfig ec = MakeEngineConfig(config_);
  HandlerSettings hs;
  hs.ttl = config_.lease_ttl;
  hs.reattach_window = config_.reattach_window;
  hs.status_allowed = config_.status_on_client_port;
  hs.max_checkouts_per_second = config_.max_checkouts_per_second;
  if (options.tune) options.tune(ec, hs);
  engine_ = std::make_unique<engine::SeatEngine>(std::move(set.model), std::move(ec),
                                                 std::move(set.policy));
  WarnAboutNamedOverLimit(now);
  recorder_ = std::make_unique<StateRecorder>(*engine_);
  Restore(now);
  admin_ = std::make_unique<AdminExecutor>(*this);
  jobs_ =
      std::make_unique<AdminJobs>([this](std::function<void()> fn) { host_.Post(std::move(fn)); },
                                  [this](const AdminTarget& target, const std::string& frames,
                                         bool last) { DeliverJobFrames(target, frames, last); });
  handler_ = std::make_unique<RequestHandler>(
      *engine_, *recorder_, hs,
      [this](const std::string& feature, bool json, const engine::Now& at) {
        return RenderStatus(feature, json, at);
      },
      [this](const proto::Admin& cmd, std::uint32_t request_id, const ClientContext& ctx,
             const engine::Now& at) {
        return admin_->FromClientPort(cmd, AdminTarget{request_id, ctx.id, {}, {}}, ctx, at);
      });
  WarnAboutExpiry(now);
  next_second_ = now.mono + 1s;
}

DaemonCore::~DaemonCore() = default;

void DaemonCore::RememberSignatures(licenses::SignatureDigests verified) {
  if (verified == known_signatures_) return;
  const std::vector<std::string> digests(verified.begin(), verified.end());
  if (auto st = store_->ReplaceSignatureDigests(digests); !st.ok()) {
    // Only a cost: the next start checks every signature again.
    FLOATLM_LOG(kWarn, "license.signatures_not_saved", "reason=\"{}\"", st.message());
  }
  known_signatures_ = std::move(verified);
}

void DaemonCore::Restore(const engine::Now& now) {
  const auto began = host_.Elapsed();
  store::StoredState state;
  if (auto st = store_->Load(&state); !st.ok()) throw std::runtime_error(st.message());
  const auto read = host_.Elapsed();
  const auto highest = state.highest_lease_id;
  const auto report = RestoreStoredState(*engine_, std::move(state), now);
  const auto placed = host_.Elapsed();
  for (const auto& [lease, why] : report.dropped) {
    FLOATLM_LOG(kWarn, "lease.not_restored", "lease={} feature={} user={} host={} reason=\"{}\"",
                lease.id, lease.feature, lease.who.user, lease.who.host, why);
    recorder_->Ended(lease, Errc::kPoolRemoved, why, now.wall);
  }
  recorder_->Server(store::JournalEvent::kStart,
                    fmt::format("floatlmd {} started; {} lease(s) restored, {} dropped",
                                FLOATLM_VERSION, report.restored, report.dropped.size()),
                    now.wall);
  if (auto st = store_->Commit(recorder_->batch()); !st.ok())
    throw std::runtime_error(st.message());
  recorder_->Clear();
  // ms: reading the stored state and putting the leases back; read_ms (every table
  // read), engine_ms (the seat engine placing the leases). The store's open is timed by
  // the shell (state.opened).
  FLOATLM_LOG(kInfo, "state.restored",
              "db={}/floatlm.db leases={} dropped={} highest_lease_id={} ms={} read_ms={} "
              "engine_ms={}",
              config_.state_dir, report.restored, report.dropped.size(), highest,
              MillisBetween(began, host_.Elapsed()), MillisBetween(began, read),
              MillisBetween(read, placed));
}

void DaemonCore::Connect(ClientContext& ctx) { clients_[ctx.id] = &ctx; }

void DaemonCore::Disconnect(engine::ClientId id, std::string_view why, const engine::Now& now) {
  const auto it = clients_.find(id);
  if (it == clients_.end()) return;
  FLOATLM_LOG(kDebug, "client.closed", "client={} user={} host={} reason=\"{}\"", id,
              it->second->who.user, it->second->who.host, why);
  clients_.erase(it);
  engine_->Disconnect(id, now);
  handler_->ClientGone(id, now);
  DispatchEvents(now);
  if (!recorder_->empty()) host_.ScheduleCommit();
}

RequestHandler::After DaemonCore::HandleFrame(ClientContext& ctx,
                                              std::span<const std::uint8_t> body,
                                              const engine::Now& now, std::string& replies) {
  auto decoded = proto::DecodeBody(body);
  RequestHandler::After after;
  if (auto* err = std::get_if<proto::DecodeError>(&decoded)) {
    FLOATLM_LOG(kWarn, "client.bad_request", "peer={} client={} code={} reason=\"{}\"",
                ctx.who.peer, ctx.id, ErrcName(err->code), err->message);
    after = handler_->HandleDecodeError(*err, replies);
    ctx.replies = ClientContext::Replies::kOther;
  } else {
    const auto& request = std::get<proto::Decoded>(decoded);
    const bool heartbeat = std::holds_alternative<proto::Heartbeat>(request.msg);
    after = handler_->Handle(ctx, request, now, replies);
    if (!heartbeat) {
      ctx.replies = ClientContext::Replies::kOther;
    } else if (ctx.replies == ClientContext::Replies::kNone) {
      ctx.replies = ClientContext::Replies::kHeartbeats;
    }
  }
  // The request's own changes (a grant, a checkin) and those it caused for others.
  DispatchEvents(now);
  return after;
}

void DaemonCore::HandleAdminFrame(std::span<const std::uint8_t> body,
                                  const admin::PeerCredentials& peer, const engine::Now& now,
                                  AdminReply reply, AdminReply progress) {
  std::string frames;
  auto decoded = proto::DecodeBody(body);
  if (auto* err = std::get_if<proto::DecodeError>(&decoded)) {
    proto::EncodeFrame(err->request_id, proto::Error{err->code, err->message}, frames);
  } else {
    auto& d = std::get<proto::Decoded>(decoded);
    const AdminTarget target{d.request_id, 0, reply, std::move(progress)};
    const auto replies = admin_->FromSocket(d.msg, target, peer, now);
    if (replies.empty()) {  // a job answers later
      DispatchEvents(now);
      return;
    }
    for (const auto& m : replies) proto::EncodeFrame(d.request_id, m, frames);
  }
  DispatchEvents(now);
  DeliverAdmin(std::move(reply), std::move(frames));
}

void DaemonCore::DispatchEvents(const engine::Now& now) {
  for (const auto& event : engine_->TakeEvents()) {
    const auto it = clients_.find(event.client);
    ClientContext* ctx = it == clients_.end() ? nullptr : it->second;
    RecordEvent(event, ctx, *recorder_, now.wall);
    if (ctx == nullptr || !TellsClient(event.kind)) continue;
    const bool for_waiter = event.kind == engine::Event::Kind::kQueuedGranted ||
                            event.kind == engine::Event::Kind::kQueueTimeout;
    if (for_waiter && ctx->queued_checkouts > 0) --ctx->queued_checkouts;
    std::string frames;
    RequestHandler::EncodeEvent(*engine_, event, *ctx, frames);
    DeliverEvent(*ctx, frames);
  }
}

void DaemonCore::Deliver(ClientContext& ctx, const std::string& frames) {
  const bool heartbeats = std::exchange(ctx.replies, ClientContext::Replies::kNone) ==
                          ClientContext::Replies::kHeartbeats;
  if (heartbeats && !ctx.holding) {
    log::Flush();
    host_.Send(ctx.id, frames);
    return;
  }
  DeliverEvent(ctx, frames);
}

void DaemonCore::DeliverEvent(ClientContext& ctx, const std::string& frames) {
  if (recorder_->empty() && held_.empty()) {
    log::Flush();  // a request's log lines are written before its reply leaves
    host_.Send(ctx.id, frames);
    return;
  }
  host_.Hold(ctx.id, frames);
  held_.push_back(Held{ctx.id, {}, {}});
  ctx.holding = true;
  host_.ScheduleCommit();
}

void DaemonCore::DeliverAdmin(AdminReply reply, std::string frames) {
  if (recorder_->empty() && held_.empty()) {
    log::Flush();
    reply(frames);
    return;
  }
  held_.push_back(Held{0, std::move(reply), std::move(frames)});
  host_.ScheduleCommit();
}

void DaemonCore::DeliverJobFrames(const AdminTarget& target, const std::string& frames, bool last) {
  if (target.client == 0) {
    if (last) {
      DeliverAdmin(target.reply, frames);
    } else if (target.progress) {
      target.progress(frames);
    }
    return;
  }
  const auto it = clients_.find(target.client);
  if (it != clients_.end()) DeliverEvent(*it->second, frames);  // else: gone meanwhile
}

void DaemonCore::Commit() { CommitTurn(/*wait=*/false); }

void DaemonCore::CommitTurn(bool wait) {
  if (!recorder_->empty()) {
    const auto st =
        wait ? store_->Commit(recorder_->batch()) : store_->TryCommit(recorder_->batch());
    if (st.code() == store::Status::Code::kDeferred) {
      // The store is checkpointing on its own thread: the batch and every reply waiting
      // for it stay as they are, and the loop goes on serving what needs no commit.
      host_.RetryCommitSoon();
      return;
    }
    if (!st.ok()) {
      if (store_healthy_) {
        FLOATLM_LOG(kError, "store.commit_failed",
                    "reason=\"{}\" effect=\"new checkouts refused until the store can be written\"",
                    st.message());
      }
      store_healthy_ = false;
      handler_->SetStoreHealthy(false, st.message());
    } else {
      recorder_->Clear();
      if (!store_healthy_) FLOATLM_LOG(kInfo, "store.recovered", "pending changes written");
      store_healthy_ = true;
      handler_->SetStoreHealthy(true, {});
    }
  }
  // The batch's log lines in one write, before its replies leave. Replies go out even
  // when the commit failed (state_recorder.h says what they then mean).
  log::Flush();
  auto held = std::move(held_);
  held_.clear();
  for (auto& h : held) {
    if (h.admin) {
      h.admin(h.frames);
    } else if (const auto it = clients_.find(h.client); it != clients_.end()) {
      it->second->holding = false;
      host_.Release(h.client);
    }
  }
}

bool DaemonCore::Tick(const engine::Now& now) {
  const bool more = Sweep(now);
  // A new day (or a clock step to another one) may bring a line into a warning band.
  if (now.today != expiry_checked_on_) WarnAboutExpiry(now);
  if (now.mono < next_second_) return more;
  next_second_ = now.mono + 1s;
  handler_->CloseDenialWindows(now);
  SweepCloudSlots(now);
  if (const std::string problem = store_->TakeUpkeepProblem(); !problem.empty()) {
    FLOATLM_LOG(kError, "store.upkeep_failed", "reason=\"{}\"", problem);
  }
  if (commit_pending()) Commit();
  PruneJournal(now);
  jobs_->SendProgress(now.mono);
  return more;
}

bool DaemonCore::Sweep(const engine::Now& now) {
  const bool more = engine_->Tick(now, kEndsPerTurn);
  DispatchEvents(now);
  // Changes of this sweep (expiries) and a batch that failed before are written now.
  if (commit_pending()) Commit();
  return more;
}

void DaemonCore::SweepCloudSlots(const engine::Now& now) {
  if (now.mono < next_cloud_sweep_) return;
  next_cloud_sweep_ = now.mono + std::chrono::minutes(1);
  const engine::CloudSweep sweep = engine_->SweepCloudSlots(now);
  for (const auto& slot : sweep.touched) recorder_->CloudSlotUsed(slot);
  for (const auto& slot : sweep.released) {
    const std::string why =
        fmt::format("unused since {}, past --cloud-slot-idle-days={}",
                    engine::IsoTime(slot.last_used), config_.cloud_slot_idle_days);
    recorder_->CloudSlotReleased(slot.collection, slot.user, now.wall, why);
    FLOATLM_LOG(kInfo, "cloud.slot_idle_released", "collection={} user={} last_used={} days={}",
                slot.collection, slot.user, engine::IsoTime(slot.last_used),
                config_.cloud_slot_idle_days);
  }
}

void DaemonCore::PruneJournal(const engine::Now& now) {
  if (config_.journal_days <= 0 || !store_healthy_ || now.mono < next_prune_) return;
  // A slice a second: the journal sheds up to 86 million entries a day, more than any
  // site writes, and no slice holds the event loop for more than a few milliseconds.
  constexpr std::size_t kPruneSlice = 1000;
  const auto cutoff = now.wall - std::chrono::days(config_.journal_days);
  std::size_t removed = 0;
  const auto st = store_->PruneJournal(ToUnixMillis(cutoff), kPruneSlice, &removed);
  if (st.code() == store::Status::Code::kDeferred) return;  // the next second's turn
  if (!st.ok()) {
    FLOATLM_LOG(kWarn, "store.prune_failed", "reason=\"{}\"", st.message());
    return;
  }
  if (removed > 0) {
    FLOATLM_LOG(kDebug, "store.pruned", "entries={} before={}", removed, engine::IsoTime(cutoff));
  }
  // Caught up: entries pass the cut-off at the pace they were written, so an hourly look
  // keeps the journal within an hour of its retention without a statement every second.
  if (removed < kPruneSlice) next_prune_ = now.mono + std::chrono::hours(1);
}

std::vector<std::string> DaemonCore::WarnAboutExpiry(const engine::Now& now) {
  expiry_checked_on_ = now.today;
  std::vector<std::string> sentences;
  for (const auto& n : expiry_warnings_.Due(engine_->model().pools, now.today)) {
    sentences.push_back(DescribeExpiry(n));
    FLOATLM_LOG(kWarn, n.days_left < 0 ? "license.expired" : "license.expiring",
                "feature={} version={} vendor={} line={} seats={} expires={} days_left={} "
                "reason=\"{}\"",
                n.feature, n.version, n.vendor, n.source, n.count, engine::LicenseDate(n.expiry),
                n.days_left, sentences.back());
  }
  return sentences;
}

// USER_BASED=n / HOST_BASED=n pools whose INCLUDE lines name more than n: logged, and
// returned as "warning: ..." lines for a reread's reply.
std::vector<std::string> DaemonCore::WarnAboutNamedOverLimit(const engine::Now& now) const {
  std::vector<std::string> out;
  for (const auto& pool : engine_->Snapshot(now)) {
    if (pool.named_over_limit.empty()) continue;
    const auto& s = *pool.spec;
    const int limit = (s.user_based ? s.user_based_limit : s.host_based_limit).value_or(pool.total);
    out.push_back(fmt::format(
        "warning: {} is {}={}: the options file's INCLUDE lines name {} {}; the first {} are "
        "served, not {}",
        engine::PoolLabel(s), s.user_based ? "USER_BASED" : "HOST_BASED", limit,
        pool.named_by_options.size() + pool.named_over_limit.size(),
        s.user_based ? "users" : "hosts", limit, fmt::join(pool.named_over_limit, ", ")));
    FLOATLM_LOG(kWarn, "options.named_over_limit", "{}", out.back());
  }
  return out;
}

RereadResult DaemonCore::Reread(admin_cmd::RereadMode mode, const engine::Now& now) {
  using Mode = admin_cmd::RereadMode;
  if (mode != Mode::kDryRun) host_.RereadStarting();
  auto set = load_(known_signatures_, true);
  RereadResult result;
  auto finish = [&](RereadResult r) {
    if (mode != Mode::kDryRun) host_.RereadDone();
    return r;
  };
  if (!set.error.empty()) {
    FLOATLM_LOG(kError, "license.reread_failed", "reason=\"{}\" kept=old", set.error);
    return finish(
        {false, "reread failed, the old licenses and options stay in force: " + set.error});
  }
  std::string rejected;
  for (const auto& r : set.model.rejected) rejected += "rejected: " + r.ToString() + "\n";
  if (mode == Mode::kApply && !set.model.rejected.empty()) {
    // A typo in a renewal must not cost anyone a seat: with any line rejected, nothing
    // changes (the admin guide's promise).
    FLOATLM_LOG(kError, "license.reread_refused", "rejected={} kept=old",
                set.model.rejected.size());
    return finish({false, fmt::format("reread refused: {} license line(s) rejected, so nothing "
                                      "changed and the old licenses and options stay in force\n{}"
                                      "fix the lines and reread, or 'floatlm reread --partial' "
                                      "applies the accepted lines if that ends no lease; 'floatlm "
                                      "reread --dry-run' shows what would change",
                                      set.model.rejected.size(), rejected)});
  }
  // Only a dry run and --partial need to know the outcome before it happens.
  engine::ReloadReport preview;
  if (mode != Mode::kApply) preview = engine_->PreviewReload(set.model, now);
  if (mode == Mode::kDryRun) {
    std::string text = "dry run: nothing was changed; a reread would apply:\n";
    const std::string changes = PoolChanges(preview);
    text += changes.empty() ? std::string("no pool changes\n") : changes;
    text +=
        fmt::format("live leases: {} would end because their pool is gone\n", preview.ended.size());
    text += LeaseLines(preview.ended, "would end");
    text += rejected;
    if (!set.model.rejected.empty()) {
      text +=
          "with rejected lines, 'floatlm reread' refuses; 'floatlm reread --partial' "
          "applies the rest if that ends no lease\n";
    }
    for (const auto& w : set.license_warnings) text += w + "\n";
    for (const auto& e : set.option_skipped) text += e + "\n";
    for (const auto& w : set.option_warnings) text += w + "\n";
    return {true, text};
  }
  if (mode == Mode::kPartial && !preview.ended.empty()) {
    FLOATLM_LOG(kError, "license.reread_refused", "partial=true leases_ending={} kept=old",
                preview.ended.size());
    return finish({false, fmt::format("reread --partial refused: applying the accepted lines "
                                      "would end {} lease(s), so nothing changed\n{}{}",
                                      preview.ended.size(), LeaseLines(preview.ended, "would end"),
                                      rejected)});
  }
  RememberSignatures(std::move(set.verified));
  // Licenses and options in one step: waiters are served under the rules that come with
  // the new licenses (a waiter the new file EXCLUDEs gets no seat the reread adds).
  auto report = engine_->Reload(std::move(set.model), std::move(set.policy), now);
  std::string text = PoolChanges(report);
  text += fmt::format("live leases: {} kept on their pools, {} ended because their pool is gone\n",
                      engine_->lease_count(), report.ended.size());
  text += LeaseLines(report.ended, "ended");
  for (const auto& pool : engine_->Snapshot(now)) {
    if (!pool.spec->uncounted && pool.in_use > pool.total) {
      const auto line = fmt::format(
          "warning: {} now has {} seat(s) but {} are in use; they keep running, new checkouts "
          "wait until use drops below the count",
          engine::PoolLabel(*pool.spec), pool.total, pool.in_use);
      FLOATLM_LOG(kWarn, "license.count_below_use", "pool=\"{}\" seats={} in_use={}",
                  engine::PoolLabel(*pool.spec), pool.total, pool.in_use);
      text += line + "\n";
    }
  }
  FLOATLM_LOG(kInfo, "license.reread", "added={} removed={} changed={} leases_ended={}",
              report.added.size(), report.removed.size(), report.changed.size(),
              report.ended.size());
  recorder_->Server(store::JournalEvent::kReread, text, now.wall);
  host_.ScheduleCommit();
  for (const auto& r : engine_->model().rejected) text += "rejected: " + r.ToString() + "\n";
  for (const auto& w : set.license_warnings) text += w + "\n";
  for (const auto& e : set.option_skipped) text += e + "\n";
  for (const auto& w : set.option_warnings) text += w + "\n";
  for (const auto& w : WarnAboutExpiry(now)) text += "warning: " + w + "\n";
  for (const auto& w : WarnAboutNamedOverLimit(now)) text += w + "\n";
  DispatchEvents(now);
  return finish({true, text});
}

void DaemonCore::Stop(const engine::Now& now) {
  jobs_->Stop("the daemon is stopping");
  recorder_->Server(
      store::JournalEvent::kStop,
      fmt::format("floatlmd stopped; {} lease(s) kept for reattach", engine_->lease_count()),
      now.wall);
  CommitTurn(/*wait=*/true);  // the last one waits for a checkpoint in progress
  FLOATLM_LOG(kInfo, "server.stopped", "leases={}", engine_->lease_count());
}

std::unique_ptr<ReplyStream> DaemonCore::RenderStatus(const std::string& feature, bool json,
                                                      const engine::Now& now) const {
  const ServerFacts facts{FLOATLM_VERSION, host_.Address(), started_, host_.Connections()};
  return StreamStatus(*engine_, facts, feature, json, now);
}

}  // namespace floatlm::server
