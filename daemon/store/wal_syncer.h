// Writes a WAL file's data to disk in the background, so that a checkpoint does not.
//
// With synchronous=NORMAL SQLite syncs the WAL only when it checkpoints, and that sync
// then carries every frame written since the last one: tens of megabytes and tens of
// milliseconds inside whichever commit triggered the checkpoint, on the event loop.
// WalSyncer calls fdatasync on the WAL file from its own thread whenever the file grew
// since its last pass (every `interval`), so the checkpoint's own sync finds little left
// to write. It changes no byte of the file and no promise of the store: a commit is
// still durable against a crash of the daemon as soon as it returns, and against a power
// loss no later than before.
//
// Thread-safe by construction: the thread touches only its own descriptor of the file.
// The WAL may not exist yet (SQLite creates it at the first write); the syncer opens it
// when it appears and keeps that descriptor until it stops.
#ifndef FLOATLM_DAEMON_STORE_WAL_SYNCER_H_
#define FLOATLM_DAEMON_STORE_WAL_SYNCER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace floatlm::store {

class WalSyncer {
 public:
  // Starts the thread at once.
  WalSyncer(std::string wal_path, std::chrono::milliseconds interval);
  ~WalSyncer();  // stops and joins the thread, closes its descriptor
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Passes that synced data (for tests and the bench's notes).
  std::uint64_t syncs() const;

 private:
  void Run();
  void SyncIfGrown();  // the thread's one pass

  // Constant after construction.
  const std::string path_;
  const std::chrono::milliseconds interval_;

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
