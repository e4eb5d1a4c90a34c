#include "server/server.h"

#include <sys/resource.h>

#include <array>
#include <ctime>
#include <stdexcept>

#include "config/file_permissions.h"
#include "log/log.h"
#include "notify/service_notify.h"
#include "render/describe.h"
#include "service/license_set.h"
#include "render/status_render.h"
#include "store/sqlite_lease_store.h"
#include "token/reattach_token.h"

namespace floatlm::server {
namespace {

using namespace std::chrono_literals;
constexpr auto kTickInterval = 100ms;

// USER_BASED=n / HOST_BASED=n pools whose INCLUDE lines name more than n: logged, and
// returned as "warning: ..." lines for a reread's reply.
std::vector<std::string> WarnAboutNamedOverLimit(const engine::SeatEngine& engine,
                                                 const engine::Now& now) {
  std::vector<std::string> out;
  for (const auto& pool : engine.Snapshot(now)) {
    if (pool.named_over_limit.empty()) continue;
    const auto& s = *pool.spec;
    const int limit = (s.user_based ? s.user_based_limit : s.host_based_limit).value_or(pool.total);
    out.push_back(fmt::format(
        "warning: {} is {}={}: the options file's INCLUDE lines name {} {}; the first {} are "
        "served, not {}",
        PoolLabel(s), s.user_based ? "USER_BASED" : "HOST_BASED", limit,
        pool.named_by_options.size() + pool.named_over_limit.size(),
        s.user_based ? "users" : "hosts", limit, fmt::join(pool.named_over_limit, ", ")));
    FLOATLM_LOG(kWarn, "options.named_over_limit", "{}", out.back());
  }
  return out;
}
// Leases (and waiters) ended per event-loop turn. When more lapse at once (a restart's
// unclaimed leases, a crashed client with thousands), the rest end in the turns that
// follow, with clients served in between: about a millisecond of work per turn.
constexpr std::size_t kEndsPerTurn = 64;

// Each client holds a socket: lift the soft open-file limit to the hard one.
void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  const rlim_t before = rl.rlim_cur;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  }
  FLOATLM_LOG(kInfo, "server.file_limit", "before={} now={}", before, rl.rlim_cur);
}

long long MillisSince(engine::MonoTime start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(engine::MonoTime::clock::now() -
                                                               start)
      .count();
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

}  // namespace

Server::Server(asio::io_context& io, const config::DaemonConfig& config)
    : io_(io),
      config_(config),
      // First: a certificate that cannot be used stops the start before anything else.
      tls_(config.tls() ? MakeServerTlsContext(config.tls_cert, config.tls_key) : nullptr),
      acceptor_(io),
      tick_timer_(io),
      stop_timer_(io),
      watchdog_timer_(io),
      signals_(io, SIGINT, SIGTERM, SIGHUP),
      started_(std::chrono::system_clock::now()),
      last_idle_sweep_(engine::MonoTime::clock::now()) {
  // The store first: it remembers which license signatures verified before.
  const long long store_open_ms = OpenStore();
  auto set = LoadLicenseSet(config_.license_files, config_.vendor_keys_dir, config_.options_file,
                            &known_signatures_, config_.strict_options);
  if (!set.error.empty()) throw std::runtime_error(set.error);
  if (!config_.port_given && set.model.server && set.model.server->port) {
    // FlexLM: the SERVER line's port is the license server's port.
    config_.port = static_cast<std::uint16_t>(*set.model.server->port);
    FLOATLM_LOG(kInfo, "server.port_from_license", "port={} line={}", config_.port,
                set.model.server->source.ToString());
  }
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
  engine_ = std::make_unique<engine::SeatEngine>(std::move(set.model), MakeEngineConfig(config_),
                                                 std::move(set.policy));
  WarnAboutNamedOverLimit(*engine_, CurrentNow());
  recorder_ = std::make_unique<StateRecorder>(*engine_);
  RestoreState(store_open_ms);
  HandlerSettings hs;
  hs.ttl = config_.lease_ttl;
  hs.reattach_window = config_.reattach_window;
  hs.status_allowed = config_.status_on_client_port;
  hs.max_checkouts_per_second = config_.max_checkouts_per_second;
  handler_ = std::make_unique<RequestHandler>(
      *engine_, *recorder_, hs, [this](const std::string& f, bool json) { return RenderStatus(f, json); },
      [this](const proto::Admin& cmd, const ClientContext& ctx) {
        return HandleAdminOverTcp(cmd, ctx);
      });
  if (!config_.admin_token_file.empty()) {
    std::string error;
    admin_token_ = admin::AdminToken::Load(config_.admin_token_file, error);
    if (!admin_token_) throw std::runtime_error(error);
    if (!tls_) {
      FLOATLM_LOG(kWarn, "admin.token_unusable",
                  "file={} reason=\"the client port speaks plain TCP and the admin token is "
                  "accepted only over TLS (--tls-cert, --tls-key)\"",
                  config_.admin_token_file);
    }
  }
  if (!config_.admin_socket.empty()) {
    admin_ = std::make_unique<admin::AdminListener>(
        io_, config_.admin_socket,
        [this](const proto::Message& request, const admin::PeerCredentials& peer) {
          return HandleAdminSocketRequest(request, peer);
        });
  }
  // After the store is open, so the database files exist to be looked at.
  config::WarnAboutPermissions(config_, config::PermissionScope::kStartup);
  WarnAboutExpiry(CurrentNow());
}

