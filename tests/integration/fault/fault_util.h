// Shared by the fault tests: a well-behaved client that holds a seat and measures its
// heartbeat round trips on its own thread while a test attacks the daemon, and small
// protocol helpers.
#ifndef FLOATLM_TESTS_FAULT_FAULT_UTIL_H_
#define FLOATLM_TESTS_FAULT_FAULT_UTIL_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "raw_client.h"

namespace floatlm::testing {

// Holds one seat of `feature` and heartbeats every `interval` until Stop(). Boost.Test
// assertions are not thread-safe, so the thread only records; the test checks the
// results after Stop().
class SeatHolder {
 public:
  // `tls_ca` non-empty: over TLS, the daemon's certificate checked against that CA.
  SeatHolder(int port, const std::string& feature,
             std::chrono::milliseconds interval = std::chrono::milliseconds(50),
             const std::string& tls_ca = "")
      : client_(tls_ca.empty() ? RawClient::Tcp(port) : RawClient::Tls(port, tls_ca)),
        interval_(interval) {
    client_.Hello("holder", "ws-holder");
    auto reply = client_.Call(1, proto::Checkout{feature});
    if (reply) {
      if (const auto* g = std::get_if<proto::Granted>(&*reply)) lease_ = g->lease;
    }
  }
  ~SeatHolder() { Stop(); }

  bool has_seat() const { return lease_ != 0; }
  std::uint64_t lease() const { return lease_; }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // After Stop(): every heartbeat answered OK with COUNT 1 (the seat was never lost)?
  int failures() const { return failures_; }
  std::size_t samples() const { return rtt_us_.size(); }
  double median_ms() const { return Percentile(0.50); }
  double p99_ms() const { return Percentile(0.99); }
  double max_ms() const { return Percentile(1.0); }
  std::string Summary() const {
    return "heartbeats=" + std::to_string(samples()) + " failures=" + std::to_string(failures_) +
           " median_ms=" + std::to_string(median_ms()) + " p99_ms=" + std::to_string(p99_ms()) +
           " max_ms=" + std::to_string(max_ms());
  }

 private:
  // At least one heartbeat, even when Stop() comes before the thread first runs: a
  // test that ends quickly still learns whether the seat was kept.
  void Run() {
    std::uint32_t id = 100;
    do {
      const auto start = std::chrono::steady_clock::now();
      auto reply = client_.Call(++id, proto::Heartbeat{});
      const auto took = std::chrono::steady_clock::now() - start;
      const auto* ok = reply ? std::get_if<proto::Ok>(&*reply) : nullptr;
      if (!ok || ok->count != 1) ++failures_;
      rtt_us_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
      if (!stop_) std::this_thread::sleep_for(interval_);
    } while (!stop_);
  }
  double Percentile(double q) const {
    if (rtt_us_.empty()) return 0;
    std::vector<long long> sorted = rtt_us_;
    std::sort(sorted.begin(), sorted.end());
    const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1));
    return static_cast<double>(sorted[i]) / 1000.0;
  }

  RawClient client_;
  std::chrono::milliseconds interval_;
  std::uint64_t lease_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  int failures_ = 0;
  std::vector<long long> rtt_us_;
};

}  // namespace floatlm::testing

#endif  // FLOATLM_TESTS_FAULT_FAULT_UTIL_H_
