// What the daemon knows about one client connection. Owned by its Session; read and
// written only on the server's event loop.
#ifndef FLOATLM_DAEMON_SERVER_CLIENT_CONTEXT_H_
#define FLOATLM_DAEMON_SERVER_CLIENT_CONTEXT_H_

#include <cstdint>
#include <string>

#include "engine/seat_engine.h"

namespace floatlm::server {

struct ClientContext {
  engine::ClientId id = 0;
  bool hello_done = false;
  bool tls = false;      // the connection is encrypted (the port speaks TLS)
  engine::Identity who;  // who.peer is filled from the socket at accept
  std::string app;
  std::uint64_t pid = 0;
  std::size_t queued_checkouts = 0;  // checkouts waiting in a queue for this connection
  bool wants_license_lines = false;  // HELLO asked grants to carry their signed lines
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_CLIENT_CONTEXT_H_
