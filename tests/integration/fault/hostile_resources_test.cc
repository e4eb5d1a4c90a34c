// Attacks on the daemon's resources by clients without credentials, each against the
// real floatlmd on loopback with a well-behaved client heartbeating throughout:
// pipelined requests whose replies are never read, floods of denials, and length
// prefixes that claim memory. Each checks the bound RELIABILITY.md promises (memory,
// state directory size, the good client's latency against its quiet value).
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.h"
#include "fault_util.h"
#include "raw_client.h"

namespace p = floatlm::proto;
using floatlm::Errc;
using floatlm::testing::DaemonFixture;
using floatlm::testing::Frame;
using floatlm::testing::RawClient;
using floatlm::testing::SeatHolder;
using namespace std::chrono_literals;

namespace {

// The daemon's resident memory in MiB (VmRSS), or -1.
long RssMiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  }
  return -1;
}

// Samples the daemon's RSS every 50 ms on its own thread; Max() after Stop().
class RssSampler {
 public:
  explicit RssSampler(pid_t pid) : pid_(pid), thread_([this] { Run(); }) {}
  ~RssSampler() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  long Max() const { return max_; }

 private:
  void Run() {
    while (!stop_) {
      max_ = std::max(max_, RssMiB(pid_));
      std::this_thread::sleep_for(50ms);
    }
  }
  pid_t pid_;
  std::atomic<bool> stop_{false};
  long max_ = 0;
  std::thread thread_;
};

// Checks out `n` seats of `feature` on one connection, pipelined in batches.
RawClient HoldLeases(int port, const std::string& feature, int n) {
  auto c = RawClient::Tcp(port);
  c.Hello("filler", "ws-filler");
  std::uint32_t id = 10;
  for (int done = 0; done < n;) {
    const int batch = std::min(1000, n - done);
    std::string frames;
    for (int i = 0; i < batch; ++i) frames += Frame(++id, p::Checkout{feature});
    c.SendBytes(frames);
    for (int i = 0; i < batch; ++i) {
      auto reply = c.Receive(10s);
      BOOST_REQUIRE(reply);
      BOOST_REQUIRE(std::holds_alternative<p::Granted>(reply->msg));
    }
    done += batch;
  }
  return c;
}

