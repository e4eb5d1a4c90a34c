// What DaemonCore (daemon_core.h) asks of the shell that carries it: the shell owns the
// sockets, the timers and the clock; the core decides. Every call comes from the core on
// the event-loop thread, inside a call the shell made into the core, except Post.
#ifndef FLOATLM_DAEMON_SERVICE_CORE_HOST_H_
#define FLOATLM_DAEMON_SERVICE_CORE_HOST_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "engine/seat_engine.h"

namespace floatlm::server {

class CoreHost {
 public:
  virtual ~CoreHost() = default;

  // Client-port connection `client` (one the core was told of with Connect): write
  // `frames` (whole frames) now, after whatever was queued for it before.
  virtual void Send(engine::ClientId client, const std::string& frames) = 0;
  // Queue `frames` for `client` without writing them: they wait for the turn's commit.
  // They count against the connection's budgets from now on.
  virtual void Hold(engine::ClientId client, const std::string& frames) = 0;
  // The commit the held frames waited for is done: start writing them.
  virtual void Release(engine::ClientId client) = 0;
  // Something waits for a commit: call DaemonCore::Commit once the handlers that are
  // ready now have run (so one commit covers them all). Several calls before that
  // Commit ask for one.
  virtual void ScheduleCommit() = 0;
  // The store deferred the commit (LeaseStore::TryCommit: busy with a checkpoint for a
  // few milliseconds): call DaemonCore::Commit again after about a millisecond, without
  // holding up the loop meanwhile. Several calls before that ask for one.
  virtual void RetryCommitSoon() = 0;

  // An admin asked the daemon to stop; the reply is queued. Stop after this turn.
  virtual void StopRequested() = 0;
  // A reread that may change what is served begins and ends (systemd's RELOADING=1 and
  // READY=1); a dry run calls neither.
  virtual void RereadStarting() = 0;
  virtual void RereadDone() = 0;

  // Facts for status answers: the listening address ("127.0.0.1:27000") and the open
  // client connections.
  virtual std::string Address() const = 0;
  virtual std::size_t Connections() const = 0;
  // A steady clock for durations the core reports (a backup's milliseconds); decisions
  // use only the `now` the shell passes in.
  virtual engine::MonoTime Elapsed() const = 0;

  // The one call that may come from any thread (the admin worker's, admin_jobs.h): run
  // `fn` on the event loop, in a turn of its own, soon. Not run once the loop stopped.
  virtual void Post(std::function<void()> fn) = 0;

 protected:
  CoreHost() = default;
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_CORE_HOST_H_
