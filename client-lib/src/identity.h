// Who the client says it is: user, host and display, as FlexLM clients report them.
// Thread-safe as long as nobody calls setenv() concurrently.
#ifndef FLOATLM_CLIENT_IDENTITY_H_
#define FLOATLM_CLIENT_IDENTITY_H_

#include <functional>
#include <string>

namespace floatlm::client {

struct Identity {
  std::string user, host, display;
};

// Returns the value of an environment variable, or nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;

// What the operating system says: user from getpwuid (else $USER), host from
// gethostname, display from $DISPLAY (else the terminal of stdin, else "").
Identity OsIdentity(const EnvLookup& env);

// `explicit_id` fields that are non-empty win; then FLOATLM_USER, FLOATLM_HOST and
// FLOATLM_DISPLAY when set and non-empty; then `os`.
Identity ResolveIdentity(const Identity& explicit_id, const EnvLookup& env, const Identity& os);

// ResolveIdentity with the real environment and OsIdentity().
Identity DetectIdentity(const Identity& explicit_id);

}  // namespace floatlm::client

#endif  // FLOATLM_CLIENT_IDENTITY_H_
