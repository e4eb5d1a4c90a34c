// The daemon without its sockets: the seat engine, the state recorder and the store,
// the request handler and the admin executor, and the one commit gate between what they
// decide and what leaves the daemon.
//
// The shell (server/) owns the sockets, timers, signals and the clock. It tells the core
// of connections, frames, closes and ticks, each with the turn's `now`, and carries out
// what the core asks through CoreHost: bytes to send or hold per connection, a commit to
// schedule, a stop.
//
// The commit gate. Every change the engine makes is an engine::Event; RecordEvent
// (event_record.h) turns each into its journal entries and its log line, whichever way
// it came (a direct grant, a waiter's grant, an admin removal). Replies produced while
// the turn's batch holds changes (from the client port and the admin socket alike) are
// held; Commit writes the batch in one store transaction and only then releases them, in
// the order they were produced. A reply produced while nothing is pending leaves at once.
// What a reply means when its batch failed to commit: state_recorder.h.
//
// Errors: the constructor throws std::runtime_error with one clear message when nothing
// can be served (no valid license, a store that cannot be opened or read). Nothing else
// throws. Threads: one thread (the shell's event loop) makes every call.
#ifndef FLOATLM_DAEMON_SERVICE_DAEMON_CORE_H_
#define FLOATLM_DAEMON_SERVICE_DAEMON_CORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/daemon_config.h"
#include "engine/seat_engine.h"
#include "floatlm/licenses/signature.h"
#include "service/admin_auth.h"
#include "service/admin_jobs.h"
#include "service/admin_request.h"
#include "service/client_context.h"
#include "service/core_host.h"
#include "service/expiry_warnings.h"
#include "service/license_set.h"
#include "service/request_handler.h"
#include "service/state_recorder.h"
#include "store/lease_store.h"

namespace floatlm::server {

class AdminExecutor;

// Loads the license set the daemon serves: at start-up (`reread` false) and for each
// reread. `known`: digests of the signatures verified at the last successful load.
using LicenseLoader =
    std::function<LicenseSet(const licenses::SignatureDigests& known, bool reread)>;

// The shell's LicenseLoader: the files and options of `config` (LoadLicenseSet), with the
// file-permission warnings of config/file_permissions.h before a reread.
LicenseLoader LoadFromConfig(const config::DaemonConfig& config);

// What the core takes besides the command line.
struct CoreOptions {
  // The admin token (--admin-token-file, read by the shell); without one, admin commands
  // are accepted only on the admin socket.
  std::optional<admin::AdminToken> admin_token;
  // Settings the command line does not reach, for tests and fuzzers (small queues and
  // windows, a deterministic token source); applied after those of `config`.
  std::function<void(engine::EngineConfig&, HandlerSettings&)> tune;
};

struct RereadResult {
  bool ok = false;
  std::string text;  // what changed, or why nothing did
};

class DaemonCore {
 public:
  // Reads the remembered signature digests from `store`, loads the licenses, restores
  // the stored leases (restore.h) and commits the start record.
  DaemonCore(const config::DaemonConfig& config, std::unique_ptr<store::LeaseStore> store,
             LicenseLoader load, CoreHost& host, const engine::Now& now, CoreOptions options = {});
  ~DaemonCore();
  DaemonCore(const DaemonCore&) = delete;
  DaemonCore& operator=(const DaemonCore&) = delete;

  // ---- Client connections. `ctx` (id and peer set, owned by the shell's session)
  // stays registered, and must stay alive, until Disconnect.
  void Connect(ClientContext& ctx);
  // The connection is gone: its waiters leave their queues, its leases wait for a
  // reattach. No-op for an unknown id.
  void Disconnect(engine::ClientId id, std::string_view why, const engine::Now& now);
  // One frame's body from `ctx`'s connection; appends the reply frames to `replies`,
  // which the shell passes to Deliver (once for the frames it handles in one go). What
  // the request caused for other connections reaches them through the host.
  RequestHandler::After HandleFrame(ClientContext& ctx, std::span<const std::uint8_t> body,
                                    const engine::Now& now, std::string& replies);
  // Hands the replies of a client connection's requests (HandleFrame's, or a slice of a
  // long answer) to the host: sent at once when nothing waits for a commit, else held
  // until Commit (which then releases them in order). Replies to heartbeats alone leave
  // at once even then, unless that connection already has frames held: a heartbeat
  // changes nothing stored and tells the client only about its own leases, and anything
  // pending about those (a grant, a LEASE_LOST) is held for it and keeps the heartbeat's
  // reply behind it.
  void Deliver(ClientContext& ctx, const std::string& frames);

