// floatlmd's permission warnings (config/file_permissions.h) from the real daemon: loose
// modes and foreign owners of what it trusts are logged at start-up naming the path,
// the mode and the owner, the keys and the options file again at reread; a tight
// set-up logs nothing. The daemon serves either way: these are warnings.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "daemon_fixture.h"
#include "raw_client.h"

namespace fs = std::filesystem;
namespace p = floatlm::proto;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RawClient;
using floatlm::testing::TempDir;

namespace {

constexpr const char* kLicense =
    "VENDOR demo\n"
    "FEATURE cad demo 2027.0 permanent 2 SN=P-1\n";
constexpr uid_t kNobody = 65534;

void Mode(const fs::path& path, mode_t mode) {
  BOOST_REQUIRE_MESSAGE(::chmod(path.c_str(), mode) == 0, "chmod " << path);
}

// Every log line of `event` that names `path`, from byte `offset` of the log on.
std::vector<std::string> LinesFor(const std::string& log, const std::string& event,
                                  const fs::path& path, std::size_t offset = 0) {
  const std::string needle = "event=" + event + " path=" + path.string() + " ";
  std::vector<std::string> out;
  for (auto at = log.find(needle, offset); at != std::string::npos; at = log.find(needle, at + 1)) {
    const auto end = log.find('\n', at);
    out.push_back(log.substr(at, end == std::string::npos ? std::string::npos : end - at));
  }
  return out;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool AnyHas(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& line : lines) {
    if (Has(line, part)) return true;
  }
  return false;
}

// An options file and an admin token file in `dir`, and the daemon arguments naming them.
std::vector<std::string> OptionsAndToken(const fs::path& dir) {
  std::ofstream(dir / "site.opt") << "MAX 2 cad USER alice\n";
  std::ofstream(dir / "admin.token") << "s3cret-token\n";
  return {"--options", (dir / "site.opt").string(), "--admin-token-file",
          (dir / "admin.token").string()};
}

// Rereads over the admin socket (the fixture's daemon runs as the test's user, an admin).
void Reread(const DaemonFixture& d) {
  auto admin = RawClient::Unix((d.dir() / "admin.sock").string());
  auto reply = admin.Call(1, p::Admin{"reread", {}, ""});
  BOOST_REQUIRE(reply);
  BOOST_REQUIRE(std::holds_alternative<p::Ok>(*reply));
}

void MustCheckOut(const DaemonFixture& d) {
  auto client = RawClient::Tcp(d.port());
  client.Hello("alice", "ws1");
  auto reply = client.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(reply);
  BOOST_TEST(std::holds_alternative<p::Granted>(*reply));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(permissions)

BOOST_AUTO_TEST_CASE(loose_modes_are_logged_per_path_at_start_and_reread) {
  ::umask(022);  // as for a daemon started by hand
  TempDir files;
  DaemonFixture d(kLicense, "demo", OptionsAndToken(files.path()), /*start=*/false);
  const fs::path keys = d.dir() / "keys";
  const fs::path key = keys / "demo.pub";
  const fs::path options = files.path() / "site.opt";
  const fs::path token = files.path() / "admin.token";
  const fs::path db = d.state_dir() / "floatlm.db";
  fs::create_directory(d.state_dir());
  Mode(d.state_dir(), 0777);
  Mode(key, 0666);
  Mode(options, 0666);
  Mode(token, 0644);
  // Only root can give a file away; as anyone else the owner rule is the unit test's.
  const bool foreign_key = ::geteuid() == 0 && ::chown(key.c_str(), kNobody, -1) == 0;
  d.Start();
  MustCheckOut(d);

  const std::string log = d.log();
  const auto state_lines = LinesFor(log, "state.permissions", d.state_dir());
  BOOST_REQUIRE_EQUAL(state_lines.size(), 1u);
  BOOST_TEST(Has(state_lines[0], "mode=0777 owner="), state_lines[0]);
  BOOST_TEST(Has(state_lines[0], "problem=\"writable by group and others\""), state_lines[0]);
  BOOST_TEST(Has(state_lines[0], "forge or erase leases"), state_lines[0]);

  // The daemon makes its database owner-only whatever the umask, so it has nothing to
  // say about its own file.
  const auto db_lines = LinesFor(log, "state.permissions", db);
  BOOST_TEST(db_lines.empty(), log);
  BOOST_TEST(static_cast<unsigned>(fs::status(db).permissions() & fs::perms::mask) == 0600u);

  const auto key_lines = LinesFor(log, "license.key_permissions", key);
  BOOST_REQUIRE_EQUAL(key_lines.size(), foreign_key ? 2u : 1u);
  BOOST_TEST(Has(key_lines[0], "mode=0666"), key_lines[0]);
  BOOST_TEST(AnyHas(key_lines, "problem=\"writable by group and others\""));
  if (foreign_key) {
    BOOST_TEST(AnyHas(key_lines, "(65534) group="));
    BOOST_TEST(
        AnyHas(key_lines, "problem=\"owned by a user other than root and the daemon's user\""));
  }

  const auto options_lines = LinesFor(log, "options.permissions", options);
  BOOST_REQUIRE_EQUAL(options_lines.size(), 1u);
  BOOST_TEST(Has(options_lines[0], "mode=0666"), options_lines[0]);
  BOOST_TEST(Has(options_lines[0], "who may check out"), options_lines[0]);

  const auto token_lines = LinesFor(log, "admin.token_permissions", token);
  BOOST_REQUIRE_EQUAL(token_lines.size(), 1u);
  BOOST_TEST(Has(token_lines[0], "mode=0644"), token_lines[0]);
  BOOST_TEST(Has(token_lines[0], "problem=\"readable by others\""), token_lines[0]);
  BOOST_TEST(Has(log, "warn event=admin.token_permissions path="));

  // Reread looks at the keys and the options again, and only at them.
  Mode(keys, 0777);
  const std::size_t before = log.size();
  Reread(d);
  const std::string after = d.log();
  BOOST_TEST(LinesFor(after, "license.key_permissions", keys, before).size() == 1u);
  BOOST_TEST(LinesFor(after, "license.key_permissions", key, before).size() == key_lines.size());
  BOOST_TEST(LinesFor(after, "options.permissions", options, before).size() == 1u);
  BOOST_TEST(!Has(after.substr(before), "event=state.permissions"));
  BOOST_TEST(!Has(after.substr(before), "event=admin.token_permissions"));
  BOOST_TEST(d.Running());
}

BOOST_AUTO_TEST_CASE(a_tight_setup_logs_no_permission_warning) {
  ::umask(022);
  TempDir files;
  DaemonFixture d(kLicense, "demo", OptionsAndToken(files.path()), /*start=*/false);
  fs::create_directory(d.state_dir());
  Mode(d.state_dir(), 0700);
  Mode(d.dir() / "keys", 0755);
  Mode(d.dir() / "keys" / "demo.pub", 0644);
  Mode(files.path() / "site.opt", 0644);
  Mode(files.path() / "admin.token", 0600);
  d.Start();
  MustCheckOut(d);
  Reread(d);
  const std::string log = d.log();
  BOOST_TEST(Has(log, "event=license.reread "), log);
  BOOST_TEST(!Has(log, "permissions path="), log);
}

// The admin socket path (issue: a failed start deleted whatever was there, a second
// daemon replaced the first one's live socket, the mode was set by path after bind).

// Runs floatlmd of `d`'s files in the foreground with another state directory and
// `socket` as its admin socket; returns its exit code, its output in *out.
int StartOnSocket(const DaemonFixture& d, const fs::path& socket, std::string* out,
                  const std::string& state = "state2") {
  return floatlm::testing::RunCommand(
      {floatlm::testing::BinPath("floatlmd"), "--license", d.license_path().string(),
       "--vendor-keys", (d.dir() / "keys").string(), "--state", (d.dir() / state).string(),
       "--bind", "127.0.0.1", "--port", "0", "--admin-socket", socket.string(), "--allow-root",
       "--lease-ttl", "1"},
      out);
}

BOOST_AUTO_TEST_CASE(the_admin_socket_is_born_0660_and_a_live_one_is_never_replaced) {
  DaemonFixture d(kLicense);
  const fs::path socket = d.dir() / "admin.sock";
  struct stat st {};
  BOOST_REQUIRE(::lstat(socket.c_str(), &st) == 0);
  BOOST_TEST(S_ISSOCK(st.st_mode));
  BOOST_TEST((st.st_mode & 07777) == 0660u);
  // A second daemon on the same path refuses to start and leaves the first one's socket.
  std::string out;
  BOOST_TEST(StartOnSocket(d, socket, &out) != 0, out);
  BOOST_TEST(out.find("another process (a running floatlmd?) is listening on it") !=
                 std::string::npos, out);
  auto admin = RawClient::Unix(socket.string());
  auto reply = admin.Call(1, p::Status{"", 0});
  BOOST_REQUIRE(reply);
  BOOST_TEST(std::holds_alternative<p::StatusChunk>(*reply));
}

BOOST_AUTO_TEST_CASE(what_is_not_a_stale_socket_is_left_alone) {
  DaemonFixture d(kLicense, "demo", {}, /*start=*/false);
  // A file the admin put there: refused, and left as it was.
  const fs::path file = d.dir() / "file.sock";
  { std::ofstream(file) << "keep me\n"; }
  std::string out;
  BOOST_TEST(StartOnSocket(d, file, &out) != 0, out);
  BOOST_TEST(out.find("the path exists and is not a socket (a file)") != std::string::npos, out);
  BOOST_TEST(floatlm::testing::ReadWholeFile(file) == "keep me\n");
  // A dangling symbolic link: refused, and the link is still there.
  const fs::path link = d.dir() / "link.sock";
  fs::create_symlink(d.dir() / "nowhere", link);
  BOOST_TEST(StartOnSocket(d, link, &out) != 0, out);
  BOOST_TEST(out.find("(a symbolic link)") != std::string::npos, out);
  BOOST_TEST(fs::is_symlink(fs::symlink_status(link)));
  // A directory every user may write: refused before anything is created in it.
  const fs::path open = d.dir() / "open";
  fs::create_directory(open);
  Mode(open, 0777);
  BOOST_TEST(StartOnSocket(d, open / "admin.sock", &out) != 0, out);
  BOOST_TEST(out.find("is writable by every user") != std::string::npos, out);
  BOOST_TEST(!fs::exists(fs::symlink_status(open / "admin.sock")));
}

BOOST_AUTO_TEST_CASE(a_stale_socket_is_replaced_and_removed_at_the_end) {
  DaemonFixture d(kLicense, "demo", {}, /*start=*/false);
  const fs::path socket = d.dir() / "admin.sock";
  d.Start();
  d.Kill();  // kill -9 leaves its socket behind, with nobody listening
  BOOST_REQUIRE(fs::exists(fs::symlink_status(socket)));
  d.Start();
  BOOST_TEST(d.log().find("event=admin.stale_socket_removed") != std::string::npos, d.log());
  auto admin = RawClient::Unix(socket.string());
  BOOST_TEST(admin.Call(1, p::Status{"", 0}).has_value());
  d.Stop();
  BOOST_TEST(!fs::exists(fs::symlink_status(socket)));  // its own socket: removed
}

// Files the daemon reads must be regular files of bounded size (issue: a FIFO as the
// license hung the daemon on SIGHUP, /dev/zero as a file grew it to gigabytes).
BOOST_AUTO_TEST_CASE(only_regular_files_of_bounded_size_are_read) {
  DaemonFixture d(kLicense);
  auto holder = RawClient::Tcp(d.port());
  holder.Hello("alice", "ws1");
  auto granted = holder.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(granted && std::holds_alternative<p::Granted>(*granted));

  // The license file becomes a FIFO nobody writes: the reread fails at once, naming it,
  // the daemon keeps serving with the old licenses.
  const fs::path lic = d.license_path();
  const fs::path saved = d.dir() / "site.lic.saved";
  fs::rename(lic, saved);
  BOOST_REQUIRE(::mkfifo(lic.c_str(), 0600) == 0);
  const auto offset = d.log().size();
  d.Signal(SIGHUP);
  std::string log;
  for (int i = 0; i < 100 && log.find("event=license.reread_failed") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log = d.log().substr(offset);
  }
  BOOST_TEST(log.find("a FIFO, not a regular file") != std::string::npos, log);
  auto beat = holder.Call(3, p::Heartbeat{});
  BOOST_REQUIRE(beat && std::holds_alternative<p::Ok>(*beat));
  BOOST_TEST(std::get<p::Ok>(*beat).count == 1u);
  fs::remove(lic);
  fs::rename(saved, lic);
  d.Stop();

  // A device as the options file and an oversized vendor key: the start is refused,
  // naming each.
  std::string out;
  auto check = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {floatlm::testing::BinPath("floatlmd"), "--license",
                                     lic.string(), "--vendor-keys", (d.dir() / "keys").string(),
                                     "--state", d.state_dir().string(), "--check-config",
                                     "--allow-root"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    out.clear();
    return floatlm::testing::RunCommand(argv, &out);
  };
  BOOST_TEST(check({"--options", "/dev/zero"}) != 0, out);
  BOOST_TEST(out.find("/dev/zero: cannot read options file: a character device, not a regular file") !=
                 std::string::npos, out);
  const fs::path key = d.dir() / "keys" / "demo.pub";
  const std::string pem = floatlm::testing::ReadWholeFile(key);
  { std::ofstream(key, std::ios::app) << std::string(70 * 1024, '#'); }
  BOOST_TEST(check({}) != 0, out);
  BOOST_TEST(out.find("larger than 65536 bytes") != std::string::npos, out);
  { std::ofstream(key, std::ios::trunc) << pem; }
  BOOST_TEST(check({}) == 0, out);
}

// The new limits are numbers in a range; "-1" is not read as "no limit".
BOOST_AUTO_TEST_CASE(resource_limits_out_of_range_are_refused_naming_the_option) {
  DaemonFixture d(kLicense, "demo", {}, /*start=*/false);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--max-checkouts-per-second", "-1"}, {"--max-checkouts-per-second", "1000001"},
      {"--write-timeout", "0"}, {"--max-input-buffer", "0"}, {"--journal-days", "-2"},
      {"--max-waiters-per-user", "0"}, {"--max-waiters-per-address", "-1"},
      {"--cloud-slot-idle-days", "-1"}, {"--cloud-slot-idle-days", "4000"}};
  for (const auto& [option, value] : bad) {
    std::string out;
    const int rc = floatlm::testing::RunCommand(
        {floatlm::testing::BinPath("floatlmd"), "--license", d.license_path().string(),
         "--vendor-keys", (d.dir() / "keys").string(), "--state", d.state_dir().string(),
         "--check-config", "--allow-root", option, value},
        &out);
    BOOST_TEST(rc != 0, option << " " << value << ": " << out);
    BOOST_TEST(out.find(option + ": " + value + " is outside") != std::string::npos,
               option << " " << value << ": " << out);
  }
}

BOOST_AUTO_TEST_SUITE_END()
