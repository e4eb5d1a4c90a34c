// floatlmd's log: one line per event on stderr (journald adds time and unit), or to a
// file. Lines read `LEVEL event=NAME key=value ...`; event names are stable
// (`lease.granted`, `license.rejected`, ...) so admins can grep and alert on them.
//
// The level is checked before any formatting. Thread-safe; lines are never split or
// interleaved.
//
// Repeats: at most 100 warn and error lines of one event are written per second; the
// rest of that second are counted and reported as one line, `warn event=log.suppressed
// for=EVENT count=N`, once the second is over (at the next line of the event or the
// next Flush). Info and debug lines are not limited here (the daemon folds its own
// floods, e.g. repeated denials).
#ifndef FLOATLM_DAEMON_LOG_LOG_H_
#define FLOATLM_DAEMON_LOG_LOG_H_

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

namespace floatlm::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

std::optional<Level> ParseLevel(std::string_view text);  // debug|info|warn|error
void SetLevel(Level level);
bool Enabled(Level level);
// Sends lines to `path` (appending) instead of stderr; false with `error` set on failure.
bool OpenFile(const std::string& path, std::string& error);
// Adds a time stamp to each line (for a log file; journald stamps stderr itself).
void SetTimestamps(bool on);
void Write(Level level, std::string_view event, std::string_view text);

// Batching for a busy event loop. When on, info and debug lines wait in memory until
// Flush() (the server calls it once per batch of requests, before their replies leave,
// and before it closes a connection) or until 64 KiB are pending; a warn or error line writes everything pending and
// itself at once. Lines keep their order. Off (the default): one write per line.
void SetBuffered(bool on);
void Flush();

}  // namespace floatlm::log

// FLOATLM_LOG(kInfo, "lease.granted", "lease={} user={}", id, user)
#define FLOATLM_LOG(level, event, ...)                                                  \
  do {                                                                                  \
    if (::floatlm::log::Enabled(::floatlm::log::Level::level)) {                        \
      ::floatlm::log::Write(::floatlm::log::Level::level, event, fmt::format(__VA_ARGS__)); \
    }                                                                                   \
  } while (0)

#endif  // FLOATLM_DAEMON_LOG_LOG_H_
