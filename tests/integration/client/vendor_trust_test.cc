// The application trusts only its vendor's signature: the real floatlmd serves a
// license, the real libfloatlm holds the vendor's public key, and a license the admin
// signed with a key of their own is refused by the application while key-less clients
// are still served.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "daemon_fixture.h"
#include "floatlm/floatlm.hpp"

namespace fs = std::filesystem;
using floatlm::testing::BinPath;
using floatlm::testing::DaemonFixture;
using floatlm::testing::JsonNumber;
using floatlm::testing::ReadWholeFile;
using floatlm::testing::RunCommand;
using floatlm::testing::TempDir;
using namespace std::chrono_literals;

namespace {

constexpr const char* kLicense =
    "SERVER this_host ANY\n"
    "VENDOR demo\n"
    "FEATURE cad demo 2027.0 permanent 2\n"
    "PACKAGE pdc demo 2027.0 COMPONENTS=\"cam render\" OPTIONS=SUITE CLOUD=render\n"
    "INCREMENT pdc demo 2027.0 permanent 1\n";

// What an admin with a key of their own would serve: more seats, the same features.
constexpr const char* kForged =
    "SERVER this_host ANY\n"
    "VENDOR demo\n"
    "FEATURE cad demo 2027.0 permanent 200\n"
    "PACKAGE pdc demo 2027.0 COMPONENTS=\"cam render\" OPTIONS=SUITE CLOUD=render\n"
    "INCREMENT pdc demo 2027.0 permanent 100\n";

struct Trust {
  DaemonFixture daemon{kLicense};
  TempDir scratch;
  // The vendor's genuine public key, as the application embeds it.
  const std::string genuine_pub = (scratch.path() / "genuine.pub").string();
  const std::string genuine_pem = [this] {
    fs::copy_file(daemon.dir() / "keys" / "demo.pub", genuine_pub);
    return ReadWholeFile(genuine_pub);
  }();

  floatlm::Options As(const std::string& user, bool with_key) {
    floatlm::Options options;
    if (with_key) options.VendorKey("demo", genuine_pem);
    return options.Servers(daemon.license_env())
        .App("vendor_trust_test")
        .Identity(user, "ws1")
        .BackoffMs(50, 500)
        .RequestTimeoutMs(5000);
  }

  // The admin makes a key pair, calls it demo's, signs `text` with it and restarts the
  // daemon on it. The daemon itself accepts the file: its key directory says so.
  void ServeForged(const std::string& text = kForged) {
    const fs::path prefix = scratch.path() / "forger";
    std::string out;
    BOOST_REQUIRE_EQUAL(
        RunCommand({BinPath("floatlm-vendor"), "keygen", "--out", prefix.string()}, &out), 0);
    for (const char* ext : {".key", ".pub"}) {
      fs::copy_file(prefix.string() + ext, daemon.dir() / "keys" / (std::string("demo") + ext),
                    fs::copy_options::overwrite_existing);
    }
    daemon.Stop();
    daemon.ReplaceLicense(text);
    daemon.Start();
  }

