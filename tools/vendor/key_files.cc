#include "key_files.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace floatlm::vendor {
namespace {

licenses::Result<bool> WriteAll(int fd, const std::filesystem::path& path,
                                std::string_view contents) {
  std::size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return licenses::Fail(fmt::format("{}: cannot write: {}", path.string(), std::strerror(error)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    return licenses::Fail(fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)));
  }
  return true;
}

}  // namespace

licenses::Result<bool> WriteNewPrivateFile(const std::filesystem::path& path,
                                           std::string_view contents) {
  // O_EXCL: never follow a planted symlink or reuse a file someone else can read.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return licenses::Fail(fmt::format("{}: cannot create: {}", path.string(), std::strerror(errno)));
  }
  // The umask can only remove bits from 0600; fchmod makes the mode exact anyway.
  if (::fchmod(fd, 0600) != 0) {
    int error = errno;
    ::close(fd);
    return licenses::Fail(fmt::format("{}: cannot chmod: {}", path.string(), std::strerror(error)));
  }
  return WriteAll(fd, path, contents);
}

licenses::Result<bool> WriteFile(const std::filesystem::path& path, std::string_view contents) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return licenses::Fail(fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)));
  }
  return WriteAll(fd, path, contents);
}

}  // namespace floatlm::vendor
