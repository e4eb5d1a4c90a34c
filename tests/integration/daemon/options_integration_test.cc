// The options file applied by the real daemon: FlexLM rules restrict users, denials name
// the rule, a bad file is refused at start and at reread.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <iterator>

#include "daemon_fixture.h"
#include "raw_client.h"

namespace p = floatlm::proto;
using floatlm::Errc;
using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::RawClient;
using floatlm::testing::RunCommand;
using floatlm::testing::TempDir;

namespace {

const char* kLicense = "VENDOR demo\nFEATURE cad demo 2027.0 permanent 2 SN=O-1\n";

std::variant<p::Granted, p::Denied> Checkout(int port, const std::string& user) {
  auto c = RawClient::Tcp(port);
  c.Hello(user, "ws-" + user);
  auto reply = c.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(reply);
  if (auto* g = std::get_if<p::Granted>(&*reply)) return *g;
  BOOST_REQUIRE(std::holds_alternative<p::Denied>(*reply));
  return std::get<p::Denied>(*reply);
}

}  // namespace

BOOST_AUTO_TEST_CASE(exclude_denies_naming_the_rule) {
  TempDir opts;
  const auto file = opts.path() / "demo.opt";
  std::ofstream(file) << "# who may not use cad\nEXCLUDE cad USER bob\n";
  DaemonFixture d(kLicense, "demo", {"--options", file.string()});
  auto bob = RawClient::Tcp(d.port());
  bob.Hello("bob", "ws2");
  auto reply = bob.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(reply && std::holds_alternative<p::Denied>(*reply));
  const auto& denied = std::get<p::Denied>(*reply);
  BOOST_TEST(static_cast<int>(denied.code) == static_cast<int>(Errc::kExcludedByOptions));
  BOOST_TEST(denied.message.find("demo.opt:2") != std::string::npos, denied.message);
  // The start log names the file, where it came from and its rule count.
  BOOST_TEST(d.log().find("event=options.loaded file=" + file.string() +
                          " from=\"--options\" rules=1 skipped_lines=0") != std::string::npos,
             d.log());
  auto alice = RawClient::Tcp(d.port());
  alice.Hello("alice", "ws1");
  auto ok = alice.Call(2, p::Checkout{"cad"});
  BOOST_TEST((ok && std::holds_alternative<p::Granted>(*ok)));
}

BOOST_AUTO_TEST_CASE(reserve_keeps_the_last_seat_for_its_group) {
  TempDir opts;
  const auto file = opts.path() / "demo.opt";
  std::ofstream(file) << "GROUP designers carol dave\nRESERVE 1 cad GROUP designers\n";
  DaemonFixture d(kLicense, "demo", {"--options", file.string()});
  auto alice = RawClient::Tcp(d.port());
  alice.Hello("alice", "ws1");
  BOOST_REQUIRE(std::holds_alternative<p::Granted>(*alice.Call(2, p::Checkout{"cad"})));
  auto bob = RawClient::Tcp(d.port());
  bob.Hello("bob", "ws2");
  auto denied = bob.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(denied && std::holds_alternative<p::Denied>(*denied));
  BOOST_TEST(static_cast<int>(std::get<p::Denied>(*denied).code) ==
             static_cast<int>(Errc::kReservedForOthers));
  auto carol = RawClient::Tcp(d.port());
  carol.Hello("carol", "ws3");
  BOOST_TEST(std::holds_alternative<p::Granted>(*carol.Call(2, p::Checkout{"cad"})));
}

BOOST_AUTO_TEST_CASE(a_bad_options_file_stops_the_start_naming_every_line) {
  TempDir opts;
  const auto file = opts.path() / "bad.opt";
  std::ofstream(file) << "EXCLUDE cad USERS bob\nMAX many cad USER alice\n";
  std::string out;
  // The fixture throws when the daemon exits during start-up; check the message.
  try {
    DaemonFixture d(kLicense, "demo", {"--options", file.string()});
    BOOST_FAIL("floatlmd started with a bad options file");
  } catch (const std::runtime_error& e) {
    out = e.what();
  }
  BOOST_TEST(out.find("bad.opt:1") != std::string::npos, out);
  BOOST_TEST(out.find("bad.opt:2") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(reread_with_a_broken_options_file_keeps_the_old_rules) {
  TempDir opts;
  const auto file = opts.path() / "demo.opt";
  std::ofstream(file) << "EXCLUDE cad USER bob\n";
  DaemonFixture d(kLicense, "demo", {"--options", file.string()});
  std::ofstream(file) << "EXCLUDE cad USER\n";  // missing the name
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlm"), "reread", "--admin-socket",
                         (d.dir() / "admin.sock").string()},
                        &out) == 1);
  BOOST_TEST(out.find("demo.opt:1") != std::string::npos, out);
  auto result = Checkout(d.port(), "bob");
  BOOST_TEST(std::holds_alternative<p::Denied>(result));  // still excluded
}

