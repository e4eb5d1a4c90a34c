// floatlmd as a whole, driven over real sockets: start-up refusals, seats, hostile
// clients, leases of vanished clients, reread on SIGHUP, and the admin channel.
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <fstream>
#include <thread>

#include "daemon_fixture.h"
#include "raw_client.h"
#include "test_certs.h"

namespace p = floatlm::proto;
using floatlm::Errc;
using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::LicenseDate;
using floatlm::testing::LocalDayIn;
using floatlm::testing::RawClient;
using floatlm::testing::RunCommand;
using floatlm::testing::TempDir;
using floatlm::testing::TestCertificates;
using namespace std::chrono_literals;

namespace {

std::string TwoSeatLicense(const std::string& extra = "") {
  return "VENDOR demo\n"
         "FEATURE cad demo 2027.0 permanent 2 DUP_GROUP=UH SN=T-1\n" + extra;
}

p::Granted MustGrant(RawClient& c, std::uint32_t id, const std::string& feature) {
  auto reply = c.Call(id, p::Checkout{feature});
  BOOST_REQUIRE(reply);
  if (auto* d = std::get_if<p::Denied>(&*reply)) BOOST_FAIL("denied: " << d->message);
  BOOST_REQUIRE(std::holds_alternative<p::Granted>(*reply));
  return std::get<p::Granted>(*reply);
}

p::Denied MustDeny(RawClient& c, std::uint32_t id, const std::string& feature) {
  auto reply = c.Call(id, p::Checkout{feature});
  BOOST_REQUIRE(reply);
  BOOST_REQUIRE(std::holds_alternative<p::Denied>(*reply));
  return std::get<p::Denied>(*reply);
}

std::string Status(int port) { return RawClient::StatusOf(port); }

// Makes a key and signs `text` in `dir`, without starting anything.
void SignInto(const TempDir& dir, const std::string& text) {
  std::filesystem::create_directories(dir.path() / "keys");
  BOOST_REQUIRE_EQUAL(RunCommand({BinPath("floatlm-vendor"), "keygen", "--out",
                                  (dir.path() / "keys" / "demo").string()}),
                      0);
  std::ofstream(dir.path() / "in.lic") << text;
  BOOST_REQUIRE_EQUAL(RunCommand({BinPath("floatlm-vendor"), "sign", "--key",
                                  (dir.path() / "keys" / "demo.key").string(),
                                  (dir.path() / "in.lic").string(), "-o",
                                  (dir.path() / "site.lic").string()}),
                      0);
}

int RunDaemonExpectingExit(const TempDir& dir, const std::string& license, std::string& output) {
  return RunCommand({BinPath("floatlmd"), "--license", license, "--vendor-keys",
                     (dir.path() / "keys").string(), "--state", (dir.path() / "state").string(),
                     "--bind", "127.0.0.1", "--port", "0", "--admin-socket", "", "--allow-root"},
                    &output);
}

}  // namespace

