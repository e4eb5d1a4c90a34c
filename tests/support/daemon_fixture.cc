#include "daemon_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef FLOATLM_BIN_DIR
#error "FLOATLM_BIN_DIR must be defined by the build"
#endif

namespace floatlm::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string BinPath(const std::string& name) { return std::string(FLOATLM_BIN_DIR) + "/" + name; }

namespace {

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

pid_t SpawnToFiles(std::vector<std::string> argv, const fs::path& out, const fs::path& err) {
  std::fflush(nullptr);  // the child must not write the parent's buffered output again
  const pid_t pid = fork();
  if (pid != 0) return pid;
  if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(err.c_str(), "w", stderr)) {
    _exit(126);
  }
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  execv(cargv[0], cargv.data());
  _exit(127);
}

int WaitExitCode(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ReadWholeFile(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

long JsonNumber(const std::string& json, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + name + "\":(\\d+)"))) return -1;
  return std::stol(m[1]);
}

std::string LicenseDate(std::chrono::year_month_day d) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  return std::to_string(static_cast<unsigned>(d.day())) + "-" +
         kMonths[static_cast<unsigned>(d.month()) - 1] + "-" +
         std::to_string(static_cast<int>(d.year()));
}

std::chrono::year_month_day LocalDayIn(int days) {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  const std::chrono::year_month_day today{
      std::chrono::year(local.tm_year + 1900),
      std::chrono::month(static_cast<unsigned>(local.tm_mon + 1)),
      std::chrono::day(static_cast<unsigned>(local.tm_mday))};
  return std::chrono::sys_days(today) + std::chrono::days(days);
}

int RunCommand(const std::vector<std::string>& argv, std::string* output,
               const std::vector<std::string>& extra_env) {
  int pipefd[2] = {-1, -1};
  if (output && pipe(pipefd) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (output) {
      dup2(pipefd[1], 1);
      dup2(pipefd[1], 2);
      close(pipefd[0]);
      close(pipefd[1]);
    }
    for (const auto& e : extra_env) putenv(strdup(e.c_str()));
    std::vector<std::string> args = argv;
    auto cargv = Argv(args);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  if (output) {
    close(pipefd[1]);
    char buf[4096];
    ssize_t n;
    while ((n = read(pipefd[0], buf, sizeof buf)) > 0) output->append(buf, static_cast<size_t>(n));
    close(pipefd[0]);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / ("floatlm-test-" + std::string(6, 'X'))).string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

DaemonFixture::DaemonFixture(const std::string& license_text, const std::string& vendor,
                             std::vector<std::string> extra_args, bool start)
    : vendor_(vendor), extra_args_(std::move(extra_args)) {
  fs::create_directories(dir() / "keys");
  std::string out;
  if (RunCommand({BinPath("floatlm-vendor"), "keygen", "--out", (dir() / "keys" / vendor).string()},
                 &out) != 0) {
    throw std::runtime_error("floatlm-vendor keygen failed: " + out);
  }
  ReplaceLicense(license_text);
  if (start) Start();
}

DaemonFixture::~DaemonFixture() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string DaemonFixture::license_env() const {
  return std::to_string(port_) + "@127.0.0.1";
}

std::string DaemonFixture::log() const { return ReadFile(log_path()); }

void DaemonFixture::ReplaceLicense(const std::string& license_text) {
  const fs::path raw = dir() / "site.unsigned";
  std::ofstream(raw) << license_text;
  std::string out;
  if (RunCommand({BinPath("floatlm-vendor"), "sign", "--key",
                  (dir() / "keys" / (vendor_ + ".key")).string(), raw.string(), "-o",
                  license_path().string()},
                 &out) != 0) {
    throw std::runtime_error("floatlm-vendor sign failed: " + out);
  }
}

void DaemonFixture::Start() {
  if (pid_ > 0) throw std::runtime_error("daemon already running");
  std::error_code ec;
  const auto offset = fs::exists(log_path()) ? fs::file_size(log_path(), ec) : 0;
  std::vector<std::string> args = {BinPath("floatlmd"),
                                   "--license", license_path().string(),
                                   "--vendor-keys", (dir() / "keys").string(),
                                   "--state", state_dir().string(),
                                   "--bind", "127.0.0.1",
                                   "--port", std::to_string(port_),
                                   "--admin-socket", (dir() / "admin.sock").string(),
                                   "--allow-root"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 2);
      dup2(fd, 1);
      close(fd);
    }
    for (const auto& e : env_) putenv(strdup(e.c_str()));
    auto cargv = Argv(args);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  WaitForListening(static_cast<std::size_t>(offset));
}

void DaemonFixture::WaitForListening(std::size_t log_offset) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = log();
    const auto at = text.find("event=server.listening", log_offset);
    if (at != std::string::npos) {
      const auto p = text.find("port=", at);
      if (p != std::string::npos) {
        port_ = std::atoi(text.c_str() + p + 5);
        return;
      }
    }
    if (!Running()) throw std::runtime_error("floatlmd exited during start-up:\n" + text);
    std::this_thread::sleep_for(20ms);
  }
  throw std::runtime_error("floatlmd did not report listening within 15 s:\n" + log());
}

void DaemonFixture::Signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

bool DaemonFixture::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int DaemonFixture::WaitExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(10ms);
  }
  return -1;
}

void DaemonFixture::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (WaitExit(10s) < 0) Kill();
}

void DaemonFixture::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace floatlm::testing
