// What the daemon knows about one client connection. Owned by its Session; read and
// written only on the server's event loop.
#ifndef FLOATLM_DAEMON_SERVICE_CLIENT_CONTEXT_H_
#define FLOATLM_DAEMON_SERVICE_CLIENT_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "engine/seat_engine.h"
#include "render/reply_stream.h"

namespace floatlm::server {

struct ClientContext {
  engine::ClientId id = 0;
  bool hello_done = false;
  bool tls = false;      // the connection is encrypted (the port speaks TLS)
  engine::Identity who;  // who.peer is filled from the socket at accept
  std::string app;
  std::uint64_t pid = 0;
  std::size_t queued_checkouts = 0;  // checkouts waiting in a queue for this connection
  // Checkout allowance (HandlerSettings::max_checkouts_per_second): tokens left, and
  // when they were last topped up.
  double checkout_tokens = -1;  // < 0: not started
  engine::MonoTime checkout_refill{};
  bool wants_license_lines = false;  // HELLO asked grants to carry their signed lines
  // A long answer (STATUS, DIAG) still being sent as STATUS_CHUNK frames of request
  // `answer_id`: the session writes it a slice at a time and handles no further request
  // of this connection until it is done (RequestHandler::ContinueAnswer).
  std::unique_ptr<ReplyStream> answer;
  std::uint32_t answer_id = 0;
  // What the replies handled since the last DaemonCore::Deliver answered: only
  // heartbeats (which may leave before a pending commit, see daemon_core.h), or anything.
  enum class Replies { kNone, kHeartbeats, kOther };
  Replies replies = Replies::kNone;
  bool holding = false;  // frames for this connection wait for the commit (DaemonCore)
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_CLIENT_CONTEXT_H_
