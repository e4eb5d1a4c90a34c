// The load generator behind floatlm-bench: C connections spread over T threads, each
// a closed loop (one request in flight per connection) speaking the real floatlm
// protocol, or plain framed echo against `floatlm-bench --echo-server`.
#ifndef FLOATLM_TOOLS_BENCH_LOAD_H_
#define FLOATLM_TOOLS_BENCH_LOAD_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "histogram.h"

namespace floatlm::bench {

enum class Mode {
  kCheckout,   // checkout + checkin pairs; each request is one sample
  kHeartbeat,  // heartbeats on a connection holding one lease
  kStatus,     // status requests (text)
  kEcho,       // framed echo of a checkout-sized frame (the reference round trip)
  kHold,       // every connection holds `leases` leases and heartbeats at an interval
  kCascade,    // checkout of each of `features` in order, then checkin of them all
  kIdle,       // HELLO, then heartbeats at an interval, holding nothing
  kStorm,      // kHold, and when the daemon goes away: reconnect, REATTACH every lease
};

// Hold, idle and storm are "steady" modes: a connection first fills (HELLO, its leases),
// and measuring starts once every connection has filled or given up.
inline bool IsSteady(Mode m) { return m == Mode::kHold || m == Mode::kIdle || m == Mode::kStorm; }

struct LoadConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 27000;
  Mode mode = Mode::kCheckout;
  std::string feature = "bench";
  std::vector<std::string> features;  // kCascade: checked out in this order
  int leases = 1;                     // kHold, kStorm: leases per connection
  int connections = 50;
  int threads = 2;
  int source_addresses = 1;  // bind to 127.0.0.1 .. 127.0.0.N round-robin (loopback only)
  std::chrono::milliseconds duration{5000};
  std::chrono::milliseconds warmup{500};
  std::chrono::milliseconds heartbeat_interval{0};  // steady modes: 0 = the daemon's advice
  std::chrono::milliseconds fill_timeout{60000};    // steady modes: longest wait to fill
  // kStorm: after the first disconnect, how long connections keep trying to reconnect
  // and reattach before the run gives up.
  std::chrono::milliseconds storm_timeout{30000};
  std::chrono::milliseconds window{0};  // > 0: also keep a p99 per window of this length
  // Not empty: the measurement also ends, early, as soon as a file exists at this path
  // (a script measures exactly while something else runs).
  std::string stop_file;
  // Checkout modes: ask grants for their license lines and check each as an application
  // holding these keys would (licenses/evidence.h): (vendor, public key PEM).
  std::vector<std::pair<std::string, std::string>> vendor_keys;
  // The server speaks TLS: verify its certificate against `tls_ca` ("" = the system store)
  // and the host name, as libfloatlm does.
  bool tls = false;
  std::string tls_ca;
};

// kStorm: what happened between the first disconnect and the last reattach.
struct StormResult {
  bool disconnected = false;
  std::uint64_t leases = 0;       // leases held when the connections dropped
  std::uint64_t reattached = 0;   // GRANTED with the same lease id
  std::uint64_t refused = 0;      // any other answer (DENIED, ERROR, another lease)
  std::uint64_t unresolved = 0;   // still waiting when the storm timeout ran out
  double ms = 0;                  // first disconnect seen -> last lease answered
  double after_reconnect_ms = 0;  // first HELLO_OK after the disconnect -> last lease answered
};

struct LoadResult {
  Histogram latency;  // microseconds per request, after the warm-up
  std::uint64_t requests = 0;
  std::uint64_t denials = 0;       // checkouts refused (seats exhausted)
  std::uint64_t errors = 0;        // connection failures, unexpected replies, leases lost,
                                   // grants the vendor-key check refused
  std::uint64_t file_limited = 0;  // connections not opened: the open-file limit was reached
  int connected = 0;               // connections that completed HELLO
  std::uint64_t leases_held = 0;   // steady modes: leases granted while filling
  double seconds = 0;              // measured interval
  // With LoadConfig::window: the p99 (microseconds, 0 if empty) and request count of each
  // window of the measured interval; the first window starts at window_start_unix_ms.
  std::int64_t window_start_unix_ms = 0;
  std::vector<std::uint64_t> window_p99;
  std::vector<std::uint64_t> window_requests;
  StormResult storm;
  double throughput() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

// Runs the load. Steady modes print `info event=bench.filled leases=N connections=C` on
// stderr once every connection has filled; kStorm prints `info event=bench.reattached
// leases=N ms=T refused=R` once every lease held at the disconnect has been answered.
LoadResult RunLoad(const LoadConfig& config);

// Runs a framed echo server on host:port (0 = a free port, printed as
// `event=echo.listening port=N` on stderr) on one thread, until the process is stopped.
// With `tls_cert` and `tls_key` the echo server speaks TLS, as floatlmd with --tls-cert.
int RunEchoServer(const std::string& host, std::uint16_t port, const std::string& tls_cert = "",
                  const std::string& tls_key = "");

}  // namespace floatlm::bench

#endif  // FLOATLM_TOOLS_BENCH_LOAD_H_