  long InUse(const std::string& feature) {
    floatlm::Client c(As("observer", false));
    c.Connect();
    return JsonNumber(c.Status(feature, true), "in_use");
  }
};

floatlm_status CodeOf(floatlm::Client& client, const std::string& feature, std::string* message,
                      const std::string& version = {}) {
  try {
    floatlm::Lease lease = client.Checkout(feature, version);
    lease.Checkin();
    return FLOATLM_OK;
  } catch (const floatlm::Error& e) {
    if (message != nullptr) *message = e.what();
    return e.code();
  }
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(vendor_trust, Trust)

BOOST_AUTO_TEST_CASE(a_genuine_license_is_granted_to_an_application_holding_the_key) {
  floatlm::Client app(As("alice", true));
  app.Connect();
  floatlm::Lease lease = app.Checkout("cad", "2027.0");
  BOOST_TEST(static_cast<bool>(lease));
  BOOST_TEST(InUse("cad") == 1);
}

BOOST_AUTO_TEST_CASE(a_license_signed_by_another_key_is_refused_and_its_seat_handed_back) {
  ServeForged();
  floatlm::Client app(As("alice", true));
  app.Connect();
  std::string message;
  BOOST_CHECK_EQUAL(CodeOf(app, "cad", &message), FLOATLM_E_UNTRUSTED_LICENSE);
  BOOST_TEST(message == "cad: license line not signed by demo's key (signed by another key, or "
                        "changed after signing)");
  BOOST_TEST(std::string(floatlm_status_name(FLOATLM_E_UNTRUSTED_LICENSE)) == "untrusted_license");
  BOOST_TEST(InUse("cad") == 0);
  // The daemon trusts its own key directory: an application without the key is served.
  floatlm::Client keyless(As("bob", false));
  keyless.Connect();
  BOOST_CHECK_EQUAL(CodeOf(keyless, "cad", nullptr), FLOATLM_OK);
}

BOOST_AUTO_TEST_CASE(a_collection_seat_is_verified_through_its_increment_and_package) {
  floatlm::Client app(As("alice", true));
  app.Connect();
  floatlm::Lease cam = app.Checkout("cam");
  const floatlm_lease_info info = cam.Info();
  BOOST_TEST(std::string(info.pool).find("pdc") != std::string::npos);
  floatlm::Lease render = app.Checkout("render");  // a cloud service of the collection
  cam.Checkin();
  render.Checkin();

  ServeForged();
  floatlm::Client again(As("alice", true));
  again.Connect();
  std::string message;
  BOOST_CHECK_EQUAL(CodeOf(again, "cam", &message), FLOATLM_E_UNTRUSTED_LICENSE);
  BOOST_TEST(message.find("cam: license line not signed by demo's key") == 0, message);
  BOOST_TEST(InUse("pdc") == 0);
}

BOOST_AUTO_TEST_CASE(a_version_the_genuine_line_does_not_cover_is_refused_by_the_daemon_first) {
  floatlm::Client app(As("alice", true));
  app.Connect();
  std::string message;
  BOOST_CHECK_EQUAL(CodeOf(app, "cad", &message, "2028.0"), FLOATLM_E_VERSION_NOT_LICENSED);
}

BOOST_AUTO_TEST_CASE(a_seat_regained_after_a_restart_onto_a_forged_license_is_lost) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<floatlm_lease_event, floatlm_status>> events;
  std::string lost_message;
  floatlm::Options options = As("alice", true);
  options.OnLease([&](std::uint64_t, floatlm_lease_event e, floatlm_status code,
                      const std::string& message) {
    std::lock_guard lk(mu);
    events.emplace_back(e, code);
    if (e == FLOATLM_LEASE_LOST) lost_message = message;
    cv.notify_all();
  });
  floatlm::Client app(std::move(options));
  app.Connect();
  floatlm::Lease lease = app.Checkout("cad");
  // The same pool (feature, version, DUP_GROUP): the stored lease comes back on it.
  ServeForged();
  std::unique_lock lk(mu);
  BOOST_REQUIRE(cv.wait_for(lk, 20s, [&] { return !events.empty(); }));
  BOOST_CHECK_EQUAL(events.front().first, FLOATLM_LEASE_LOST);
  BOOST_CHECK_EQUAL(events.front().second, FLOATLM_E_UNTRUSTED_LICENSE);
  BOOST_TEST(lost_message.find("not signed by demo's key") != std::string::npos, lost_message);
  lk.unlock();
  BOOST_TEST(InUse("cad") == 0);
}

BOOST_AUTO_TEST_CASE(floatlm_run_checks_a_site_with_the_vendor_key) {
  const std::vector<std::string> run = {BinPath("floatlm"),   "run",       "-c",
                                        daemon.license_env(), "-f",        "cad",
                                        "--vendor-key",       "demo=" + genuine_pub,
                                        "--",                 "/bin/true"};
  std::string out;
  BOOST_CHECK_EQUAL(RunCommand(run, &out), 0);
  ServeForged();
  std::vector<std::string> again = run;
  again[3] = daemon.license_env();
  BOOST_CHECK_EQUAL(RunCommand(again, &out), 3);
  BOOST_TEST(out.find("floatlm: cad: license line not signed by demo's key") != std::string::npos,
             out);
  // A bad key argument is a usage error, a missing key file an error.
  BOOST_CHECK_EQUAL(RunCommand({BinPath("floatlm"), "run", "-c", daemon.license_env(), "-f", "cad",
                                "--vendor-key", "demo", "--", "/bin/true"},
                               &out),
                    2);
  BOOST_CHECK_EQUAL(RunCommand({BinPath("floatlm"), "run", "-c", daemon.license_env(), "-f", "cad",
                                "--vendor-key", "demo=/nonexistent.pub", "--", "/bin/true"},
                               &out),
                    1);
  BOOST_TEST(out.find("/nonexistent.pub") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(an_application_built_with_the_embedded_key_refuses_a_forged_license) {
  const fs::path header = scratch.path() / "demo_key.h";
  std::string out;
  BOOST_REQUIRE_EQUAL(RunCommand({BinPath("floatlm-vendor"), "embed", "--pub", genuine_pub,
                                  "--vendor", "demo", "-o", header.string()},
                                 &out),
                      0);
  BOOST_TEST(ReadWholeFile(header).find("floatlm_trust_demo(floatlm_options_t* options)") !=
             std::string::npos);
  const fs::path app = scratch.path() / "app";
  const std::string compile =
      std::string(FLOATLM_C_COMPILER) + " -std=c11 -Wall -Werror -o '" + app.string() + "' '" +
      FLOATLM_SOURCE_DIR "/client-lib/examples/example_c.c' -I'" FLOATLM_SOURCE_DIR
      "/client-lib/include' -I'" + scratch.path().string() +
      "' -DFLOATLM_VENDOR_KEY_HEADER='\"demo_key.h\"' -DFLOATLM_TRUST_VENDOR=floatlm_trust_demo "
      "-L'" FLOATLM_LIB_DIR "' -Wl,-rpath,'" FLOATLM_LIB_DIR "' -lfloatlm " FLOATLM_TEST_VENDOR_LINK_FLAGS;
  BOOST_REQUIRE_EQUAL(RunCommand({"/bin/sh", "-c", compile}, &out), 0);
  const std::vector<std::string> env = {"FLOATLM_LICENSE=" + daemon.license_env(),
                                        "FLOATLM_USER=example"};
  BOOST_CHECK_EQUAL(RunCommand({"/usr/bin/timeout", "30", app.string(), "cad"}, &out, env), 0);
  BOOST_TEST(out.find("granted cad") != std::string::npos, out);
  ServeForged();
  const std::vector<std::string> env2 = {"FLOATLM_LICENSE=" + daemon.license_env(),
                                         "FLOATLM_USER=example"};
  BOOST_CHECK_EQUAL(RunCommand({"/usr/bin/timeout", "30", app.string(), "cad"}, &out, env2), 3);
  BOOST_TEST(out.find("untrusted_license") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(a_bad_key_is_refused_when_set) {
  floatlm_options_t* options = nullptr;
  BOOST_REQUIRE_EQUAL(floatlm_options_create(&options), FLOATLM_OK);
  BOOST_CHECK_EQUAL(floatlm_options_add_vendor_key(options, "demo", "not a key"),
                    FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_options_add_vendor_key(options, "", genuine_pem.c_str()),
                    FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_options_add_vendor_key(options, "demo", nullptr),
                    FLOATLM_E_BAD_ARGUMENT);
  BOOST_CHECK_EQUAL(floatlm_options_add_vendor_key(options, "demo", genuine_pem.c_str()),
                    FLOATLM_OK);
  floatlm_options_destroy(options);
}

BOOST_AUTO_TEST_SUITE_END()
