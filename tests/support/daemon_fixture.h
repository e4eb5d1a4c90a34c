// Test fixture that runs the real floatlmd on an ephemeral loopback port.
//
// Makes a temporary directory with a fresh vendor key pair (floatlm-vendor keygen),
// signs the license text it is given (floatlm-vendor sign), starts build/bin/floatlmd
// and learns the port from its log. Every process it starts is stopped in the
// destructor. Not thread-safe; one fixture per test.
#ifndef FLOATLM_TESTS_SUPPORT_DAEMON_FIXTURE_H_
#define FLOATLM_TESTS_SUPPORT_DAEMON_FIXTURE_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace floatlm::testing {

// Runs a command (argv[0] is a path), waits, returns its exit code; stdout and stderr
// are captured into `output` when given.
int RunCommand(const std::vector<std::string>& argv, std::string* output = nullptr,
               const std::vector<std::string>& extra_env = {});

// Starts argv (argv[0] a path) with stdout and stderr going to the two files and
// returns at once with its pid; WaitExitCode reaps it (exit code, or 128 + signal).
pid_t SpawnToFiles(std::vector<std::string> argv, const std::filesystem::path& out,
                   const std::filesystem::path& err);
int WaitExitCode(pid_t pid);

// The whole of a file ("" if it cannot be read).
std::string ReadWholeFile(const std::filesystem::path& path);

// The first number field `name` of a JSON text (floatlm-bench's output, status), or -1.
long JsonNumber(const std::string& json, const std::string& name);

// A date as license files write it, "dd-mmm-yyyy" ("5-jan-2027").
std::string LicenseDate(std::chrono::year_month_day d);
// The calendar day `days` from today in the local time zone (the daemon's).
std::chrono::year_month_day LocalDayIn(int days);

// A temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class DaemonFixture {
 public:
  // `license_text` is an unsigned license file for vendor `vendor` ("demo" by default);
  // it is signed with a fresh key before the daemon starts. With `start` false the
  // daemon is only prepared (directory, key, license): the test arranges files and
  // calls Start() itself.
  explicit DaemonFixture(const std::string& license_text, const std::string& vendor = "demo",
                         std::vector<std::string> extra_args = {}, bool start = true);
  ~DaemonFixture();
  DaemonFixture(const DaemonFixture&) = delete;
  DaemonFixture& operator=(const DaemonFixture&) = delete;

  int port() const { return port_; }
  std::string license_env() const;  // "PORT@127.0.0.1", for FLOATLM_LICENSE and -c
  pid_t pid() const { return pid_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path license_path() const { return dir_.path() / "site.lic"; }
  std::filesystem::path state_dir() const { return dir_.path() / "state"; }
  std::filesystem::path log_path() const { return dir_.path() / "floatlmd.log"; }
  std::string log() const;  // everything the daemon wrote to stderr so far

  // Writes and signs a new license file in place (for reread tests).
  void ReplaceLicense(const std::string& license_text);

  // "NAME=value" entries added to the daemon's environment from the next Start() on.
  void SetEnvironment(std::vector<std::string> env) { env_ = std::move(env); }
  // Options added after the fixture's own, from the next Start() on.
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }

  void Start();                  // on port() if known, else an ephemeral port
  void Stop();                   // SIGTERM, wait
  void Kill();                   // SIGKILL, wait
  void Signal(int sig);          // send a signal without waiting
  bool Running();                // still alive?
  int WaitExit(std::chrono::milliseconds timeout);  // exit status or -1 on timeout

 private:
  void WaitForListening(std::size_t log_offset);

  TempDir dir_;
  std::string vendor_;
  std::vector<std::string> extra_args_;
  std::vector<std::string> env_;
  pid_t pid_ = -1;
  int port_ = 0;
};

std::string BinPath(const std::string& name);  // FLOATLM_BIN_DIR/name

}  // namespace floatlm::testing

#endif  // FLOATLM_TESTS_SUPPORT_DAEMON_FIXTURE_H_
