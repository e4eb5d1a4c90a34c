// Wall-clock jumps against the real floatlmd. The promise: lease TTLs and reattach
// windows run on the monotonic clock, license dates (START, expiry) on the wall clock in
// the daemon's time zone, so moving the wall clock back or forth never ends a lease early
// nor keeps one alive, while dates follow the clock.
//
// The daemon runs with support/clock_shift.c preloaded (LD_PRELOAD), which adds an offset
// read from a file to CLOCK_REALTIME, gettimeofday() and time(); the test moves the clock
// by rewriting that file. std::chrono::system_clock::now() in floatlmd reaches the
// shim because libstdc++ 12 implements it as a PLT call to clock_gettime(CLOCK_REALTIME)
// (see the shim's comment); the first two cases check the shim and that path.
//
// The date cases run the daemon in a zone 14 hours ahead of UTC with its clock set to
// noon UTC, when its calendar day is already the next one: a daemon that took dates in
// UTC would fail them. Every wait is bounded; the fixture kills the daemon.
#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "daemon_fixture.h"
#include "raw_client.h"

#ifndef FLOATLM_CLOCK_SHIFT_LIB
#error "FLOATLM_CLOCK_SHIFT_LIB must name the clock shift library"
#endif

namespace fs = std::filesystem;
namespace p = floatlm::proto;
using floatlm::Errc;
using floatlm::testing::DaemonFixture;
using floatlm::testing::LicenseDate;
using floatlm::testing::RawClient;
using floatlm::testing::TempDir;
using std::chrono::days;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using std::chrono::sys_seconds;
using std::chrono::year_month_day;
using namespace std::chrono_literals;

namespace {

constexpr auto kTtl = 2s;  // --lease-ttl and --reattach-window of the lease cases
// POSIX writes the offset west of UTC: "LINT-14" is UTC+14 (Line Islands), no DST.
constexpr const char* kZone = "TZ=LINT-14";
constexpr auto kZoneAhead = std::chrono::hours(14);

constexpr const char* kPermanent =
    "VENDOR demo\n"
    "FEATURE cad demo 1.0 permanent 3 SN=C-1\n";

// The offset file the shim reads. Set() replaces it with rename(2), so the daemon never
// reads half a number and sees a change even within one mtime tick (new inode).
class WallClock {
 public:
  explicit WallClock(fs::path file) : file_(std::move(file)) { Set(0s); }
  void Set(seconds offset) {
    const fs::path next = file_.string() + ".next";
    std::ofstream(next) << offset.count() << "\n";
    fs::rename(next, file_);
  }
  const fs::path& file() const { return file_; }
  // The daemon's environment: the shim, its file, and a time zone.
  std::vector<std::string> Environment(const std::string& zone = "TZ=UTC") const {
    // A sanitizer build of floatlmd wants its runtime first among the preloaded
    // libraries; the shim needs no sanitizer, so the check is switched off.
    std::string asan = "ASAN_OPTIONS=";
    if (const char* old = std::getenv("ASAN_OPTIONS")) asan += std::string(old) + ":";
    asan += "verify_asan_link_order=0";
    return {std::string("LD_PRELOAD=") + FLOATLM_CLOCK_SHIFT_LIB,
            "FLOATLM_CLOCK_SHIFT_FILE=" + file_.string(), zone, asan};
  }

 private:
  fs::path file_;
};

sys_seconds RealNow() { return std::chrono::floor<seconds>(std::chrono::system_clock::now()); }

// How many times `needle` occurs in `text`.
std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The calendar day in the daemon's zone at instant `t`.
year_month_day ZoneDay(sys_seconds t) {
  return year_month_day{std::chrono::floor<days>(t + kZoneAhead)};
}

// The raw JSON value after `"key":` (first occurrence from `from`), up to `,` or `}`.
std::string JsonValue(const std::string& json, const std::string& key, std::size_t from = 0) {
  const std::string needle = "\"" + key + "\":";
  const auto at = json.find(needle, from);
  if (at == std::string::npos) return {};
  const auto begin = at + needle.size();
  return json.substr(begin, json.find_first_of(",}", begin) - begin);
}

// The daemon's wall clock, from the "now" of its status.
sys_seconds DaemonNow(int port) {
  const std::string now = JsonValue(RawClient::StatusOf(port, true), "now");
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  BOOST_REQUIRE_MESSAGE(
      std::sscanf(now.c_str(), "\"%d-%d-%dT%d:%d:%dZ\"", &y, &mo, &d, &h, &mi, &s) == 6, now);
  const year_month_day date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                            std::chrono::day(static_cast<unsigned>(d))};
  return std::chrono::sys_days(date) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         seconds(s);
}

