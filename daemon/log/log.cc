#include "log/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>

namespace floatlm::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_fd{2};
std::atomic<bool> g_timestamps{false};

constexpr std::size_t kMaxPending = 64 * 1024;
std::mutex g_mu;
bool g_buffered = false;  // guarded by g_mu
std::string g_pending;    // guarded by g_mu: whole lines not yet written

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
  if (g_timestamps) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    line += buf;
  }
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
  if (g_pending.empty()) return;
  WriteAll(g_pending);
  g_pending.clear();
}

}  // namespace floatlm::log
