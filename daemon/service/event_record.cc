#include "service/event_record.h"

#include "log/log.h"

namespace floatlm::server {

namespace {

using Kind = engine::Event::Kind;

void LogGranted(const engine::Event& e) {
  FLOATLM_LOG(kInfo, "lease.granted",
              "lease={} feature={} version={} seats={} shared={} from_queue={} user={} host={} "
              "display={} peer={} client={}",
              e.lease.id, e.lease.feature, e.lease.version.ToString(), e.lease.seats,
              e.lease.shared, e.kind == Kind::kQueuedGranted, e.lease.who.user, e.lease.who.host,
              e.lease.who.display, e.lease.who.peer, e.lease.client);
}

}  // namespace

void RecordEvent(const engine::Event& event, const ClientContext* holder, StateRecorder& recorder,
                 engine::WallTime now) {
  const auto& lease = event.lease;
  switch (event.kind) {
    case Kind::kGranted:
    case Kind::kQueuedGranted:
      LogGranted(event);
      recorder.Granted(lease, holder, now);
      return;
    case Kind::kCheckedIn:
      FLOATLM_LOG(kInfo, "lease.checkin", "lease={} feature={} user={} host={} client={}", lease.id,
                  lease.feature, lease.who.user, lease.who.host, event.client);
      recorder.CheckedIn(lease, now);
      return;
    case Kind::kLeaseEnded:
      FLOATLM_LOG(kInfo, "lease.ended", "lease={} feature={} user={} host={} reason={}", lease.id,
                  lease.feature, lease.who.user, lease.who.host, ErrcName(event.reason));
      recorder.Ended(lease, event.reason, event.message, now);
      return;
    case Kind::kQueueTimeout:
      recorder.Denied(lease.who, lease.feature, "", event.reason, event.message, now);
      return;
    case Kind::kLeaseMoved:
      FLOATLM_LOG(kInfo, "lease.moved", "lease={} feature={} user={} host={} reason=\"{}\"",
                  lease.id, lease.feature, lease.who.user, lease.who.host, event.message);
      recorder.Updated(lease, store::JournalEvent::kMove, event.message, now);
      return;
    case Kind::kCloudSlotGranted:
      FLOATLM_LOG(kInfo, "cloud.slot_granted", "collection={} user={}", event.message,
                  lease.who.user);
      recorder.CloudSlotGranted(event.message, lease, now);
      return;
    case Kind::kLeaseTaken:
      // Nothing changes in the store: the lease keeps its record, with a new holder.
      FLOATLM_LOG(kWarn, "lease.taken_over",
                  "lease={} feature={} user={} host={} from_client={} to_client={} peer={} "
                  "reason=\"reattached with its token while its connection was open\"",
                  lease.id, lease.feature, lease.who.user, lease.who.host, event.client,
                  lease.client, lease.who.peer);
      return;
  }
}

bool TellsClient(engine::Event::Kind kind) {
  switch (kind) {
    case Kind::kQueuedGranted:
    case Kind::kQueueTimeout:
    case Kind::kLeaseEnded:
    case Kind::kLeaseTaken:
      return true;
    case Kind::kGranted:
    case Kind::kCheckedIn:
    case Kind::kLeaseMoved:
    case Kind::kCloudSlotGranted:
      return false;
  }
  return false;
}

}  // namespace floatlm::server