Server::~Server() = default;

void Server::Start(engine::MonoTime process_start) {
  RaiseFileLimit();
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config_.bind, ec);
  if (ec) throw std::runtime_error(fmt::format("--bind {}: not an IP address", config_.bind));
  asio::ip::tcp::endpoint endpoint(address, config_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{}: {}", config_.bind, config_.port, ec.message()));
  }
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  if (admin_) admin_->Start();
  // startup_ms: from main() to here (licenses verified, state restored, port bound).
  FLOATLM_LOG(kInfo, "server.listening", "addr={} port={} tls={} startup_ms={}", config_.bind,
              port_, tls_ ? "on" : "off", MillisSince(process_start));
  DoAccept();
  ScheduleTick();
  WaitForSignals();
  // From here on info lines are written once per event-loop batch, just before the
  // batch's replies (Flush, Deliver), and at the end of each tick.
  log::SetBuffered(true);
  // Only now can clients be served: tell systemd.
  notify::Ready(ServiceStatus());
  if (auto timeout = notify::WatchdogTimeout()) ScheduleWatchdog(*timeout / 2);
}

void Server::ScheduleWatchdog(std::chrono::microseconds interval) {
  // The ping comes from the event loop itself, so a stuck loop stops the pings.
  notify::Watchdog();
  watchdog_timer_.expires_after(interval);
  watchdog_timer_.async_wait([this, interval](const boost::system::error_code& ec) {
    if (!ec && !stopping_) ScheduleWatchdog(interval);
  });
}

std::string Server::ServiceStatus() const {
  return fmt::format("serving {} pool(s) on port {}: {} lease(s), {} connection(s)",
                     engine_->model().pools.size(), port_, engine_->lease_count(), sessions_.size());
}

void Server::DoAccept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
    if (stopping_) return;
    if (ec) {
      // Out of file descriptors and similar: log, and keep accepting after a pause.
      FLOATLM_LOG(kWarn, "server.accept_failed", "reason=\"{}\"", ec.message());
      if (ec == asio::error::operation_aborted) return;
    } else if (sessions_.size() >= config_.max_connections) {
      // On a TLS port a plain frame would be noise to the client, and a handshake is
      // work the daemon cannot afford now: the connection is only closed.
      std::string frame;
      proto::EncodeFrame(0, proto::Error{Errc::kTooManyConnections,
                                         fmt::format("the daemon's limit of {} connections is reached",
                                                     config_.max_connections)},
                         frame);
      boost::system::error_code ignored;
      if (!tls_) asio::write(socket, asio::buffer(frame), ignored);
      FLOATLM_LOG(kWarn, "client.refused", "reason=too_many_connections limit={}",
                  config_.max_connections);
    } else {
      const auto id = next_client_++;
      auto session = std::make_shared<Session>(*this, std::move(socket), id, tls_.get());
      sessions_.emplace(id, session);
      session->Start();
    }
    DoAccept();
  });
}