  // ---- The admin socket. One frame's body from a peer the kernel identified; `reply`
  // receives the encoded reply frames once they may leave (after the commit of the
  // changes the request made), possibly before this call returns. A report or a backup
  // runs off the loop (admin_jobs.h) and replies in a later turn; `progress`, when
  // given, receives its PROGRESS frames meanwhile.
  using AdminReply = server::AdminReply;
  void HandleAdminFrame(std::span<const std::uint8_t> body, const admin::PeerCredentials& peer,
                        const engine::Now& now, AdminReply reply, AdminReply progress = {});

  // ---- Time. Every tick (about 100 ms): ends a bounded slice of what lapsed and says
  // whether more is due at once (then the shell calls Sweep again after the ready
  // handlers). Once a second it also closes denial windows, ages cloud-user slots,
  // prunes a slice of the journal and retries a failed commit.
  bool Tick(const engine::Now& now);
  bool Sweep(const engine::Now& now);

  // ---- The commit gate: writes the turn's batch, then releases the held replies.
  // On failure the batch is kept for the next try, new checkouts are refused meanwhile,
  // and the replies are released anyway (state_recorder.h says what they then mean).
  void Commit();
  bool commit_pending() const { return !recorder_->empty() || !held_.empty(); }

  RereadResult Reread(admin_cmd::RereadMode mode, const engine::Now& now);
  // The daemon stops: cancels admin work in progress (its requesters are told), journals
  // the stop and commits.
  void Stop(const engine::Now& now);

  const engine::SeatEngine& engine() const { return *engine_; }
  engine::WallTime started() const { return started_; }
  bool store_healthy() const { return store_healthy_; }
  // Reports and backups started and not yet answered (admin_jobs.h).
  std::size_t admin_jobs() const { return jobs_->active(); }
  // The shell's fuzz and test seam: the store the core writes to.
  store::LeaseStore& store() { return *store_; }

 private:
  friend class AdminExecutor;

  // Turns the engine's new events into records and log lines, and tells the connected
  // clients what concerns them.
  void DispatchEvents(const engine::Now& now);
  void DeliverAdmin(AdminReply reply, std::string frames);
  // An admin job's frames to its requester, if still connected (AdminJobs::Deliver).
  void DeliverJobFrames(const AdminTarget& target, const std::string& frames, bool last);
  // Deliver without the heartbeats' exception: notifications, and every other reply.
  void DeliverEvent(ClientContext& ctx, const std::string& frames);
  // The turn's commit; `wait`: for a checkpoint in progress instead of deferring.
  void CommitTurn(bool wait);
  std::vector<proto::Message> AdminOverTcp(const proto::Admin& cmd, const ClientContext& ctx,
                                           const engine::Now& now);
  std::unique_ptr<ReplyStream> RenderStatus(const std::string& feature, bool json,
                                            const engine::Now& now) const;
  void RememberSignatures(licenses::SignatureDigests verified);
  void Restore(const engine::Now& now);
  void SweepCloudSlots(const engine::Now& now);
  void PruneJournal(const engine::Now& now);
  // Logs the expiry warnings that are due (expiry_warnings.h); returns their sentences.
  std::vector<std::string> WarnAboutExpiry(const engine::Now& now);
  std::vector<std::string> WarnAboutNamedOverLimit(const engine::Now& now) const;

  // Constant after construction.
  const config::DaemonConfig config_;
  CoreHost& host_;
  LicenseLoader load_;
  std::optional<admin::AdminToken> admin_token_;
  engine::WallTime started_;

  std::unique_ptr<store::LeaseStore> store_;
  licenses::SignatureDigests known_signatures_;  // verified at the last load
  std::unique_ptr<engine::SeatEngine> engine_;
  std::unique_ptr<StateRecorder> recorder_;
  std::unique_ptr<RequestHandler> handler_;
  std::unique_ptr<AdminExecutor> admin_;
  // After the store, the engine and the executor: destroyed (its worker stopped) before
  // anything the worker reads.
  std::unique_ptr<AdminJobs> jobs_;
  std::unordered_map<engine::ClientId, ClientContext*> clients_;
  // Replies waiting for the commit, in the order they were produced: a client
  // connection's (held by the host) or an admin socket reply (held here).
  struct Held {
    engine::ClientId client = 0;  // 0: an admin reply
    AdminReply admin;
    std::string frames;
  };
  std::vector<Held> held_;
  bool store_healthy_ = true;
  ExpiryWarnings expiry_warnings_;
  licenses::Date expiry_checked_on_{};
  engine::MonoTime next_second_{};
  engine::MonoTime next_prune_{};
  engine::MonoTime next_cloud_sweep_{};
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_DAEMON_CORE_H_
