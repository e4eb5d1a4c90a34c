#include "service/admin_jobs.h"

#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <utility>

namespace floatlm::server {

// How much lower than the event loop the worker thread runs (a nice value): on a busy
// host the license service comes first, admin work takes what is left.
constexpr int kWorkerNice = 10;

struct AdminJobs::Entry {
  Job job;
  engine::MonoTime started{};
  ProgressNote note;
};

void ProgressNote::Set(std::string sentence) {
  std::lock_guard lk(mu_);
  sentence_ = std::move(sentence);
}

std::string ProgressNote::Get() const {
  std::lock_guard lk(mu_);
  return sentence_;
}

AdminJobs::AdminJobs(Post post, Deliver deliver)
    : post_(std::move(post)), deliver_(std::move(deliver)) {}

AdminJobs::~AdminJobs() { Halt(); }

bool AdminJobs::Start(Job job, engine::MonoTime now) {
  if (stopped_ || jobs_.size() >= kMaxJobs) return false;
  auto entry = std::make_shared<Entry>();
  entry->job = std::move(job);
  entry->started = now;
  jobs_.push_back(entry);
  {
    std::lock_guard lk(mu_);
    queue_.push_back(entry);
  }
  if (!worker_.joinable()) worker_ = std::thread([this] { WorkerLoop(); });
  wake_.notify_one();
  return true;
}

void AdminJobs::WorkerLoop() {
  // Per-thread on Linux: only this thread's priority changes. A failure leaves it at the
  // loop's priority, which is slower for the loop but still correct.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), kWorkerNice);
  for (;;) {
    std::shared_ptr<Entry> entry;
    {
      std::unique_lock lk(mu_);
      wake_.wait(lk, [this] { return quit_ || !queue_.empty(); });
      if (quit_) return;
      entry = std::move(queue_.front());
      queue_.pop_front();
    }
    entry->job.run(cancel_, entry->note);
    // A report's working set (a record per lease of the range) is gone now: hand the
    // memory back to the system rather than keep the peak for the daemon's lifetime.
    ::malloc_trim(0);
    if (cancel_.load()) return;
    post_([this, alive = std::weak_ptr<bool>(alive_), entry] {
      const auto still = alive.lock();
      if (still && *still) Finished(entry);
    });
  }
}

void AdminJobs::Finished(const std::shared_ptr<Entry>& entry) {
  std::erase(jobs_, entry);
  std::string frames;
  for (const auto& m : entry->job.finish()) {
    proto::EncodeFrame(entry->job.target.request_id, m, frames);
  }
  deliver_(entry->job.target, frames, true);
}

void AdminJobs::SendProgress(engine::MonoTime now) {
  for (const auto& entry : jobs_) {
    if (now - entry->started < std::chrono::seconds(1)) continue;
    std::string sentence = entry->note.Get();
    if (sentence.empty()) sentence = entry->job.what + ": waiting for the job before it";
    std::string frames;
    proto::EncodeFrame(entry->job.target.request_id, proto::Progress{std::move(sentence)}, frames);
    deliver_(entry->job.target, frames, false);
  }
}

void AdminJobs::Halt() {
  if (stopped_) return;
  stopped_ = true;
  *alive_ = false;
  cancel_.store(true);
  {
    std::lock_guard lk(mu_);
    quit_ = true;
    queue_.clear();
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

void AdminJobs::Stop(const std::string& why) {
  Halt();
  for (const auto& entry : std::exchange(jobs_, {})) {
    std::string frames;
    proto::EncodeFrame(entry->job.target.request_id,
                       proto::Error{Errc::kServerShuttingDown,
                                    fmt::format("{} not finished: {}", entry->job.what, why)},
                       frames);
    deliver_(entry->job.target, frames, true);
  }
}

}  // namespace floatlm::server