long long Server::OpenStore() {
  const auto began = engine::MonoTime::clock::now();
  store::SqliteStoreOptions options;
  options.state_dir = config_.state_dir;
  // Commits run on the event loop: a database locked by another process must fail fast
  // (new checkouts are then refused and the commit retried) rather than stall every client.
  options.busy_timeout = std::chrono::milliseconds(20);
  std::unique_ptr<store::SqliteLeaseStore> sqlite;
  if (auto st = store::SqliteLeaseStore::Open(options, &sqlite); !st.ok()) {
    throw std::runtime_error(st.message());
  }
  sqlite_store_ = sqlite.get();
  store_ = std::move(sqlite);
  std::vector<std::string> digests;
  if (auto st = sqlite_store_->LoadSignatureDigests(&digests); !st.ok()) {
    throw std::runtime_error(st.message());
  }
  known_signatures_ = licenses::SignatureDigests(std::make_move_iterator(digests.begin()),
                                                 std::make_move_iterator(digests.end()));
  return MillisSince(began);
}

void Server::RememberSignatures(licenses::SignatureDigests verified) {
  if (verified == known_signatures_) return;
  const std::vector<std::string> digests(verified.begin(), verified.end());
  if (auto st = sqlite_store_->ReplaceSignatureDigests(digests); !st.ok()) {
    // Only a cost: the next start checks every signature again.
    FLOATLM_LOG(kWarn, "license.signatures_not_saved", "reason=\"{}\"", st.message());
  }
  known_signatures_ = std::move(verified);
}

void Server::RestoreState(long long open_ms) {
  const auto began = engine::MonoTime::clock::now();
  store::StoredState state;
  if (auto st = store_->Load(&state); !st.ok()) throw std::runtime_error(st.message());
  const long long read_ms = MillisSince(began);

  const auto now = CurrentNow();
  std::vector<engine::RestoredLease> leases;
  leases.reserve(state.leases.size());
  for (auto& r : state.leases) {
    engine::RestoredLease l;
    l.id = r.id;
    l.token_digest = r.token_digest;
    l.pool_key = std::move(r.pool_key);
    l.feature = std::move(r.feature);
    l.version = licenses::Version::Parse(r.version).value_or(licenses::Version{});
    l.who = engine::Identity{std::move(r.user), std::move(r.host), std::move(r.display),
                             std::move(r.peer)};
    l.since = FromUnixMillis(r.since);
    l.seats = r.seats;
    if (!r.dup_group.empty()) {
      l.dup_group = licenses::DupGroup::Parse(r.dup_group);
      if (!l.dup_group) {
        FLOATLM_LOG(kWarn, "state.bad_dup_group",
                    "lease={} dup_group=\"{}\" effect=\"restored with the default grouping, UH\"",
                    r.id, r.dup_group);
      }
    }
    leases.push_back(std::move(l));
  }
  std::vector<engine::CloudSlotView> slots;
  for (auto& slot : state.cloud_slots) {
    slots.push_back({std::move(slot.collection), std::move(slot.user), FromUnixMillis(slot.since),
                     FromUnixMillis(slot.last_used)});
  }
  engine_->RestoreCloudSlots(std::move(slots));
  std::vector<engine::AssignmentView> assignments;
  for (auto& a : state.assignments) {
    assignments.push_back({std::move(a.pool_key), std::move(a.user), FromUnixMillis(a.since)});
  }
  engine_->RestoreAssignments(std::move(assignments));
  engine_->ReserveLeaseIds(state.highest_lease_id);
  const auto engine_began = engine::MonoTime::clock::now();
  const auto report = engine_->Restore(std::move(leases), now);
  const long long engine_ms = MillisSince(engine_began);
  for (const auto& [lease, why] : report.dropped) {
    FLOATLM_LOG(kWarn, "lease.not_restored", "lease={} feature={} user={} host={} reason=\"{}\"",
                lease.id, lease.feature, lease.who.user, lease.who.host, why);
    recorder_->Ended(lease, Errc::kPoolRemoved, why, now.wall);
  }
  recorder_->Server(store::JournalEvent::kStart,
                    fmt::format("floatlmd {} started; {} lease(s) restored, {} dropped",
                                FLOATLM_VERSION, report.restored, report.dropped.size()),
                    now.wall);
  if (auto st = store_->Commit(recorder_->batch()); !st.ok()) throw std::runtime_error(st.message());
  recorder_->Clear();
  // ms: opening and checking the database, reading it, and putting the leases back; the
  // parts: open_ms (open, integrity check, migrations), read_ms (every table read),
  // engine_ms (the seat engine placing the leases). Licenses load between open and read.
  FLOATLM_LOG(kInfo, "state.restored",
              "db={}/floatlm.db leases={} dropped={} highest_lease_id={} ms={} open_ms={} "
              "read_ms={} engine_ms={}",
              config_.state_dir, report.restored, report.dropped.size(), state.highest_lease_id,
              open_ms + MillisSince(began), open_ms, read_ms, engine_ms);
}

