// Collections, cloud-user slots and named users through the real daemon: the cascading
// scenario users asked for, slots and assignments that survive a restart, and the admin
// commands that manage them.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <regex>
#include <thread>

#include "daemon_fixture.h"
#include "raw_client.h"

namespace p = floatlm::proto;
using floatlm::Errc;
using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RawClient;
using floatlm::testing::RunCommand;
using namespace std::chrono_literals;

namespace {

// One 3-seat collection of A, B, C (+ cloud service svc) and one standalone seat of A.
const char* kSuite =
    "VENDOR demo\n"
    "PACKAGE pdc demo 2027.0 COMPONENTS=\"A B C svc\" OPTIONS=SUITE CLOUD=\"svc\"\n"
    "FEATURE pdc demo 2027.0 permanent 3 SN=C-1\n"
    "FEATURE A demo 2027.0 permanent 1 SN=C-2\n";

std::string StatusJson(int port) { return RawClient::StatusOf(port, /*json=*/true); }

// Seats in use of the pool of `feature`, read from status JSON.
int InUse(int port, const std::string& feature) {
  const std::string json = StatusJson(port);
  std::smatch m;
  const std::regex re("\"feature\":\"" + feature + "\",\"vendor\":\"demo\".*?\"in_use\":(\\d+)");
  BOOST_REQUIRE_MESSAGE(std::regex_search(json, m, re), json);
  return std::stoi(m[1]);
}

// One application process of user@host: its own connection, as libfloatlm would have.
struct App {
  App(int port, const std::string& user, const std::string& host) : c(RawClient::Tcp(port)) {
    c.Hello(user, host);
  }
  std::optional<p::Message> Checkout(const std::string& feature) {
    return c.Call(++id, p::Checkout{feature});
  }
  RawClient c;
  std::uint32_t id = 1;
};

p::Granted MustGrant(App& app, const std::string& feature) {
  auto reply = app.Checkout(feature);
  BOOST_REQUIRE(reply);
  if (auto* d = std::get_if<p::Denied>(&*reply)) BOOST_FAIL(feature << " denied: " << d->message);
  return std::get<p::Granted>(*reply);
}

int Floatlm(const DaemonFixture& d, std::vector<std::string> args, std::string& out) {
  std::vector<std::string> argv = {BinPath("floatlm")};
  argv.insert(argv.end(), args.begin(), args.end());
  out.clear();  // the output of this command only
  return RunCommand(argv, &out, {"FLOATLM_ADMIN_SOCKET=" + (d.dir() / "admin.sock").string()});
}

}  // namespace

