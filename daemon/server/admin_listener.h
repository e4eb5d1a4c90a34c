// The admin socket: a Unix stream socket (mode 0660, group floatlm-admin when that group
// exists) on which privileged commands are accepted from admins, identified by the
// kernel's peer credentials. Speaks the same frames as the client port; handles one
// request at a time per connection. Runs on the server's event loop.
#ifndef FLOATLM_DAEMON_SERVER_ADMIN_LISTENER_H_
#define FLOATLM_DAEMON_SERVER_ADMIN_LISTENER_H_

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asio/asio.h"
#include "floatlm/proto/messages.h"
#include "service/admin_auth.h"

namespace floatlm::admin {

// Where floatlmd listens for admin commands unless told otherwise; its directory is
// created when missing (the daemon's own), any other path's directory must exist.
inline constexpr std::string_view kDefaultAdminSocket = "/run/floatlm/admin.sock";

// Handles one request frame's body from a peer the kernel identified (authenticated or
// not). The reply frames (one OK/ERROR, or STATUS_CHUNKs ending with LAST=1) are given to
// `reply` once they may leave, which can be after the handler returns; the connection
// reads its next request only after the reply is written. Before that, `progress` may be
// given PROGRESS frames (a long report or backup), written in order before the reply.
// While the daemon works on a request the connection has no deadline; the 30 s for the
// next request start once the reply is written.
using AdminReplyFn = std::function<void(const std::string& frames)>;
using AdminHandler =
    std::function<void(std::span<const std::uint8_t> body, const PeerCredentials& peer,
                       AdminReplyFn reply, AdminReplyFn progress)>;

class AdminSession;

class AdminListener {
 public:
  AdminListener(server::asio::io_context& io, std::string path, AdminHandler handler);
  ~AdminListener();

  // Creates the socket file, mode 0660 from the start; throws std::runtime_error
  // naming the path when it cannot, and refuses (throws) when the path is anything but
  // a stale socket (a file, a link, a directory), when a process still listens on it,
  // or when its directory is writable by every user. A stale socket (nobody listening)
  // is replaced.
  void Start();
  // Closes the socket and every open admin connection, and removes the socket file if
  // it is still the one Start created (never anything else at that path).
  void Stop();

 private:
  void DoAccept();
  void CheckDirectory(const std::filesystem::path& dir) const;
  void RemoveStaleSocket() const;
  void RemoveOwnSocket();

  server::asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
  AdminHandler handler_;
  std::vector<std::weak_ptr<AdminSession>> sessions_;
  std::optional<std::pair<dev_t, ino_t>> created_;  // the socket file Start made
};

}  // namespace floatlm::admin

#endif  // FLOATLM_DAEMON_SERVER_ADMIN_LISTENER_H_