std::uintmax_t DirectoryBytes(const std::filesystem::path& dir) {
  std::uintmax_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

// The good client's quiet heartbeat p99 and the bound an attack must stay within: twice
// the quiet value, and never below 3 ms (a loopback round trip is tens of microseconds,
// and on a shared 2-core machine the scheduler alone moves single samples by that much).
//
// Under AddressSanitizer (the CI build) every allocation and copy of the daemon costs
// several times what it does in a release build while the kernel's loopback does not,
// so a heartbeat waiting behind one slice of work waits longer relative to its own
// round trip: there the bound is five times the quiet value, and never below 10 ms.
// The plain build (`scripts/test`) checks the 2x bound RELIABILITY.md states.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kLatencyFactor = 5.0, kLatencyFloorMs = 10.0;
#else
constexpr double kLatencyFactor = 2.0, kLatencyFloorMs = 3.0;
#endif
double LatencyBound(double quiet_p99) {
  return std::max(kLatencyFactor * quiet_p99, kLatencyFloorMs);
}

double QuietP99(int port, const std::string& feature) {
  SeatHolder quiet(port, feature, 10ms);
  BOOST_REQUIRE(quiet.has_seat());
  quiet.Start();
  std::this_thread::sleep_for(3s);
  quiet.Stop();
  BOOST_TEST_MESSAGE("quiet: " << quiet.Summary());
  return quiet.p99_ms();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_resources)

// Issue: 50 pipelined STATUS requests against 20,000 held leases, never read, drove the
// daemon to 691 MB and stalled everyone's heartbeats for seconds; six such clients
// reached 2.15 GB. A connection that owes more than its budget is no longer read.
BOOST_AUTO_TEST_CASE(unread_status_replies_neither_grow_memory_nor_stall_others) {
  DaemonFixture d(
      "VENDOR demo\nFEATURE cad demo 2027.0 permanent 4 SN=F-1\n"
      "FEATURE big demo 1.0 permanent 20000 SN=F-2\n",
      "demo", {"--max-checkouts-per-second", "0"}, /*start=*/false);  // the filler takes 20,000
  // Under AddressSanitizer freed memory waits in a 256 MiB quarantine before reuse, so
  // RSS would measure the quarantine: the daemon is told to keep 4 MiB.
  if (const char* asan = std::getenv("ASAN_OPTIONS")) {
    d.SetEnvironment({std::string("ASAN_OPTIONS=") + asan + ":quarantine_size_mb=4"});
  }
  d.Start();
  auto filler = HoldLeases(d.port(), "big", 20000);
  const long base_rss = RssMiB(d.pid());
  const double quiet = QuietP99(d.port(), "cad");

  SeatHolder holder(d.port(), "cad", 10ms);
  BOOST_REQUIRE(holder.has_seat());
  RssSampler rss(d.pid());
  holder.Start();
  std::vector<RawClient> hogs;
  for (int h = 0; h < 6; ++h) {
    hogs.push_back(RawClient::Tcp(d.port()));
    p::Hello hello;
    hello.user = "hog" + std::to_string(h);
    hello.host = "ws-hog";
    std::string frames = Frame(1, hello);
    for (std::uint32_t i = 0; i < 200; ++i) frames += Frame(100 + i, p::Status{"", 0});
    hogs.back().SendBytes(frames);  // about 4.8 KB of requests, and nothing read
  }
  std::this_thread::sleep_for(8s);
  holder.Stop();
  rss.Stop();
  BOOST_TEST_MESSAGE("under attack: " << holder.Summary() << "; rss base=" << base_rss
                                      << " MiB max=" << rss.Max() << " MiB");
  BOOST_TEST(holder.failures() == 0);
  BOOST_TEST(holder.p99_ms() <= LatencyBound(quiet), "heartbeat p99 " << holder.p99_ms()
                                                                    << " ms, quiet " << quiet);
  // Each connection may owe its budget (1 MiB) plus what the kernel holds for it.
  BOOST_TEST(rss.Max() - base_rss < 64, "RSS grew from " << base_rss << " to " << rss.Max());
  BOOST_TEST(d.Running());
  // A hog that starts reading gets every reply it asked for, in order.
  auto& reader = hogs.front();
  auto ok = reader.Receive(20s);
  BOOST_REQUIRE(ok);
  BOOST_REQUIRE(std::holds_alternative<p::HelloOk>(ok->msg));
  for (std::uint32_t i = 0; i < 200; ++i) {
    bool last = false;
    while (!last) {
      auto reply = reader.Receive(20s);
      BOOST_REQUIRE(reply);
      BOOST_REQUIRE(reply->request_id == 100 + i);
      last = std::get<p::StatusChunk>(reply->msg).last;
    }
  }
}

// Sums the DENIALS column of `floatlm report --csv` (today's rows); the whole report
// goes to *text.
long ReportedDenials(const DaemonFixture& d, std::string* text) {
  std::string out;
  const int rc = floatlm::testing::RunCommand(
      {floatlm::testing::BinPath("floatlm"), "report", "--csv"}, &out,
      {"FLOATLM_ADMIN_SOCKET=" + (d.dir() / "admin.sock").string(),
       "FLOATLM_LICENSE=" + d.license_env()});
  BOOST_REQUIRE_MESSAGE(rc == 0, out);
  *text = out;
  long total = 0;
  std::size_t start = out.find('\n') + 1;  // past the header
  while (start < out.size() && out[start] != '\n') {
    const std::string line = out.substr(start, out.find('\n', start) - start);
    start += line.size() + 1;
    // feature,day,peak_leases,lease_hours,distinct_users,denials,denials_by_reason
    std::size_t at = 0;
    for (int comma = 0; comma < 5; ++comma) at = line.find(',', at) + 1;
    total += std::stol(line.substr(at, line.find(',', at) - at));
  }
  return total;
}

// Raises this process's descriptor limit as far as allowed; returns how many
// connections it may open, keeping a margin for everything else.
int ConnectionsAllowed(int wanted) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return static_cast<int>(std::min<rlim_t>(wanted, rl.rlim_cur > 200 ? rl.rlim_cur - 200 : 0));
}