BOOST_AUTO_TEST_CASE(refuses_to_start_when_no_line_verifies) {
  TempDir dir;
  SignInto(dir, TwoSeatLicense());
  // An unsigned copy: every line fails verification.
  std::ofstream(dir.path() / "unsigned.lic") << TwoSeatLicense();
  std::string out;
  BOOST_TEST(RunDaemonExpectingExit(dir, (dir.path() / "unsigned.lic").string(), out) == 1);
  BOOST_TEST(out.find("no valid feature") != std::string::npos, out);
  BOOST_TEST(out.find("unsigned.lic:2") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(refuses_to_start_on_another_hosts_license) {
  TempDir dir;
  SignInto(dir, "SERVER this_host 0a1b2c3d4e5f 27000\n" + TwoSeatLicense());
  std::string out;
  BOOST_TEST(RunDaemonExpectingExit(dir, (dir.path() / "site.lic").string(), out) == 1);
  BOOST_TEST(out.find("does not match this host") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(refuses_to_start_on_a_missing_file_naming_it) {
  TempDir dir;
  SignInto(dir, TwoSeatLicense());
  std::string out;
  BOOST_TEST(RunDaemonExpectingExit(dir, (dir.path() / "nope.lic").string(), out) == 1);
  BOOST_TEST(out.find("nope.lic") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(check_config_prints_what_would_be_served) {
  TempDir dir;
  SignInto(dir, TwoSeatLicense());
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlmd"), "--check-config", "--license",
                         (dir.path() / "site.lic").string(), "--vendor-keys",
                         (dir.path() / "keys").string(), "--state", (dir.path() / "state").string()},
                        &out) == 0);
  BOOST_TEST(out.find("cad 2027.0") != std::string::npos, out);
  BOOST_TEST(out.find("2 seats") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(check_config_lists_where_floatlm_reads_the_file_differently) {
  TempDir dir;
  SignInto(dir, "VENDOR demo\nINCREMENT cad demo 1.0 permanent 2 OVERDRAFT=1 DUP_GROUP=UH\n");
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlmd"), "--check-config", "--license",
                         (dir.path() / "site.lic").string(), "--vendor-keys",
                         (dir.path() / "keys").string(), "--state", (dir.path() / "state").string()},
                        &out) == 0);
  BOOST_TEST(out.find("differs:  " + (dir.path() / "site.lic").string() +
                      ":2:36: warning: OVERDRAFT=1: floatlm grants no overdraft seats") !=
                 std::string::npos,
             out);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlmd"), "--no-such-option"}, &out) == 2);
  BOOST_TEST(RunCommand({BinPath("floatlmd"), "--license", "x"}, &out) == 2);
  BOOST_TEST(out.find("--vendor-keys") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(third_user_is_denied_naming_the_holders) {
  DaemonFixture d(TwoSeatLicense());
  auto a = RawClient::Tcp(d.port());
  auto b = RawClient::Tcp(d.port());
  auto c = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  b.Hello("bob", "ws2");
  c.Hello("carol", "ws3");
  MustGrant(a, 2, "cad");
  MustGrant(b, 2, "cad");
  auto denied = MustDeny(c, 2, "cad");
  BOOST_TEST(static_cast<int>(denied.code) == static_cast<int>(Errc::kAllSeatsInUse));
  BOOST_TEST(denied.message.find("alice") != std::string::npos, denied.message);
  BOOST_TEST(denied.message.find("bob") != std::string::npos, denied.message);
  const std::string status = Status(d.port());
  BOOST_TEST(status.find("alice  ws1") != std::string::npos, status);
  BOOST_TEST(status.find("2 of 2 in use") != std::string::npos, status);
}

// CHECKOUT's DUP_GROUP: a grouping the daemon cannot read is refused with bad_argument,
// without echoing the text, and the connection goes on; a good one is honoured.
BOOST_AUTO_TEST_CASE(a_checkout_with_a_bad_dup_group_is_refused_and_a_good_one_served) {
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 permanent 2 SN=T-1\n");  // no DUP_GROUP
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  for (const std::string bad : {"UHX", "UU", "\x1b[2J", "site,none"}) {
    auto reply = a.Call(2, p::Checkout{"cad", "", 0, bad});
    BOOST_REQUIRE(reply && std::holds_alternative<p::Denied>(*reply));
    const auto& no = std::get<p::Denied>(*reply);
    BOOST_TEST(static_cast<int>(no.code) == static_cast<int>(Errc::kBadArgument));
    BOOST_TEST(no.message.find("DUP_GROUP is not a duplicate grouping") != std::string::npos,
               no.message);
    BOOST_TEST(no.message.find(bad) == std::string::npos, no.message);
  }
  auto one = a.Call(3, p::Checkout{"cad", "", 0, "NONE"});
  auto two = a.Call(4, p::Checkout{"cad", "", 0, "NONE"});
  BOOST_REQUIRE(one && std::holds_alternative<p::Granted>(*one));
  BOOST_REQUIRE(two && std::holds_alternative<p::Granted>(*two));
  BOOST_TEST(!std::get<p::Granted>(*two).shared);
  BOOST_TEST(Status(d.port()).find("2 of 2 in use") != std::string::npos, Status(d.port()));
}

BOOST_AUTO_TEST_CASE(checkin_frees_the_seat_at_once) {
  DaemonFixture d(TwoSeatLicense());
  auto a = RawClient::Tcp(d.port());
  auto b = RawClient::Tcp(d.port());
  auto c = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  b.Hello("bob", "ws2");
  c.Hello("carol", "ws3");
  auto lease = MustGrant(a, 2, "cad");
  MustGrant(b, 2, "cad");
  MustDeny(c, 2, "cad");
  auto ok = a.Call(3, p::Checkin{lease.lease});
  BOOST_REQUIRE(ok && std::holds_alternative<p::Ok>(*ok));
  MustGrant(c, 3, "cad");
}

BOOST_AUTO_TEST_CASE(queued_checkout_is_granted_when_a_seat_frees) {
  DaemonFixture d(TwoSeatLicense());
  auto a = RawClient::Tcp(d.port());
  auto b = RawClient::Tcp(d.port());
  auto c = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  b.Hello("bob", "ws2");
  c.Hello("carol", "ws3");
  auto lease = MustGrant(a, 2, "cad");
  MustGrant(b, 2, "cad");
  auto queued = c.Call(5, p::Checkout{"cad", "", 20000});
  BOOST_REQUIRE(queued && std::holds_alternative<p::Queued>(*queued));
  BOOST_TEST(std::get<p::Queued>(*queued).position == 1u);
  a.Call(3, p::Checkin{lease.lease});
  auto granted = c.Receive();
  BOOST_REQUIRE(granted);
  BOOST_TEST(granted->request_id == 5u);
  BOOST_TEST(std::holds_alternative<p::Granted>(granted->msg));
}

BOOST_AUTO_TEST_CASE(garbage_costs_only_the_senders_connection) {
  DaemonFixture d(TwoSeatLicense());
  auto good = RawClient::Tcp(d.port());
  good.Hello("alice", "ws1");
  MustGrant(good, 2, "cad");

  auto garbage = RawClient::Tcp(d.port());
  // A CHECKOUT whose only field has an unknown kind: malformed, so the daemon hangs up.
  garbage.SendBytes(std::string("\x00\x00\x00\x0C\x00\x02\x00\x00\x00\x01\x08\x07junk", 16));
  BOOST_TEST(garbage.WaitClosed());

  auto oversized = RawClient::Tcp(d.port());
  oversized.SendBytes(std::string("\x7F\xFF\xFF\xFF", 4));
  BOOST_TEST(oversized.WaitClosed());

  auto early = RawClient::Tcp(d.port());
  auto reply = early.Call(4, p::Checkout{"cad"});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Error>(*reply));
  BOOST_TEST(static_cast<int>(std::get<p::Error>(*reply).code) ==
             static_cast<int>(Errc::kHelloRequired));
  BOOST_TEST(early.WaitClosed());

  auto hb = good.Call(3, p::Heartbeat{});
  BOOST_REQUIRE(hb && std::holds_alternative<p::Ok>(*hb));
  BOOST_TEST(std::get<p::Ok>(*hb).count == 1u);
}

BOOST_AUTO_TEST_CASE(unknown_message_type_keeps_the_connection) {
  DaemonFixture d(TwoSeatLicense());
  auto c = RawClient::Tcp(d.port());
  c.Hello("alice", "ws1");
  // type 500, request id 8, no fields
  c.SendBytes(std::string("\x00\x00\x00\x06\x01\xF4\x00\x00\x00\x08", 10));
  auto reply = c.Receive();
  BOOST_REQUIRE(reply);
  BOOST_TEST(reply->request_id == 8u);
  BOOST_TEST(static_cast<int>(std::get<p::Error>(reply->msg).code) ==
             static_cast<int>(Errc::kUnknownMessage));
  MustGrant(c, 9, "cad");
}

BOOST_AUTO_TEST_CASE(vanished_client_seat_frees_after_the_reattach_window) {
  DaemonFixture d(TwoSeatLicense(), "demo", {"--reattach-window", "1"});
  auto b = RawClient::Tcp(d.port());
  b.Hello("bob", "ws2");
  MustGrant(b, 2, "cad");
  {
    auto a = RawClient::Tcp(d.port());
    a.Hello("alice", "ws1");
    MustGrant(a, 2, "cad");
  }  // alice's connection closes without checkin
  auto c = RawClient::Tcp(d.port());
  c.Hello("carol", "ws3");
  MustDeny(c, 2, "cad");  // still inside the window
  std::this_thread::sleep_for(1500ms);
  MustGrant(c, 3, "cad");
}

BOOST_AUTO_TEST_CASE(reattach_after_disconnect_returns_the_same_lease) {
  DaemonFixture d(TwoSeatLicense());
  p::Granted lease;
  {
    auto a = RawClient::Tcp(d.port());
    a.Hello("alice", "ws1");
    lease = MustGrant(a, 2, "cad");
  }
  auto again = RawClient::Tcp(d.port());
  again.Hello("alice", "ws1");
  auto wrong = again.Call(3, p::Reattach{lease.lease, lease.token + 1});
  BOOST_REQUIRE(wrong && std::holds_alternative<p::Denied>(*wrong));
  auto reply = again.Call(4, p::Reattach{lease.lease, lease.token});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Granted>(*reply));
  BOOST_TEST(std::get<p::Granted>(*reply).lease == lease.lease);
  const std::string status = Status(d.port());
  BOOST_TEST(status.find("1 of 2 in use") != std::string::npos, status);
}

BOOST_AUTO_TEST_CASE(silent_client_loses_its_lease_at_ttl) {
  DaemonFixture d(TwoSeatLicense(), "demo", {"--lease-ttl", "2"});
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  auto lease = MustGrant(a, 2, "cad");
  // No heartbeat: the daemon ends the lease and says so.
  auto lost = a.Receive(6s);
  BOOST_REQUIRE(lost);
  BOOST_REQUIRE(std::holds_alternative<p::LeaseLost>(lost->msg));
  BOOST_TEST(std::get<p::LeaseLost>(lost->msg).lease == lease.lease);
  BOOST_TEST(static_cast<int>(std::get<p::LeaseLost>(lost->msg).code) ==
             static_cast<int>(Errc::kLeaseTimedOut));
}

BOOST_AUTO_TEST_CASE(sighup_rereads_and_keeps_live_leases) {
  DaemonFixture d(TwoSeatLicense());
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  auto lease = MustGrant(a, 2, "cad");
  d.ReplaceLicense(TwoSeatLicense("FEATURE cam demo 2027.0 permanent 3 SN=T-2\n"));
  d.Signal(SIGHUP);
  std::string status;
  for (int i = 0; i < 50; ++i) {
    status = Status(d.port());
    if (status.find("cam") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(status.find("Users of cam") != std::string::npos, status);
  BOOST_TEST(status.find("lease " + std::to_string(lease.lease)) != std::string::npos, status);
  auto hb = a.Call(3, p::Heartbeat{});
  BOOST_TEST(std::get<p::Ok>(*hb).count == 1u);
}

BOOST_AUTO_TEST_CASE(sighup_with_a_broken_file_keeps_the_old_licenses) {
  DaemonFixture d(TwoSeatLicense());
  std::ofstream(d.license_path()) << "this is not a license file\n";
  d.Signal(SIGHUP);
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(d.Running());
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  MustGrant(a, 2, "cad");
  BOOST_TEST(d.log().find("license.reread_failed") != std::string::npos, d.log());
}

BOOST_AUTO_TEST_CASE(warns_of_lines_near_expiry_at_start_and_on_reread) {
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 " + LicenseDate(LocalDayIn(5)) +
                  " 2 SN=T-1\n");
  BOOST_TEST(d.log().find("event=license.expiring") != std::string::npos, d.log());
  BOOST_TEST(d.log().find("days_left=5 ") != std::string::npos, d.log());
  // The renewal moves cad a year on and brings cam, which ends in 20 days: the reread
  // reply says so, and says nothing more of cad.
  d.ReplaceLicense("VENDOR demo\nFEATURE cad demo 2027.0 " + LicenseDate(LocalDayIn(400)) +
                   " 2 SN=T-2\nFEATURE cam demo 2027.0 " + LicenseDate(LocalDayIn(20)) +
                   " 3 SN=T-3\n");
  auto admin = RawClient::Unix((d.dir() / "admin.sock").string());
  auto reread = admin.Call(1, p::Admin{"reread", {}, ""});
  BOOST_REQUIRE(reread && std::holds_alternative<p::Ok>(*reread));
  const auto& text = std::get<p::Ok>(*reread).message;
  BOOST_TEST(text.find("warning: cam 2027.0 (") != std::string::npos, text);
  BOOST_TEST(text.find("3 seats expire in 20 days") != std::string::npos, text);
  BOOST_TEST(text.find("warning: cad") == std::string::npos, text);
}

// The last license.loaded line of the log.
std::string LastLoadedLine(const std::string& log) {
  const auto at = log.rfind("event=license.loaded");
  if (at == std::string::npos) return {};
  return log.substr(at, log.find('\n', at) - at);
}

BOOST_AUTO_TEST_CASE(a_restart_checks_only_the_license_lines_it_has_not_verified) {
  DaemonFixture d(
      "VENDOR demo\nFEATURE cad demo 2027.0 permanent 2 SN=T-1\n"
      "FEATURE cam demo 2027.0 permanent 3 SN=T-2\n");
  BOOST_TEST(LastLoadedLine(d.log()).find("signatures_checked=2 signatures_remembered=0") !=
                 std::string::npos,
             d.log());
  d.Stop();
  d.Start();
  BOOST_TEST(LastLoadedLine(d.log()).find("signatures_checked=0 signatures_remembered=2") !=
                 std::string::npos,
             d.log());
  d.Stop();
  // cam's count edited by hand: what was remembered of its line does not cover the edit.
  std::string text;
  {
    std::ifstream in(d.license_path(), std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = text.find("permanent 3");
  BOOST_REQUIRE(at != std::string::npos);
  text.replace(at, 11, "permanent 9");
  std::ofstream(d.license_path(), std::ios::binary | std::ios::trunc) << text;
  d.Start();
  BOOST_TEST(LastLoadedLine(d.log()).find("signatures_checked=1 signatures_remembered=1") !=
                 std::string::npos,
             d.log());
  const auto rejected = d.log().find("event=license.rejected line=" + d.license_path().string());
  BOOST_TEST(rejected != std::string::npos, d.log());
  BOOST_TEST(d.log().find("signature does not verify (wrong key or modified line)", rejected) !=
                 std::string::npos,
             d.log());
  auto c = RawClient::Tcp(d.port());
  c.Hello("alice", "ws1");
  MustGrant(c, 2, "cad");
  MustDeny(c, 3, "cam");
}

BOOST_AUTO_TEST_CASE(admin_commands_over_tcp_need_the_token_and_tls) {
  TempDir secrets;
  const auto token_file = secrets.path() / "admin.token";
  std::ofstream(token_file) << "s3cret-token\n";
  std::filesystem::permissions(token_file, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write);
  const TestCertificates certs(secrets.path());
  const std::vector<std::string> args =
      certs.DaemonArgs({"--admin-token-file", token_file.string()});
  DaemonFixture d(TwoSeatLicense(), "demo", args);
  auto a = RawClient::Tls(d.port(), certs.ca.string());
  a.Hello("alice", "ws1");
  auto lease = MustGrant(a, 2, "cad");

  auto admin = RawClient::Tls(d.port(), certs.ca.string());
  admin.Hello("mallory", "evil");
  const std::string id = std::to_string(lease.lease);
  for (const std::string token : {"", "wrong", "s3cret-token-but-longer"}) {
    auto reply = admin.Call(3, p::Admin{"remove", {"--lease", id}, token});
    BOOST_REQUIRE(reply && std::holds_alternative<p::Error>(*reply));
    BOOST_TEST(static_cast<int>(std::get<p::Error>(*reply).code) ==
               static_cast<int>(Errc::kPermissionDenied));
  }
  BOOST_TEST(d.log().find("event=admin.refused") != std::string::npos);
  BOOST_TEST(d.log().find("s3cret") == std::string::npos, "the token must never be logged");

  auto reply = admin.Call(4, p::Admin{"remove", {"--lease", id}, "s3cret-token"});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Ok>(*reply));
  auto lost = a.Receive();
  BOOST_REQUIRE(lost && std::holds_alternative<p::LeaseLost>(lost->msg));
  BOOST_TEST(static_cast<int>(std::get<p::LeaseLost>(lost->msg).code) ==
             static_cast<int>(Errc::kLeaseRemoved));
}

BOOST_AUTO_TEST_CASE(the_admin_token_is_refused_over_plain_tcp) {
  TempDir secrets;
  const auto token_file = secrets.path() / "admin.token";
  std::ofstream(token_file) << "s3cret-token\n";
  std::filesystem::permissions(token_file, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write);
  DaemonFixture d(TwoSeatLicense(), "demo", {"--admin-token-file", token_file.string()});
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  auto lease = MustGrant(a, 2, "cad");
  auto admin = RawClient::Tcp(d.port());
  admin.Hello("root", "adminhost");
  // The right token: anyone on the path could have read it, so it does not count.
  auto reply = admin.Call(3, p::Admin{"remove", {"--lease", std::to_string(lease.lease)},
                                      "s3cret-token"});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Error>(*reply));
  const auto& error = std::get<p::Error>(*reply);
  BOOST_TEST(static_cast<int>(error.code) == static_cast<int>(Errc::kPermissionDenied));
  BOOST_TEST(error.message == "admin token over an unencrypted connection; use TLS or the admin "
                              "socket",
             error.message);
  auto hb = a.Call(5, p::Heartbeat{});
  BOOST_REQUIRE(hb && std::holds_alternative<p::Ok>(*hb));
  BOOST_TEST(std::get<p::Ok>(*hb).count == 1u);  // the lease is still there
}

BOOST_AUTO_TEST_CASE(admin_socket_accepts_root_and_down_stops_the_daemon) {
  DaemonFixture d(TwoSeatLicense());
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  MustGrant(a, 2, "cad");
  auto admin = RawClient::Unix((d.dir() / "admin.sock").string());
  auto unknown = admin.Call(1, p::Admin{"frobnicate", {}, ""});
  BOOST_REQUIRE(unknown && std::holds_alternative<p::Error>(*unknown));
  auto removed = admin.Call(2, p::Admin{"remove", {"cad", "alice", "ws1"}, ""});
  BOOST_REQUIRE(removed && std::holds_alternative<p::Ok>(*removed));
  BOOST_TEST(std::get<p::Ok>(*removed).count == 1u);
  auto reread = admin.Call(3, p::Admin{"reread", {}, ""});
  BOOST_REQUIRE(reread && std::holds_alternative<p::Ok>(*reread));
  auto down = admin.Call(4, p::Admin{"down", {}, ""});
  BOOST_REQUIRE(down && std::holds_alternative<p::Ok>(*down));
  BOOST_TEST(d.WaitExit(10s) == 0, d.log());
}

BOOST_AUTO_TEST_CASE(sigterm_stops_cleanly_and_tells_clients) {
  DaemonFixture d(TwoSeatLicense());
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  MustGrant(a, 2, "cad");
  d.Signal(SIGTERM);
  auto bye = a.Receive();
  BOOST_REQUIRE(bye);
  BOOST_TEST(std::holds_alternative<p::Shutdown>(bye->msg));
  BOOST_TEST(d.WaitExit(10s) == 0, d.log());
}

// One answer bigger than what a slow reader may owe (1 MiB) is still delivered whole:
// the status of a pool with thousands of leases, asked by a client that reads it.
BOOST_AUTO_TEST_CASE(status_of_a_pool_larger_than_the_slow_reader_limit_arrives_whole) {
  // One connection checks out 5,000 seats as fast as it can: past the default rate.
  DaemonFixture d(
      "VENDOR demo\nFEATURE many demo 1.0 permanent uncounted HOSTID=ANY DUP_GROUP=NONE SN=M-1\n",
      "demo", {"--max-checkouts-per-second", "0"});
  auto holder = RawClient::Tcp(d.port());
  holder.Hello("alice", "ws1");
  constexpr std::uint32_t kLeases = 5000;
  for (std::uint32_t i = 0; i < kLeases; ++i) MustGrant(holder, 10 + i, "many");
  const std::string json = RawClient::StatusOf(d.port(), /*json=*/true);
  BOOST_TEST_MESSAGE("status JSON of " << kLeases << " leases: " << json.size() << " bytes");
  BOOST_TEST(json.size() > (1u << 20));
  std::size_t leases = 0;
  for (std::size_t at = json.find("{\"lease\":"); at != std::string::npos;
       at = json.find("{\"lease\":", at + 1)) {
    ++leases;
  }
  BOOST_TEST(leases == kLeases);
  BOOST_TEST(json.find("\"in_use\":5000") != std::string::npos);
  BOOST_TEST(d.log().find("client.slow_reader") == std::string::npos, d.log());
}

// One feature with a counted and an uncounted line: the header says both, not "uncounted"
// alone, which hid the counted seats.
BOOST_AUTO_TEST_CASE(status_header_names_counted_and_uncounted_pools_of_one_feature) {
  DaemonFixture d("VENDOR demo\nINCREMENT cad demo 1.0 permanent 2\n"
                  "INCREMENT cad demo 2.0 permanent uncounted\n");
  const std::string text = Status(d.port());
  BOOST_TEST(text.find("Users of cad:  (Total of 2 licenses issued plus uncounted lines;  Total "
                       "of 0 in use)") != std::string::npos,
             text);
  BOOST_TEST(text.find("uncounted, 0 in use") != std::string::npos, text);
}

// A name with a newline or a terminal escape cannot forge a log line or reach an admin's
// terminal: HELLO refuses control characters, and the log writes any it meets as \xNN.
BOOST_AUTO_TEST_CASE(control_characters_neither_forge_log_lines_nor_pass_hello) {
  DaemonFixture d(TwoSeatLicense());
  auto mallory = RawClient::Tcp(d.port());
  auto reply = mallory.Call(1, p::Hello{p::kProtocolVersion,
                                         "mallory\nINFO event=admin.request by=\"socket uid=0(root)\"",
                                         "ws1"});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Error>(*reply));
  const auto& error = std::get<p::Error>(*reply);
  BOOST_TEST(static_cast<int>(error.code) == static_cast<int>(Errc::kBadArgument));
  BOOST_TEST(error.message.find("the user name contains a control character (byte 0x0a at "
                                "offset 7)") != std::string::npos,
             error.message);
  auto escape = RawClient::Tcp(d.port());
  reply = escape.Call(1, p::Hello{p::kProtocolVersion, "eve", "\x1b]0;owned\x07"});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Error>(*reply));

  // Feature names are free text on the wire: a denial's log line escapes them.
  auto bob = RawClient::Tcp(d.port());
  bob.Hello("bob", "ws2");
  MustDeny(bob, 2, "cad\nINFO event=forged");
  const std::string log = d.log();
  BOOST_TEST(log.find("\nINFO event=forged") == std::string::npos, log);
  BOOST_TEST(log.find("cad\\x0aINFO event=forged") != std::string::npos, log);
  BOOST_TEST(log.find("\nINFO event=admin.request by=\"socket uid=0(root)\"") == std::string::npos,
             log);
}
