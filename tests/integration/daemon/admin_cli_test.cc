// The floatlm admin commands (remove, reread, down, report, backup, hostid) run as the real
// binary against the real daemon, over the admin socket and over TCP with a token.
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "daemon_fixture.h"
#include "raw_client.h"
#include "test_certs.h"

namespace p = floatlm::proto;
using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RawClient;
using floatlm::testing::RunCommand;
using floatlm::testing::TempDir;
using floatlm::testing::TestCertificates;
using namespace std::chrono_literals;

namespace {

const char* kLicense =
    "VENDOR demo\n"
    "FEATURE cad demo 2027.0 permanent 2 SN=A-1\n"
    "FEATURE cam demo 2027.0 permanent 1 SN=A-2\n";

// Runs `floatlm ARGS...` against the fixture's admin socket; returns the exit code.
int Floatlm(const DaemonFixture& d, std::vector<std::string> args, std::string& out) {
  std::vector<std::string> argv = {BinPath("floatlm")};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, &out,
                    {"FLOATLM_ADMIN_SOCKET=" + (d.dir() / "admin.sock").string(),
                     "FLOATLM_LICENSE=" + d.license_env()});
}

p::Granted Grant(RawClient& c, std::uint32_t id, const std::string& feature) {
  auto reply = c.Call(id, p::Checkout{feature});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Granted>(*reply));
  return std::get<p::Granted>(*reply);
}

}  // namespace

BOOST_AUTO_TEST_CASE(remove_by_user_and_host_frees_the_seat_and_tells_the_client) {
  DaemonFixture d(kLicense);
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  Grant(a, 2, "cam");
  std::string out;
  BOOST_TEST(Floatlm(d, {"remove", "cam", "alice", "ws1"}, out) == 0, out);
  BOOST_TEST(out.find("removed lease") != std::string::npos, out);
  auto lost = a.Receive();
  BOOST_REQUIRE(lost && std::holds_alternative<p::LeaseLost>(lost->msg));
  auto b = RawClient::Tcp(d.port());
  b.Hello("bob", "ws2");
  Grant(b, 2, "cam");
  BOOST_TEST(Floatlm(d, {"remove", "cam", "nobody", "ws9"}, out) == 1);
  BOOST_TEST(out.find("no lease of cam") != std::string::npos, out);
  BOOST_TEST(Floatlm(d, {"remove", "cam"}, out) == 2);
  BOOST_TEST(Floatlm(d, {"remove", "--lease", "notanumber"}, out) == 1);
}

