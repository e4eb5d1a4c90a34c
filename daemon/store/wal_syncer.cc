#include "store/wal_syncer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace floatlm::store {

WalSyncer::WalSyncer(std::string wal_path, std::chrono::milliseconds interval,
                     std::function<void(WalSyncer&)> after_pass, bool sync_each_pass)
    : path_(std::move(wal_path)),
      interval_(interval),
      after_pass_(std::move(after_pass)),
      sync_each_pass_(sync_each_pass),
      thread_([this] { Run(); }) {}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t WalSyncer::syncs() const {
  std::lock_guard lk(mu_);
  return syncs_;
}

void WalSyncer::Run() {
  std::unique_lock lk(mu_);
  while (!cv_.wait_for(lk, interval_, [this] { return stop_; })) {
    lk.unlock();
    if (sync_each_pass_) SyncIfGrown();
    if (after_pass_) after_pass_(*this);
    lk.lock();
  }
}

void WalSyncer::SyncIfGrown() {
  if (fd_ < 0) {
    // Read-only is enough for fdatasync; the WAL holds no locks of its own that closing
    // this descriptor could drop (SQLite's POSIX locks are on the database file).
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd_ < 0) return;  // not written yet
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return;
  const std::int64_t mtime_ns =
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  // SQLite rewrites a WAL from its start after a checkpoint, so an unchanged size is no
  // proof of no writes: the modification time tells.
  if (st.st_size == synced_size_ && mtime_ns == synced_mtime_ns_) return;
  if (::fdatasync(fd_) != 0) return;  // the checkpoint's own sync reports real trouble
  synced_size_ = st.st_size;
  synced_mtime_ns_ = mtime_ns;
  std::lock_guard lk(mu_);
  ++syncs_;
}

}  // namespace floatlm::store
