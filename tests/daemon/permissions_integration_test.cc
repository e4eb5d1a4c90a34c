// floatlmd's permission warnings (config/file_permissions.h) from the real daemon: loose
// modes and foreign owners of what it trusts are logged at start-up naming the path,
// the mode and the owner, the keys and the options file again at reread; a tight
// set-up logs nothing. The daemon serves either way: these are warnings.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
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

BOOST_AUTO_TEST_SUITE_END()
