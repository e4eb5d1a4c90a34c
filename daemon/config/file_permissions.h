// Whether the files floatlmd trusts are guarded: the state directory and its database,
// the vendor key directory and keys, the options file and the admin token file. A
// loose mode or a foreign owner is logged as a `warn` line per problem, naming the path,
// its mode, owner and group, and what an intruder could do with it. These are warnings,
// not refusals: the daemon starts anyway (docs/admin-guide.md, "File permissions").
//
// CheckPermissions is the rule book: a pure function of stat(2) results, so the rules
// are unit-tested without touching a file system. WarnAboutPermissions is the shell
// that stats the configured paths and logs what the rules say.
#ifndef FLOATLM_DAEMON_CONFIG_FILE_PERMISSIONS_H_
#define FLOATLM_DAEMON_CONFIG_FILE_PERMISSIONS_H_

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "config/daemon_config.h"

namespace floatlm::config {

// What stat(2) says about a path; the rules need nothing else.
struct FileFacts {
  mode_t mode = 0;  // st_mode: type and permission bits
  uid_t uid = 0;
  gid_t gid = 0;
};

// The effective user and group floatlmd runs as.
struct DaemonIds {
  uid_t uid = 0;
  gid_t gid = 0;
};

enum class Trusted {
  kStateDir,     // --state
  kStateFile,    // floatlm.db and floatlm.db-wal: leases and the usage journal
  kStateIndex,   // floatlm.db-shm: SQLite's WAL index, no user data but writable state
  kKeyDir,       // --vendor-keys
  kKeyFile,      // <vendor>.pub in that directory
  kOptionsFile,  // --options
  kAdminToken,   // --admin-token-file
};

struct PermissionWarning {
  std::string_view event;  // stable log event name, e.g. "state.permissions"
  std::string path;
  FileFacts facts;
  std::string problem;  // "writable by group and others"
  std::string risk;     // why it matters, one clause
};

// The rules, for one path of kind `what`. `holder` is the directory the path sits in
// when that decides who can reach it: for kStateFile and kStateIndex, group and other
// permission bits count only if the state directory lets that class search it
// (nullptr: assume it does). Every other kind ignores it.
std::vector<PermissionWarning> CheckPermissions(Trusted what, const std::string& path,
                                                const FileFacts& facts, const DaemonIds& self,
                                                const FileFacts* holder = nullptr);

// "0750": the permission bits (with setuid, setgid and sticky) in octal.
std::string FormatMode(mode_t mode);

// At start-up every kind is looked at; at reread only what a reread reads again (the
// vendor keys and the options file).
enum class PermissionScope { kStartup, kReread };

// Stats the paths `config` names (paths that do not exist are skipped: loading them
// reports that) and logs each warning. Returns how many were logged.
std::size_t WarnAboutPermissions(const DaemonConfig& config, PermissionScope scope);

}  // namespace floatlm::config

#endif  // FLOATLM_DAEMON_CONFIG_FILE_PERMISSIONS_H_