// A length prefix that claims 64 KiB followed by one byte: the daemon used to size each
// read buffer by the claim, so 800 such connections held 50 MiB for 800 bytes.
// Buffers now grow with what arrives, and a request left incomplete is cut.
BOOST_AUTO_TEST_CASE(claimed_frames_hold_no_memory_and_stalled_ones_are_cut) {
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 permanent 4 SN=F-1\n", "demo",
                  {"--hello-timeout", "3"});
  const int n = ConnectionsAllowed(800);
  BOOST_REQUIRE_MESSAGE(n >= 400, "this process may open only " << n << " connections");
  SeatHolder holder(d.port(), "cad", 10ms);
  BOOST_REQUIRE(holder.has_seat());
  holder.Start();
  const long base_rss = RssMiB(d.pid());
  std::vector<RawClient> claimers;
  for (int i = 0; i < n; ++i) {
    claimers.push_back(RawClient::Tcp(d.port()));
    claimers.back().Hello("claimer" + std::to_string(i), "ws-claim");
    const std::uint32_t claim = p::kMaxFrameBody;
    std::string bytes = {static_cast<char>(claim >> 24), static_cast<char>(claim >> 16),
                         static_cast<char>(claim >> 8), static_cast<char>(claim), 'x'};
    claimers.back().SendBytes(bytes);
  }
  std::this_thread::sleep_for(500ms);
  const long claimed_rss = RssMiB(d.pid());
  BOOST_TEST_MESSAGE(n << " claimed frames: rss " << base_rss << " -> " << claimed_rss << " MiB");
  // 800 sessions with their 512-byte buffers and sockets: a few MiB, not 800 x 64 KiB.
  BOOST_TEST(claimed_rss - base_rss < 16, "RSS grew from " << base_rss << " to " << claimed_rss);
  int closed = 0;
  for (auto& c : claimers) closed += c.WaitClosed(10s) ? 1 : 0;
  BOOST_TEST(closed == n, closed << " of " << n << " stalled requests were cut");
  BOOST_TEST(d.log().find("event=client.stalled_frame") != std::string::npos);
  holder.Stop();
  BOOST_TEST(holder.failures() == 0, holder.Summary());
  BOOST_TEST(d.Running());
}

// Unfinished requests of all connections together hold at most --max-input-buffer: past
// it the connection whose request would need more is closed, and others are served.
BOOST_AUTO_TEST_CASE(unfinished_requests_stop_at_the_input_limit) {
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 permanent 4 SN=F-1\n", "demo",
                  {"--max-input-buffer", "1", "--hello-timeout", "4"});
  SeatHolder holder(d.port(), "cad", 10ms);
  BOOST_REQUIRE(holder.has_seat());
  holder.Start();
  // 40 KiB of a 64 KiB frame each: a 64 KiB buffer apiece, so about 16 fit in 1 MiB.
  const std::uint32_t claim = p::kMaxFrameBody;
  std::string part = {static_cast<char>(claim >> 24), static_cast<char>(claim >> 16),
                      static_cast<char>(claim >> 8), static_cast<char>(claim)};
  part.append(40 * 1024, 'x');
  std::vector<RawClient> big;
  for (int i = 0; i < 30; ++i) {
    big.push_back(RawClient::Tcp(d.port()));
    big.back().Hello("big" + std::to_string(i), "ws-big");
    big.back().SendBytes(part);
  }
  std::this_thread::sleep_for(1s);
  int refused = 0;
  for (auto& c : big) refused += c.WaitClosed(50ms) ? 1 : 0;
  BOOST_TEST_MESSAGE(refused << " of 30 connections refused at the 1 MiB input limit");
  BOOST_TEST(refused >= 10);
  BOOST_TEST(refused <= 20);
  BOOST_TEST(d.log().find("event=client.input_limit") != std::string::npos);
  // Small requests need no claim: a newcomer is served while the limit is reached.
  auto late = RawClient::Tcp(d.port());
  late.Hello("late", "ws9");
  auto reply = late.Call(2, p::Checkout{"cad"});
  BOOST_REQUIRE(reply);
  BOOST_TEST(std::holds_alternative<p::Granted>(*reply));
  // Once the stalled ones are cut, what they held is free again.
  for (auto& c : big) BOOST_TEST(c.WaitClosed(10s));
  auto again = RawClient::Tcp(d.port());
  again.Hello("again", "ws10");
  again.SendBytes(part);
  BOOST_TEST(!again.WaitClosed(1s), "the input claimed by closed connections was not returned");
  holder.Stop();
  BOOST_TEST(holder.failures() == 0, holder.Summary());
}

