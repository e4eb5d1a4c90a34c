#include "notify/service_notify.h"

#include <string>

#if FLOATLM_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace floatlm::notify {
namespace {

void Send(const std::string& state) {
#if FLOATLM_HAVE_LIBSYSTEMD
  sd_notify(0, state.c_str());
#else
  (void)state;
#endif
}

}  // namespace

void Ready(std::string_view status) { Send("READY=1\nSTATUS=" + std::string(status)); }
void Reloading() { Send("RELOADING=1\nSTATUS=rereading license files"); }
void Stopping() { Send("STOPPING=1\nSTATUS=stopping"); }
void Status(std::string_view status) { Send("STATUS=" + std::string(status)); }
void Watchdog() { Send("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> WatchdogTimeout() {
#if FLOATLM_HAVE_LIBSYSTEMD
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) return std::chrono::microseconds(usec);
#endif
  return std::nullopt;
}

}  // namespace floatlm::notify
