// Who may run privileged commands (remove, reread, down, assign, cloud release):
// on the admin Unix socket, a peer whose kernel-reported credentials are root, the
// daemon's own user, or a member of the admin group; over TCP, whoever presents the
// admin token. Every decision is logged by the caller with who asked.
#ifndef FLOATLM_DAEMON_SERVICE_ADMIN_AUTH_H_
#define FLOATLM_DAEMON_SERVICE_ADMIN_AUTH_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace floatlm::admin {

inline constexpr const char* kAdminGroup = "floatlm-admin";

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string Describe() const;  // "uid=1000(alice) pid=4242"
};

// SO_PEERCRED of a connected Unix socket.
std::optional<PeerCredentials> PeerOf(int unix_socket_fd);

// Root, the daemon's own user, or a member (primary or supplementary) of kAdminGroup.
bool IsAdmin(const PeerCredentials& peer);

// Holds the admin token read from a file. Compares in constant time: both sides are
// hashed with SHA-256 first, so neither the content nor the length leaks through timing.
class AdminToken {
 public:
  // Reads the first line of `path`; an empty token or unreadable file is an error.
  // The file's permissions are checked with the daemon's other files
  // (config/file_permissions.h).
  static std::optional<AdminToken> Load(const std::string& path, std::string& error);
  explicit AdminToken(std::string token) : token_(std::move(token)) {}
  bool Matches(std::string_view presented) const;

 private:
  std::string token_;
};

}  // namespace floatlm::admin

#endif  // FLOATLM_DAEMON_SERVICE_ADMIN_AUTH_H_
