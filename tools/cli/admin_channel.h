// How the floatlm CLI sends privileged commands: over the daemon's admin Unix socket
// (the kernel tells the daemon who we are), or over TCP with the admin token.
#ifndef FLOATLM_TOOLS_CLI_ADMIN_CHANNEL_H_
#define FLOATLM_TOOLS_CLI_ADMIN_CHANNEL_H_

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "floatlm/proto/errc.h"

namespace floatlm::cli {

struct AdminTarget {
  std::string socket_path;  // used when `server` is empty
  std::string server;       // PORT@HOST (first of a list) for TCP
  std::string token;        // required for TCP
};

struct AdminReply {
  Errc code = Errc::kOk;
  std::string text;  // the daemon's message or report body
  std::uint64_t count = 0;
};

// Adds --admin-socket, -c and --admin-token-file to `desc`.
void AddAdminOptions(boost::program_options::options_description& desc, std::string* socket,
                     std::string* server, std::string* token_file);

// Resolves the options and environment ($FLOATLM_ADMIN_SOCKET, $FLOATLM_ADMIN_TOKEN)
// into a target; UsageError when -c is given without any token.
AdminTarget ResolveAdminTarget(const std::string& socket, const std::string& server,
                               const std::string& token_file);

// Sends one admin command and waits for its complete reply: at most 10 s between two
// frames of the daemon (a report or backup sends PROGRESS frames while it works, shown
// on stderr when that is a terminal), with no limit on the whole.
// Throws std::runtime_error when the daemon cannot be reached or the reply is broken.
AdminReply SendAdmin(const AdminTarget& target, const std::string& command,
                     const std::vector<std::string>& args);

// Prints the reply (text to stdout on success, "floatlm: ..." to stderr otherwise)
// and returns the exit code: 0, or 1 for errors (permission, bad arguments, ...).
int PrintAdminReply(const AdminReply& reply);

}  // namespace floatlm::cli

#endif  // FLOATLM_TOOLS_CLI_ADMIN_CHANNEL_H_