BOOST_AUTO_TEST_CASE(cascading_one_collection_seat_then_a_further_seat_then_back) {
  DaemonFixture d(kSuite);
  App a(d.port(), "u1", "h1"), b(d.port(), "u1", "h1"), c(d.port(), "u1", "h1");
  MustGrant(a, "A");
  BOOST_TEST(InUse(d.port(), "A") == 1);  // product seats are tried first
  const auto lease_a = MustGrant(b, "B");
  BOOST_TEST(InUse(d.port(), "pdc") == 1);
  BOOST_TEST(InUse(d.port(), "A") == 0);  // A moved onto the collection seat
  MustGrant(c, "C");
  BOOST_TEST(InUse(d.port(), "pdc") == 2);  // C took a further seat
  auto ok = b.c.Call(50, p::Checkin{lease_a.lease});
  BOOST_REQUIRE(ok && std::holds_alternative<p::Ok>(*ok));
  BOOST_TEST(InUse(d.port(), "pdc") == 1);  // C moved back; the further seat is free

  // Fill the other seats, then one more user is denied with the holders named.
  App u2(d.port(), "u2", "h2"), u3(d.port(), "u3", "h3"), u4(d.port(), "u4", "h4"),
      u5(d.port(), "u5", "h5");
  MustGrant(u2, "A");  // the standalone seat
  MustGrant(u3, "B");
  MustGrant(u4, "B");
  auto denied = u5.Checkout("B");
  BOOST_REQUIRE(denied && std::holds_alternative<p::Denied>(*denied));
  const auto& why = std::get<p::Denied>(*denied).message;
  BOOST_TEST(why.find("u1") != std::string::npos, why);
  BOOST_TEST(why.find("u3") != std::string::npos, why);

  std::string out;
  BOOST_TEST(Floatlm(d, {"status", "-c", d.license_env()}, out) == 0, out);
  BOOST_TEST(out.find("runs") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(seventh_cloud_user_of_two_seats_is_denied_and_slots_survive_restart) {
  DaemonFixture d("VENDOR demo\n"
                  "PACKAGE pdc demo 2027.0 COMPONENTS=\"A svc\" OPTIONS=SUITE CLOUD=\"svc\"\n"
                  "FEATURE pdc demo 2027.0 permanent 2 SN=C-3\n");
  for (int i = 1; i <= 6; ++i) {
    App app(d.port(), "cloud" + std::to_string(i), "h");
    MustGrant(app, "svc");
  }
  BOOST_TEST(InUse(d.port(), "pdc") == 0);  // cloud services take no seat
  {
    App seventh(d.port(), "cloud7", "h");
    auto denied = seventh.Checkout("svc");
    BOOST_REQUIRE(denied && std::holds_alternative<p::Denied>(*denied));
    const auto& no = std::get<p::Denied>(*denied);
    BOOST_TEST(static_cast<int>(no.code) == static_cast<int>(Errc::kCloudUsersExhausted));
    BOOST_TEST(no.message.find("cloud1") != std::string::npos, no.message);
  }
  d.Stop();
  d.Start();
  std::string out;
  BOOST_TEST(Floatlm(d, {"cloud", "list", "pdc"}, out) == 0, out);
  BOOST_TEST(out.find("6 of 6") != std::string::npos, out);
  App again(d.port(), "cloud3", "other-host");
  MustGrant(again, "svc");  // a slot holder keeps the slot
  App seventh(d.port(), "cloud7", "h");
  BOOST_TEST(std::holds_alternative<p::Denied>(*seventh.Checkout("svc")));
  BOOST_TEST(Floatlm(d, {"cloud", "release", "pdc", "cloud1"}, out) == 0, out);
  MustGrant(seventh, "svc");
}

// Made-up names can take every slot; the admin frees them all at once, by collection or
// by user, and a real user then gets one.
BOOST_AUTO_TEST_CASE(the_admin_releases_every_slot_of_a_collection_or_of_a_user) {
  DaemonFixture d("VENDOR demo\n"
                  "PACKAGE pdc demo 2027.0 COMPONENTS=\"A svc\" OPTIONS=SUITE CLOUD=\"svc\"\n"
                  "FEATURE pdc demo 2027.0 permanent 1 SN=C-3\n"
                  "PACKAGE aec demo 2027.0 COMPONENTS=\"B svc2\" OPTIONS=SUITE CLOUD=\"svc2\"\n"
                  "FEATURE aec demo 2027.0 permanent 1 SN=C-4\n");
  {
    App a(d.port(), "fake1", "h"), b(d.port(), "fake2", "h"), c(d.port(), "zoe", "h");
    MustGrant(a, "svc");
    MustGrant(b, "svc");
    MustGrant(c, "svc");  // zoe holds a lease while her slot goes: the lease ends
    MustGrant(c, "svc2");
    App real(d.port(), "alice", "ws1");
    BOOST_TEST(std::holds_alternative<p::Denied>(*real.Checkout("svc")));

    std::string out;
    BOOST_TEST(Floatlm(d, {"cloud", "release", "--user", "zoe"}, out) == 0, out);
    BOOST_TEST(out.find("released zoe's cloud-user slot of aec") != std::string::npos, out);
    BOOST_TEST(out.find("released zoe's cloud-user slot of pdc") != std::string::npos, out);
    auto lost = c.c.Receive(5s);
    BOOST_REQUIRE(lost);
    BOOST_TEST(std::holds_alternative<p::LeaseLost>(lost->msg));
    BOOST_TEST(Floatlm(d, {"cloud", "release", "--user", "zoe"}, out) != 0, out);
    BOOST_TEST(out.find("zoe holds no cloud-user slot of any collection") != std::string::npos, out);

    BOOST_TEST(Floatlm(d, {"cloud", "release", "pdc", "--all"}, out) == 0, out);
    BOOST_TEST(out.find("fake1") != std::string::npos, out);
    BOOST_TEST(out.find("fake2") != std::string::npos, out);
    BOOST_TEST(Floatlm(d, {"cloud", "list", "pdc"}, out) == 0, out);
    BOOST_TEST(out.find("0 of 3 used") != std::string::npos, out);
    BOOST_TEST(Floatlm(d, {"cloud", "release", "pdc", "--all"}, out) == 0, out);
    BOOST_TEST(out.find("no cloud-user slot of pdc is taken") != std::string::npos, out);
    BOOST_TEST(Floatlm(d, {"cloud", "release", "nosuch", "--all"}, out) != 0, out);
    BOOST_TEST(out.find("no collection named 'nosuch'") != std::string::npos, out);
    BOOST_TEST(Floatlm(d, {"cloud", "release", "pdc", "--all", "--user", "x"}, out) != 0, out);
    BOOST_TEST(out.find("usage:") != std::string::npos, out);
    MustGrant(real, "svc");
  }
  // Released for good: a restart does not bring the slots back.
  d.Stop();
  d.Start();
  std::string out;
  BOOST_TEST(Floatlm(d, {"cloud", "list", "pdc"}, out) == 0, out);
  BOOST_TEST(out.find("1 of 3 used") != std::string::npos, out);
  BOOST_TEST(out.find("alice") != std::string::npos, out);
}

// --cloud-slot-idle-days: a slot nobody used for that long is released by the daemon
// (journal and log say why); without the option it stays.
BOOST_AUTO_TEST_CASE(an_unused_slot_is_released_after_the_idle_days_only_when_asked) {
  DaemonFixture d("VENDOR demo\n"
                  "PACKAGE pdc demo 2027.0 COMPONENTS=\"A svc\" OPTIONS=SUITE CLOUD=\"svc\"\n"
                  "FEATURE pdc demo 2027.0 permanent 1 SN=C-3\n");
  {
    App old(d.port(), "olduser", "h"), busy(d.port(), "busy", "h");
    auto lease = MustGrant(old, "svc");
    MustGrant(busy, "svc");
    BOOST_REQUIRE(std::holds_alternative<p::Ok>(*old.c.Call(9, p::Checkin{lease.lease})));
    d.Kill();  // busy's lease is restored and reattached below
  }
  // Both slots were last used 40 days ago, as far as the file knows.
  const auto forty_days_ago =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          (std::chrono::system_clock::now() - std::chrono::hours(24 * 40)).time_since_epoch())
          .count();
  std::string out;
  BOOST_REQUIRE_MESSAGE(
      RunCommand({"/usr/bin/sqlite3", (d.state_dir() / "floatlm.db").string(),
                  "UPDATE cloud_slots SET since_ms = " + std::to_string(forty_days_ago) +
                      ", last_used_ms = " + std::to_string(forty_days_ago) + ";"},
                 &out) == 0,
      out);
  d.Start();
  BOOST_TEST(Floatlm(d, {"cloud", "list", "pdc"}, out) == 0, out);
  BOOST_TEST(out.find("2 of 3 used") != std::string::npos, out);  // off by default
  d.Stop();
  d.set_extra_args({"--cloud-slot-idle-days", "30", "--reattach-window", "60"});
  d.Start();
  App busy(d.port(), "busy", "h");
  MustGrant(busy, "svc");  // in use now: kept however old its record
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline &&
         d.log().find("cloud.slot_idle_released") == std::string::npos) {
    std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(d.log().find("event=cloud.slot_idle_released collection=pdc user=olduser") !=
                 std::string::npos,
             d.log());
  BOOST_TEST(Floatlm(d, {"cloud", "list", "pdc"}, out) == 0, out);
  BOOST_TEST(out.find("1 of 3 used") != std::string::npos, out);
  BOOST_TEST(out.find("busy") != std::string::npos, out);
  BOOST_TEST(out.find("olduser") == std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(named_users_are_assigned_by_the_admin_and_kept_across_restart) {
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 permanent 1 USER_BASED SN=N-1\n");
  App alice(d.port(), "alice", "ws1");
  auto refused = alice.Checkout("cad");
  BOOST_REQUIRE(refused && std::holds_alternative<p::Denied>(*refused));
  BOOST_TEST(static_cast<int>(std::get<p::Denied>(*refused).code) ==
             static_cast<int>(Errc::kNotAssigned));
  std::string out;
  BOOST_TEST(Floatlm(d, {"assign", "cad", "alice"}, out) == 0, out);
  BOOST_TEST(Floatlm(d, {"assign", "cad", "bob"}, out) == 1, out);  // count is 1
  BOOST_TEST(out.find("alice") != std::string::npos, out);
  d.Stop();
  d.Start();
  App home(d.port(), "alice", "home-pc"), office(d.port(), "alice", "ws1");
  MustGrant(home, "cad");
  MustGrant(office, "cad");  // home-use rights: any host, one seat
  BOOST_TEST(InUse(d.port(), "cad") == 1);
  BOOST_TEST(Floatlm(d, {"unassign", "cad", "alice"}, out) == 0, out);
  BOOST_TEST(Floatlm(d, {"assign", "cad", "bob"}, out) == 0, out);
}

// `floatlm diag` asks for the identity `floatlm run` would present, and its verdict is
// what the checkout then gets.
BOOST_AUTO_TEST_CASE(diag_explains_the_next_checkout_for_the_calling_identity) {
  DaemonFixture d(kSuite);
  App a(d.port(), "u1", "h1"), b(d.port(), "u1", "h1");
  MustGrant(a, "A");
  MustGrant(b, "B");
  const std::vector<std::string> as_u1 = {"FLOATLM_USER=u1", "FLOATLM_HOST=h1",
                                          "FLOATLM_LICENSE=" + d.license_env()};
  const std::string floatlm = BinPath("floatlm");

  std::string out;
  BOOST_TEST(RunCommand({floatlm, "diag", "C"}, &out, as_u1) == 0, out);
  BOOST_TEST_MESSAGE(out);
  BOOST_TEST(out.find("Checkout of C (any version) for u1@h1") != std::string::npos, out);
  BOOST_TEST(out.find("would be GRANTED: further seat of pdc: seat 1 already runs A and B") !=
                 std::string::npos,
             out);
  BOOST_TEST(out.find("u1@h1 holds seat 1 (runs A and B)") != std::string::npos, out);

  BOOST_TEST(RunCommand({floatlm, "diag", "A:2027.0", "--json"}, &out, as_u1) == 0, out);
  BOOST_TEST(out.find("\"schema\":\"floatlm.diag/1\"") != std::string::npos, out);
  BOOST_TEST(out.find("\"granted\":true") != std::string::npos, out);
  BOOST_TEST(out.find("\"verdict\":\"not_needed\"") != std::string::npos, out);  // the A seat
  BOOST_TEST(out.find("\"verdict\":\"chosen\"") != std::string::npos, out);

  // Inside `floatlm run -f C`, C sits on the further seat the diagnosis promised.
  BOOST_TEST(RunCommand({floatlm, "run", "-f", "C", "--", floatlm, "diag", "C"}, &out, as_u1) == 0,
             out);
  BOOST_TEST(out.find("rides on u1@h1's collection seat 2 of pdc (runs C)") != std::string::npos,
             out);
  BOOST_TEST(InUse(d.port(), "pdc") == 1);  // run checked C in; the further seat is free

  // Another user, every seat held: the denial names the holders and says a wait queues.
  App u2(d.port(), "u2", "h2"), u3(d.port(), "u3", "h3"), u4(d.port(), "u4", "h4");
  MustGrant(u2, "A");
  MustGrant(u3, "B");
  MustGrant(u4, "C");
  BOOST_TEST(RunCommand({floatlm, "diag", "B"}, &out,
                        {"FLOATLM_USER=u9", "FLOATLM_HOST=h9", "FLOATLM_LICENSE=" + d.license_env()}) == 0,
             out);
  BOOST_TEST(out.find("would be DENIED (all_seats_in_use)") != std::string::npos, out);
  BOOST_TEST(out.find("u3@h3") != std::string::npos, out);
  BOOST_TEST(out.find("would queue") != std::string::npos, out);

  // Bad arguments: usage errors exit 2, a version the daemon cannot read exits 1.
  BOOST_TEST(RunCommand({floatlm, "diag"}, &out, as_u1) == 2, out);
  BOOST_TEST(RunCommand({floatlm, "diag", "A:"}, &out, as_u1) == 2, out);
  BOOST_TEST(RunCommand({floatlm, "diag", "A:next"}, &out, as_u1) == 1, out);
  BOOST_TEST(out.find("'next' is not a version number") != std::string::npos, out);
}
