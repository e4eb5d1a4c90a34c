#include "service/state_restore.h"

#include "log/log.h"
#include "service/state_recorder.h"

namespace floatlm::server {

engine::RestoreReport RestoreStoredState(engine::SeatEngine& engine, store::StoredState state,
                                         const engine::Now& now) {
  std::vector<engine::RestoredLease> leases;
  leases.reserve(state.leases.size());
  for (auto& r : state.leases) {
    engine::RestoredLease l;
    l.id = r.id;
    l.token_digest = r.token_digest;
    l.pool_key = std::move(r.pool_key);
    l.feature = std::move(r.feature);
    l.version = licenses::Version::Parse(r.version).value_or(licenses::Version{});
    l.who = engine::Identity{std::move(r.user), std::move(r.host), std::move(r.display),
                             std::move(r.peer)};
    l.since = FromUnixMillis(r.since);
    l.seats = r.seats;
    if (!r.dup_group.empty()) {
      l.dup_group = licenses::DupGroup::Parse(r.dup_group);
      if (!l.dup_group) {
        FLOATLM_LOG(kWarn, "state.bad_dup_group",
                    "lease={} dup_group=\"{}\" effect=\"restored with the default grouping, UH\"",
                    r.id, r.dup_group);
      }
    }
    leases.push_back(std::move(l));
  }
  std::vector<engine::CloudSlotView> slots;
  for (auto& slot : state.cloud_slots) {
    slots.push_back({std::move(slot.collection), std::move(slot.user), FromUnixMillis(slot.since),
                     FromUnixMillis(slot.last_used)});
  }
  engine.RestoreCloudSlots(std::move(slots));
  std::vector<engine::AssignmentView> assignments;
  for (auto& a : state.assignments) {
    assignments.push_back({std::move(a.pool_key), std::move(a.user), FromUnixMillis(a.since)});
  }
  engine.RestoreAssignments(std::move(assignments));
  engine.ReserveLeaseIds(state.highest_lease_id);
  return engine.Restore(std::move(leases), now);
}

}  // namespace floatlm::server
