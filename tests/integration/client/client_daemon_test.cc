// libfloatlm against the real floatlmd: seats, denials, DUP_GROUP sharing, queueing,
// a daemon restart, status, and the example programs.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "daemon_fixture.h"
#include "floatlm/floatlm.hpp"

using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RunCommand;
using namespace std::chrono_literals;

namespace {

// Two seats of cad for everyone; DUP_GROUP defaults to UH (same user and host share).
constexpr const char* kLicense =
    "SERVER this_host ANY\n"
    "VENDOR demo\n"
    "FEATURE cad demo 1.0 permanent 2\n";

struct Daemon {
  explicit Daemon(const char* license = kLicense) : daemon(license) {}
  DaemonFixture daemon;
  floatlm::Options As(const std::string& user, const std::string& host = "ws1") {
    return floatlm::Options()
        .Servers(daemon.license_env())
        .App("client_daemon_test")
        .Identity(user, host)
        .BackoffMs(50, 500)
        .RequestTimeoutMs(5000);
  }
};

struct Events {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<floatlm_lease_event> seen;
  floatlm::LeaseCallback callback() {
    return [this](std::uint64_t, floatlm_lease_event e, floatlm_status, const std::string&) {
      std::lock_guard lk(mu);
      seen.push_back(e);
      cv.notify_all();
    };
  }
  bool WaitFor(floatlm_lease_event e, std::chrono::milliseconds timeout, std::size_t times = 1) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, timeout, [&] {
      return static_cast<std::size_t>(std::count(seen.begin(), seen.end(), e)) >= times;
    });
  }
};