bool LeaseListed(const std::string& status_json, std::uint64_t lease) {
  return status_json.find("{\"lease\":" + std::to_string(lease) + ",") != std::string::npos;
}

// Sends `msg` and reads up to its reply; LEASE_LOST frames met on the way are kept.
std::optional<p::Message> Exchange(RawClient& c, std::uint32_t id, const p::Message& msg,
                                   std::vector<p::LeaseLost>& lost) {
  c.Send(id, msg);
  for (;;) {
    auto frame = c.Receive(5s);
    if (!frame) return std::nullopt;
    if (const auto* l = std::get_if<p::LeaseLost>(&frame->msg)) {
      lost.push_back(*l);
      continue;
    }
    if (frame->request_id == id) return std::move(frame->msg);
  }
}

// A connected client that says HELLO and checks one seat of cad out.
struct Holder {
  Holder(int port, const std::string& user) : client(RawClient::Tcp(port)) {
    client.Hello(user, "ws-" + user);
    auto reply = Exchange(client, ++next_id, p::Checkout{"cad"}, lost);
    BOOST_REQUIRE(reply);
    if (const auto* d = std::get_if<p::Denied>(&*reply)) BOOST_FAIL("denied: " << d->message);
    BOOST_REQUIRE(std::holds_alternative<p::Granted>(*reply));
    grant = std::get<p::Granted>(*reply);
  }
  // True when the daemon answers OK and still counts this connection's one lease.
  bool Heartbeat() {
    auto reply = Exchange(client, ++next_id, p::Heartbeat{}, lost);
    const auto* ok = reply ? std::get_if<p::Ok>(&*reply) : nullptr;
    return ok && ok->count == 1;
  }
  // Heartbeats every 250 ms for `span`; returns how many were not answered with the lease.
  int HeartbeatFor(milliseconds span) {
    int failures = 0;
    for (const auto end = steady_clock::now() + span; steady_clock::now() < end;) {
      if (!Heartbeat()) ++failures;
      std::this_thread::sleep_for(250ms);
    }
    return failures;
  }

  RawClient client;
  std::uint32_t next_id = 0;
  p::Granted grant;
  std::vector<p::LeaseLost> lost;
};

p::Message CheckoutReply(int port, const std::string& user) {
  auto c = RawClient::Tcp(port);
  c.Hello(user, "ws-" + user);
  auto reply = c.Call(1, p::Checkout{"cad"});
  BOOST_REQUIRE(reply);
  return *reply;
}

Errc DenialCode(const p::Message& reply) {
  const auto* d = std::get_if<p::Denied>(&reply);
  return d ? d->code : Errc::kOk;
}

// Starts `d` with the shim, the clock at `offset` and `zone`.
void StartShifted(DaemonFixture& d, WallClock& clock, seconds offset,
                  const std::string& zone = "TZ=UTC") {
  clock.Set(offset);
  d.SetEnvironment(clock.Environment(zone));
  d.Start();
}

std::vector<std::string> LeaseOptions() {
  const std::string s = std::to_string(kTtl.count());
  return {"--lease-ttl", s, "--reattach-window", s};
}

// Noon UTC of today: the date cases move the daemon's clock there, where the zone's
// calendar day is one ahead of UTC's for another ten hours of test time.
sys_seconds NoonUtc() { return std::chrono::floor<days>(RealNow()) + std::chrono::hours(12); }

}  // namespace

BOOST_AUTO_TEST_SUITE(clock_jumps)

