// What a client Session needs from the server that accepted it: somewhere to hand its
// frames and replies, a share of the input budget, a turn for its long answers, and word
// of its end. A narrow interface, so a session knows nothing else of the server.
// Called on the event-loop thread only.
#ifndef FLOATLM_DAEMON_SERVER_SESSION_HOST_H_
#define FLOATLM_DAEMON_SERVER_SESSION_HOST_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "service/request_handler.h"

namespace floatlm::server {

class Session;

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // One frame's body; appends the reply frames to `replies`.
  virtual RequestHandler::After HandleFrame(Session& session, std::span<const std::uint8_t> body,
                                            std::string& replies) = 0;
  // Sends a session's replies: at once when nothing waits for a commit, else after it.
  virtual void Deliver(Session& session, const std::string& replies) = 0;
  // The session closed (its socket is shut); called once.
  virtual void OnSessionClosed(Session& session, std::string_view why) = 0;
  // Read-buffer bytes beyond each connection's first 512, all connections together:
  // Claim fails (and claims nothing) past the daemon's input limit.
  virtual bool ClaimInput(std::size_t bytes) = 0;
  virtual void ReleaseInput(std::size_t bytes) = 0;
  // Long answers (STATUS, DIAG) are written one slice per event-loop turn for all
  // connections together, in turn; the session's AnswerSlice runs in a later turn.
  virtual void QueueAnswer(std::shared_ptr<Session> session) = 0;

 protected:
  SessionHost() = default;
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_SESSION_HOST_H_