floatlm_status CheckoutStatus(floatlm::Client& client, const std::string& feature,
                              std::uint32_t seats = 1) {
  try {
    floatlm::Lease lease = client.CheckoutSeats(feature, seats);
    lease.Checkin();
    return FLOATLM_OK;
  } catch (const floatlm::Error& e) {
    return e.code();
  }
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(client_daemon, Daemon)

BOOST_AUTO_TEST_CASE(seats_run_out_and_the_denial_says_why) {
  floatlm::Client a(As("alice")), b(As("bob")), c(As("carol"));
  a.Connect();
  b.Connect();
  c.Connect();
  floatlm::Lease la = a.Checkout("cad");
  floatlm::Lease lb = b.Checkout("cad");
  try {
    c.Checkout("cad");
    BOOST_FAIL("the third checkout of a 2-seat feature must be denied");
  } catch (const floatlm::Error& e) {
    BOOST_CHECK_EQUAL(e.code(), FLOATLM_E_ALL_SEATS_IN_USE);
    BOOST_TEST_MESSAGE("denial: " << e.what());
    BOOST_CHECK(!std::string(e.what()).empty());
  }
  BOOST_CHECK(!c.last_error().empty());
  la.Checkin();  // frees a seat at once
  floatlm::Lease lc = c.Checkout("cad");
  BOOST_CHECK(lc);
}

BOOST_AUTO_TEST_CASE(the_same_user_and_host_share_one_seat) {
  // Identity from the environment, as on a terminal server or in a container.
  ::setenv("FLOATLM_USER", "dana", 1);
  ::setenv("FLOATLM_HOST", "ts1", 1);
  floatlm::Options shared = floatlm::Options().Servers(daemon.license_env());
  floatlm::Client x(shared), y(shared);
  x.Connect();
  y.Connect();
  ::unsetenv("FLOATLM_USER");
  ::unsetenv("FLOATLM_HOST");
  floatlm::Lease lx = x.Checkout("cad");
  floatlm::Lease ly = y.Checkout("cad");
  floatlm::Client z(As("erin")), w(As("fred"));
  z.Connect();
  w.Connect();
  floatlm::Lease lz = z.Checkout("cad");  // the second seat: dana holds only one
  BOOST_CHECK_EQUAL(CheckoutStatus(w, "cad"), FLOATLM_E_ALL_SEATS_IN_USE);
}

BOOST_AUTO_TEST_CASE(a_waiting_checkout_gets_the_seat_when_it_frees) {
  floatlm::Client a(As("alice")), b(As("bob"));
  a.Connect();
  b.Connect();
  floatlm::Lease la = a.Checkout("cad");
  floatlm::Lease lb = b.Checkout("cad");
  std::vector<std::uint64_t> positions;
  floatlm::Client c(
      As("carol").OnQueue([&](const std::string&, std::uint64_t p) { positions.push_back(p); }));
  c.Connect();
  std::thread release([&] {
    std::this_thread::sleep_for(500ms);
    la.Checkin();
  });
  const auto start = std::chrono::steady_clock::now();
  floatlm::Lease lc;
  try {
    lc = c.Checkout("cad", "", 10);
  } catch (...) {
    release.join();
    throw;
  }
  release.join();
  BOOST_CHECK(lc);
  BOOST_CHECK(std::chrono::steady_clock::now() - start < 9s);
  BOOST_CHECK(!positions.empty());
  if (!positions.empty()) BOOST_CHECK_EQUAL(positions.front(), 1u);
}

BOOST_AUTO_TEST_CASE(a_restarted_daemon_gives_the_client_its_seat_back) {
  Events events;
  floatlm::Client a(As("alice").OnLease(events.callback()));
  a.Connect();
  floatlm::Lease la = a.Checkout("cad");
  daemon.Kill();
  daemon.Start();  // same port
  BOOST_REQUIRE(events.WaitFor(FLOATLM_LEASE_REGAINED, 20s));
  BOOST_CHECK_EQUAL(la.Info().held, 1);
  // Exactly one seat is left: the regained lease was not doubled.
  floatlm::Client b(As("bob")), c(As("carol"));
  b.Connect();
  c.Connect();
  floatlm::Lease lb = b.Checkout("cad");
  BOOST_CHECK_EQUAL(CheckoutStatus(c, "cad"), FLOATLM_E_ALL_SEATS_IN_USE);
}

// floatlm_options_set_dup_group("NONE"): each checkout of this application takes its own
// seat where the line names no DUP_GROUP=, and a restart keeps it so (the daemon stores
// the grouping with the lease); text that is no grouping is refused.
BOOST_AUTO_TEST_CASE(the_application_groups_its_checkouts_and_a_restart_keeps_it) {
  Events events;
  floatlm::Client a(As("alice").DupGroup("none").OnLease(events.callback()));
  a.Connect();
  floatlm::Lease first = a.Checkout("cad");
  floatlm::Lease second = a.Checkout("cad");
  BOOST_TEST(second.Info().shared == 0, "NONE: a seat of its own");
  floatlm::Client b(As("bob"));
  b.Connect();
  BOOST_CHECK_EQUAL(CheckoutStatus(b, "cad"), FLOATLM_E_ALL_SEATS_IN_USE);
  daemon.Kill();
  daemon.Start();
  BOOST_REQUIRE(events.WaitFor(FLOATLM_LEASE_REGAINED, 20s, 2));
  BOOST_TEST(first.Info().held == 1);
  BOOST_TEST(second.Info().held == 1);
  floatlm::Client c(As("carol"));
  c.Connect();
  BOOST_CHECK_EQUAL(CheckoutStatus(c, "cad"), FLOATLM_E_ALL_SEATS_IN_USE);

  floatlm_options_t* raw = nullptr;
  BOOST_REQUIRE_EQUAL(floatlm_options_create(&raw), FLOATLM_OK);
  BOOST_TEST(floatlm_options_set_dup_group(raw, "UHX") == FLOATLM_E_BAD_ARGUMENT);
  BOOST_TEST(floatlm_options_set_dup_group(raw, "UU") == FLOATLM_E_BAD_ARGUMENT);
  BOOST_TEST(floatlm_options_set_dup_group(raw, "UHD") == FLOATLM_OK);
  BOOST_TEST(floatlm_options_set_dup_group(raw, nullptr) == FLOATLM_OK);
  floatlm_options_destroy(raw);
}

BOOST_AUTO_TEST_CASE(status_lists_the_holders) {
  floatlm::Client a(As("alice", "cadws7"));
  a.Connect();
  floatlm::Lease la = a.Checkout("cad");
  const std::string text = a.Status();
  BOOST_TEST_MESSAGE("status:\n" << text);
  BOOST_CHECK(text.find("cad") != std::string::npos);
  BOOST_CHECK(text.find("alice") != std::string::npos);
  const std::string json = a.Status("cad", true);
  BOOST_CHECK(json.find('{') != std::string::npos);
  BOOST_CHECK(json.find("alice") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unknown_feature_is_denied_with_its_code) {
  floatlm::Client a(As("alice"));
  a.Connect();
  BOOST_CHECK_EQUAL(CheckoutStatus(a, "nosuch"), FLOATLM_E_NO_SUCH_FEATURE);
}

BOOST_AUTO_TEST_CASE(the_example_programs_check_out_and_in) {
  const std::vector<std::string> env = {"FLOATLM_LICENSE=" + daemon.license_env(),
                                        "FLOATLM_USER=example"};
  for (const char* name : {"floatlm-example-c", "floatlm-example-cpp"}) {
    std::string out;
    BOOST_TEST_INFO(name);
    BOOST_CHECK_EQUAL(RunCommand({"/usr/bin/timeout", "30", BinPath(name), "cad", "0"}, &out, env),
                      0);
    BOOST_CHECK(out.find("granted cad") != std::string::npos);
    BOOST_CHECK(out.find("checked in") != std::string::npos);
  }
  // With both seats taken by others the examples report a denial (exit 3).
  floatlm::Client a(As("alice")), b(As("bob"));
  a.Connect();
  b.Connect();
  floatlm::Lease la = a.Checkout("cad");
  floatlm::Lease lb = b.Checkout("cad");
  for (const char* name : {"floatlm-example-c", "floatlm-example-cpp"}) {
    std::string out;
    BOOST_TEST_INFO(name);
    BOOST_CHECK_EQUAL(RunCommand({"/usr/bin/timeout", "30", BinPath(name), "cad"}, &out, env), 3);
    BOOST_CHECK(out.find("all_seats_in_use") != std::string::npos);
  }
}

// End users get a sentence without other people's names; admins keep the full one.
BOOST_AUTO_TEST_CASE(a_short_denial_names_no_other_user_and_the_event_names_its_feature) {
  floatlm::Client a(As("alice")), b(As("bob"));
  a.Connect();
  b.Connect();
  floatlm::Lease la = a.Checkout("cad");
  floatlm::Lease lb = b.Checkout("cad");
  floatlm::Client full(As("carol"));
  floatlm::Client brief(As("carol").DenialText(FLOATLM_DENIAL_SHORT));
  full.Connect();
  brief.Connect();
  std::string full_text, short_text;
  try {
    full.Checkout("cad");
  } catch (const floatlm::Error& e) {
    full_text = e.what();
  }
  try {
    brief.Checkout("cad");
  } catch (const floatlm::Error& e) {
    BOOST_CHECK_EQUAL(e.code(), FLOATLM_E_ALL_SEATS_IN_USE);
    short_text = e.what();
  }
  BOOST_TEST(full_text.find("alice") != std::string::npos, full_text);
  BOOST_TEST(short_text == "every license for cad is in use; try again later");

  std::mutex mu;
  std::condition_variable cv;
  std::vector<floatlm::LeaseEventInfo> seen;
  floatlm::Client d(As("dave").OnLeaseEvent([&](const floatlm::LeaseEventInfo& e) {
    std::lock_guard lk(mu);
    seen.push_back(e);
    cv.notify_all();
  }));
  d.Connect();
  la.Checkin();
  floatlm::Lease ld = d.Checkout("cad");
  std::string out;
  BOOST_REQUIRE_EQUAL(RunCommand({BinPath("floatlm"), "remove", "--lease",
                                  std::to_string(ld.Info().server_lease)},
                                 &out, {"FLOATLM_ADMIN_SOCKET=" + (daemon.dir() / "admin.sock").string()}),
                      0);
  std::unique_lock lk(mu);
  BOOST_REQUIRE(cv.wait_for(lk, 5s, [&] { return !seen.empty(); }));
  BOOST_TEST(seen.front().feature == "cad");
  BOOST_CHECK_EQUAL(seen.front().event, FLOATLM_LEASE_LOST);
  BOOST_CHECK_EQUAL(seen.front().code, FLOATLM_E_LEASE_REMOVED);
  BOOST_TEST(seen.front().lease == ld.id());
}

// floatlm_options_set_reacquire: a seat removed by an admin comes back by itself; without
// the option it stays lost.
BOOST_AUTO_TEST_CASE(a_removed_seat_is_checked_out_again_only_with_reacquire) {
  auto remove = [&](std::uint64_t server_lease) {
    std::string out;
    return RunCommand({BinPath("floatlm"), "remove", "--lease", std::to_string(server_lease)}, &out,
                      {"FLOATLM_ADMIN_SOCKET=" + (daemon.dir() / "admin.sock").string()});
  };
  for (const bool reacquire : {true, false}) {
    BOOST_TEST_CONTEXT("reacquire " << reacquire) {
      Events events;
      floatlm::Client a(As("alice").Reacquire(reacquire).OnLease(events.callback()));
      a.Connect();
      floatlm::Lease lease = a.Checkout("cad");
      const std::uint64_t first = lease.Info().server_lease;
      BOOST_REQUIRE_EQUAL(remove(first), 0);
      BOOST_TEST(events.WaitFor(FLOATLM_LEASE_LOST, 5s));
      if (reacquire) {
        BOOST_TEST(events.WaitFor(FLOATLM_LEASE_REGAINED, 10s));
        const floatlm_lease_info info = lease.Info();
        BOOST_TEST(info.held == 1);
        BOOST_TEST(info.server_lease != first);
      } else {
        std::this_thread::sleep_for(1s);
        BOOST_TEST(!events.WaitFor(FLOATLM_LEASE_REGAINED, 0ms));
        BOOST_TEST(lease.Info().held == 0);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

// Node-locked lines (HOSTID=) through the real library: it reports this machine's host
// name and addresses, so a line locked to this host is served and one locked to another
// is refused with FLOATLM_E_WRONG_HOST; a vendor-set id opens a line locked to it.
BOOST_AUTO_TEST_CASE(node_locked_lines_are_served_only_to_their_hosts) {
  char name[256] = {};
  BOOST_REQUIRE_EQUAL(::gethostname(name, sizeof name - 1), 0);
  const std::string here = name;
  DaemonFixture d("SERVER this_host ANY\nVENDOR demo\n"
                  "FEATURE viewer demo 1.0 permanent uncounted HOSTID=HOSTNAME=" + here + "\n"
                  "FEATURE solver demo 1.0 permanent uncounted HOSTID=HOSTNAME=elsewhere-" + here +
                  "\n"
                  "FEATURE mesher demo 1.0 permanent 1 HOSTID=\"COMPOSITE=9F00AA elsewhere\"\n");
  const auto options = [&] {
    return floatlm::Options().Servers(d.license_env()).Identity("zoe", "ws-zoe").RequestTimeoutMs(5000);
  };
  floatlm::Client plain(options());
  plain.Connect();
  floatlm::Lease viewer = plain.Checkout("viewer");
  BOOST_TEST(static_cast<bool>(viewer));
  try {
    plain.Checkout("solver");
    BOOST_FAIL("a line locked to another host was served");
  } catch (const floatlm::Error& e) {
    BOOST_TEST(e.code() == FLOATLM_E_WRONG_HOST);
    const std::string what = e.what();
    BOOST_TEST(what.find("HOSTID=HOSTNAME=elsewhere-" + here) != std::string::npos, what);
    BOOST_TEST(what.find("this computer reports") != std::string::npos, what);
  }
  BOOST_TEST(CheckoutStatus(plain, "mesher") == FLOATLM_E_WRONG_HOST);
  floatlm::Client vendor(options().HostId("COMPOSITE=9f00aa"));
  vendor.Connect();
  floatlm::Lease mesher = vendor.Checkout("mesher");
  BOOST_TEST(static_cast<bool>(mesher));
  BOOST_CHECK_THROW(floatlm::Client(options().HostId("ANY")), floatlm::Error);

  const std::string status = plain.Status();
  BOOST_TEST(status.find("node-locked to HOSTID=HOSTNAME=" + here) != std::string::npos, status);
  BOOST_TEST(plain.Status("mesher", true).find("\"hostid\":\"COMPOSITE=9f00aa elsewhere\"") !=
                 std::string::npos,
             plain.Status("mesher", true));
  // The journal records which id opened the locked line.
  d.Stop();
  std::string rows;
  BOOST_TEST(RunCommand({"/usr/bin/sqlite3", (d.state_dir() / "floatlm.db").string(),
                         "SELECT feature || ': ' || detail FROM journal WHERE event = 'checkout' "
                         "ORDER BY seq"},
                        &rows) == 0);
  BOOST_TEST(rows.find("viewer: node-locked to HOSTID=HOSTNAME=" + here + ", matched HOSTNAME=" +
                       here) != std::string::npos,
             rows);
  BOOST_TEST(rows.find("mesher: node-locked to HOSTID=COMPOSITE=9f00aa elsewhere, matched "
                       "COMPOSITE=9f00aa") != std::string::npos,
             rows);
}

namespace {

// Signs `text` with the fixture's vendor key into `path`.
void SignWithFixtureKey(const DaemonFixture& d, const std::string& text,
                        const std::filesystem::path& path) {
  const auto raw = path.string() + ".in";
  std::ofstream(raw) << text;
  BOOST_REQUIRE_EQUAL(RunCommand({BinPath("floatlm-vendor"), "sign", "--key",
                                  (d.dir() / "keys" / "demo.key").string(), raw, "-o",
                                  path.string()}),
                      0);
}

std::string ThisHostName() {
  char name[256] = {};
  BOOST_REQUIRE_EQUAL(::gethostname(name, sizeof name - 1), 0);
  return name;
}

}  // namespace

// A license file in the server list, as FlexLM clients use one: its SERVER line is the
// server, and its uncounted node-locked lines are served by the library itself once their
// signature verifies and this computer has their host id, with no daemon involved.
BOOST_AUTO_TEST_CASE(a_license_file_in_the_server_list_names_servers_and_serves_node_locked_lines) {
  DaemonFixture d(kLicense);
  const std::string here = ThisHostName();
  const auto file = d.dir() / "client.lic";
  SignWithFixtureKey(d,
                     "SERVER this_host ANY " + std::to_string(d.port()) + "\nVENDOR demo\n"
                     "FEATURE viewer demo 1.0 permanent uncounted HOSTID=HOSTNAME=" + here + "\n"
                     "FEATURE solver demo 1.0 permanent uncounted HOSTID=HOSTNAME=not-" + here + "\n",
                     file);
  const auto options = [&] {
    return floatlm::Options().Servers(file.string()).Identity("zoe", "ws-zoe").RequestTimeoutMs(5000);
  };
  floatlm::Client c(options().VendorKeyDir((d.dir() / "keys").string()));
  c.Connect();
  floatlm::Lease viewer = c.Checkout("viewer");
  const std::string pool = viewer.Info().pool;
  BOOST_TEST(pool.find("served by this computer") != std::string::npos, pool);
  BOOST_TEST(viewer.Info().server_lease == 0u);
  floatlm::Lease cad = c.Checkout("cad");  // counted: from the daemon the SERVER line names
  BOOST_TEST(cad.Info().server_lease != 0u);
  const std::string status = c.Status();
  BOOST_TEST(status.find("viewer") == std::string::npos, status);  // the daemon never saw it
  BOOST_TEST(status.find("zoe") != std::string::npos, status);
  // The line locked to another computer is not served here; the daemon has no such feature.
  BOOST_TEST(CheckoutStatus(c, "solver") == FLOATLM_E_NO_SUCH_FEATURE);
  viewer.Checkin();

  // With the daemon gone the node-locked line is still served; the rest says why not.
  d.Stop();
  floatlm::Client alone(options().VendorKeyDir((d.dir() / "keys").string()));
  alone.Connect();
  floatlm::Lease again = alone.Checkout("viewer");
  BOOST_TEST(static_cast<bool>(again));
  try {
    alone.Checkout("solver");
    BOOST_FAIL("a line locked to another computer was served");
  } catch (const floatlm::Error& e) {
    BOOST_TEST(e.code() == FLOATLM_E_WRONG_HOST);
    BOOST_TEST(std::string(e.what()).find("locked to HOSTID=HOSTNAME=not-" + here) !=
                   std::string::npos,
               e.what());
  }
  BOOST_TEST(CheckoutStatus(alone, "cad") == FLOATLM_E_DISCONNECTED);
  BOOST_TEST(alone.last_error().find("cannot reach a license server") != std::string::npos,
             alone.last_error());

  // Without a key to check the signature, nothing is served from the file.
  floatlm::Client keyless(options());
  keyless.Connect();
  BOOST_TEST(CheckoutStatus(keyless, "viewer") == FLOATLM_E_WRONG_HOST);
  BOOST_TEST(keyless.last_error().find("gave no key for vendor demo") != std::string::npos,
             keyless.last_error());
}

BOOST_AUTO_TEST_CASE(a_forged_or_use_server_license_file_serves_nothing_locally) {
  DaemonFixture d(kLicense);
  const std::string here = ThisHostName();
  // Signed by another key: refused, whatever it says.
  const auto other = d.dir() / "other";
  BOOST_REQUIRE_EQUAL(RunCommand({BinPath("floatlm-vendor"), "keygen", "--out", other.string()}), 0);
  const auto forged = d.dir() / "forged.lic";
  std::ofstream(forged.string() + ".in")
      << "VENDOR demo\nFEATURE viewer demo 1.0 permanent uncounted HOSTID=HOSTNAME=" << here << "\n";
  BOOST_REQUIRE_EQUAL(RunCommand({BinPath("floatlm-vendor"), "sign", "--key", other.string() + ".key",
                                  forged.string() + ".in", "-o", forged.string()}),
                      0);
  floatlm::Client f(floatlm::Options().Servers(forged.string()).VendorKeyDir((d.dir() / "keys").string()));
  f.Connect();
  BOOST_TEST(CheckoutStatus(f, "viewer") == FLOATLM_E_WRONG_HOST);
  BOOST_TEST(f.last_error().find("not signed by demo's key") != std::string::npos, f.last_error());

  // USE_SERVER: the file's lines are the server's business, as in FlexLM.
  const auto use_server = d.dir() / "use-server.lic";
  SignWithFixtureKey(d,
                     "SERVER this_host ANY " + std::to_string(d.port()) + "\nUSE_SERVER\nVENDOR demo\n"
                     "FEATURE viewer demo 1.0 permanent uncounted HOSTID=HOSTNAME=" + here + "\n",
                     use_server);
  floatlm::Client u(floatlm::Options().Servers(use_server.string()).VendorKeyDir((d.dir() / "keys").string()));
  u.Connect();
  BOOST_TEST(CheckoutStatus(u, "viewer") == FLOATLM_E_NO_SUCH_FEATURE);  // the daemon has none
  BOOST_TEST(CheckoutStatus(u, "cad") == FLOATLM_OK);
}

// Several seats in one checkout (floatlm_client_checkout_seats), through the real daemon:
// one lease and one holder with N seats, whole or nothing, queued as one request, kept
// whole across a daemon restart and journaled with its count; `floatlm run -n`.
namespace {

constexpr const char* kSolverLicense =
    "SERVER this_host ANY\n"
    "VENDOR demo\n"
    "FEATURE solver demo 1.0 permanent 8\n";

struct SolverDaemon : Daemon {
  SolverDaemon() : Daemon(kSolverLicense) {}
};

floatlm_status SeatsStatus(floatlm::Client& client, std::uint32_t seats) {
  return CheckoutStatus(client, "solver", seats);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(client_daemon_seats, SolverDaemon)

BOOST_AUTO_TEST_CASE(a_job_takes_four_seats_in_one_call_and_keeps_them_across_a_restart) {
  Events events;
  floatlm::Client a(As("alice").OnLease(events.callback()));
  a.Connect();
  floatlm::Lease job = a.CheckoutSeats("solver", 4);
  BOOST_TEST(job.Info().seats == 4u);
  BOOST_TEST(job.Info().shared == 0);
  floatlm::Client b(As("bob", "ws2"));
  b.Connect();
  BOOST_TEST(SeatsStatus(b, 5) == FLOATLM_E_ALL_SEATS_IN_USE, "4 of 8 free: all or nothing");
  BOOST_TEST(b.last_error().find("5 seats of 'solver' were asked for at once") != std::string::npos,
             b.last_error());
  floatlm::Lease other = b.CheckoutSeats("solver", 3);

  const std::string text = a.Status("solver");
  BOOST_TEST(text.find("Total of 8 licenses issued;  Total of 7 in use") != std::string::npos,
             text);
  std::size_t holder_lines = 0;
  for (std::size_t at = text.find("alice"); at != std::string::npos;
       at = text.find("alice", at + 1)) {
    ++holder_lines;
  }
  BOOST_TEST(holder_lines == 1u, "one holder line for alice's four seats\n" << text);
  BOOST_TEST(text.find("4 seats") != std::string::npos, text);
  const std::string json = a.Status("solver", true);
  BOOST_TEST(json.find("\"seats\":4,\"user\":\"alice\"") != std::string::npos, json);
  BOOST_TEST(json.find("\"in_use\":7") != std::string::npos, json);

  daemon.Kill();
  daemon.Start();
  BOOST_REQUIRE(events.WaitFor(FLOATLM_LEASE_REGAINED, 20s));
  BOOST_TEST(job.Info().held == 1);
  floatlm::Client c(As("carol", "ws3"));
  c.Connect();
  BOOST_TEST(SeatsStatus(c, 2) == FLOATLM_E_ALL_SEATS_IN_USE, "the restored lease still counts 4");
  floatlm::Lease last = c.Checkout("solver");
  BOOST_TEST(c.Status("solver", true).find("\"in_use\":8") != std::string::npos);
  job.Checkin();
  BOOST_TEST(c.Status("solver", true).find("\"in_use\":4") != std::string::npos,
             "one checkin frees all four");

  // The journal records the four seats of the checkout and of its checkin.
  last.Checkin();
  daemon.Stop();
  std::string rows;
  BOOST_TEST(RunCommand({"/usr/bin/sqlite3", (daemon.state_dir() / "floatlm.db").string(),
                         "SELECT event || ' ' || user || ' ' || seats FROM journal WHERE "
                         "event IN ('checkout', 'checkin') ORDER BY time_ms, seq"},
                        &rows) == 0);
  BOOST_TEST(rows.find("checkout alice 4\ncheckout bob 3\n") != std::string::npos, rows);
  BOOST_TEST(rows.find("checkin alice 4\n") != std::string::npos, rows);
  BOOST_TEST(rows.find("checkout carol 1\n") != std::string::npos, rows);
}

BOOST_AUTO_TEST_CASE(a_waiting_job_is_granted_its_seats_together_before_later_requests) {
  floatlm::Client a(As("alice"));
  a.Connect();
  floatlm::Lease held = a.CheckoutSeats("solver", 6);
  floatlm::Client b(As("bob", "ws2")), c(As("carol", "ws3"));
  b.Connect();
  c.Connect();
  floatlm::Lease job;
  std::thread waiter([&] {
    try {
      job = b.CheckoutSeats("solver", 4, "", 20);
    } catch (const floatlm::Error& e) {
      BOOST_TEST_MESSAGE("bob: " << e.what());
    }
  });
  // bob is in line: the two free seats are held for him.
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (a.Status("solver", true).find("\"queue\":[{") == std::string::npos &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  BOOST_TEST(a.Status("solver", true).find("\"seats\":4,\"waits_s\"") != std::string::npos);
  BOOST_TEST(SeatsStatus(c, 1) == FLOATLM_E_ALL_SEATS_IN_USE);
  BOOST_TEST(c.last_error().find("held for bob@ws2, who waits for 4 at once") != std::string::npos,
             c.last_error());
  held.Checkin();
  waiter.join();
  BOOST_REQUIRE(static_cast<bool>(job));
  BOOST_TEST(job.Info().seats == 4u);
  floatlm::Lease rest = c.CheckoutSeats("solver", 4);
  BOOST_TEST(SeatsStatus(c, 1) == FLOATLM_E_ALL_SEATS_IN_USE);
}

BOOST_AUTO_TEST_CASE(more_seats_than_the_license_has_or_out_of_range_are_refused) {
  floatlm::Client a(As("alice"));
  a.Connect();
  BOOST_TEST(SeatsStatus(a, 9) == FLOATLM_E_TOO_FEW_SEATS);
  BOOST_TEST(a.last_error().find("has 8 seats in force today") != std::string::npos,
             a.last_error());
  BOOST_TEST(SeatsStatus(a, 0) == FLOATLM_E_BAD_ARGUMENT);
  BOOST_TEST(SeatsStatus(a, 1001) == FLOATLM_E_BAD_ARGUMENT);
  BOOST_TEST(SeatsStatus(a, 8) == FLOATLM_OK);
  BOOST_TEST(std::string(floatlm_status_name(FLOATLM_E_TOO_FEW_SEATS)) == "too_few_seats");
}

BOOST_AUTO_TEST_CASE(floatlm_run_holds_n_seats_while_the_command_runs) {
  std::string out;
  const int rc =
      RunCommand({BinPath("floatlm"), "run", "-c", daemon.license_env(), "-n", "4", "-f", "solver",
                  "--", BinPath("floatlm"), "status", "-c", daemon.license_env(), "--json"},
                 &out);
  BOOST_TEST(rc == 0, out);
  BOOST_TEST(out.find("\"in_use\":4") != std::string::npos, out);
  floatlm::Client a(As("alice"));
  a.Connect();
  BOOST_TEST(a.Status("solver", true).find("\"in_use\":0") != std::string::npos,
             "checked in when the command ended");
  BOOST_TEST(RunCommand({BinPath("floatlm"), "run", "-c", daemon.license_env(), "-n", "9", "-f",
                         "solver", "--", "/bin/true"},
                        &out) == 3,
             out);
  BOOST_TEST(out.find("ask for fewer") != std::string::npos, out);
  BOOST_TEST(RunCommand({BinPath("floatlm"), "run", "-n", "0", "-f", "solver", "--", "/bin/true"},
                        &out) == 2,
             out);
}

BOOST_AUTO_TEST_SUITE_END()