void Server::Deliver(Session& session, const std::string& replies) {
  if (recorder_->empty() && awaiting_commit_.empty()) {
    log::Flush();  // a request's log lines are written before its reply leaves
    session.Send(replies);
    return;
  }
  session.Hold(replies);
  awaiting_commit_.push_back(session.shared_from_this());
  ScheduleFlush();
}

void Server::QueueAnswer(std::shared_ptr<Session> session) {
  answers_.push_back(std::move(session));
  if (answer_posted_) return;
  answer_posted_ = true;
  asio::post(io_, [this] { ServeNextAnswer(); });
}

void Server::ServeNextAnswer() {
  answer_posted_ = false;
  while (!answers_.empty()) {
    auto session = answers_.front().lock();
    answers_.pop_front();
    if (!session) continue;
    session->AnswerSlice();  // may queue itself again, at the back
    break;
  }
  if (!answers_.empty() && !answer_posted_) {
    answer_posted_ = true;
    asio::post(io_, [this] { ServeNextAnswer(); });
  }
}

void Server::ScheduleFlush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  // Runs after the handlers already ready in this turn: one commit covers them all.
  asio::post(io_, [this] {
    flush_scheduled_ = false;
    Flush();
  });
}

void Server::Flush() {
  if (!recorder_->empty()) {
    const auto st = store_->Commit(recorder_->batch());
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
  // Replies go out even when the commit failed: the client's lease exists in memory and
  // is served; only new checkouts wait for a working store.
  // The batch's log lines in one write, before its replies leave.
  log::Flush();
  auto sessions = std::move(awaiting_commit_);
  awaiting_commit_.clear();
  for (auto& s : sessions) s->Release();
}

engine::Now Server::CurrentNow() const {
  engine::Now now;
  now.mono = engine::MonoTime::clock::now();
  now.wall = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now.wall);
  std::tm local{};
  localtime_r(&t, &local);
  now.today = licenses::Date{std::chrono::year(local.tm_year + 1900),
                             std::chrono::month(static_cast<unsigned>(local.tm_mon + 1)),
                             std::chrono::day(static_cast<unsigned>(local.tm_mday))};
  return now;
}

RequestHandler::After Server::HandleFrame(Session& session, std::span<const std::uint8_t> body,
                                          std::string& replies) {
  auto decoded = proto::DecodeBody(body);
  RequestHandler::After after;
  if (auto* err = std::get_if<proto::DecodeError>(&decoded)) {
    FLOATLM_LOG(kWarn, "client.bad_request", "peer={} client={} code={} reason=\"{}\"",
                session.context().who.peer, session.context().id, ErrcName(err->code),
                err->message);
    after = handler_->HandleDecodeError(*err, replies);
  } else {
    after = handler_->Handle(session.context(), std::get<proto::Decoded>(decoded), CurrentNow(),
                             replies);
  }
  // A checkin or a grant may have produced events for other clients.
  DispatchEvents();
  return after;
}

