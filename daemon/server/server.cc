#include "server/server.h"

#include <sys/resource.h>

#include <ctime>
#include <stdexcept>

#include "config/file_permissions.h"
#include "log/log.h"
#include "notify/service_notify.h"
#include "store/sqlite_lease_store.h"

namespace floatlm::server {
namespace {

using namespace std::chrono_literals;
constexpr auto kTickInterval = 100ms;

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

// The SQLite state database of --state.
std::unique_ptr<store::LeaseStore> OpenStore(const config::DaemonConfig& config) {
  const auto began = engine::MonoTime::clock::now();
  store::SqliteStoreOptions options;
  options.state_dir = config.state_dir;
  // Commits run on the event loop: a database locked by another process must fail fast
  // (new checkouts are then refused and the commit retried) rather than stall every client.
  options.busy_timeout = std::chrono::milliseconds(20);
  std::unique_ptr<store::SqliteLeaseStore> sqlite;
  if (auto st = store::SqliteLeaseStore::Open(options, &sqlite); !st.ok()) {
    throw std::runtime_error(st.message());
  }
  // open_ms: open, integrity check, migrations.
  FLOATLM_LOG(kInfo, "state.opened", "db={}/floatlm.db open_ms={}", config.state_dir,
              MillisSince(began));
  return sqlite;
}

}  // namespace

Server::Server(asio::io_context& io, const config::DaemonConfig& config)
    : io_(io),
      config_(config),
      // First: a certificate that cannot be used stops the start before anything else.
      tls_(config.tls() ? MakeServerTlsContext(config.tls_cert, config.tls_key) : nullptr),
      acceptor_(io),
      tick_timer_(io),
      commit_retry_timer_(io),
      stop_timer_(io),
      watchdog_timer_(io),
      signals_(io, SIGINT, SIGTERM, SIGHUP),
      last_idle_sweep_(engine::MonoTime::clock::now()) {
  CoreOptions options;
  if (!config_.admin_token_file.empty()) {
    std::string error;
    options.admin_token = admin::AdminToken::Load(config_.admin_token_file, error);
    if (!options.admin_token) throw std::runtime_error(error);
    if (!tls_) {
      FLOATLM_LOG(kWarn, "admin.token_unusable",
                  "file={} reason=\"the client port speaks plain TCP and the admin token is "
                  "accepted only over TLS (--tls-cert, --tls-key)\"",
                  config_.admin_token_file);
    }
  }
  core_ =
      std::make_unique<DaemonCore>(config_, OpenStore(config_), LoadFromConfig(config_),
                                   static_cast<CoreHost&>(*this), ReadClock(), std::move(options));
  const auto& model = core_->engine().model();
  if (!config_.port_given && model.server && model.server->port) {
    // FlexLM: the SERVER line's port is the license server's port.
    config_.port = static_cast<std::uint16_t>(*model.server->port);
    FLOATLM_LOG(kInfo, "server.port_from_license", "port={} line={}", config_.port,
                model.server->source.ToString());
  }
  if (!config_.admin_socket.empty()) {
    admin_ = std::make_unique<admin::AdminListener>(
        io_, config_.admin_socket,
        [this](std::span<const std::uint8_t> body, const admin::PeerCredentials& peer,
               admin::AdminReplyFn reply, admin::AdminReplyFn progress) {
          core_->HandleAdminFrame(body, peer, TurnNow(), std::move(reply), std::move(progress));
        });
  }
  // After the store is open, so the database files exist to be looked at.
  config::WarnAboutPermissions(config_, config::PermissionScope::kStartup);
}

Server::~Server() {
  // The loop has stopped, but the handlers it still holds keep sessions alive until the
  // io_context itself is destroyed, after this server: cut them loose from it first.
  for (auto& [id, session] : sessions_) session->Detach();
}

void Server::Post(std::function<void()> fn) {
  // io_context::post is thread-safe; handlers left when the loop stops are destroyed
  // unrun, with the io_context.
  asio::post(io_, std::move(fn));
}

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
  // batch's replies (DaemonCore's Commit and Deliver), and at the end of each tick.
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
                     core_->engine().model().pools.size(), port_, core_->engine().lease_count(),
                     sessions_.size());
}

