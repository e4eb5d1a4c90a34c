// floatlmd's server: the TCP listener, the sessions, the timers and the signals,
// around the one SeatEngine they all share.
//
// A single event-loop thread owns everything here (as Redis does): the engine needs no
// locks and every decision is made in one order. Signals arrive through Asio's
// signal_set, so no work happens inside a signal handler.
#ifndef FLOATLM_DAEMON_SERVER_SERVER_H_
#define FLOATLM_DAEMON_SERVER_SERVER_H_

#include "asio/asio.h"

#include <deque>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "service/admin_auth.h"
#include "server/admin_listener.h"
#include "config/daemon_config.h"
#include "engine/seat_engine.h"
#include "floatlm/licenses/signature.h"
#include "service/admin_request.h"
#include "service/expiry_warnings.h"
#include "service/request_handler.h"
#include "server/session.h"
#include "service/state_recorder.h"
#include "server/tls_context.h"
#include "store/lease_store.h"
#include "store/sqlite_lease_store.h"

namespace floatlm::server {

class Server {
 public:
  // Loads and verifies the licenses; throws std::runtime_error with one clear message
  // when nothing can be served (no valid feature, wrong host, unreadable file).
  Server(asio::io_context& io, const config::DaemonConfig& config);
  ~Server();

  // Binds the port and starts accepting; throws std::runtime_error if it cannot.
  // `process_start` (taken first thing in main) dates the start-up time that the
  // server.listening log line reports.
  void Start(engine::MonoTime process_start);
  // Stops gracefully: clients are told, leases are kept for their reattach window.
  void Stop();
  // Rereads the license files; keeps the old state if the new files cannot be served, or
  // (kApply) if any of their lines is rejected, or (kPartial) if applying them would end
  // a lease. kDryRun changes nothing and reports what would change. The text reports
  // what changed, or the reason nothing did.
  struct RereadResult {
    bool ok = false;
    std::string text;
  };
  RereadResult Reread(admin_cmd::RereadMode mode = admin_cmd::RereadMode::kApply);

  std::uint16_t port() const { return port_; }

  // Called by sessions.
  RequestHandler::After HandleFrame(Session& session, std::span<const std::uint8_t> body,
                                    std::string& replies);
  void OnSessionClosed(Session& session, std::string_view why);
  std::vector<proto::Message> HandleAdminOverTcp(const proto::Admin& cmd, const ClientContext& ctx);
  // Sends a session's replies: at once when the turn changed nothing durable, else after
  // the turn's batch is committed.
  void Deliver(Session& session, const std::string& replies);
  // Read-buffer bytes beyond each connection's first 512, all connections together:
  // Claim fails (and claims nothing) past --max-input-buffer.
  bool ClaimInput(std::size_t bytes);
  void ReleaseInput(std::size_t bytes);
  // Long answers (STATUS, DIAG) are written one slice per event-loop turn for all
  // connections together, in turn: between two slices every ready request is served.
  // The session's AnswerSlice runs in a later turn.
  void QueueAnswer(std::shared_ptr<Session> session);

