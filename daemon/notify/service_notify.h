// Tells systemd how floatlmd is doing (the sd_notify protocol): READY=1 once the port
// listens and the licenses are loaded, RELOADING=1 during a reread, STOPPING=1, STATUS=
// lines for `systemctl status`, and WATCHDOG=1 keep-alives. Every call is a no-op when
// the daemon does not run under systemd (no NOTIFY_SOCKET) or was built without
// libsystemd. Call from the event loop.
#ifndef FLOATLM_DAEMON_NOTIFY_SERVICE_NOTIFY_H_
#define FLOATLM_DAEMON_NOTIFY_SERVICE_NOTIFY_H_

#include <chrono>
#include <optional>
#include <string_view>

namespace floatlm::notify {

void Ready(std::string_view status);
void Reloading();
void Stopping();
void Status(std::string_view status);
void Watchdog();

// The interval systemd expects keep-alives at (WatchdogSec), if it watches us.
std::optional<std::chrono::microseconds> WatchdogTimeout();

}  // namespace floatlm::notify

#endif  // FLOATLM_DAEMON_NOTIFY_SERVICE_NOTIFY_H_
