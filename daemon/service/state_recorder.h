// Collects what one event-loop turn changed (leases granted, freed, ended; journal
// entries) into a store::Batch. DaemonCore commits the batch once per turn (group
// commit) before any reply of that turn leaves the daemon: decide, persist, reply.
//
// What a reply means:
//  - after a successful commit (the normal case): what it says is durable; a grant, a
//    checkin or an admin's removal survives kill -9 and a restart.
//  - after a failed commit: the batch is kept whole and retried (at the end of every turn
//    that has replies to release, and once a second), and the replies are released
//    anyway. What they say is in force in memory but not yet durable: a grant is served
//    and heartbeated; should the daemon die before a retry succeeds, that grant is not
//    restored (its holder reattaches in vain and checks out again), and an admin's
//    removal is undone. So that no seat is handed out twice on that account, the
//    daemon refuses new checkouts (store_unavailable) from the first failed commit until
//    one succeeds; existing leases keep working.
// Runs on the event loop only.
#ifndef FLOATLM_DAEMON_SERVICE_STATE_RECORDER_H_
#define FLOATLM_DAEMON_SERVICE_STATE_RECORDER_H_

#include <string>

#include "engine/seat_engine.h"
#include "service/client_context.h"
#include "store/records.h"

namespace floatlm::server {

class StateRecorder {
 public:
  explicit StateRecorder(const engine::SeatEngine& engine) : engine_(engine) {}

  // A lease was granted (directly or from the queue). `ctx` adds pid and app when known.
  void Granted(const engine::LeaseView& lease, const ClientContext* ctx, engine::WallTime now);
  // A lease's record changed (moved to another seat, reattached); the journal says `why`.
  void Updated(const engine::LeaseView& lease, store::JournalEvent why, std::string detail,
               engine::WallTime now);
  void CheckedIn(const engine::LeaseView& lease, engine::WallTime now);
  // The daemon ended a lease: timed out, license expired, removed, pool gone.
  void Ended(const engine::LeaseView& lease, Errc reason, const std::string& message,
             engine::WallTime now);
  // `count` denials of one kind (DenialLedger folds repeats into one entry).
  void Denied(const engine::Identity& who, const std::string& feature, const std::string& version,
              Errc reason, const std::string& message, engine::WallTime now,
              std::uint32_t count = 1);
  void CloudSlotGranted(const std::string& collection, const engine::LeaseView& lease,
                        engine::WallTime now);
  // `detail` says why when the daemon released it on its own (idle).
  void CloudSlotReleased(const std::string& collection, const std::string& user,
                         engine::WallTime now, std::string detail = {});
  // A slot's last use moved on (SweepCloudSlots' `touched`).
  void CloudSlotUsed(const engine::CloudSlotView& slot);
  // Named-user assignments are stored under the feature name.
  void Assigned(const std::string& feature, const std::string& user, engine::WallTime now);
  void Unassigned(const std::string& feature, const std::string& user, engine::WallTime now);
  // Daemon-wide events: start, stop, reread.
  void Server(store::JournalEvent event, std::string detail, engine::WallTime now);

  bool empty() const { return batch_.empty(); }
  store::Batch& batch() { return batch_; }
  void Clear() { batch_ = store::Batch{}; }

 private:
  store::LeaseRecord Record(const engine::LeaseView& lease) const;
  store::JournalEntry Entry(store::JournalEvent event, const engine::LeaseView& lease,
                            engine::WallTime now) const;

  const engine::SeatEngine& engine_;
  store::Batch batch_;
  // Lease ids up to here are reserved in the store. A grant above it reserves the next
  // block, so the mark is written once per kIdBlock grants instead of with each one; a
  // restart skips at most a block of ids, and never reuses one.
  static constexpr std::uint64_t kIdBlock = 1024;
  std::uint64_t reserved_ids_ = 0;
};

store::UnixMillis ToUnixMillis(engine::WallTime t);
engine::WallTime FromUnixMillis(store::UnixMillis ms);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_STATE_RECORDER_H_
