#include "log/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

namespace floatlm::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_fd{2};
std::atomic<bool> g_timestamps{false};

constexpr std::size_t kMaxPending = 64 * 1024;
constexpr std::size_t kRepeatsPerSecond = 100;
std::mutex g_mu;
bool g_buffered = false;  // guarded by g_mu
std::string g_pending;    // guarded by g_mu: whole lines not yet written

// Warnings and errors of one event beyond kRepeatsPerSecond in a second are counted, not
// written; the count comes out as one log.suppressed line when that second is over.
struct Repeats {
  std::chrono::steady_clock::time_point since;
  std::size_t lines = 0;
  std::size_t suppressed = 0;
};
std::map<std::string, Repeats, std::less<>> g_repeats;  // guarded by g_mu
std::size_t g_suppressed = 0;                          // guarded by g_mu: sum of the above

// Writes all of `data`, retrying short writes; a log that cannot be written is dropped.
void WriteAll(std::string_view data) {
  const int fd = g_fd.load(std::memory_order_relaxed);
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string_view Name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

// "2026-12-03T07:31:00Z " when lines carry time stamps, else "".
std::string Stamp() {
  if (!g_timestamps) return {};
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ ", &tm);
  return buf;
}

std::string SuppressedLine(std::string_view event, const Repeats& r,
                           std::chrono::steady_clock::time_point now) {
  return Stamp() + fmt::format(
      "warn event=log.suppressed for={} count={} seconds={} reason=\"more than {} lines of this "
      "event in a second\"\n",
      event, r.suppressed,
      std::chrono::duration_cast<std::chrono::seconds>(now - r.since).count(), kRepeatsPerSecond);
}

// Summaries of the seconds that are over. Caller holds g_mu.
void TakeEndedSuppressions(std::chrono::steady_clock::time_point now, std::string& out) {
  if (g_suppressed == 0) return;
  for (auto& [event, r] : g_repeats) {
    if (r.suppressed == 0 || now - r.since < std::chrono::seconds(1)) continue;
    out += SuppressedLine(event, r, now);
    g_suppressed -= r.suppressed;
    r = Repeats{now, 0, 0};
  }
}

// Whether a warning or error of `event` may be written now; appends to `out` the
// summary of its previous second when that ended with lines suppressed. Caller holds g_mu.
bool Admit(std::string_view event, std::string& out) {
  const auto now = std::chrono::steady_clock::now();
  auto it = g_repeats.find(event);
  if (it == g_repeats.end()) it = g_repeats.emplace(std::string(event), Repeats{now, 0, 0}).first;
  Repeats& r = it->second;
  if (now - r.since >= std::chrono::seconds(1)) {
    if (r.suppressed > 0) {
      out += SuppressedLine(event, r, now);
      g_suppressed -= r.suppressed;
    }
    r = Repeats{now, 0, 0};
  }
  if (r.lines >= kRepeatsPerSecond) {
    ++r.suppressed;
    ++g_suppressed;
    return false;
  }
  ++r.lines;
  return true;
}

}  // namespace

std::optional<Level> ParseLevel(std::string_view text) {
  if (text == "debug") return Level::kDebug;
  if (text == "info") return Level::kInfo;
  if (text == "warn" || text == "warning") return Level::kWarn;
  if (text == "error") return Level::kError;
  return std::nullopt;
}

void SetLevel(Level level) { g_level = static_cast<int>(level); }

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

bool OpenFile(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    error = fmt::format("cannot open log file {}: {}", path, std::strerror(errno));
    return false;
  }
  Flush();  // pending lines belong to the old destination
  int old = g_fd.exchange(fd);
  if (old > 2) ::close(old);
  return true;
}

void SetTimestamps(bool on) { g_timestamps = on; }

void Write(Level level, std::string_view event, std::string_view text) {
  std::string line;
  line.reserve(64 + text.size());
  line += Stamp();
  line += Name(level);
  line += " event=";
  line += event;
  if (!text.empty()) {
    line += ' ';
    // One event, one line: a control character in a value (a user name with a newline, a
    // terminal escape) is written as \xNN, so no value can forge or hide a line.
    const auto control = [](char c) {
      const auto byte = static_cast<unsigned char>(c);
      return byte < 0x20 || byte == 0x7f;
    };
    // Nearly every line has none: copy it whole, escape only when needed.
    if (std::none_of(text.begin(), text.end(), control)) {
      line += text;
    } else {
      for (const char c : text) {
        if (control(c)) {
          line += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          line += c;
        }
      }
    }
  }
  line += '\n';
  std::lock_guard lock(g_mu);
  if (level >= Level::kWarn) {
    std::string summary;
    const bool admitted = Admit(event, summary);
    if (!summary.empty()) {
      g_pending += summary;  // written with this line or the next flush, in order
      if (!admitted) {
        WriteAll(g_pending);
        g_pending.clear();
      }
    }
    if (!admitted) return;
  }
  if (g_buffered && level < Level::kWarn && g_pending.size() + line.size() <= kMaxPending) {
    g_pending += line;
    return;
  }
  if (!g_pending.empty()) {
    g_pending += line;
    WriteAll(g_pending);
    g_pending.clear();
  } else {
    WriteAll(line);
  }
}

void SetBuffered(bool on) {
  std::lock_guard lock(g_mu);
  g_buffered = on;
  if (!on && !g_pending.empty()) {
    WriteAll(g_pending);
    g_pending.clear();
  }
}

void Flush() {
  std::lock_guard lock(g_mu);
  TakeEndedSuppressions(std::chrono::steady_clock::now(), g_pending);
  if (g_pending.empty()) return;
  WriteAll(g_pending);
  g_pending.clear();
}

}  // namespace floatlm::log