// Issue: 100,000 checkouts of made-up 256-byte feature names grew the state directory
// by 462 MB and the log by 146 MB. Denials are folded per connection, feature and reason
// into one journal entry a minute, and a feature no license names is counted without its
// name; checkouts past a connection's rate are refused before the engine.
BOOST_AUTO_TEST_CASE(a_flood_of_denials_neither_fills_the_disk_nor_the_log) {
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 permanent 4 SN=F-1\n");
  SeatHolder holder(d.port(), "cad", 10ms);
  BOOST_REQUIRE(holder.has_seat());
  const double quiet = QuietP99(d.port(), "cad");
  holder.Start();
  const auto state_before = DirectoryBytes(d.state_dir());
  const auto log_before = std::filesystem::file_size(d.log_path());

  constexpr int kConnections = 2, kEach = 50'000, kBatch = 500;
  std::vector<std::thread> flooders;
  std::atomic<long> denied{0}, unexpected{0};
  for (int c = 0; c < kConnections; ++c) {
    flooders.emplace_back([&, c] {
      auto flood = RawClient::Tcp(d.port());
      flood.Hello("flood" + std::to_string(c), "ws-flood");
      std::uint32_t id = 10;
      // Paced at 10,000 requests a second per connection (the reported attack: 100,000
      // in 6.6 s), so the run measures the daemon, not loopback contention.
      auto next = std::chrono::steady_clock::now();
      for (int sent = 0; sent < kEach; sent += kBatch) {
        std::this_thread::sleep_until(next);
        next += 50ms;
        std::string frames;
        for (int i = 0; i < kBatch; ++i) {
          std::string name = "made-up-" + std::to_string(c) + "-" + std::to_string(sent + i) + "-";
          name.resize(256, 'x');
          frames += Frame(++id, p::Checkout{name});
        }
        flood.SendBytes(frames);
        for (int i = 0; i < kBatch; ++i) {
          auto reply = flood.Receive(30s);
          if (reply && std::holds_alternative<p::Denied>(reply->msg)) {
            ++denied;
          } else {
            ++unexpected;
          }
        }
      }
    });
  }
  for (auto& t : flooders) t.join();
  holder.Stop();
  BOOST_TEST(denied == kConnections * kEach);
  BOOST_TEST(unexpected == 0);
  BOOST_TEST_MESSAGE("during the flood: " << holder.Summary());
  BOOST_TEST(holder.failures() == 0);
  BOOST_TEST(holder.p99_ms() <= LatencyBound(quiet), "heartbeat p99 " << holder.p99_ms()
                                                                    << " ms, quiet " << quiet);

  // The report counts every denial, the ones folded into counts included.
  std::string report;
  const long reported = ReportedDenials(d, &report);
  BOOST_TEST(reported == kConnections * kEach, report);
  BOOST_TEST(report.find("(name not kept)") != std::string::npos, report);
  // Past 1,000 a second, a connection's checkouts are refused before the engine.
  BOOST_TEST(report.find("too_many_requests") != std::string::npos, report);
  BOOST_TEST(report.find("no_such_feature") != std::string::npos, report);
  BOOST_TEST(report.find("made-up") == std::string::npos, "a made-up name reached the journal");

  const auto state_after = DirectoryBytes(d.state_dir());
  const auto log_after = std::filesystem::file_size(d.log_path());
  BOOST_TEST_MESSAGE("state directory " << state_before << " -> " << state_after << " bytes, log "
                                        << log_before << " -> " << log_after << " bytes");
  // RELIABILITY.md P37: a few entries per flooding connection, not one per request.
  BOOST_TEST(state_after - state_before < 1u << 20);
  BOOST_TEST(log_after - log_before < 64u << 10);
  BOOST_TEST(d.Running());
}

// Issue: floods made one warning per request or connection. Past 100 lines of one
// event in a second the log counts them and says so in one log.suppressed line.
BOOST_AUTO_TEST_CASE(repeated_warnings_are_counted_not_written) {
  DaemonFixture d("VENDOR demo\nFEATURE cad demo 2027.0 permanent 4 SN=F-1\n");
  const int n = ConnectionsAllowed(1000);
  BOOST_REQUIRE(n >= 500);
  const std::string bad = {'\x7f', '\x7f', '\x7f', '\x7f'};  // a length out of range
  for (int i = 0; i < n; ++i) {
    auto c = RawClient::Tcp(d.port());
    c.SendBytes(bad);
    BOOST_TEST(c.WaitClosed(5s));
  }
  std::this_thread::sleep_for(2500ms);  // a tick's Flush reports the last second
  const std::string log = d.log();
  long written = 0, suppressed = 0;
  for (std::size_t at = 0; (at = log.find("event=client.bad_frame", at)) != std::string::npos; ++at) {
    ++written;
  }
  const std::string marker = "event=log.suppressed for=client.bad_frame count=";
  for (std::size_t at = 0; (at = log.find(marker, at)) != std::string::npos; ++at) {
    suppressed += std::stol(log.substr(at + marker.size()));
  }
  BOOST_TEST_MESSAGE(n << " bad frames: " << written << " lines written, " << suppressed
                       << " counted in log.suppressed");
  BOOST_TEST(suppressed > 0);
  BOOST_TEST(written + suppressed == n);
  BOOST_TEST(d.Running());
}

BOOST_AUTO_TEST_SUITE_END()
