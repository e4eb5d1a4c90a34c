#include "floatlm/licenses/text_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace floatlm::licenses {

namespace {

const char* Kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

Result<std::string> ReadTextFile(const std::filesystem::path& path, std::size_t max_bytes) {
  auto failure = [&](int error) {
    return Fail(fmt::format("{}: cannot read: {}", path.string(), std::strerror(error)));
  };
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return failure(errno);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return failure(error);
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return failure(EISDIR);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return Fail(fmt::format("{}: cannot read: {}, not a regular file", path.string(),
                            Kind(info.st_mode)));
  }
  auto too_big = [&] {
    return Fail(fmt::format("{}: cannot read: larger than {} bytes, the most floatlm reads "
                            "from a file of this kind",
                            path.string(), max_bytes));
  };
  if (static_cast<std::uintmax_t>(info.st_size) > max_bytes) {
    ::close(fd);
    return too_big();
  }
  std::string text;
  text.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return failure(error);
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {  // grew while being read
      ::close(fd);
      return too_big();
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return boost::outcome_v2::success(std::move(text));
}

}  // namespace floatlm::licenses