BOOST_AUTO_TEST_CASE(the_shim_moves_only_the_wall_clock) {
  TempDir dir;
  WallClock clock(dir.path() / "offset");
  clock.Set(3600s);
  // Loaded into this process by hand: its functions are called through the handle, so
  // the test's own clock stays real. The shim reads its variable when it is loaded.
  ::setenv("FLOATLM_CLOCK_SHIFT_FILE", clock.file().c_str(), 1);
  void* lib = ::dlopen(FLOATLM_CLOCK_SHIFT_LIB, RTLD_NOW | RTLD_LOCAL);
  ::unsetenv("FLOATLM_CLOCK_SHIFT_FILE");
  BOOST_REQUIRE_MESSAGE(lib, ::dlerror());
  using ClockFn = int (*)(clockid_t, timespec*);
  using TimeOfDayFn = int (*)(timeval*, void*);
  using TimeFn = time_t (*)(time_t*);
  const auto shim_clock = reinterpret_cast<ClockFn>(::dlsym(lib, "clock_gettime"));
  const auto shim_timeofday = reinterpret_cast<TimeOfDayFn>(::dlsym(lib, "gettimeofday"));
  const auto shim_time = reinterpret_cast<TimeFn>(::dlsym(lib, "time"));
  BOOST_REQUIRE(shim_clock && shim_timeofday && shim_time);

  const auto shift_of = [&](clockid_t id) {
    timespec real{}, shifted{};
    ::clock_gettime(id, &real);
    shim_clock(id, &shifted);
    return static_cast<long long>(shifted.tv_sec - real.tv_sec);
  };
  const auto near = [](long long got, long long want) {
    return got >= want - 1 && got <= want + 1;
  };
  BOOST_TEST(near(shift_of(CLOCK_REALTIME), 3600));
  BOOST_TEST(near(shift_of(CLOCK_REALTIME_COARSE), 3600));
  BOOST_TEST(near(shift_of(CLOCK_MONOTONIC), 0));
  BOOST_TEST(near(shift_of(CLOCK_BOOTTIME), 0));
  timeval tv{};
  BOOST_TEST(shim_timeofday(&tv, nullptr) == 0);
  BOOST_TEST(near(tv.tv_sec - ::time(nullptr), 3600));
  time_t out = 0;
  const time_t t = shim_time(&out);
  BOOST_TEST(t == out);
  BOOST_TEST(near(t - ::time(nullptr), 3600));

  // A new file is seen at the next read, even twice within one second.
  clock.Set(-2 * 86400s);
  BOOST_TEST(near(shift_of(CLOCK_REALTIME), -2 * 86400));
  clock.Set(-2 * 86400s + 5s);
  BOOST_TEST(near(shift_of(CLOCK_REALTIME), -2 * 86400 + 5));
  fs::remove(clock.file());
  BOOST_TEST(near(shift_of(CLOCK_REALTIME), 0));
  ::dlclose(lib);
}

BOOST_AUTO_TEST_CASE(the_daemons_system_clock_goes_through_the_shim) {
  DaemonFixture d(kPermanent, "demo", {}, /*start=*/false);
  WallClock clock(d.dir() / "offset");
  StartShifted(d, clock, 2 * 86400s);
  const long long ahead = (DaemonNow(d.port()) - RealNow()).count();
  BOOST_TEST(ahead >= 2 * 86400 - 5);
  BOOST_TEST(ahead <= 2 * 86400 + 5);
  clock.Set(-3 * 86400s);  // while it runs
  const long long behind = (RealNow() - DaemonNow(d.port())).count();
  BOOST_TEST(behind >= 3 * 86400 - 5);
  BOOST_TEST(behind <= 3 * 86400 + 5);
}

BOOST_AUTO_TEST_CASE(heartbeats_keep_a_lease_through_jumps_of_two_days_both_ways) {
  DaemonFixture d(kPermanent, "demo", LeaseOptions(), /*start=*/false);
  WallClock clock(d.dir() / "offset");
  StartShifted(d, clock, 0s);
  Holder h(d.port(), "alice");
  const auto started = steady_clock::now();
  BOOST_TEST(h.HeartbeatFor(1s) == 0);
  clock.Set(2 * 86400s);
  BOOST_TEST(h.HeartbeatFor(kTtl + 500ms) == 0);  // longer than a TTL at the new time
  clock.Set(-2 * 86400s);
  BOOST_TEST(h.HeartbeatFor(kTtl + 500ms) == 0);
  BOOST_TEST(h.lost.empty(), "LEASE_LOST: " << (h.lost.empty() ? "" : h.lost[0].message));
  // Still the same lease, and its deadline is the TTL ahead, not days.
  const std::string status = RawClient::StatusOf(d.port(), true);
  BOOST_TEST(LeaseListed(status, h.grant.lease), status);
  const std::string expires = JsonValue(status, "expires_in_s");
  BOOST_TEST((!expires.empty() && std::stol(expires) <= kTtl.count()), status);
  BOOST_TEST_MESSAGE("heartbeating through jumps: "
                     << duration_cast<milliseconds>(steady_clock::now() - started).count()
                     << " ms");
}