BOOST_AUTO_TEST_CASE(remove_by_lease_id_over_tls_needs_the_token) {
  TempDir secrets;
  const auto token = secrets.path() / "token";
  std::ofstream(token) << "tok-123\n";
  std::filesystem::permissions(token, std::filesystem::perms::owner_read);
  const TestCertificates certs(secrets.path());
  const std::vector<std::string> args = certs.DaemonArgs({"--admin-token-file", token.string()});
  DaemonFixture d(kLicense, "demo", args);
  auto a = RawClient::Tls(d.port(), certs.ca.string());
  a.Hello("alice", "ws1");
  const auto lease = Grant(a, 2, "cad");
  const std::string id = std::to_string(lease.lease);
  const std::string server = "tls:" + d.license_env();
  const std::string ca = certs.ca.string();
  std::string out;
  // -c without a token is a usage error; a wrong token is refused.
  BOOST_TEST(Floatlm(d, {"remove", "-c", server, "--tls-ca", ca, "--lease", id}, out) == 2, out);
  std::ofstream(secrets.path() / "wrong") << "nope\n";
  BOOST_TEST(Floatlm(d, {"remove", "-c", server, "--tls-ca", ca, "--admin-token-file",
                         (secrets.path() / "wrong").string(), "--lease", id},
                     out) == 1);
  BOOST_TEST(out.find("permission denied") != std::string::npos, out);
  // A CA that did not sign the daemon's certificate: the connection is refused first.
  BOOST_TEST(Floatlm(d, {"remove", "-c", server, "--tls-ca", certs.other_ca.string(),
                         "--admin-token-file", token.string(), "--lease", id},
                     out) == 1);
  BOOST_TEST(out.find("certificate") != std::string::npos, out);
  BOOST_TEST(Floatlm(d, {"remove", "-c", server, "--tls-ca", ca, "--admin-token-file",
                         token.string(), "--lease", id},
                     out) == 0,
             out);
  // Status works over TLS too, with the CA from the environment.
  std::vector<std::string> argv = {BinPath("floatlm"), "status", "-c", server};
  BOOST_TEST(RunCommand(argv, &out, {"FLOATLM_TLS_CA=" + ca}) == 0, out);
  BOOST_TEST(out.find("cad") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(the_admin_token_over_plain_tcp_is_refused_with_the_reason) {
  TempDir secrets;
  const auto token = secrets.path() / "token";
  std::ofstream(token) << "tok-123\n";
  std::filesystem::permissions(token, std::filesystem::perms::owner_read);
  DaemonFixture d(kLicense, "demo", {"--admin-token-file", token.string()});
  std::string out;
  BOOST_TEST(Floatlm(d, {"remove", "-c", d.license_env(), "--admin-token-file", token.string(),
                         "--lease", "1"},
                     out) == 1);
  BOOST_TEST(out.find("admin token over an unencrypted connection; use TLS or the admin socket") !=
                 std::string::npos,
             out);
}

BOOST_AUTO_TEST_CASE(reread_prints_the_diff_and_keeps_old_state_on_error) {
  DaemonFixture d(kLicense);
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  Grant(a, 2, "cad");
  d.ReplaceLicense("VENDOR demo\nFEATURE cad demo 2027.0 permanent 5 SN=A-3\n"
                   "FEATURE cae demo 2027.0 permanent 1 SN=A-4\n");
  std::string out;
  BOOST_TEST(Floatlm(d, {"reread"}, out) == 0, out);
  BOOST_TEST(out.find("added:") != std::string::npos, out);
  BOOST_TEST(out.find("cae") != std::string::npos, out);
  BOOST_TEST(out.find("removed:") != std::string::npos, out);  // cam is gone
  BOOST_TEST(out.find("changed:") != std::string::npos, out);  // cad 2 -> 5

  std::ofstream(d.license_path()) << "garbage\n";
  BOOST_TEST(Floatlm(d, {"reread"}, out) == 1, out);
  BOOST_TEST(out.find("old licenses and options stay in force") != std::string::npos, out);
  auto hb = a.Call(9, p::Heartbeat{});
  BOOST_TEST(std::get<p::Ok>(*hb).count == 1u);
}

// A renewal with a one-character typo in a signed line: the reread refuses and changes
// nothing, zoe keeps her cam seat; --dry-run shows the damage; --partial refuses while
// it would end a lease, and applies the good lines once it would not.
BOOST_AUTO_TEST_CASE(a_reread_with_a_rejected_line_changes_nothing) {
  DaemonFixture d(kLicense);
  auto zoe = RawClient::Tcp(d.port());
  zoe.Hello("zoe", "ws9");
  const p::Granted cam = Grant(zoe, 2, "cam");
  // The renewal raises cad to 5 seats; its cam line was edited after signing.
  d.ReplaceLicense("VENDOR demo\nFEATURE cad demo 2027.0 permanent 5 SN=A-1\n"
                   "FEATURE cam demo 2027.0 permanent 1 SN=A-2\n");
  {
    std::ifstream in(d.license_path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("cam demo 2027.0 permanent 1");
    BOOST_REQUIRE(at != std::string::npos);
    text[at + std::string("cam demo 2027.0 permanent ").size()] = '9';  // 1 -> 9 seats
    std::ofstream(d.license_path(), std::ios::trunc) << text;
  }
  std::string out;
  BOOST_TEST(Floatlm(d, {"reread"}, out) == 1, out);
  BOOST_TEST(out.find("reread refused: 1 license line(s) rejected, so nothing changed") !=
                 std::string::npos,
             out);
  BOOST_TEST(out.find("signature does not verify") != std::string::npos, out);
  auto hb = zoe.Call(9, p::Heartbeat{});
  BOOST_REQUIRE(hb && std::holds_alternative<p::Ok>(*hb));
  BOOST_TEST(std::get<p::Ok>(*hb).count == 1u);  // zoe's lease is alive
  BOOST_TEST(RawClient::StatusOf(d.port()).find("Total of 2 licenses issued") != std::string::npos);

  BOOST_TEST(Floatlm(d, {"reread", "--dry-run"}, out) == 0, out);
  BOOST_TEST(out.find("dry run: nothing was changed") != std::string::npos, out);
  BOOST_TEST(out.find("would end: lease " + std::to_string(cam.lease) + " of cam held by zoe@ws9") !=
                 std::string::npos,
             out);
  BOOST_TEST(out.find("changed: cad 2027.0: 2 -> 5 seats") != std::string::npos, out);

  BOOST_TEST(Floatlm(d, {"reread", "--partial"}, out) == 1, out);
  BOOST_TEST(out.find("reread --partial refused: applying the accepted lines would end 1 lease(s)") !=
                 std::string::npos,
             out);
  hb = zoe.Call(10, p::Heartbeat{});
  BOOST_TEST(std::get<p::Ok>(*hb).count == 1u);

  BOOST_REQUIRE(std::holds_alternative<p::Ok>(*zoe.Call(11, p::Checkin{cam.lease})));
  BOOST_TEST(Floatlm(d, {"reread", "--partial"}, out) == 0, out);
  BOOST_TEST(out.find("changed: cad 2027.0: 2 -> 5 seats") != std::string::npos, out);
  BOOST_TEST(Floatlm(d, {"reread", "--partial", "--dry-run"}, out) == 2, out);

  // --check-config calls such a file an error, unless told to accept rejected lines.
  const std::vector<std::string> check = {"--check-config", "--license", d.license_path().string(),
                                          "--vendor-keys", (d.dir() / "keys").string(),
                                          "--state", (d.dir() / "check-state").string()};
  std::vector<std::string> args = {BinPath("floatlmd")};
  args.insert(args.end(), check.begin(), check.end());
  BOOST_TEST(RunCommand(args, &out) == 1, out);
  BOOST_TEST(out.find("a reread would refuse them") != std::string::npos, out);
  args.push_back("--allow-rejected");
  BOOST_TEST(RunCommand(args, &out) == 0, out);
}

// lmremove's four-argument form: only the lease of that display goes.
BOOST_AUTO_TEST_CASE(remove_with_a_display_removes_only_that_displays_lease) {
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 permanent 2 SN=A-1 DUP_GROUP=UHD\n");
  auto zero = RawClient::Tcp(d.port());
  auto one = RawClient::Tcp(d.port());
  BOOST_REQUIRE(zero.Call(1, p::Hello{p::kProtocolVersion, "alice", "ws1", ":0"}));
  BOOST_REQUIRE(one.Call(1, p::Hello{p::kProtocolVersion, "alice", "ws1", ":1"}));
  const p::Granted on_zero = Grant(zero, 2, "cad");
  const p::Granted on_one = Grant(one, 2, "cad");
  std::string out;
  BOOST_TEST(Floatlm(d, {"remove", "cad", "alice", "ws1", ":1"}, out) == 0, out);
  auto hb = zero.Call(3, p::Heartbeat{});
  BOOST_TEST(std::get<p::Ok>(*hb).count == 1u);  // :0 keeps its seat
  const std::string status = RawClient::StatusOf(d.port());
  BOOST_TEST(status.find("lease " + std::to_string(on_zero.lease)) != std::string::npos, status);
  BOOST_TEST(status.find("lease " + std::to_string(on_one.lease) + " ") == std::string::npos, status);
  BOOST_TEST(Floatlm(d, {"remove", "cad", "alice", "ws1", ":7"}, out) == 1, out);
  BOOST_TEST(out.find("with display :7") != std::string::npos, out);
}

// Started by hand with an admin socket in a directory that does not exist, floatlmd says
// exactly what to do rather than only "No such file or directory".
BOOST_AUTO_TEST_CASE(a_missing_admin_socket_directory_is_named_with_the_fix) {
  DaemonFixture d(kLicense);  // for its signed license and keys
  std::string message;
  BOOST_TEST(RunCommand({"/usr/bin/timeout", "30", BinPath("floatlmd"), "--license",
                         d.license_path().string(), "--vendor-keys", (d.dir() / "keys").string(),
                         "--state", (d.dir() / "second-state").string(), "--bind", "127.0.0.1",
                         "--port", "0", "--admin-socket", "/nonexistent-floatlm-dir/admin.sock",
                         "--allow-root"},
                        &message) == 1,
             message);
  BOOST_TEST(message.find("its directory /nonexistent-floatlm-dir does not exist; create it, or "
                          "pass --admin-socket PATH") != std::string::npos,
             message);
}

BOOST_AUTO_TEST_CASE(down_stops_the_daemon_and_leases_survive_the_restart) {
  DaemonFixture d(kLicense);
  p::Granted lease;
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  lease = Grant(a, 2, "cad");
  std::string out;
  BOOST_TEST(Floatlm(d, {"down"}, out) == 0, out);
  BOOST_TEST(d.WaitExit(10s) == 0, d.log());
  d.Start();  // same port, same state directory
  auto again = RawClient::Tcp(d.port());
  again.Hello("alice", "ws1");
  auto reply = again.Call(3, p::Reattach{lease.lease, lease.token});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Granted>(*reply));
  BOOST_TEST(std::get<p::Granted>(*reply).lease == lease.lease);
}

BOOST_AUTO_TEST_CASE(backup_copies_the_live_state_and_a_daemon_started_on_it_has_the_lease) {
  namespace fs = std::filesystem;
  DaemonFixture d(kLicense);
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  const auto lease = Grant(a, 2, "cad");
  std::string out;
  BOOST_TEST(Floatlm(d, {"backup", "/tmp/elsewhere.db"}, out) == 2, out);
  BOOST_TEST(Floatlm(d, {"backup"}, out) == 0, out);
  std::vector<fs::path> copies;
  for (const auto& e : fs::directory_iterator(d.state_dir() / "backups")) copies.push_back(e.path());
  BOOST_REQUIRE_EQUAL(copies.size(), 1u);
  BOOST_TEST(out.find("backup written: " + copies[0].string()) != std::string::npos, out);
  BOOST_TEST(copies[0].filename().string().starts_with("floatlm-"));
  BOOST_TEST(d.log().find("event=state.backup ") != std::string::npos, d.log());
  // A second one in the same second gets its own name.
  BOOST_TEST(Floatlm(d, {"backup"}, out) == 0, out);
  BOOST_TEST(std::distance(fs::directory_iterator(d.state_dir() / "backups"),
                           fs::directory_iterator{}) == 2);

  // After the backup the lease is checked in, so only the copy still has it.
  auto done = a.Call(3, p::Checkin{lease.lease});
  BOOST_REQUIRE(done && std::holds_alternative<p::Ok>(*done));
  d.Stop();
  fs::remove(d.state_dir() / "floatlm.db");
  fs::remove(d.state_dir() / "floatlm.db-wal");
  fs::copy_file(copies[0], d.state_dir() / "floatlm.db");
  d.Start();
  auto again = RawClient::Tcp(d.port());
  again.Hello("alice", "ws1");
  auto reply = again.Call(2, p::Reattach{lease.lease, lease.token});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Granted>(*reply));
  BOOST_TEST(std::get<p::Granted>(*reply).lease == lease.lease);
}

BOOST_AUTO_TEST_CASE(report_counts_peak_users_and_denials) {
  DaemonFixture d(kLicense);
  auto a = RawClient::Tcp(d.port());
  auto b = RawClient::Tcp(d.port());
  auto c = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  b.Hello("bob", "ws2");
  c.Hello("carol", "ws3");
  const auto la = Grant(a, 2, "cad");
  Grant(b, 2, "cad");
  for (std::uint32_t i = 0; i < 2; ++i) {  // two denials for carol
    auto r = c.Call(10 + i, p::Checkout{"cad"});
    BOOST_REQUIRE(r && std::holds_alternative<p::Denied>(*r));
  }
  a.Call(3, p::Checkin{la.lease});
  Grant(c, 20, "cad");
  std::string out;
  BOOST_TEST(Floatlm(d, {"report", "--csv"}, out) == 0, out);
  // Today's cad row: peak 2 concurrent, 3 distinct users, 2 denials (all_seats_in_use).
  const auto row = out.find("cad,");
  BOOST_REQUIRE_MESSAGE(row != std::string::npos, out);
  const std::string line = out.substr(row, out.find('\n', row) - row);
  BOOST_TEST_MESSAGE("report row: " << line);
  std::vector<std::string> cells;
  std::size_t start = 0, comma;
  while ((comma = line.find(',', start)) != std::string::npos) {
    cells.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
  cells.push_back(line.substr(start));
  BOOST_REQUIRE(cells.size() >= 7u);
  BOOST_TEST(cells[2] == "2");  // peak_leases
  BOOST_TEST(cells[4] == "3");  // distinct_users
  BOOST_TEST(cells[5] == "2");  // denials
  BOOST_TEST(cells[6].find("all_seats_in_use") != std::string::npos, cells[6]);
  BOOST_TEST(Floatlm(d, {"report"}, out) == 0, out);
  BOOST_TEST(Floatlm(d, {"report", "--since", "31-feb-2026"}, out) == 2, out);
}

// A report over a long journal (1.5 million entries, written by floatlm-bench-journal
// through the daemon's own store) runs beside the license service: a checkout and a
// heartbeat of another client are answered while it is still running, and the CLI,
// which hears PROGRESS frames once a second meanwhile, prints the whole report.
BOOST_AUTO_TEST_CASE(a_long_report_runs_while_clients_are_served) {
  DaemonFixture d(kLicense, "demo", {}, /*start=*/false);
  std::filesystem::create_directories(d.state_dir());
  std::string out;
  BOOST_REQUIRE_MESSAGE(RunCommand({BinPath("floatlm-bench-journal"), "--state",
                                    d.state_dir().string(), "--entries", "1500000"},
                                   &out) == 0,
                        out);
  d.Start();
  auto a = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");

  std::string report;
  int rc = -1;
  std::atomic<bool> finished{false};
  const auto begun = std::chrono::steady_clock::now();
  std::thread cli([&] {
    rc = Floatlm(d, {"report", "--csv"}, report);
    finished = true;
  });
  std::this_thread::sleep_for(300ms);  // the report has started reading
  const auto lease = Grant(a, 2, "cad");
  auto beat = a.Call(3, p::Heartbeat{});
  const auto answered = std::chrono::steady_clock::now() - begun;
  const bool during = !finished.load();
  cli.join();
  const auto took = std::chrono::steady_clock::now() - begun;
  BOOST_TEST_MESSAGE("report took "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                     << " ms");
  BOOST_TEST(beat.has_value());
  // A loop busy with the report would answer at its end: these came in its first half.
  BOOST_TEST(during, "the checkout was answered only after the report ended");
  BOOST_TEST(
      answered < took / 2,
      "answered after " << std::chrono::duration_cast<std::chrono::milliseconds>(answered).count()
                        << " ms of the report's "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
  BOOST_TEST(rc == 0, report);
  for (const char* feature : {"cad,", "cam,", "sim,", "viz,"}) {
    BOOST_TEST(report.find(feature) != std::string::npos, feature << " missing from " << report);
  }
  // The journal's entries and the daemon's own (its start, perhaps alice's checkout).
  const std::string log = d.log();
  const auto at = log.find("event=admin.report entries=");
  BOOST_TEST_REQUIRE(at != std::string::npos, log);
  BOOST_TEST(std::stoull(log.substr(at + 27)) >= 1'500'000u, log.substr(at, 80));
  BOOST_WARN_MESSAGE(took > 1s, "the report took under a second: no PROGRESS frame was sent");
  auto done = a.Call(4, p::Checkin{lease.lease});
  BOOST_TEST((done && std::holds_alternative<p::Ok>(*done)));
}

BOOST_AUTO_TEST_CASE(admin_commands_without_a_daemon_fail_clearly) {
  TempDir dir;
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlm"), "reread", "--admin-socket",
                         (dir.path() / "none.sock").string()},
                        &out) == 1);
  BOOST_TEST(out.find("none.sock") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(hostid_lists_this_machine) {
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlm"), "hostid"}, &out) == 0);
  BOOST_TEST(out.find("HOSTNAME=") != std::string::npos, out);
  BOOST_TEST(out.find("ANY") != std::string::npos, out);
  // Every ethernet address names its interface; a virtual one is marked as unstable.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net", ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "lo") continue;
    const std::string line = "ethernet address of " + name + " (";
    const auto at = out.find(line);
    BOOST_TEST(at != std::string::npos, out);
    if (at == std::string::npos) continue;
    const std::string rest = out.substr(at, out.find('\n', at) - at);
    const bool physical = std::filesystem::exists(entry.path() / "device");
    BOOST_TEST((rest.find(physical ? "(physical" : "(virtual") != std::string::npos), rest);
    BOOST_TEST((rest.find("may change at reboot") != std::string::npos) == !physical, rest);
  }
}

BOOST_AUTO_TEST_CASE(reread_below_current_use_warns_and_keeps_everyone) {
  DaemonFixture d(kLicense);
  auto a = RawClient::Tcp(d.port());
  auto b = RawClient::Tcp(d.port());
  a.Hello("alice", "ws1");
  b.Hello("bob", "ws2");
  Grant(a, 2, "cad");
  Grant(b, 2, "cad");
  d.ReplaceLicense("VENDOR demo\nFEATURE cad demo 2027.0 permanent 1 SN=A-5\n"
                   "FEATURE cam demo 2027.0 permanent 1 SN=A-2\n");
  std::string out;
  BOOST_TEST(Floatlm(d, {"reread"}, out) == 0, out);
  BOOST_TEST(out.find("warning:") != std::string::npos, out);
  BOOST_TEST(out.find("2 kept") != std::string::npos, out);
  BOOST_TEST(std::get<p::Ok>(*a.Call(5, p::Heartbeat{})).count == 1u);
  BOOST_TEST(std::get<p::Ok>(*b.Call(5, p::Heartbeat{})).count == 1u);
}

BOOST_AUTO_TEST_CASE(kill_9_loses_no_lease_and_clients_reattach_to_the_same_ids) {
  DaemonFixture d(kLicense);
  std::vector<p::Granted> leases;
  std::vector<std::pair<std::string, std::string>> who = {{"alice", "ws1"}, {"bob", "ws2"},
                                                          {"carol", "ws3"}};
  const std::vector<std::string> features = {"cad", "cad", "cam"};
  for (std::size_t i = 0; i < who.size(); ++i) {
    auto c = RawClient::Tcp(d.port());
    c.Hello(who[i].first, who[i].second);
    leases.push_back(Grant(c, 2, features[i]));  // acknowledged: the reply came back
  }
  d.Kill();  // SIGKILL: no goodbye, no flush
  d.Start();
  std::string out;
  BOOST_TEST(Floatlm(d, {"status", "-c", d.license_env()}, out) == 0, out);
  BOOST_TEST(out.find("2 of 2 in use") != std::string::npos, out);  // cad: nothing doubled
  for (std::size_t i = 0; i < who.size(); ++i) {
    auto c = RawClient::Tcp(d.port());
    c.Hello(who[i].first, who[i].second);
    auto reply = c.Call(3, p::Reattach{leases[i].lease, leases[i].token});
    BOOST_REQUIRE_MESSAGE(reply && std::holds_alternative<p::Granted>(*reply),
                          "lease " << leases[i].lease << " did not come back");
    BOOST_TEST(std::get<p::Granted>(*reply).lease == leases[i].lease);
  }
  // A newcomer still cannot get a third cad seat.
  auto dave = RawClient::Tcp(d.port());
  dave.Hello("dave", "ws4");
  auto denied = dave.Call(2, p::Checkout{"cad"});
  BOOST_TEST((denied && std::holds_alternative<p::Denied>(*denied)));
}