// A reread that adds a seat and, in the same reread, EXCLUDEs a user who waits for one:
// the waiter must not get the new seat. (The daemon's reread once applied the licenses,
// serving waiters, before the options.)
BOOST_AUTO_TEST_CASE(a_reread_never_gives_a_new_seat_to_a_waiter_the_new_options_exclude) {
  TempDir opts;
  const auto file = opts.path() / "demo.opt";
  std::ofstream(file) << "# nobody excluded yet\n";
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 permanent 1 SN=O-1\n", "demo",
                  {"--options", file.string()});
  auto alice = RawClient::Tcp(d.port());
  alice.Hello("alice", "ws1");
  auto held = alice.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(held && std::holds_alternative<p::Granted>(*held));
  auto bob = RawClient::Tcp(d.port());
  bob.Hello("bob", "ws2");
  auto queued = bob.Call(2, p::Checkout{"cad", "", 60'000});
  BOOST_REQUIRE(queued && std::holds_alternative<p::Queued>(*queued));

  d.ReplaceLicense("VENDOR demo\nFEATURE cad demo 2027.0 permanent 2 SN=O-1\n");
  std::ofstream(file, std::ios::trunc) << "EXCLUDE cad USER bob\n";
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlm"), "reread", "--admin-socket",
                         (d.dir() / "admin.sock").string()},
                        &out) == 0,
             out);
  auto answer = bob.Receive(std::chrono::seconds(5));
  BOOST_REQUIRE(answer);
  BOOST_TEST(!std::holds_alternative<p::Granted>(answer->msg),
             "a waiter the new options exclude got the seat the reread added");
  if (const auto* no = std::get_if<p::Denied>(&answer->msg)) {
    BOOST_TEST(static_cast<int>(no->code) == static_cast<int>(Errc::kExcludedByOptions));
  }
  // The added seat is still free for someone the options let in.
  auto carol = Checkout(d.port(), "carol");
  BOOST_TEST(std::holds_alternative<p::Granted>(carol));
}

// The quoted form MathWorks' template uses, `EXCLUDE "cad SN=O-1" USER bob`, excludes as
// `cad:SN=O-1` does; a misspelt feature is reported by --check-config and by a reread.
BOOST_AUTO_TEST_CASE(quoted_qualifier_excludes_and_misspelt_features_are_warned_about) {
  TempDir opts;
  const auto file = opts.path() / "demo.opt";
  std::ofstream(file) << "EXCLUDE \"cad SN=O-1\" USER bob\n";
  DaemonFixture d(kLicense, "demo", {"--options", file.string()});
  auto result = Checkout(d.port(), "bob");
  BOOST_REQUIRE(std::holds_alternative<p::Denied>(result));
  const auto& denied = std::get<p::Denied>(result);
  BOOST_TEST(static_cast<int>(denied.code) == static_cast<int>(Errc::kExcludedByOptions));
  BOOST_TEST(denied.message.find("demo.opt:1") != std::string::npos, denied.message);
  BOOST_TEST(std::holds_alternative<p::Granted>(Checkout(d.port(), "alice")));

  std::ofstream(file) << "EXCLUDE \"cad SN=O-1\" USER bob\nEXCLUDE cda USER carol\n"
                         "INCLUDE cad:SN=O-2 USER dave\n";
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlmd"), "--check-config", "--license",
                         d.license_path().string(), "--vendor-keys", (d.dir() / "keys").string(),
                         "--options", file.string(), "--state", (opts.path() / "s").string()},
                        &out) == 0);
  BOOST_TEST(out.find(file.string() + ":2: warning: no license line has feature 'cda'") !=
                 std::string::npos,
             out);
  BOOST_TEST(out.find(file.string() + ":3: warning: no license line of 'cad' matches "
                                      "'cad:SN=O-2'") != std::string::npos,
             out);
  BOOST_TEST(out.find("2 rule(s) apply to nothing") != std::string::npos, out);
  BOOST_TEST(RunCommand({BinPath("floatlm"), "reread", "--admin-socket",
                         (d.dir() / "admin.sock").string()},
                        &out) == 0);
  BOOST_TEST(out.find(":2: warning: no license line has feature 'cda'") != std::string::npos, out);
}