void Server::DispatchEvents() {
  for (const auto& event : engine_->TakeEvents()) {
    const auto it = sessions_.find(event.client);
    const bool connected = it != sessions_.end() && !it->second->closed();
    const auto wall = std::chrono::system_clock::now();
    switch (event.kind) {
      case engine::Event::Kind::kLeaseEnded:
        FLOATLM_LOG(kInfo, "lease.ended", "lease={} feature={} user={} host={} reason={}",
                    event.lease.id, event.lease.feature, event.lease.who.user,
                    event.lease.who.host, ErrcName(event.reason));
        recorder_->Ended(event.lease, event.reason, event.message, wall);
        break;
      case engine::Event::Kind::kQueuedGranted:
        FLOATLM_LOG(kInfo, "lease.granted",
                    "lease={} feature={} seats={} from_queue=true user={} host={}",
                    event.lease.id, event.lease.feature, event.lease.seats, event.lease.who.user,
                    event.lease.who.host);
        recorder_->Granted(event.lease, connected ? &it->second->context() : nullptr, wall);
        break;
      case engine::Event::Kind::kQueueTimeout:
        recorder_->Denied(event.lease.who, event.lease.feature, "", event.reason, event.message,
                          wall);
        break;
      case engine::Event::Kind::kLeaseMoved:
        FLOATLM_LOG(kInfo, "lease.moved", "lease={} feature={} user={} host={} reason=\"{}\"",
                    event.lease.id, event.lease.feature, event.lease.who.user,
                    event.lease.who.host, event.message);
        recorder_->Updated(event.lease, store::JournalEvent::kMove, event.message, wall);
        continue;  // nothing to tell the client
      case engine::Event::Kind::kCloudSlotGranted:
        FLOATLM_LOG(kInfo, "cloud.slot_granted", "collection={} user={}", event.message,
                    event.lease.who.user);
        recorder_->CloudSlotGranted(event.message, event.lease, wall);
        continue;
      case engine::Event::Kind::kLeaseTaken:
        FLOATLM_LOG(kWarn, "lease.taken_over",
                    "lease={} feature={} user={} host={} from_client={} to_client={} peer={} "
                    "reason=\"reattached with its token while its connection was open\"",
                    event.lease.id, event.lease.feature, event.lease.who.user,
                    event.lease.who.host, event.client, event.lease.client, event.lease.who.peer);
        break;
    }
    if (!connected) continue;
    auto& ctx = it->second->context();
    const bool for_waiter = event.kind == engine::Event::Kind::kQueuedGranted ||
                            event.kind == engine::Event::Kind::kQueueTimeout;
    if (for_waiter && ctx.queued_checkouts > 0) {
      --ctx.queued_checkouts;
    }
    std::string frames;
    RequestHandler::EncodeEvent(*engine_, event, ctx, frames);
    Deliver(*it->second, frames);
  }
}

void Server::OnSessionClosed(Session& session, std::string_view why) {
  const auto id = session.context().id;
  const auto now = CurrentNow();
  FLOATLM_LOG(kDebug, "client.closed", "client={} user={} host={} reason=\"{}\"", id,
              session.context().who.user, session.context().who.host, why);
  engine_->Disconnect(id, now);
  handler_->ClientGone(id, now);
  // The session object lives on while its handlers finish; the map lets it go.
  sessions_.erase(id);
  DispatchEvents();
  if (!recorder_->empty()) ScheduleFlush();
  if (stopping_ && sessions_.empty()) io_.stop();
}

void Server::ScheduleTick() {
  tick_timer_.expires_after(kTickInterval);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    OnTick();
    log::Flush();
    ScheduleTick();
  });
}

void Server::OnTick() {
  const auto now = CurrentNow();
  Sweep(now);
  // Once a second: drop connections that never said HELLO, or went silent for longer
  // than a lease could live (a client with leases heartbeats every TTL/4).
  if (now.mono - last_status_ >= 5s) {
    last_status_ = now.mono;
    notify::Status(ServiceStatus());
  }
  // A new day (or a clock step to another one) may bring a line into a warning band.
  if (now.today != expiry_checked_on_) WarnAboutExpiry(now);
  if (now.mono - last_idle_sweep_ < 1s) return;
  last_idle_sweep_ = now.mono;
  CutStalledSessions(now);
  handler_->CloseDenialWindows(now);
  SweepCloudSlots(now);
  if (!recorder_->empty()) Flush();
  PruneJournal(now);
}