std::string Server::Address() const { return fmt::format("{}:{}", config_.bind, port_); }

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
      auto session = std::make_shared<Session>(static_cast<SessionHost&>(*this), std::move(socket),
                                               id, tls_.get());
      sessions_.emplace(id, session);
      core_->Connect(session->context());
      session->Start();
    }
    DoAccept();
  });
}

// ---- SessionHost

RequestHandler::After Server::HandleFrame(Session& session, std::span<const std::uint8_t> body,
                                          std::string& replies) {
  return core_->HandleFrame(session.context(), body, TurnNow(), replies);
}

void Server::Deliver(Session& session, const std::string& replies) {
  core_->Deliver(session.context(), replies);
}

void Server::OnSessionClosed(Session& session, std::string_view why) {
  const auto id = session.context().id;
  core_->Disconnect(id, why, TurnNow());
  // The session object lives on while its handlers finish; the map lets it go.
  sessions_.erase(id);
  if (stopping_ && sessions_.empty()) io_.stop();
}

bool Server::ClaimInput(std::size_t bytes) {
  if (input_claimed_ + bytes > config_.max_input_bytes) return false;
  input_claimed_ += bytes;
  return true;
}

void Server::ReleaseInput(std::size_t bytes) { input_claimed_ -= std::min(bytes, input_claimed_); }

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

// ---- CoreHost

void Server::Send(engine::ClientId client, const std::string& frames) {
  if (auto it = sessions_.find(client); it != sessions_.end()) it->second->Send(frames);
}

void Server::Hold(engine::ClientId client, const std::string& frames) {
  if (auto it = sessions_.find(client); it != sessions_.end()) it->second->Hold(frames);
}

void Server::Release(engine::ClientId client) {
  if (auto it = sessions_.find(client); it != sessions_.end()) it->second->Release();
}

void Server::ScheduleCommit() {
  if (commit_scheduled_) return;
  commit_scheduled_ = true;
  // Runs after the handlers already ready in this turn: one commit covers them all.
  asio::post(io_, [this] {
    commit_scheduled_ = false;
    core_->Commit();
  });
}

void Server::RetryCommitSoon() {
  if (commit_retry_armed_ || stopping_) return;
  commit_retry_armed_ = true;
  commit_retry_timer_.expires_after(std::chrono::milliseconds(1));
  commit_retry_timer_.async_wait([this](const boost::system::error_code& ec) {
    commit_retry_armed_ = false;
    if (ec || stopping_) return;
    core_->Commit();
  });
}

void Server::StopRequested() {
  // After this turn: the reply to the admin who asked is queued first.
  asio::post(io_, [this] { Stop(); });
}

void Server::RereadStarting() { notify::Reloading(); }

void Server::RereadDone() { notify::Ready(ServiceStatus()); }

// ---- Time and signals

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
  const auto now = TurnNow();
  if (core_->Tick(now)) ScheduleSweep();
  if (now.mono - last_status_ >= 5s) {
    last_status_ = now.mono;
    notify::Status(ServiceStatus());
  }
  // Once a second: drop connections that never said HELLO, or went silent for longer
  // than a lease could live (a client with leases heartbeats every TTL/4).
  if (now.mono - last_idle_sweep_ < 1s) return;
  last_idle_sweep_ = now.mono;
  CutStalledSessions(now);
}

void Server::ScheduleSweep() {
  if (sweep_scheduled_) return;
  // The rest after the handlers already waiting, so clients are served in between.
  sweep_scheduled_ = true;
  asio::post(io_, [this] {
    sweep_scheduled_ = false;
    if (stopping_) return;
    if (core_->Sweep(TurnNow())) ScheduleSweep();
    log::Flush();
  });
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

RereadResult Server::Reread(admin_cmd::RereadMode mode) { return core_->Reread(mode, TurnNow()); }

void Server::Stop() {
  if (stopping_) return;
  stopping_ = true;
  notify::Stopping();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  tick_timer_.cancel();
  commit_retry_timer_.cancel();
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
  // Commits, and so releases the replies that waited for it (an admin's among them)
  // before the admin socket closes.
  core_->Stop(TurnNow());
  if (admin_) admin_->Stop();
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

engine::Now Server::TurnNow() {
  if (!turn_now_) {
    turn_now_ = ReadClock();
    asio::post(io_, [this] { turn_now_.reset(); });
  }
  return *turn_now_;
}

engine::Now Server::ReadClock() {
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

}  // namespace floatlm::server
