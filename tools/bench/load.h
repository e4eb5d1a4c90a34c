// The load generator behind floatlm-bench: C connections spread over T threads, each
// a closed loop (one request in flight per connection) speaking the real floatlm
// protocol, or plain framed echo against `floatlm-bench --echo-server`.
#ifndef FLOATLM_TOOLS_BENCH_LOAD_H_
#define FLOATLM_TOOLS_BENCH_LOAD_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "histogram.h"

namespace floatlm::bench {

enum class Mode {
  kCheckout,   // checkout + checkin pairs; each request is one sample
  kHeartbeat,  // heartbeats on a connection holding one lease
  kStatus,     // status requests (text)
  kEcho,       // framed echo of a checkout-sized frame (the reference round trip)
  kHold,       // every connection holds a lease and heartbeats at the daemon's interval
};

struct LoadConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 27000;
  Mode mode = Mode::kCheckout;
  std::string feature = "bench";
  int connections = 50;
  int threads = 2;
  int source_addresses = 1;  // bind to 127.0.0.1 .. 127.0.0.N round-robin (loopback only)
  std::chrono::milliseconds duration{5000};
  std::chrono::milliseconds warmup{500};
  std::chrono::milliseconds heartbeat_interval{0};  // kHold: 0 = the daemon's advice
};

struct LoadResult {
  Histogram latency;          // microseconds per request, after the warm-up
  std::uint64_t requests = 0;
  std::uint64_t denials = 0;  // checkouts refused (seats exhausted)
  std::uint64_t errors = 0;   // connection failures, unexpected replies
  int connected = 0;          // connections that completed HELLO
  double seconds = 0;         // measured interval
  double throughput() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

LoadResult RunLoad(const LoadConfig& config);

// Runs a framed echo server on host:port (0 = a free port, printed as
// `event=echo.listening port=N` on stderr) on one thread, until the process is stopped.
int RunEchoServer(const std::string& host, std::uint16_t port);

}  // namespace floatlm::bench

#endif  // FLOATLM_TOOLS_BENCH_LOAD_H_
