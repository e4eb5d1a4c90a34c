#include "store/wal_syncer.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace floatlm::store {

WalSyncer::WalSyncer(std::string wal_path, std::chrono::milliseconds interval,
                     std::function<void(WalSyncer&)> pass)
    : path_(std::move(wal_path)),
      interval_(interval),
      pass_(std::move(pass)),
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
    pass_(*this);
    lk.lock();
  }
}

bool WalSyncer::SyncNow() {
  if (fd_ < 0) {
    // Read-only is enough for fdatasync; the WAL holds no locks of its own that closing
    // this descriptor could drop (SQLite's POSIX locks are on the database file).
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd_ < 0) return false;
  }
  if (::fdatasync(fd_) != 0) return false;
  std::lock_guard lk(mu_);
  ++syncs_;
  return true;
}

}  // namespace floatlm::store