BOOST_AUTO_TEST_CASE(silent_and_detached_leases_end_on_the_monotonic_clock_despite_jumps) {
  DaemonFixture d(kPermanent, "demo", LeaseOptions(), /*start=*/false);
  WallClock clock(d.dir() / "offset");
  StartShifted(d, clock, 0s);
  Holder silent(d.port(), "silent");  // stops heartbeating, keeps its connection
  const auto granted = steady_clock::now();
  std::uint64_t detached_lease = 0;
  {
    Holder gone(d.port(), "gone");  // disconnects at once: the reattach window runs
    detached_lease = gone.grant.lease;
  }
  const auto disconnected = steady_clock::now();

  // Forward two days (an end on the wall clock would come at once), then back four (an
  // end on the wall clock would never come).
  std::this_thread::sleep_until(granted + 200ms);
  clock.Set(2 * 86400s);
  std::this_thread::sleep_until(granted + 1000ms);
  clock.Set(-2 * 86400s);
  std::this_thread::sleep_until(granted + 1300ms);
  const std::string early = RawClient::StatusOf(d.port(), true);
  BOOST_TEST(LeaseListed(early, silent.grant.lease), "the silent lease ended early: " << early);
  BOOST_TEST(LeaseListed(early, detached_lease), "the detached lease ended early: " << early);

  // The silent lease ends one TTL after its grant (plus a 100 ms tick).
  std::optional<p::LeaseLost> lost;
  while (!lost && steady_clock::now() < granted + kTtl + 3s) {
    auto frame = silent.client.Receive(200ms);
    if (frame) {
      if (const auto* l = std::get_if<p::LeaseLost>(&frame->msg)) lost = *l;
    }
  }
  const long long after = duration_cast<milliseconds>(steady_clock::now() - granted).count();
  const long long ttl_ms = duration_cast<milliseconds>(kTtl).count();
  BOOST_REQUIRE_MESSAGE(lost, "the silent lease did not end within TTL + 3 s");
  BOOST_TEST(lost->lease == silent.grant.lease);
  BOOST_TEST(static_cast<int>(lost->code) == static_cast<int>(Errc::kLeaseTimedOut));
  BOOST_TEST(after >= ttl_ms - 500);
  BOOST_TEST(after <= ttl_ms + 2500);

  // The detached lease ends one reattach window after the disconnect.
  std::string status;
  while (steady_clock::now() < disconnected + kTtl + 3s) {
    status = RawClient::StatusOf(d.port(), true);
    if (!LeaseListed(status, detached_lease)) break;
    std::this_thread::sleep_for(100ms);
  }
  const long long window = duration_cast<milliseconds>(steady_clock::now() - disconnected).count();
  BOOST_TEST(!LeaseListed(status, detached_lease), status);
  BOOST_TEST(window >= ttl_ms - 500);
  BOOST_TEST_MESSAGE("silent lease ended after " << after << " ms, detached lease gone after "
                                                 << window << " ms");
}

