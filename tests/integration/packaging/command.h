// Runs shell commands for the service tests, each bounded in time, and the small file
// helpers those tests share. Test-only; not thread-safe (one test thread).
#ifndef FLOATLM_TESTS_SERVICE_COMMAND_H_
#define FLOATLM_TESTS_SERVICE_COMMAND_H_

#include <filesystem>
#include <string>

namespace floatlm::service_test {

struct CommandResult {
  int exit_code = -1;  // the command's status; 124 when it ran out of time
  std::string output;  // stdout and stderr, interleaved as written
};

// Runs `script` with /bin/sh under timeout(1): after `seconds` it is sent SIGTERM,
// five seconds later SIGKILL. Never throws for a failing command.
CommandResult Run(const std::string& script, int seconds);

// Quotes `s` for a POSIX shell.
std::string Quote(const std::string& s);

std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& text);

// A fresh directory under the build tree (tests build and install only there),
// removed again when the object goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Whether `path` exists, without following a final symlink.
bool Exists(const std::filesystem::path& path);

}  // namespace floatlm::service_test

#endif  // FLOATLM_TESTS_SERVICE_COMMAND_H_
