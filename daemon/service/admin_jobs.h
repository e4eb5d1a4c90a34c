// The admin commands' long work (a report's journal scan, a backup) on a thread of its
// own, so that the event loop goes on serving clients meanwhile.
//
// A job has two halves: `run` on the worker thread (it reads the store as admin work,
// see store/lease_store.h, and keeps its result in its own captures), then `finish` on
// the event loop, which turns that result into the reply (and logs it). One job runs at
// a time, in the order they were started; at most kMaxJobs are running or waiting, and
// a further Start is refused, so no admin can pile up work without bound.
//
// Progress: a job that has run for a second or more is reported to its requester once
// a second (SendProgress) as a PROGRESS frame carrying the job's latest sentence, so the
// CLI knows the daemon is at it and waits without a fixed deadline.
//
// Threads: every method is called on the event loop. `run` and its ProgressNote are the
// only things on the worker thread; `post` is called there to bring `finish` back.
#ifndef FLOATLM_DAEMON_SERVICE_ADMIN_JOBS_H_
#define FLOATLM_DAEMON_SERVICE_ADMIN_JOBS_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/seat_engine.h"
#include "floatlm/proto/messages.h"

namespace floatlm::server {

// Frames of a reply to an admin request on the admin socket; the last one ends it.
using AdminReply = std::function<void(const std::string& frames)>;

// Where the answer to an admin request goes.
struct AdminTarget {
  std::uint32_t request_id = 0;
  engine::ClientId client = 0;  // a client-port connection (TLS and token); 0: the socket
  AdminReply reply;             // the admin socket's final reply
  AdminReply progress;          // the admin socket's progress frames; may be empty
};

// The sentence a running job last gave about how far it is.
class ProgressNote {
 public:
  void Set(std::string sentence);
  std::string Get() const;

 private:
  mutable std::mutex mu_;
  std::string sentence_;  // guarded by mu_
};

class AdminJobs {
 public:
  static constexpr std::size_t kMaxJobs = 4;

  struct Job {
    std::string what;  // "report", "backup": for the progress frames
    AdminTarget target;
    // The worker's half. `cancel` is set when the daemon stops: return soon, result unused.
    std::function<void(const std::atomic<bool>& cancel, ProgressNote& note)> run;
    // The loop's half, after run returned: the reply.
    std::function<std::vector<proto::Message>()> finish;
  };

  // `post`: runs a function on the event loop later; the one call made from the worker
  // thread. `deliver`: hands frames to a target (last: the reply is complete).
  using Post = std::function<void(std::function<void()>)>;
  using Deliver =
      std::function<void(const AdminTarget& target, const std::string& frames, bool last)>;
  AdminJobs(Post post, Deliver deliver);
  ~AdminJobs();  // cancels and joins, delivering nothing
  AdminJobs(const AdminJobs&) = delete;
  AdminJobs& operator=(const AdminJobs&) = delete;

  // Queues `job`; false (nothing queued) when kMaxJobs are running or waiting.
  bool Start(Job job, engine::MonoTime now);
  // A PROGRESS frame to the requester of each job started a second or more ago.
  void SendProgress(engine::MonoTime now);
  // Cancels the running job, drops the waiting ones (their requesters get `why` as an
  // error), and joins the worker. Later Starts are refused.
  void Stop(const std::string& why);
  std::size_t active() const { return jobs_.size(); }

 private:
  struct Entry;
  void WorkerLoop();
  void Halt();  // Stop without telling anyone (the destructor)
  void Finished(const std::shared_ptr<Entry>& entry);  // on the loop

  // Constant after construction.
  const Post post_;
  const Deliver deliver_;
  // Shared with the closures posted to the loop: false once Stop ran, so a `finish`
  // still queued on the loop after Stop is dropped.
  const std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  // Event loop only.
  std::vector<std::shared_ptr<Entry>> jobs_;  // started, not yet finished, in order
  bool stopped_ = false;

  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Entry>> queue_;  // guarded by mu_: for the worker
  bool quit_ = false;                         // guarded by mu_
  std::thread worker_;                        // started by the first Start
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_ADMIN_JOBS_H_
