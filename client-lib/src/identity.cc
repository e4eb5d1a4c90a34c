#include "identity.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace floatlm::client {
namespace {

std::string PickFirst(const std::string& a, const char* b, const std::string& c) {
  if (!a.empty()) return a;
  if (b != nullptr && *b != '\0') return b;
  return c;
}

std::string UserFromPasswd() {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<std::size_t>(size) : 16384);
  passwd pw{};
  passwd* result = nullptr;
  if (getpwuid_r(geteuid(), &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr &&
      result->pw_name != nullptr) {
    return result->pw_name;
  }
  return {};
}

}  // namespace

Identity OsIdentity(const EnvLookup& env) {
  Identity id;
  id.user = UserFromPasswd();
  if (id.user.empty()) {
    const char* user = env("USER");
    id.user = user != nullptr ? user : "unknown";
  }
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) id.host = host;
  if (id.host.empty()) id.host = "unknown";
  if (const char* display = env("DISPLAY"); display != nullptr && *display != '\0') {
    id.display = display;
  } else {
    // Without X the terminal names the session, as FlexLM reports "/dev/pts/3".
    char tty[256] = {};
    if (isatty(STDIN_FILENO) && ttyname_r(STDIN_FILENO, tty, sizeof(tty)) == 0) id.display = tty;
  }
  return id;
}

Identity ResolveIdentity(const Identity& explicit_id, const EnvLookup& env, const Identity& os) {
  Identity id;
  id.user = PickFirst(explicit_id.user, env("FLOATLM_USER"), os.user);
  id.host = PickFirst(explicit_id.host, env("FLOATLM_HOST"), os.host);
  id.display = PickFirst(explicit_id.display, env("FLOATLM_DISPLAY"), os.display);
  return id;
}

Identity DetectIdentity(const Identity& explicit_id) {
  const EnvLookup env = [](const char* name) -> const char* { return std::getenv(name); };
  return ResolveIdentity(explicit_id, env, OsIdentity(env));
}

}  // namespace floatlm::client