 private:
  void DoAccept();
  void ScheduleTick();
  void OnTick();
  // Ends what lapsed, a bounded number per turn; posts itself again while more are due.
  void Sweep(const engine::Now& now);
  // Once a second: cuts connections that are idle, never said HELLO, leave replies
  // unread past --write-timeout, or stall in the middle of a frame.
  void CutStalledSessions(const engine::Now& now);
  // Once a minute: keeps cloud-user slots' last use, releases idle ones
  // (--cloud-slot-idle-days).
  void SweepCloudSlots(const engine::Now& now);
  // Removes one slice of journal entries older than --journal-days.
  void PruneJournal(const engine::Now& now);
  void DispatchEvents();
  // Logs the expiry warnings that are due (expiry_warnings.h); returns their sentences.
  std::vector<std::string> WarnAboutExpiry(const engine::Now& now);
  void WaitForSignals();
  RereadResult DoReread(admin_cmd::RereadMode mode);
  void ScheduleWatchdog(std::chrono::microseconds interval);
  std::string ServiceStatus() const;  // one line for systemd's STATUS=
  engine::Now CurrentNow() const;
  // Opens the state database and reads the remembered signature digests; returns the
  // milliseconds it took. RestoreState then puts the stored leases back into the engine.
  long long OpenStore();
  void RestoreState(long long open_ms);
  // Keeps the digests of a successful load, in memory and in the store, for the next one.
  void RememberSignatures(licenses::SignatureDigests verified);
  void ScheduleFlush();
  void ServeNextAnswer();
  // Commits the turn's batch, then releases the replies that waited for it. On failure
  // the batch is kept for the next try and new checkouts are refused meanwhile.
  void Flush();
  std::unique_ptr<ReplyStream> RenderStatus(const std::string& feature, bool json);
  std::vector<proto::Message> HandleAdminSocketRequest(const proto::Message& request,
                                                       const admin::PeerCredentials& peer);
  // Parses (admin_request.h), logs and runs an authenticated admin request.
  std::vector<proto::Message> ExecuteAdmin(const proto::Admin& cmd, const std::string& who);
  std::vector<proto::Message> RemoveLeases(const std::vector<engine::LeaseId>& ids,
                                           const std::string& who, const engine::Now& now);
  std::vector<proto::Message> AssignUser(const std::string& feature, const std::string& user,
                                         bool assign, const std::string& who,
                                         const engine::Now& now);
  std::vector<proto::Message> CloudList(const std::string& collection, const engine::Now& now);
  std::vector<proto::Message> ReleaseCloudSlots(const admin_cmd::CloudReleaseAll& r,
                                                const std::string& who, const engine::Now& now);
  // Records and logs one slot an admin released (the engine has released it).
  void SlotReleased(const std::string& collection, const std::string& user, const std::string& who,
                    const engine::Now& now);
  std::vector<proto::Message> Report(const admin_cmd::Report& request);
  // Writes a hot copy of the state database to <state>/backups/floatlm-<UTC time>.db.
  std::vector<proto::Message> Backup(const std::string& who);

  asio::io_context& io_;
  config::DaemonConfig config_;
  std::unique_ptr<asio::ssl::context> tls_;  // null: the client port speaks plain TCP
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer tick_timer_;
  asio::steady_timer stop_timer_;
  asio::steady_timer watchdog_timer_;
  asio::signal_set signals_;
  std::unique_ptr<engine::SeatEngine> engine_;
  std::unique_ptr<store::LeaseStore> store_;
  store::SqliteLeaseStore* sqlite_store_ = nullptr;  // store_ itself, for what only SQLite does
  licenses::SignatureDigests known_signatures_;      // verified at the last load (see above)
  std::unique_ptr<StateRecorder> recorder_;
  std::vector<std::shared_ptr<Session>> awaiting_commit_;
  bool flush_scheduled_ = false;
  std::deque<std::weak_ptr<Session>> answers_;  // see QueueAnswer
  bool answer_posted_ = false;
  bool sweep_scheduled_ = false;
  bool store_healthy_ = true;
  std::unique_ptr<RequestHandler> handler_;
  std::unique_ptr<admin::AdminListener> admin_;
  std::optional<admin::AdminToken> admin_token_;
  std::unordered_map<engine::ClientId, std::shared_ptr<Session>> sessions_;
  engine::ClientId next_client_ = 1;
  engine::WallTime started_;
  engine::MonoTime last_idle_sweep_;
  engine::MonoTime last_status_;
  licenses::Date expiry_checked_on_;  // the day WarnAboutExpiry last looked
  ExpiryWarnings expiry_warnings_;
  std::uint16_t port_ = 0;
  bool stopping_ = false;
  std::size_t input_claimed_ = 0;  // see ClaimInput
  engine::MonoTime next_prune_{};  // PruneJournal: the next time to look
  engine::MonoTime next_cloud_sweep_{};  // SweepCloudSlots: the next time to look
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_SERVER_H_
