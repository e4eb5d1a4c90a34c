// Runs the privileged commands (remove, reread, down, report, backup, assign, cloud) for
// DaemonCore: checks who may (the admin socket's peer credentials, or the admin token over
// TLS), parses the arguments (admin_request.h), logs every request and refusal with who
// asked, and carries the typed request out on the core's engine, recorder and store.
//
// Changes are made through the engine, whose events DaemonCore records (event_record.h);
// the executor records only what has no engine event (assignments, released cloud-user
// slots). Replies are returned, not sent: the core holds them until the turn's commit, on
// both transports. Report and backup commit what is pending first, so they see every
// change acknowledged so far, then read the store on the admin worker's thread
// (admin_jobs.h) while the loop goes on; their reply follows when that is done.
//
// Not thread-safe: runs on the core's thread.
#ifndef FLOATLM_DAEMON_SERVICE_ADMIN_EXECUTOR_H_
#define FLOATLM_DAEMON_SERVICE_ADMIN_EXECUTOR_H_

#include <set>
#include <string>
#include <vector>

#include "engine/seat_engine.h"
#include "floatlm/proto/messages.h"
#include "service/admin_auth.h"
#include "service/admin_jobs.h"
#include "service/admin_request.h"
#include "service/client_context.h"

namespace floatlm::server {

class DaemonCore;

class AdminExecutor {
 public:
  explicit AdminExecutor(DaemonCore& core) : core_(core) {}

  // A request from the admin socket: STATUS (answered whole) or ADMIN from `peer`.
  // No messages: the request started a job (a report, a backup) that answers `target`
  // later (admin_jobs.h).
  std::vector<proto::Message> FromSocket(const proto::Message& request, const AdminTarget& target,
                                         const admin::PeerCredentials& peer,
                                         const engine::Now& now);
  // An ADMIN request on the client port: needs TLS and the admin token. No messages: as
  // FromSocket.
  std::vector<proto::Message> FromClientPort(const proto::Admin& cmd, const AdminTarget& target,
                                             const ClientContext& ctx, const engine::Now& now);

 private:
  // Parses, logs and runs an authenticated request.
  std::vector<proto::Message> Execute(const proto::Admin& cmd, const AdminTarget& target,
                                      const std::string& who, const engine::Now& now);
  std::vector<proto::Message> RemoveLeases(const std::vector<engine::LeaseId>& ids,
                                           const std::string& who, const engine::Now& now);
  std::vector<proto::Message> RemoveHeld(const admin_cmd::RemoveHeld& r, const std::string& who,
                                         const engine::Now& now);
  std::vector<proto::Message> AssignUser(const std::string& feature, const std::string& user,
                                         bool assign, const std::string& who,
                                         const engine::Now& now);
  std::vector<proto::Message> CloudList(const std::string& collection, const engine::Now& now);
  std::vector<proto::Message> ReleaseCloudSlot(const admin_cmd::CloudRelease& r,
                                               const std::string& who, const engine::Now& now);
  std::vector<proto::Message> ReleaseCloudSlots(const admin_cmd::CloudReleaseAll& r,
                                                const std::string& who, const engine::Now& now);
  // Records and logs one slot an admin released (the engine has released it).
  void SlotReleased(const std::string& collection, const std::string& user, const std::string& who,
                    const engine::Now& now);
  // Both start a job on the admin worker (admin_jobs.h) and return no messages, or
  // return the refusal when the worker has too much queued.
  std::vector<proto::Message> Report(const admin_cmd::Report& request, const AdminTarget& target,
                                     const engine::Now& now);
  // Writes a hot copy of the state to <state>/backups/floatlm-<UTC time>.db.
  std::vector<proto::Message> Backup(const AdminTarget& target, const std::string& who,
                                     const engine::Now& now);
  std::vector<proto::Message> StartJob(AdminJobs::Job job, const engine::Now& now);

  DaemonCore& core_;
  std::set<std::string> backups_in_flight_;  // paths of backups started, not yet finished
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_ADMIN_EXECUTOR_H_