void Server::SweepCloudSlots(const engine::Now& now) {
  if (now.mono < next_cloud_sweep_) return;
  next_cloud_sweep_ = now.mono + std::chrono::minutes(1);
  const engine::CloudSweep sweep = engine_->SweepCloudSlots(now);
  for (const auto& slot : sweep.touched) recorder_->CloudSlotUsed(slot);
  for (const auto& slot : sweep.released) {
    const std::string why =
        fmt::format("unused since {}, past --cloud-slot-idle-days={}",
                    FormatWallTime(slot.last_used), config_.cloud_slot_idle_days);
    recorder_->CloudSlotReleased(slot.collection, slot.user, now.wall, why);
    FLOATLM_LOG(kInfo, "cloud.slot_idle_released", "collection={} user={} last_used={} days={}",
                slot.collection, slot.user, FormatWallTime(slot.last_used),
                config_.cloud_slot_idle_days);
  }
}

void Server::PruneJournal(const engine::Now& now) {
  if (config_.journal_days <= 0 || !store_healthy_ || now.mono < next_prune_) return;
  // A slice a second: the journal sheds up to 86 million entries a day, more than any
  // site writes, and no slice holds the event loop for more than a few milliseconds.
  constexpr std::size_t kPruneSlice = 1000;
  const auto cutoff = now.wall - std::chrono::days(config_.journal_days);
  std::size_t removed = 0;
  const auto st = store_->PruneJournal(ToUnixMillis(cutoff), kPruneSlice, &removed);
  if (!st.ok()) {
    FLOATLM_LOG(kWarn, "store.prune_failed", "reason=\"{}\"", st.message());
    return;
  }
  if (removed > 0) {
    FLOATLM_LOG(kDebug, "store.pruned", "entries={} before={}", removed, FormatWallTime(cutoff));
  }
  // Caught up: entries pass the cut-off at the pace they were written, so an hourly look
  // keeps the journal within an hour of its retention without a statement every second.
  if (removed < kPruneSlice) next_prune_ = now.mono + std::chrono::hours(1);
}

void Server::CutStalledSessions(const engine::Now& now) {
  const auto idle_limit = config_.lease_ttl * 2;
  std::vector<std::pair<std::shared_ptr<Session>, const char*>> cut;
  for (const auto& [id, s] : sessions_) {
    const auto quiet = now.mono - s->last_read();
    const auto stalled = s->write_stalled_since();
    const auto partial = s->partial_frame_since();
    // A TLS handshake reads nothing into the session, so a stalled one is cut here too.
    if ((!s->context().hello_done && quiet > config_.hello_timeout) || quiet > idle_limit) {
      cut.emplace_back(s, "idle");
    } else if (stalled && now.mono - *stalled > config_.write_timeout) {
      cut.emplace_back(s, "unread");
    } else if (partial && now.mono - *partial > config_.hello_timeout) {
      cut.emplace_back(s, "partial");
    }
  }
  for (const auto& [s, why] : cut) {
    const auto& ctx = s->context();
    if (std::string_view(why) == "unread") {
      FLOATLM_LOG(kWarn, "client.slow_reader",
                  "peer={} client={} pending={} reason=\"replies unread for {} s\"", ctx.who.peer,
                  ctx.id, s->owed(), config_.write_timeout.count());
      s->Close("client does not read its replies");
    } else if (std::string_view(why) == "partial") {
      FLOATLM_LOG(kWarn, "client.stalled_frame",
                  "peer={} client={} reason=\"a request stayed incomplete for {} s\"", ctx.who.peer,
                  ctx.id, config_.hello_timeout.count());
      s->Close("request not completed in time");
    } else if (s->handshaking()) {
      FLOATLM_LOG(kWarn, "client.tls_failed",
                  "peer={} client={} reason=\"handshake not completed within {} s\"",
                  ctx.who.peer, ctx.id, config_.hello_timeout.count());
      s->Close("idle timeout");
    } else {
      FLOATLM_LOG(kInfo, "client.idle_timeout", "client={} peer={}", ctx.id, ctx.who.peer);
      s->Close("idle timeout");
    }
  }
}

