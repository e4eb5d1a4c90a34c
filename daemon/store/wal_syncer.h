// The SQLite store's own thread beside its WAL file: every `interval` it runs `pass`
// (the store's checkpoint, sqlite_lease_store.h), which may call SyncNow().
//
// With synchronous=NORMAL SQLite syncs the WAL only when it checkpoints, and that sync
// then carries every frame written since the last one: tens of megabytes and tens of
// milliseconds. SyncNow() does that sync ahead of the checkpoint, on this thread and
// without the connection, so the checkpoint's own sync finds little left to write. A
// sync changes no byte of the file and no promise of the store: a commit is still
// durable against a crash of the daemon as soon as it returns, and against a power loss
// no later than before.
//
// The thread touches only its own descriptor of the file and what `pass` touches. The
// WAL may not exist yet (SQLite creates it at the first write): SyncNow() opens it once
// it is there and keeps that descriptor until the thread stops.
#ifndef FLOATLM_DAEMON_STORE_WAL_SYNCER_H_
#define FLOATLM_DAEMON_STORE_WAL_SYNCER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace floatlm::store {

class WalSyncer {
 public:
  // Starts the thread at once; the first pass comes one `interval` later.
  WalSyncer(std::string wal_path, std::chrono::milliseconds interval,
            std::function<void(WalSyncer&)> pass);
  ~WalSyncer();  // stops and joins the thread (a pass in progress ends first)
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Syncs that wrote the file to disk so far (tests).
  std::uint64_t syncs() const;
  // fdatasync of the WAL; false when it does not exist yet or the sync failed (the
  // checkpoint's own sync then reports the trouble). Only from `pass`.
  bool SyncNow();

 private:
  void Run();

  // Constant after construction.
  const std::string path_;
  const std::chrono::milliseconds interval_;
  const std::function<void(WalSyncer&)> pass_;

  int fd_ = -1;  // the thread's own

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;        // guarded by mu_
  std::uint64_t syncs_ = 0;  // guarded by mu_
  std::thread thread_;       // last: started when the rest is set
};

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_WAL_SYNCER_H_