// A leftover template line no longer takes the service down: the daemon starts without
// it and says so; --strict-options and --check-config still refuse the file.
BOOST_AUTO_TEST_CASE(a_skippable_bad_line_is_logged_and_the_rest_applies) {
  TempDir opts;
  const auto file = opts.path() / "demo.opt";
  std::ofstream(file) << "EXCLUDE cad USER bob\n<KEYWORD> cad USER <name>\nTIMEOUT cad soon\n";
  {
    DaemonFixture d(kLicense, "demo", {"--options", file.string()});
    BOOST_TEST(std::holds_alternative<p::Denied>(Checkout(d.port(), "bob")));
    BOOST_TEST(std::holds_alternative<p::Granted>(Checkout(d.port(), "alice")));
    std::string out;
    BOOST_TEST(RunCommand({BinPath("floatlmd"), "--check-config", "--license",
                           d.license_path().string(), "--vendor-keys",
                           (d.dir() / "keys").string(), "--options", file.string(), "--state",
                           (opts.path() / "s").string()},
                          &out) == 1);
    BOOST_TEST(out.find(file.string() + ":2: unknown keyword '<KEYWORD>'; the line is skipped") !=
                   std::string::npos,
               out);
    BOOST_TEST(out.find("has 2 bad line(s); floatlmd would start without them") !=
                   std::string::npos,
               out);
  }
  std::string message;
  try {
    DaemonFixture strict(kLicense, "demo", {"--options", file.string(), "--strict-options"});
    BOOST_FAIL("floatlmd --strict-options started with a bad options file");
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  BOOST_TEST(message.find("demo.opt:2") != std::string::npos, message);
}

// A MathWorks-style site from its options file alone: a USER_BASED line for named users
// (chosen with asset_info=) next to a concurrent line, the named users listed by INCLUDE.
BOOST_AUTO_TEST_CASE(named_users_come_from_the_options_file) {
  TempDir opts;
  const auto file = opts.path() / "MLM.opt";
  std::ofstream(file) << "GROUP mlusers ann bob\n"
                         "INCLUDE MATLAB:asset_info=123 GROUP mlusers\n"
                         "INCLUDE MATLAB:asset_info=123 USER zed\n";
  DaemonFixture d("VENDOR demo\n"
                  "INCREMENT MATLAB demo 41 permanent 2 USER_BASED asset_info=123\n"
                  "INCREMENT MATLAB demo 41 permanent 1 asset_info=456\n",
                  "demo", {"--options", file.string()});
  const auto checkout = [&](const std::string& user) {
    auto c = RawClient::Tcp(d.port());
    c.Hello(user, "ws-" + user);
    auto reply = c.Call(2, p::Checkout{"MATLAB"});
    BOOST_REQUIRE(reply);
    return std::pair{std::move(c), *reply};
  };
  auto [ann, a] = checkout("ann");
  BOOST_TEST(std::holds_alternative<p::Granted>(a));
  auto [bob, b] = checkout("bob");
  BOOST_TEST(std::holds_alternative<p::Granted>(b));
  auto [carol, c] = checkout("carol");  // the concurrent line is open to everyone
  BOOST_TEST(std::holds_alternative<p::Granted>(c));
  auto [dan, dn] = checkout("dan");
  BOOST_REQUIRE(std::holds_alternative<p::Denied>(dn));
  const std::string status = RawClient::StatusOf(d.port());
  BOOST_TEST(status.find("named users: 2 of 2: ann (options), bob (options)") != std::string::npos,
             status);
  BOOST_TEST(status.find("named past the limit of 2 (not served): zed") != std::string::npos,
             status);
}

// FlexLM's vendor daemon reads the options file its VENDOR line names; so does floatlmd
// when --options is not given (a relative path is the license file's neighbour), and
// --check-config says which file and which port are in force.
BOOST_AUTO_TEST_CASE(the_vendor_line_names_the_options_file_and_the_server_line_the_port) {
  TempDir opts;
  std::ofstream(opts.path() / "demo.opt") << "EXCLUDE cad USER bob\n";
  DaemonFixture d("SERVER this_host ANY 27413\nVENDOR demo OPTIONS=" +
                  (opts.path() / "demo.opt").string() + "\nFEATURE cad demo 2027.0 permanent 2 SN=O-1\n");
  BOOST_TEST(std::holds_alternative<p::Denied>(Checkout(d.port(), "bob")));
  BOOST_TEST(std::holds_alternative<p::Granted>(Checkout(d.port(), "alice")));
  BOOST_TEST(d.log().find("event=options.from_vendor_line") != std::string::npos, d.log());

  // The same signed file beside a relative OPTIONS=: VENDOR lines are not signed.
  std::string text;
  {
    std::ifstream in(d.license_path());
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto at = text.find("OPTIONS=");
  BOOST_REQUIRE(at != std::string::npos);
  text.replace(at, text.find('\n', at) - at, "OPTIONS=demo.opt");
  const auto copy = opts.path() / "site.lic";
  std::ofstream(copy) << text;
  std::string out;
  BOOST_TEST(RunCommand({BinPath("floatlmd"), "--check-config", "--license", copy.string(),
                         "--vendor-keys", (d.dir() / "keys").string(), "--state",
                         (opts.path() / "check-state").string()},
                        &out) == 0,
             out);
  BOOST_TEST(out.find("port:     27413 (SERVER line at " + copy.string() + ":1)") !=
                 std::string::npos,
             out);
  BOOST_TEST(out.find("options:  " + (opts.path() / "demo.opt").string() +
                      " in force (from VENDOR line at " + copy.string() + ":2)") !=
                 std::string::npos,
             out);
}

// The admin's daily view: reservations listed as lmstat lists them, one aligned row per
// lease with its licensed version and how long it is held, sharing as it is now.
BOOST_AUTO_TEST_CASE(status_lists_reservations_and_aligned_lease_rows) {
  TempDir opts;
  const auto file = opts.path() / "demo.opt";
  std::ofstream(file) << "RESERVE 1 cad USER robert\n";
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 permanent 3 SN=O-1\n", "demo",
                  {"--options", file.string()});
  auto first = RawClient::Tcp(d.port());
  first.Hello("alice", "ws1");
  auto a1 = first.Call(2, p::Checkout{"cad", "2026.0"});
  BOOST_REQUIRE(a1 && std::holds_alternative<p::Granted>(*a1));
  auto second = RawClient::Tcp(d.port());
  second.Hello("alice", "ws1");  // same user and host: shares alice's seat (DUP_GROUP UH)
  auto a2 = second.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(a2 && std::holds_alternative<p::Granted>(*a2));
  auto third = RawClient::Tcp(d.port());
  third.Hello("christopher-with-a-long-name", "workstation-17");
  BOOST_REQUIRE(std::holds_alternative<p::Granted>(*third.Call(2, p::Checkout{"cad"})));

  std::string text = RawClient::StatusOf(d.port());
  BOOST_TEST_MESSAGE("status:\n" << text);
  BOOST_TEST(text.find("    1 RESERVATION for USER robert (" + file.string() + ":1)") !=
                 std::string::npos,
             text);
  BOOST_TEST(text.find("3 leases, 4 connections") != std::string::npos, text);
  // Rows line up: the "lease" column starts at the same offset on every row.
  std::vector<std::size_t> at;
  for (std::size_t pos = text.find(" lease "); pos != std::string::npos;
       pos = text.find(" lease ", pos + 1)) {
    at.push_back(pos - text.rfind('\n', pos));
  }
  BOOST_REQUIRE_EQUAL(at.size(), 3u);
  BOOST_TEST((at[0] == at[1] && at[1] == at[2]));
  BOOST_TEST(text.find("v2027.0  held 0s") != std::string::npos, text);
  BOOST_TEST(text.find("shares seat 1") != std::string::npos, text);

  // alice's first lease goes: the other one no longer shares anything.
  BOOST_REQUIRE(std::holds_alternative<p::Ok>(
      *first.Call(3, p::Checkin{std::get<p::Granted>(*a1).lease})));
  text = RawClient::StatusOf(d.port());
  BOOST_TEST(text.find("shares seat") == std::string::npos, text);
  const std::string json = RawClient::StatusOf(d.port(), true);
  BOOST_TEST(json.find("\"licensed_version\":\"2027.0\"") != std::string::npos, json);
  BOOST_TEST(json.find("\"reservations\":[{\"count\":1,\"type\":\"USER\",\"name\":\"robert\"") !=
                 std::string::npos,
             json);
}

// Error volume: a file of thousands of bad lines logs the first 50 and a count, and the
// refusal names the first 50 too, not megabytes of text.
BOOST_AUTO_TEST_CASE(thousands_of_bad_lines_are_reported_as_the_first_ones_and_a_count) {
  TempDir opts;
  const auto file = opts.path() / "bad.opt";
  {
    std::ofstream out(file);
    for (int i = 0; i < 5000; ++i) out << "EXCLUDE cad USERS bob" << i << "\n";
  }
  std::string message;
  try {
    DaemonFixture d(kLicense, "demo", {"--options", file.string()});
    BOOST_FAIL("floatlmd started with a bad options file");
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  BOOST_TEST(message.find("5000 error(s) in the options file") != std::string::npos);
  BOOST_TEST(message.find("; and 4950 more") != std::string::npos);
  BOOST_TEST(message.find("event=options.error suppressed=4950 (only the first 50 are logged)") !=
             std::string::npos);
  // The daemon's output (50 logged lines, the count, the refusal) stays small.
  BOOST_TEST(message.size() < 40'000u, message.size());
}