BOOST_AUTO_TEST_CASE(a_license_expiring_tomorrow_ends_its_leases_once_the_clock_passes_it) {
  const sys_seconds noon = NoonUtc();
  const auto offset = duration_cast<seconds>(noon - RealNow());
  // The daemon's today is the UTC day after `noon`'s; the line runs through tomorrow.
  const year_month_day today = ZoneDay(noon);
  const year_month_day expiry{std::chrono::sys_days(today) + days(1)};
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 1.0 " + LicenseDate(expiry) + " 3 SN=E-1\n",
                  "demo", LeaseOptions(), /*start=*/false);
  WallClock clock(d.dir() / "offset");
  StartShifted(d, clock, offset, kZone);
  Holder h(d.port(), "alice");
  BOOST_TEST(h.grant.license_expiry == LicenseDate(expiry));
  BOOST_TEST(JsonValue(RawClient::StatusOf(d.port(), true), "days_left") == "1");
  // Inside the 1-day band from the start: one warning, naming the line.
  BOOST_TEST(Count(d.log(), "event=license.expiring") == 1u, d.log());
  BOOST_TEST(d.log().find("line=" + d.license_path().string() + ":") != std::string::npos,
             d.log());
  BOOST_TEST(d.log().find("days_left=1 ") != std::string::npos, d.log());

  // One day on: the expiry day itself, still in force.
  clock.Set(offset + 86400s);
  BOOST_TEST(h.HeartbeatFor(600ms) == 0);
  BOOST_TEST(h.lost.empty());
  BOOST_TEST(JsonValue(RawClient::StatusOf(d.port(), true), "days_left") == "0");

  // Two days on: noon UTC of the expiry date, but 02:00 the day after in the daemon's
  // zone: the line has expired and the lease ends.
  clock.Set(offset + 2 * 86400s);
  for (const auto end = steady_clock::now() + 3s; h.lost.empty() && steady_clock::now() < end;) {
    h.Heartbeat();
    std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE_EQUAL(h.lost.size(), 1u);
  BOOST_TEST(h.lost[0].lease == h.grant.lease);
  BOOST_TEST(static_cast<int>(h.lost[0].code) == static_cast<int>(Errc::kLeaseExpired));
  const std::string status = RawClient::StatusOf(d.port(), true);
  BOOST_TEST(JsonValue(status, "in_use") == "0", status);
  BOOST_TEST(!LeaseListed(status, h.grant.lease), status);
  BOOST_TEST(static_cast<int>(DenialCode(CheckoutReply(d.port(), "bob"))) ==
             static_cast<int>(Errc::kExpired));
  // The day change brought the expired warning; the expiry day brought none (same band).
  BOOST_TEST(Count(d.log(), "event=license.expiring") == 1u, d.log());
  BOOST_TEST(Count(d.log(), "event=license.expired") == 1u, d.log());

  // Dates follow the clock back, too.
  clock.Set(offset);
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(std::holds_alternative<p::Granted>(CheckoutReply(d.port(), "carol")));
}

// A lease whose line is not in force at the new date ends as at expiry (lease_expired):
// the daemon keeps leases only on lines in force today, whichever way the date moved.
BOOST_AUTO_TEST_CASE(a_jump_back_before_the_start_date_makes_checkouts_not_yet_valid) {
  const sys_seconds noon = NoonUtc();
  const auto offset = duration_cast<seconds>(noon - RealNow());
  // START is the daemon's today, which is tomorrow in UTC: only a daemon that takes
  // dates in its own zone grants the first checkout.
  const year_month_day start = ZoneDay(noon);
  DaemonFixture d(
      "VENDOR demo\nFEATURE cad demo 1.0 permanent 3 START=" + LicenseDate(start) + " SN=S-1\n",
      "demo", LeaseOptions(), /*start=*/false);
  WallClock clock(d.dir() / "offset");
  StartShifted(d, clock, offset, kZone);
  Holder h(d.port(), "alice");

  clock.Set(offset - 86400s);
  for (const auto end = steady_clock::now() + 3s; h.lost.empty() && steady_clock::now() < end;) {
    h.Heartbeat();
    std::this_thread::sleep_for(100ms);
  }
  const p::Message refused = CheckoutReply(d.port(), "bob");
  BOOST_TEST(static_cast<int>(DenialCode(refused)) == static_cast<int>(Errc::kNotYetValid));
  if (const auto* denied = std::get_if<p::Denied>(&refused)) {
    BOOST_TEST_MESSAGE("denial: " << denied->message);
  }
  BOOST_REQUIRE_EQUAL(h.lost.size(), 1u);
  BOOST_TEST(static_cast<int>(h.lost[0].code) == static_cast<int>(Errc::kLeaseExpired));

  clock.Set(offset);
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(std::holds_alternative<p::Granted>(CheckoutReply(d.port(), "carol")));
}

BOOST_AUTO_TEST_SUITE_END()
