// The admin socket: a Unix stream socket (mode 0660, group floatlm-admin when that group
// exists) on which privileged commands are accepted from admins, identified by the
// kernel's peer credentials. Speaks the same frames as the client port; handles one
// request at a time per connection. Runs on the server's event loop.
#ifndef FLOATLM_DAEMON_SERVER_ADMIN_LISTENER_H_
#define FLOATLM_DAEMON_SERVER_ADMIN_LISTENER_H_

#include "asio/asio.h"

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <utility>
#include <memory>
#include <vector>
#include <string>
#include <string_view>

#include "service/admin_auth.h"
#include "floatlm/proto/messages.h"

namespace floatlm::admin {

// Where floatlmd listens for admin commands unless told otherwise; its directory is
// created when missing (the daemon's own), any other path's directory must exist.
inline constexpr std::string_view kDefaultAdminSocket = "/run/floatlm/admin.sock";

// Handles one decoded request from an authenticated-or-not peer; returns the reply
// frames (one Ok/Error, or STATUS_CHUNKs ending with LAST=1 for long texts).
using AdminHandler = std::function<std::vector<proto::Message>(const proto::Message& request,
                                                               const PeerCredentials& peer)>;

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
