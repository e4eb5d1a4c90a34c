// floatlmd's shell: the client port (TCP or TLS), the sessions, the admin socket, the
// timers, the signals and the systemd watchdog, around the DaemonCore
// (service/daemon_core.h) that makes every decision. The shell reads the clock once per
// event-loop turn and hands that `now` in; it carries out what the core asks through
// CoreHost (send, hold, release, commit, stop).
//
// A single event-loop thread owns everything here (as Redis does): nothing needs locks
// and every decision is made in one order. Signals arrive through Asio's signal_set, so
// no work happens inside a signal handler.
#ifndef FLOATLM_DAEMON_SERVER_SERVER_H_
#define FLOATLM_DAEMON_SERVER_SERVER_H_

#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "asio/asio.h"
#include "config/daemon_config.h"
#include "server/admin_listener.h"
#include "server/session.h"
#include "server/session_host.h"
#include "server/tls_context.h"
#include "service/core_host.h"
#include "service/daemon_core.h"

namespace floatlm::server {

class Server final : private SessionHost, private CoreHost {
 public:
  // Opens the state store, loads and verifies the licenses, restores the leases; throws
  // std::runtime_error with one clear message when nothing can be served (no valid
  // feature, wrong host, unreadable file, a store that cannot be opened).
  Server(asio::io_context& io, const config::DaemonConfig& config);
  ~Server() override;

  // Binds the port and starts accepting; throws std::runtime_error if it cannot.
  // `process_start` (taken first thing in main) dates the start-up time that the
  // server.listening log line reports.
  void Start(engine::MonoTime process_start);
  // Stops gracefully: clients are told, leases are kept for their reattach window.
  void Stop();
  // Rereads the license and options files (DaemonCore::Reread).
  RereadResult Reread(admin_cmd::RereadMode mode = admin_cmd::RereadMode::kApply);

  std::uint16_t port() const { return port_; }

 private:
  // SessionHost
  RequestHandler::After HandleFrame(Session& session, std::span<const std::uint8_t> body,
                                    std::string& replies) override;
  void Deliver(Session& session, const std::string& replies) override;
  void OnSessionClosed(Session& session, std::string_view why) override;
  bool ClaimInput(std::size_t bytes) override;
  void ReleaseInput(std::size_t bytes) override;
  void QueueAnswer(std::shared_ptr<Session> session) override;

  // CoreHost
  void Send(engine::ClientId client, const std::string& frames) override;
  void Hold(engine::ClientId client, const std::string& frames) override;
  void Release(engine::ClientId client) override;
  void ScheduleCommit() override;
  void RetryCommitSoon() override;
  void StopRequested() override;
  void RereadStarting() override;
  void RereadDone() override;
  std::string Address() const override;
  std::size_t Connections() const override { return sessions_.size(); }
  engine::MonoTime Elapsed() const override { return engine::MonoTime::clock::now(); }
  void Post(std::function<void()> fn) override;

  void DoAccept();
  void ScheduleTick();
  void OnTick();
  // Runs the core's next sweep slice after the handlers already waiting, while more is due.
  void ScheduleSweep();
  // Once a second: cuts connections that are idle, never said HELLO, leave replies
  // unread past --write-timeout, or stall in the middle of a frame.
  void CutStalledSessions(const engine::Now& now);
  void WaitForSignals();
  void ScheduleWatchdog(std::chrono::microseconds interval);
  std::string ServiceStatus() const;  // one line for systemd's STATUS=
  void ServeNextAnswer();
  // The time of this event-loop turn: the clock is read (local date included) by the
  // turn's first handler that asks, and every later handler of the turn gets the same
  // value, so the requests, closes and ticks of one turn (and the batch they commit
  // together) agree on what time it is. The turn ends when the handlers that were ready
  // at that first read have run.
  engine::Now TurnNow();
  static engine::Now ReadClock();

  // Constant after construction.
  asio::io_context& io_;
  config::DaemonConfig config_;
  std::unique_ptr<asio::ssl::context> tls_;  // null: the client port speaks plain TCP

  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer tick_timer_;
  asio::steady_timer commit_retry_timer_;
  asio::steady_timer stop_timer_;
  asio::steady_timer watchdog_timer_;
  asio::signal_set signals_;
  std::unique_ptr<DaemonCore> core_;
  std::unique_ptr<admin::AdminListener> admin_;
  std::unordered_map<engine::ClientId, std::shared_ptr<Session>> sessions_;
  engine::ClientId next_client_ = 1;
  bool commit_scheduled_ = false;
  bool commit_retry_armed_ = false;
  std::deque<std::weak_ptr<Session>> answers_;  // see QueueAnswer
  bool answer_posted_ = false;
  bool sweep_scheduled_ = false;
  engine::MonoTime last_idle_sweep_;
  engine::MonoTime last_status_;
  std::uint16_t port_ = 0;
  bool stopping_ = false;
  std::size_t input_claimed_ = 0;  // see ClaimInput
  std::optional<engine::Now> turn_now_;  // see TurnNow
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_SERVER_H_