bool Server::ClaimInput(std::size_t bytes) {
  if (input_claimed_ + bytes > config_.max_input_bytes) return false;
  input_claimed_ += bytes;
  return true;
}

void Server::ReleaseInput(std::size_t bytes) { input_claimed_ -= std::min(bytes, input_claimed_); }

void Server::Sweep(const engine::Now& now) {
  const bool more = engine_->Tick(now, kEndsPerTurn);
  DispatchEvents();
  // Changes of this sweep (expiries) and a batch that failed before are written now.
  if (!recorder_->empty()) Flush();
  if (!more || sweep_scheduled_) return;
  // The rest after the handlers already waiting, so clients are served in between.
  sweep_scheduled_ = true;
  asio::post(io_, [this] {
    sweep_scheduled_ = false;
    if (stopping_) return;
    Sweep(CurrentNow());
    log::Flush();
  });
}

std::vector<std::string> Server::WarnAboutExpiry(const engine::Now& now) {
  expiry_checked_on_ = now.today;
  std::vector<std::string> sentences;
  for (const auto& n : expiry_warnings_.Due(engine_->model().pools, now.today)) {
    sentences.push_back(DescribeExpiry(n));
    FLOATLM_LOG(kWarn, n.days_left < 0 ? "license.expired" : "license.expiring",
                "feature={} version={} vendor={} line={} seats={} expires={} days_left={} "
                "reason=\"{}\"",
                n.feature, n.version, n.vendor, n.source, n.count, FormatDate(n.expiry),
                n.days_left, sentences.back());
  }
  return sentences;
}

void Server::WaitForSignals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      FLOATLM_LOG(kInfo, "server.reread_requested", "by=SIGHUP");
      Reread();
      WaitForSignals();
      return;
    }
    FLOATLM_LOG(kInfo, "server.stopping", "signal={}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    Stop();
  });
}

Server::RereadResult Server::Reread(admin_cmd::RereadMode mode) {
  if (mode == admin_cmd::RereadMode::kDryRun) return DoReread(mode);
  notify::Reloading();
  auto result = DoReread(mode);
  notify::Ready(ServiceStatus());
  return result;
}

