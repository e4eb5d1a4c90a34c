// The one place where an engine::Event becomes durable records and a log line. Every
// change of lease state reaches the store through here, whichever way it came (a direct
// grant or a waiter's, a checkin, an expiry, an admin removal, a reread), so each kind has
// one journal shape and one log shape (`lease.granted` reads the same for every grant).
#ifndef FLOATLM_DAEMON_SERVICE_EVENT_RECORD_H_
#define FLOATLM_DAEMON_SERVICE_EVENT_RECORD_H_

#include "engine/seat_engine.h"
#include "service/client_context.h"
#include "service/state_recorder.h"

namespace floatlm::server {

// Records `event` in `recorder` and logs it. `holder`: the context of the connection the
// event concerns when it is connected (it adds pid and app to a grant's record), else null.
void RecordEvent(const engine::Event& event, const ClientContext* holder, StateRecorder& recorder,
                 engine::WallTime now);

// Whether the connection an event concerns is told of it (a waiter's grant or timeout, a
// lost lease). Direct grants and checkins are answered by the request itself; moves and
// cloud-user slots concern no client.
bool TellsClient(engine::Event::Kind kind);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_EVENT_RECORD_H_
