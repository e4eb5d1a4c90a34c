// A thread beside a WAL file: every `interval` it runs `after_pass` (the SQLite store's
// checkpoint, sqlite_lease_store.h) and, unless told otherwise, writes the file's data
// to disk when it changed since the last pass.
//
// With synchronous=NORMAL SQLite syncs the WAL only when it checkpoints, and that sync
// then carries every frame written since the last one: tens of megabytes and tens of
// milliseconds. SyncNow() does that sync ahead of the checkpoint, on this thread and
// without the connection, so the checkpoint's own sync finds little left to write. A
// sync changes no byte of the file and no promise of the store: a commit is still
// durable against a crash of the daemon as soon as it returns, and against a power loss
// no later than before.
//
// Thread-safe by construction: the thread touches only its own descriptor of the file.
// The WAL may not exist yet (SQLite creates it at the first write); the syncer opens it
// when it appears and keeps that descriptor until it stops.
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
  // Starts the thread at once. `after_pass` (may be empty) runs on the thread after each
  // pass, synced or not: the store's checkpoint (sqlite_lease_store.h).
  // `sync_each_pass`: sync on every pass that finds the file changed; false: only when
  // `after_pass` calls SyncNow().
  WalSyncer(std::string wal_path, std::chrono::milliseconds interval,
            std::function<void(WalSyncer&)> after_pass = {}, bool sync_each_pass = true);
  ~WalSyncer();  // stops and joins the thread, closes its descriptor
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Passes that synced data (for tests and the bench's notes).
  std::uint64_t syncs() const;
  // The sync, now, if the file changed since the last one. Only from `after_pass`.
  void SyncNow() { SyncIfGrown(); }

 private:
  void Run();
  void SyncIfGrown();  // the thread's one pass

  // Constant after construction.
  const std::string path_;
  const std::chrono::milliseconds interval_;
  const std::function<void(WalSyncer&)> after_pass_;
  const bool sync_each_pass_;

  // The thread's own.
  int fd_ = -1;
  std::int64_t synced_size_ = -1;
  std::int64_t synced_mtime_ns_ = -1;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;        // guarded by mu_
  std::uint64_t syncs_ = 0;  // guarded by mu_
  std::thread thread_;       // last: started when the rest is set
};

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_STORE_WAL_SYNCER_H_