namespace {

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

Server::RereadResult Server::DoReread(admin_cmd::RereadMode mode) {
  using Mode = admin_cmd::RereadMode;
  config::WarnAboutPermissions(config_, config::PermissionScope::kReread);
  auto set = LoadLicenseSet(config_.license_files, config_.vendor_keys_dir, config_.options_file,
                            &known_signatures_, config_.strict_options);
  if (!set.error.empty()) {
    FLOATLM_LOG(kError, "license.reread_failed", "reason=\"{}\" kept=old", set.error);
    return {false, "reread failed, the old licenses and options stay in force: " + set.error};
  }
  const auto before = CurrentNow();
  std::string rejected;
  for (const auto& r : set.model.rejected) rejected += "rejected: " + r.ToString() + "\n";
  if (mode == Mode::kApply && !set.model.rejected.empty()) {
    // A typo in a renewal must not cost anyone a seat: with any line rejected, nothing
    // changes (the admin guide's promise).
    FLOATLM_LOG(kError, "license.reread_refused", "rejected={} kept=old",
                set.model.rejected.size());
    return {false, fmt::format("reread refused: {} license line(s) rejected, so nothing changed "
                               "and the old licenses and options stay in force\n{}"
                               "fix the lines and reread, or 'floatlm reread --partial' applies "
                               "the accepted lines if that ends no lease; 'floatlm reread "
                               "--dry-run' shows what would change",
                               set.model.rejected.size(), rejected)};
  }
  // Only a dry run and --partial need to know the outcome before it happens.
  engine::ReloadReport preview;
  if (mode != Mode::kApply) preview = engine_->PreviewReload(set.model, before);
  if (mode == Mode::kDryRun) {
    std::string text = "dry run: nothing was changed; a reread would apply:\n";
    const std::string changes = PoolChanges(preview);
    text += changes.empty() ? std::string("no pool changes\n") : changes;
    text += fmt::format("live leases: {} would end because their pool is gone\n",
                        preview.ended.size());
    text += LeaseLines(preview.ended, "would end");
    text += rejected;
    if (!set.model.rejected.empty()) {
      text += "with rejected lines, 'floatlm reread' refuses; 'floatlm reread --partial' "
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
    return {false, fmt::format("reread --partial refused: applying the accepted lines would end "
                               "{} lease(s), so nothing changed\n{}{}",
                               preview.ended.size(), LeaseLines(preview.ended, "would end"),
                               rejected)};
  }
  RememberSignatures(std::move(set.verified));
  // Licenses and options in one step: waiters are served under the rules that come with
  // the new licenses (a waiter the new file EXCLUDEs gets no seat the reread adds).
  auto report = engine_->Reload(std::move(set.model), std::move(set.policy), CurrentNow());
  std::string text = PoolChanges(report);
  text += fmt::format("live leases: {} kept on their pools, {} ended because their pool is gone\n",
                      engine_->lease_count(), report.ended.size());
  text += LeaseLines(report.ended, "ended");
  const auto now = CurrentNow();
  for (const auto& pool : engine_->Snapshot(now)) {
    if (!pool.spec->uncounted && pool.in_use > pool.total) {
      const auto line = fmt::format(
          "warning: {} now has {} seat(s) but {} are in use; they keep running, new checkouts "
          "wait until use drops below the count",
          PoolLabel(*pool.spec), pool.total, pool.in_use);
      FLOATLM_LOG(kWarn, "license.count_below_use", "pool=\"{}\" seats={} in_use={}",
                  PoolLabel(*pool.spec), pool.total, pool.in_use);
      text += line + "\n";
    }
  }
  FLOATLM_LOG(kInfo, "license.reread", "added={} removed={} changed={} leases_ended={}",
              report.added.size(), report.removed.size(), report.changed.size(),
              report.ended.size());
  recorder_->Server(store::JournalEvent::kReread, text, std::chrono::system_clock::now());
  ScheduleFlush();
  for (const auto& r : engine_->model().rejected) text += "rejected: " + r.ToString() + "\n";
  for (const auto& w : set.license_warnings) text += w + "\n";
  for (const auto& e : set.option_skipped) text += e + "\n";
  for (const auto& w : set.option_warnings) text += w + "\n";
  for (const auto& w : WarnAboutExpiry(now)) text += "warning: " + w + "\n";
  for (const auto& w : WarnAboutNamedOverLimit(*engine_, now)) text += w + "\n";
  DispatchEvents();
  return {true, text};
}

void Server::Stop() {
  if (stopping_) return;
  stopping_ = true;
  notify::Stopping();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  if (admin_) admin_->Stop();
  tick_timer_.cancel();
  watchdog_timer_.cancel();
  signals_.cancel();
  std::string bye;
  proto::EncodeFrame(0, proto::Shutdown{"the license server is stopping; leases are kept for reattach"},
                     bye);
  auto sessions = sessions_;  // closing edits the map
  for (auto& [id, s] : sessions) {
    s->Send(bye);
    s->CloseAfterWrite();
  }
  recorder_->Server(store::JournalEvent::kStop,
                    fmt::format("floatlmd stopped; {} lease(s) kept for reattach",
                                engine_->lease_count()),
                    std::chrono::system_clock::now());
  Flush();
  FLOATLM_LOG(kInfo, "server.stopped", "leases={}", engine_->lease_count());
  log::SetBuffered(false);  // writes what is pending; the rest of the way is line by line
  // The goodbyes go out as the sessions flush; the last one to close ends the loop. A
  // client that does not read gets a short grace period, not a veto.
  if (sessions_.empty()) {
    io_.stop();
    return;
  }
  stop_timer_.expires_after(std::chrono::seconds(3));
  stop_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) io_.stop();
  });
}

std::unique_ptr<ReplyStream> Server::RenderStatus(const std::string& feature, bool json) {
  ServerFacts facts{FLOATLM_VERSION, fmt::format("{}:{}", config_.bind, port_), started_,
                    sessions_.size()};
  const auto now = CurrentNow();
  return StreamStatus(*engine_, facts, feature, json, now);
}

}  // namespace floatlm::server
