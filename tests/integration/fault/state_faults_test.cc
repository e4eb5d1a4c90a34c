// The daemon's state under stress: killed with SIGKILL while clients hold leases, a
// damaged database, a state directory that stops accepting writes, and a vendor key
// that disappears before a reread. Each against the real floatlmd on loopback.
#include <boost/test/unit_test.hpp>

#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"
#include "fault_util.h"
#include "raw_client.h"

namespace fs = std::filesystem;
namespace p = floatlm::proto;
using floatlm::Errc;
using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RawClient;
using floatlm::testing::RunCommand;
using floatlm::testing::SeatHolder;
using floatlm::testing::TempDir;
using namespace std::chrono_literals;

namespace {

std::string ThreeSeats() {
  return "VENDOR demo\nFEATURE cad demo 2027.0 permanent 3 DUP_GROUP=UH SN=S-1\n";
}

std::optional<p::Message> Checkout(RawClient& c, std::uint32_t id, const std::string& feature) {
  return c.Call(id, p::Checkout{feature});
}

p::Granted MustGrant(RawClient& c, std::uint32_t id, const std::string& feature) {
  auto reply = Checkout(c, id, feature);
  BOOST_REQUIRE(reply);
  if (auto* d = std::get_if<p::Denied>(&*reply)) BOOST_FAIL("denied: " << d->message);
  BOOST_REQUIRE(std::holds_alternative<p::Granted>(*reply));
  return std::get<p::Granted>(*reply);
}

std::string Status(int port) { return RawClient::StatusOf(port); }

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A tmpfs mounted over a directory in this process's own mount namespace, so nothing
// outside the test sees it and nothing is left mounted if the test dies. Needs
// CAP_SYS_ADMIN; `error` says why when it cannot be had.
class PrivateTmpfs {
 public:
  PrivateTmpfs(const fs::path& dir, const std::string& size) : dir_(dir) {
    if (unshare(CLONE_NEWNS) != 0) {
      error_ = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
      return;
    }
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      error_ = std::string("making / private: ") + std::strerror(errno);
      return;
    }
    const std::string options = "size=" + size + ",mode=0700";
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      error_ = std::string("mount tmpfs: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~PrivateTmpfs() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

// Writes a file until the file system is full.
void FillUp(const fs::path& file) {
  std::ofstream out(file, std::ios::binary);
  const std::string chunk(4096, 'f');
  while (out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()))) out.flush();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(state_faults)

BOOST_AUTO_TEST_CASE(sigkill_restart_restores_every_lease_and_clients_reattach) {
  DaemonFixture d(ThreeSeats());
  const int port = d.port();
  std::vector<RawClient> before;
  std::vector<p::Granted> leases;
  const char* users[] = {"alice", "bob", "carol"};
  for (const char* user : users) {
    before.push_back(RawClient::Tcp(port));
    before.back().Hello(user, std::string("ws-") + user);
    leases.push_back(MustGrant(before.back(), 2, "cad"));
  }
  BOOST_TEST(Status(port).find("3 of 3 in use") != std::string::npos);

  d.Kill();
  d.Start();
  BOOST_REQUIRE_EQUAL(d.port(), port);
  BOOST_TEST(d.log().find("leases=3") != std::string::npos, d.log());

  // Before anyone reattaches, the restored leases hold every seat.
  auto dave = RawClient::Tcp(port);
  dave.Hello("dave", "ws-dave");
  auto early = Checkout(dave, 2, "cad");
  BOOST_REQUIRE(early);
  BOOST_TEST(std::holds_alternative<p::Denied>(*early), "a seat was handed out twice");

  std::vector<RawClient> after;
  for (std::size_t i = 0; i < leases.size(); ++i) {
    BOOST_TEST(before[i].WaitClosed(2s), "the old connection survived the kill");
    after.push_back(RawClient::Tcp(port));
    after.back().Hello(users[i], std::string("ws-") + users[i]);
    auto reply = after.back().Call(3, p::Reattach{leases[i].lease, leases[i].token});
    BOOST_REQUIRE(reply);
    BOOST_REQUIRE(std::holds_alternative<p::Granted>(*reply));
    BOOST_TEST(std::get<p::Granted>(*reply).lease == leases[i].lease);
    auto hb = after.back().Call(4, p::Heartbeat{});
    BOOST_REQUIRE(hb && std::holds_alternative<p::Ok>(*hb));
    BOOST_TEST(std::get<p::Ok>(*hb).count == 1u);
  }
  const std::string status = Status(port);
  BOOST_TEST(status.find("3 of 3 in use") != std::string::npos, status);
  auto late = Checkout(dave, 5, "cad");
  BOOST_REQUIRE(late);
  BOOST_TEST(std::holds_alternative<p::Denied>(*late), "a seat was handed out twice");
}

BOOST_AUTO_TEST_CASE(damaged_database_stops_the_start_naming_the_file) {
  DaemonFixture d(ThreeSeats());
  {
    auto a = RawClient::Tcp(d.port());
    a.Hello("alice", "ws1");
    MustGrant(a, 2, "cad");
  }
  d.Stop();
  const fs::path db = d.state_dir() / "floatlm.db";
  BOOST_REQUIRE(fs::exists(db));
  std::string bytes = ReadAll(db);
  BOOST_REQUIRE_GE(bytes.size(), 8192u);
  // Garbage over the middle of the file, leaving the header page alone: the file still
  // looks like a SQLite database, only its tables are broken.
  const std::size_t from = std::max<std::size_t>(4096, bytes.size() / 4);
  const std::size_t to = std::max(from + 4096, bytes.size() * 3 / 4);
  for (std::size_t i = from; i < to && i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(0xA5 ^ (i * 7));
  }
  std::ofstream(db, std::ios::binary | std::ios::trunc) << bytes;

  std::string out;
  const int rc = RunCommand({BinPath("floatlmd"), "--license", d.license_path().string(),
                             "--vendor-keys", (d.dir() / "keys").string(), "--state",
                             d.state_dir().string(), "--bind", "127.0.0.1", "--port", "0",
                             "--admin-socket", "", "--allow-root"},
                            &out);
  BOOST_TEST(rc == 1, out);
  BOOST_TEST(out.find(db.string()) != std::string::npos, "the message must name the file: " << out);
  BOOST_TEST(ReadAll(db) == bytes, "the damaged file must be left as it was");
}

BOOST_AUTO_TEST_CASE(removed_vendor_key_fails_the_reread_and_keeps_the_old_state) {
  DaemonFixture d(ThreeSeats());
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  const auto lease = MustGrant(a, 2, "cad");
  fs::remove(d.dir() / "keys" / "demo.pub");

  auto admin = RawClient::Unix((d.dir() / "admin.sock").string());
  auto reply = admin.Call(1, p::Admin{"reread", {}, ""});
  BOOST_REQUIRE(reply);
  BOOST_REQUIRE(std::holds_alternative<p::Error>(*reply));
  const auto& error = std::get<p::Error>(*reply);
  BOOST_TEST(static_cast<int>(error.code) == static_cast<int>(Errc::kRereadFailed));
  // The reply names the file and says nothing changed; the reason per line is in the log
  // (RELIABILITY.md, F3: the reply could carry it too).
  BOOST_TEST_MESSAGE("reread reply: " << error.message);
  BOOST_TEST(error.message.find(d.license_path().string()) != std::string::npos, error.message);
  BOOST_TEST(error.message.find("stay in force") != std::string::npos, error.message);
  BOOST_TEST(d.log().find("no public key for vendor 'demo'") != std::string::npos, d.log());

  // The old model still serves: the lease lives and a newcomer still gets a seat.
  auto hb = a.Call(3, p::Heartbeat{});
  BOOST_REQUIRE(hb && std::holds_alternative<p::Ok>(*hb));
  BOOST_TEST(std::get<p::Ok>(*hb).count == 1u);
  auto b = RawClient::Tcp(d.port());
  b.Hello("bob", "ws2");
  MustGrant(b, 2, "cad");
  const std::string status = Status(d.port());
  BOOST_TEST(status.find("lease " + std::to_string(lease.lease)) != std::string::npos, status);
  BOOST_TEST(status.find("2 of 3 in use") != std::string::npos, status);
}

// Root ignores file modes, so "unwritable" is made real with a full file system: the
// state directory is a small tmpfs (in a private mount namespace) that the test fills.
BOOST_AUTO_TEST_CASE(full_state_directory_keeps_leases_and_refuses_new_checkouts) {
  DaemonFixture d(ThreeSeats());
  d.Stop();
  // Move the state onto the tmpfs: copy out, mount over, copy back.
  TempDir saved;
  fs::copy(d.state_dir(), saved.path() / "state", fs::copy_options::recursive);
  PrivateTmpfs tmpfs(d.state_dir(), "1m");
  if (!tmpfs.mounted()) {
    BOOST_TEST_MESSAGE("SKIPPED full_state_directory test: no tmpfs (" << tmpfs.error() << ")");
    return;
  }
  fs::copy(saved.path() / "state", d.state_dir(), fs::copy_options::recursive);
  d.Start();

  SeatHolder holder(d.port(), "cad");
  BOOST_REQUIRE(holder.has_seat());
  holder.Start();
  FillUp(d.state_dir() / "filler");

  // Seats come and go until a commit needs room the file system no longer has.
  auto b = RawClient::Tcp(d.port());
  b.Hello("bob", "ws2");
  bool refused = false;
  p::Denied denial;
  for (std::uint32_t i = 0; i < 400 && !refused; ++i) {
    auto reply = Checkout(b, 10 + 2 * i, "cad");
    BOOST_REQUIRE(reply);
    if (const auto* g = std::get_if<p::Granted>(&*reply)) {
      b.Call(11 + 2 * i, p::Checkin{g->lease});
    } else if (const auto* den = std::get_if<p::Denied>(&*reply)) {
      refused = den->code == Errc::kStoreUnavailable;
      denial = *den;
      BOOST_REQUIRE_MESSAGE(refused, "unexpected denial: " << den->message);
    }
  }
  BOOST_REQUIRE_MESSAGE(refused, "the full file system never stopped a commit");
  BOOST_TEST_MESSAGE("denial while the store is full: " << denial.message);
  BOOST_TEST(denial.message.find("seats already held keep working") != std::string::npos);
  BOOST_TEST(d.log().find("event=store.commit_failed") != std::string::npos, d.log());

  // Room again: the kept batch is written on a tick and checkouts resume.
  fs::remove(d.state_dir() / "filler");
  bool granted = false;
  for (int i = 0; i < 50 && !granted; ++i) {
    std::this_thread::sleep_for(100ms);
    auto reply = Checkout(b, 5000 + static_cast<std::uint32_t>(i), "cad");
    granted = reply && std::holds_alternative<p::Granted>(*reply);
  }
  BOOST_TEST(granted, "checkouts did not resume once the store could be written again");
  BOOST_TEST(d.log().find("event=store.recovered") != std::string::npos, d.log());
  holder.Stop();
  BOOST_TEST_MESSAGE("full_state_directory: seat holder " << holder.Summary());
  BOOST_TEST(holder.failures() == 0, "the seat holder lost its seat while the store was full");
  BOOST_TEST(holder.max_ms() < 1000.0);
  d.Kill();  // before the tmpfs goes away under it
}

// floatlmd holds its database locked for as long as it runs (exclusive locking mode): a
// backup tool, an admin's sqlite3 shell or a second floatlmd cannot take the write lock
// and stall the daemon's commits (RELIABILITY.md, F2); they are refused at once, and the
// daemon keeps granting seats and answering heartbeats.
BOOST_AUTO_TEST_CASE(another_process_cannot_lock_the_database_while_the_daemon_runs) {
  DaemonFixture d(ThreeSeats());
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  MustGrant(a, 2, "cad");

  // Closed on every way out of the test.
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(nullptr, sqlite3_close);
  {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open((d.state_dir() / "floatlm.db").c_str(), &raw);
    db.reset(raw);
    BOOST_REQUIRE_EQUAL(rc, SQLITE_OK);
  }
  const auto start = std::chrono::steady_clock::now();
  const int rc = sqlite3_exec(db.get(), "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr);
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(rc == SQLITE_BUSY, "another process took the lock of a running daemon's database");
  BOOST_TEST(took.count() < 1000.0);
  BOOST_TEST(sqlite3_exec(db.get(), "SELECT count(*) FROM leases", nullptr, nullptr, nullptr) ==
             SQLITE_BUSY);
  db.reset();

  // The daemon did not notice: seats and heartbeats as usual.
  auto b = RawClient::Tcp(d.port());
  b.Hello("bob", "ws2");
  MustGrant(b, 10, "cad");
  auto hb = a.Call(20, p::Heartbeat{});
  BOOST_REQUIRE(hb);
  BOOST_TEST((std::holds_alternative<p::Ok>(*hb) && std::get<p::Ok>(*hb).count == 1u));

  // A second floatlmd on the same state directory is refused, naming the database.
  std::string out;
  const int second = RunCommand(
      {BinPath("floatlmd"), "--license", d.license_path().string(), "--vendor-keys",
       (d.dir() / "keys").string(), "--state", d.state_dir().string(), "--bind", "127.0.0.1",
       "--port", "0", "--admin-socket", (d.dir() / "second.sock").string(), "--allow-root"},
      &out);
  BOOST_TEST(second == 1, out);
  BOOST_TEST(out.find("floatlm.db") != std::string::npos, out);
  BOOST_TEST(out.find("locked") != std::string::npos, out);
  BOOST_TEST(out.find("each daemon needs its own state directory") != std::string::npos, out);
  BOOST_TEST(d.Running());
  MustGrant(b, 30, "cad");
}

BOOST_AUTO_TEST_SUITE_END()
