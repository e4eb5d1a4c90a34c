#include "load.h"

#include <unistd.h>

// <utility> before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "floatlm/licenses/evidence.h"
#include "floatlm/proto/frame_reader.h"
#include "floatlm/proto/messages.h"

namespace floatlm::bench {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// The reader's free room as an Asio buffer, grown first when it is full: to the frame
// begun, or twice the size, never past the largest frame.
asio::mutable_buffer RoomOf(proto::FrameReader& in) {
  if (in.Room().empty()) {
    in.Resize(std::min(std::max(in.frame_size(), in.capacity() * 2), proto::kLargestFrame));
  }
  const auto room = in.Room();
  return asio::buffer(room.data(), room.size());
}

std::int64_t Nanos(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// A moment several threads may report; the earliest (or the latest) report wins.
class Stamp {
 public:
  void Earliest(Clock::time_point t) {
    std::int64_t seen = ns_.load();
    while ((seen == 0 || Nanos(t) < seen) && !ns_.compare_exchange_weak(seen, Nanos(t))) {
    }
  }
  void Latest(Clock::time_point t) {
    std::int64_t seen = ns_.load();
    while (Nanos(t) > seen && !ns_.compare_exchange_weak(seen, Nanos(t))) {
    }
  }
  bool set() const { return ns_.load() != 0; }
  Clock::time_point get() const { return Clock::time_point(std::chrono::nanoseconds(ns_.load())); }

 private:
  std::atomic<std::int64_t> ns_{0};
};

double MillisBetween(const Stamp& from, const Stamp& to) {
  if (!from.set() || !to.set()) return 0;
  return std::chrono::duration<double, std::milli>(to.get() - from.get()).count();
}

// Shared by all threads: whether samples count (the measured interval) and whether to stop.
struct Shared {
  std::atomic<bool> measuring{false};
  std::atomic<bool> stopping{false};
  Clock::time_point window_start;  // written before `measuring` turns true
  // Steady modes.
  std::atomic<int> settled{0};         // connections filled or given up
  std::atomic<int> filled{0};          // connections holding everything they asked for
  std::atomic<std::uint64_t> held{0};  // leases granted while filling
  // Storm.
  Stamp first_disconnect, first_reconnect, last_answer;
  std::atomic<std::uint64_t> reattached{0}, refused{0};
};

struct Worker {
  asio::io_context io{1};
  Histogram latency;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> windowed;  // (window, microseconds)
  std::uint64_t requests = 0, denials = 0, errors = 0, file_limited = 0;
  int connected = 0;
  std::minstd_rand rng;
  // One per thread, as an application has one per client handle: it remembers the
  // lines it verified.
  licenses::EvidenceChecker trust;
  licenses::Date today;
  // --tls: the client side, as the library does it (peer and host name verified).
  std::unique_ptr<asio::ssl::context> tls;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Worker& worker, Shared& shared, const LoadConfig& config, int index)
      : worker_(worker),
        shared_(shared),
        config_(config),
        index_(index),
        socket_(worker.io),
        timer_(worker.io),
        in_(4096) {}

  void Start() { Connect(); }

  void Stop() { Close(); }

 private:
  enum class Phase { kFilling, kSteady, kReattaching };
  struct Held {
    std::uint64_t id = 0, token = 0;
    bool answered = false;  // storm: counted as reattached or refused
  };

  // Every connect gets a new generation; handlers of an older socket see it and do nothing.
  void Connect() {
    ++generation_;
    in_.Clear();
    tls_.reset();
    socket_ = tcp::socket(worker_.io);
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(config_.host, ec);
    if (ec) return Lost();
    socket_.open(address.is_v4() ? tcp::v4() : tcp::v6(), ec);
    if (ec == asio::error::no_descriptors ||
        ec == boost::system::errc::too_many_files_open_in_system) {
      ++worker_.file_limited;
      return GiveUp();
    }
    if (ec) return Lost();
    if (config_.source_addresses > 1 && address.is_loopback() && address.is_v4()) {
      // Spread many connections over several loopback sources: one source address
      // has only ~28,000 ephemeral ports towards one server port.
      const auto source = asio::ip::make_address_v4(
          0x7F000001u + static_cast<unsigned>(index_ % config_.source_addresses));
      socket_.bind(tcp::endpoint(source, 0), ec);
      if (ec) return Lost();
    }
    socket_.async_connect(
        tcp::endpoint(address, config_.port),
        [self = shared_from_this(), g = generation_](const boost::system::error_code& e) {
          if (g != self->generation_) return;
          if (e) return self->Lost();
          self->OnConnected();
        });
  }

  void OnConnected() {
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    if (worker_.tls && !tls_) {
      tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *worker_.tls);
      tls_->set_verify_mode(asio::ssl::verify_peer);
      tls_->set_verify_callback(asio::ssl::host_name_verification(config_.host));
      return tls_->async_handshake(
          asio::ssl::stream_base::client,
          [self = shared_from_this(), g = generation_](const boost::system::error_code& e) {
            if (g != self->generation_) return;
            if (e) {
              if (self->worker_.errors == 0) {
                std::fprintf(stderr, "floatlm-bench: TLS handshake: %s\n", e.message().c_str());
              }
              return self->Lost();
            }
            self->OnConnected();
          });
    }
    Read();
    if (config_.mode == Mode::kEcho) {
      ++worker_.connected;
      return SendCheckout(config_.feature);
    }
    proto::Hello hello;
    hello.user = "bench" + std::to_string(index_);
    hello.host = "benchhost";
    hello.app = "floatlm-bench";
    hello.want_license_lines = !worker_.trust.empty();
    Send(hello);
  }

  void Close() {
    ++generation_;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
  }

  // The connection broke (connect, read or write failed, or a reply made no sense).
  void Lost() {
    if (shared_.stopping) return;
    if (config_.mode == Mode::kStorm && phase_ != Phase::kFilling) return Reconnect();
    ++worker_.errors;
    Close();
    GiveUp();
  }

  // Steady modes: this connection is done filling, with all it asked for or not.
  void Settle(bool filled) {
    if (settled_ || !IsSteady(config_.mode)) return;
    settled_ = true;
    if (filled) ++shared_.filled;
    ++shared_.settled;
  }
  void GiveUp() { Settle(false); }

  // Storm: try again until the storm timeout, then reattach every lease. The pauses are
  // the client library's: a random part of a delay that doubles from 100 ms to 5 s.
  void Reconnect() {
    Close();
    const auto now = Clock::now();
    if (phase_ == Phase::kSteady) {
      phase_ = Phase::kReattaching;
      shared_.first_disconnect.Earliest(now);
    }
    if (now - shared_.first_disconnect.get() > config_.storm_timeout) return;
    const auto pause = std::chrono::milliseconds(std::uniform_int_distribution<int>(
        reconnect_delay_ms_ / 2, reconnect_delay_ms_)(worker_.rng));
    reconnect_delay_ms_ = std::min(reconnect_delay_ms_ * 2, 5000);
    timer_.expires_after(pause);
    timer_.async_wait(
        [self = shared_from_this(), g = generation_](const boost::system::error_code& e) {
          if (!e && g == self->generation_ && !self->shared_.stopping) self->Connect();
        });
  }

  void Send(const proto::Message& msg) {
    out_.clear();
    proto::EncodeFrame(++request_id_, msg, out_);
    sent_ = Clock::now();
    auto done = [self = shared_from_this(), g = generation_](const boost::system::error_code& e,
                                                             std::size_t) {
      if (e && g == self->generation_) self->Lost();
    };
    if (tls_) return asio::async_write(*tls_, asio::buffer(out_), std::move(done));
    asio::async_write(socket_, asio::buffer(out_), std::move(done));
  }

  void SendCheckout(const std::string& feature) { Send(proto::Checkout{feature, "", 0}); }

  void Sample() {
    if (!shared_.measuring) return;
    const auto now = Clock::now();
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - sent_).count();
    worker_.latency.Record(static_cast<std::uint64_t>(us));
    ++worker_.requests;
    if (config_.window.count() > 0) {
      const auto window = (now - shared_.window_start) / config_.window;
      worker_.windowed.emplace_back(
          static_cast<std::uint32_t>(window),
          static_cast<std::uint32_t>(std::min<std::int64_t>(us, UINT32_MAX)));
    }
  }

  void Read() {
    auto done = [self = shared_from_this(), g = generation_](const boost::system::error_code& e,
                                                             std::size_t n) {
      if (g != self->generation_) return;
      if (e) return self->Lost();
      self->in_.Commit(n);
      self->Parse();
    };
    const auto buffer = RoomOf(in_);
    if (tls_) return tls_->async_read_some(buffer, std::move(done));
    socket_.async_read_some(buffer, std::move(done));
  }

  void Parse() {
    const auto generation = generation_;
    for (;;) {
      auto next = in_.NextDecoded();
      if (std::holds_alternative<proto::FrameReader::NeedMore>(next)) break;
      auto* d = std::get_if<proto::Decoded>(&next);
      if (!d) return Lost();
      OnMessage(d->msg);
      if (generation != generation_) return;  // the reply closed or replaced the socket
    }
    if (!shared_.stopping) Read();
  }

  void OnMessage(const proto::Message& msg) {
    if (shared_.stopping) return;
    if (auto* ok = std::get_if<proto::HelloOk>(&msg)) {
      if (!hello_seen_) ++worker_.connected;
      hello_seen_ = true;
      heartbeat_ms_ = ok->heartbeat_ms;
      return OnHello();
    }
    if (std::holds_alternative<proto::LeaseLost>(msg)) {
      ++worker_.errors;  // the daemon ended a lease this connection holds
      return;
    }
    switch (config_.mode) {
      case Mode::kEcho:
        Sample();
        return SendCheckout(config_.feature);
      case Mode::kCheckout:
        return OnCheckoutReply(msg);
      case Mode::kHeartbeat:
        if (std::holds_alternative<proto::Granted>(msg)) return Send(proto::Heartbeat{});
        if (std::holds_alternative<proto::Ok>(msg)) {
          Sample();
          return Send(proto::Heartbeat{});
        }
        break;
      case Mode::kStatus:
        if (auto* c = std::get_if<proto::StatusChunk>(&msg)) {
          if (!c->last) return;
          Sample();
          return Send(proto::Status{config_.feature, 0});
        }
        break;
      case Mode::kCascade:
        return OnCascadeReply(msg);
      case Mode::kHold:
      case Mode::kIdle:
      case Mode::kStorm:
        if (phase_ == Phase::kReattaching) return OnReattachReply(msg);
        return OnSteadyReply(msg);
    }
    ++worker_.errors;
  }

  void OnHello() {
    switch (config_.mode) {
      case Mode::kStatus:
        return Send(proto::Status{config_.feature, 0});
      case Mode::kCascade:
        step_ = 0;
        return NextInCascade();
      case Mode::kIdle:
        phase_ = Phase::kSteady;
        Settle(true);
        return ScheduleHeartbeat();
      case Mode::kStorm:
        if (phase_ == Phase::kReattaching) {
          shared_.first_reconnect.Earliest(Clock::now());
          next_ = 0;
          return NextReattach();
        }
        return SendCheckout(config_.feature);
      default:
        return SendCheckout(config_.feature);
    }
  }

  void OnCheckoutReply(const proto::Message& msg) {
    if (auto* g = std::get_if<proto::Granted>(&msg)) {
      if (!worker_.trust.empty()) {
        if (auto why = worker_.trust.Check(g->license_lines, g->license_lines_left_out,
                                           config_.feature, std::nullopt, worker_.today)) {
          if (worker_.errors++ == 0) std::fprintf(stderr, "floatlm-bench: %s\n", why->c_str());
        }
      }
      Sample();
      return Send(proto::Checkin{g->lease});
    }
    if (std::holds_alternative<proto::Denied>(msg)) {
      if (shared_.measuring) ++worker_.denials;
      Sample();
      return SendCheckout(config_.feature);
    }
    if (std::holds_alternative<proto::Ok>(msg)) {
      Sample();
      return SendCheckout(config_.feature);
    }
    ++worker_.errors;
  }

  // Cascade: each feature in order, then each lease checked in (in checkout order), then
  // again. A denial ends the round early: what is held is checked in.
  void OnCascadeReply(const proto::Message& msg) {
    if (auto* g = std::get_if<proto::Granted>(&msg)) {
      held_.push_back({g->lease, g->token});
    } else if (std::holds_alternative<proto::Denied>(msg)) {
      if (shared_.measuring) ++worker_.denials;
      step_ = config_.features.size();
    } else if (!std::holds_alternative<proto::Ok>(msg)) {
      ++worker_.errors;
      return;
    }
    Sample();
    NextInCascade();
  }

  void NextInCascade() {
    if (step_ < config_.features.size()) return SendCheckout(config_.features[step_++]);
    if (!held_.empty()) {
      const std::uint64_t lease = held_.front().id;
      held_.erase(held_.begin());
      return Send(proto::Checkin{lease});
    }
    step_ = 0;
    NextInCascade();
  }

  // Hold, idle, storm: check out `leases` leases one after the other, then heartbeat.
  void OnSteadyReply(const proto::Message& msg) {
    if (auto* g = std::get_if<proto::Granted>(&msg)) {
      held_.push_back({g->lease, g->token});
      ++shared_.held;
      if (held_.size() < static_cast<std::size_t>(config_.leases)) {
        return SendCheckout(config_.feature);
      }
      phase_ = Phase::kSteady;
      Settle(true);
      return ScheduleHeartbeat();
    }
    if (std::holds_alternative<proto::Ok>(msg)) {
      Sample();
      return ScheduleHeartbeat();
    }
    if (std::holds_alternative<proto::Denied>(msg)) {
      // Not enough seats: keep what was granted, heartbeating, and count the refusal.
      ++worker_.denials;
      phase_ = Phase::kSteady;
      Settle(false);
      if (!held_.empty()) ScheduleHeartbeat();
      return;
    }
    ++worker_.errors;
    Settle(false);
  }

  // Storm, after reconnecting: REATTACH each lease in turn, then heartbeat again.
  void NextReattach() {
    if (next_ < held_.size()) return Send(proto::Reattach{held_[next_].id, held_[next_].token});
    phase_ = Phase::kSteady;
    ScheduleHeartbeat();
  }

  void OnReattachReply(const proto::Message& msg) {
    if (next_ >= held_.size()) {
      ++worker_.errors;
      return;
    }
    Held& lease = held_[next_];
    // Back means the same lease: a grant of any other id would be a second seat.
    const auto* granted = std::get_if<proto::Granted>(&msg);
    const bool back = granted && granted->lease == lease.id;
    if (!lease.answered) {
      lease.answered = true;
      ++(back ? shared_.reattached : shared_.refused);
      shared_.last_answer.Latest(Clock::now());
    }
    if (back) {
      ++next_;
    } else {
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(next_));
    }
    NextReattach();
  }

  void ScheduleHeartbeat() {
    auto interval = config_.heartbeat_interval;
    if (interval.count() == 0)
      interval = std::chrono::milliseconds(heartbeat_ms_ ? heartbeat_ms_ : 30000);
    if (!beating_) {
      // The first beat at a random point of the interval: clients start at different
      // times, so their heartbeats are spread rather than in step.
      beating_ = true;
      interval = std::chrono::milliseconds(
          std::uniform_int_distribution<std::int64_t>(1, interval.count())(worker_.rng));
    }
    timer_.expires_after(interval);
    timer_.async_wait(
        [self = shared_from_this(), g = generation_](const boost::system::error_code& e) {
          if (!e && g == self->generation_ && !self->shared_.stopping)
            self->Send(proto::Heartbeat{});
        });
  }

  Worker& worker_;
  Shared& shared_;
  const LoadConfig& config_;
  int index_;
  tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;  // --tls: over socket_
  asio::steady_timer timer_;
  proto::FrameReader in_;
  std::string out_;
  std::uint32_t request_id_ = 0;
  std::uint32_t generation_ = 0;
  std::uint64_t heartbeat_ms_ = 0;
  Clock::time_point sent_;
  bool hello_seen_ = false;
  bool beating_ = false;  // the first heartbeat was scheduled
  bool settled_ = false;
  Phase phase_ = Phase::kFilling;
  std::vector<Held> held_;
  std::size_t step_ = 0;  // cascade: next feature to check out
  std::size_t next_ = 0;  // storm: next lease to reattach
  int reconnect_delay_ms_ = 100;  // storm: the next pause before a connect is at most this
};

// Steady modes: waits until every connection has filled or given up (or the fill
// timeout), and says so on stderr for scripts that act at that moment.
void WaitForFill(const Shared& shared, const LoadConfig& config) {
  const auto until = Clock::now() + config.fill_timeout;
  while (shared.settled < config.connections && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (shared.filled < config.connections) {
    std::fprintf(stderr, "warn event=bench.not_filled filled=%d connections=%d reason=\"%s\"\n",
                 shared.filled.load(), config.connections,
                 shared.settled < config.connections ? "fill timeout" : "denied or failed");
  }
  std::fprintf(stderr, "info event=bench.filled leases=%llu connections=%d\n",
               static_cast<unsigned long long>(shared.held.load()), shared.filled.load());
}

// Storm: waits up to `duration` for the connections to drop, then until every lease held
// has been answered (or the storm timeout).
void WaitForStorm(const Shared& shared, const LoadConfig& config) {
  const auto until = Clock::now() + config.duration;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto now = Clock::now();
    if (!shared.first_disconnect.set()) {
      if (now >= until) return;
      continue;
    }
    if (shared.reattached + shared.refused >= shared.held) return;
    if (now - shared.first_disconnect.get() > config.storm_timeout) return;
  }
}

// The p99 (same rank rule as Histogram::Quantile) and count of each window.
void SummarizeWindows(std::vector<std::unique_ptr<Worker>>& workers, std::size_t count,
                      LoadResult& result) {
  std::vector<std::vector<std::uint32_t>> windows(count);
  for (auto& w : workers) {
    for (const auto& [window, us] : w->windowed) {
      if (window < count) windows[window].push_back(us);
    }
  }
  for (auto& samples : windows) {
    std::uint64_t p99 = 0;
    if (!samples.empty()) {
      const auto rank = static_cast<std::size_t>(0.99 * static_cast<double>(samples.size() - 1));
      std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank),
                       samples.end());
      p99 = samples[rank];
    }
    result.window_p99.push_back(p99);
    result.window_requests.push_back(samples.size());
  }
}

}  // namespace

LoadResult RunLoad(const LoadConfig& config) {
  Shared shared;
  const int threads = std::max(1, config.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) {
    workers.push_back(std::make_unique<Worker>());
    workers.back()->rng.seed(static_cast<unsigned>(t + 1));
    if (config.tls) {
      auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      ctx->set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      if (config.tls_ca.empty()) {
        ctx->set_default_verify_paths();
      } else {
        ctx->load_verify_file(config.tls_ca);
      }
      workers.back()->tls = std::move(ctx);
    }
    for (const auto& [vendor, pem] : config.vendor_keys) {
      // bench_main checked the PEM.
      workers.back()->trust.AddKey(vendor, licenses::PublicKey::FromPem(pem).value());
    }
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    workers.back()->today = licenses::Date{std::chrono::year(tm.tm_year + 1900),
                                           std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
                                           std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
  }
  std::vector<std::shared_ptr<Connection>> connections;
  for (int i = 0; i < config.connections; ++i) {
    auto& w = *workers[static_cast<std::size_t>(i % threads)];
    connections.push_back(std::make_shared<Connection>(w, shared, config, i));
  }
  std::vector<std::thread> pool;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& w : workers) guards.emplace_back(w->io.get_executor());
  for (std::size_t i = 0; i < connections.size(); ++i) {
    auto c = connections[i];
    asio::post(workers[i % workers.size()]->io, [c] { c->Start(); });
  }
  for (auto& w : workers) pool.emplace_back([&io = w->io] { io.run(); });

  if (IsSteady(config.mode)) WaitForFill(shared, config);
  std::this_thread::sleep_for(config.warmup);
  const auto begin = Clock::now();
  const auto begin_wall = std::chrono::system_clock::now();
  shared.window_start = begin;
  shared.measuring = true;
  if (config.mode == Mode::kStorm) {
    WaitForStorm(shared, config);
  } else if (config.stop_file.empty()) {
    std::this_thread::sleep_for(config.duration);
  } else {
    const auto until = begin + config.duration;
    while (Clock::now() < until && ::access(config.stop_file.c_str(), F_OK) != 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  shared.measuring = false;
  const auto end = Clock::now();

  LoadResult result;
  if (shared.first_disconnect.set()) {
    StormResult& s = result.storm;
    s.disconnected = true;
    s.leases = shared.held;
    s.reattached = shared.reattached;
    s.refused = shared.refused;
    s.unresolved = s.leases - std::min(s.leases, s.reattached + s.refused);
    s.ms = MillisBetween(shared.first_disconnect, shared.last_answer);
    s.after_reconnect_ms = MillisBetween(shared.first_reconnect, shared.last_answer);
    std::fprintf(
        stderr, "info event=bench.reattached leases=%llu ms=%.0f refused=%llu unresolved=%llu\n",
        static_cast<unsigned long long>(s.reattached), s.ms,
        static_cast<unsigned long long>(s.refused), static_cast<unsigned long long>(s.unresolved));
  }

  shared.stopping = true;
  for (std::size_t i = 0; i < connections.size(); ++i) {
    auto c = connections[i];
    asio::post(workers[i % workers.size()]->io, [c] { c->Stop(); });
  }
  guards.clear();
  for (auto& t : pool) t.join();

  result.seconds = std::chrono::duration<double>(end - begin).count();
  result.leases_held = shared.held;
  for (auto& w : workers) {
    result.latency.Merge(w->latency);
    result.requests += w->requests;
    result.denials += w->denials;
    result.errors += w->errors;
    result.file_limited += w->file_limited;
    result.connected += w->connected;
  }
  if (config.window.count() > 0) {
    result.window_start_unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(begin_wall.time_since_epoch())
            .count();
    const auto count = static_cast<std::size_t>((end - begin) / config.window) + 1;
    SummarizeWindows(workers, count, result);
  }
  return result;
}

namespace {

// Echo: every complete frame goes back byte for byte, with the same framing checks the
// daemon applies, so a round trip costs what the protocol costs and nothing more.
class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  EchoSession(tcp::socket socket, asio::ssl::context* tls)
      : socket_(std::move(socket)), in_(4096) {
    if (tls != nullptr) tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls);
  }
  void Start() {
    socket_.set_option(tcp::no_delay(true));
    if (!tls_) return Read();
    tls_->async_handshake(asio::ssl::stream_base::server,
                          [self = shared_from_this()](const boost::system::error_code& e) {
                            if (!e) self->Read();
                          });
  }

 private:
  void Read() {
    auto done = [self = shared_from_this()](const boost::system::error_code& e, std::size_t n) {
      if (e) return;
      self->in_.Commit(n);
      self->Echo();
    };
    const auto buffer = RoomOf(in_);
    if (tls_) return tls_->async_read_some(buffer, std::move(done));
    socket_.async_read_some(buffer, std::move(done));
  }
  void Echo() {
    out_.clear();
    for (;;) {
      const auto frame = in_.Next();
      if (frame.state == proto::FrameReader::State::kBadLength) return;
      if (frame.state == proto::FrameReader::State::kNeedMore) break;
      // Decoding too, so the reference pays for the same parse the daemon does.
      auto decoded = proto::DecodeBody(frame.body);
      if (!std::holds_alternative<proto::Decoded>(decoded)) return;
      const auto size = static_cast<std::uint32_t>(frame.body.size());
      for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(size >> shift));
      out_.append(reinterpret_cast<const char*>(frame.body.data()), frame.body.size());
    }
    if (out_.empty()) return Read();
    auto done = [self = shared_from_this()](const boost::system::error_code& e, std::size_t) {
      if (!e) self->Read();
    };
    if (tls_) return asio::async_write(*tls_, asio::buffer(out_), std::move(done));
    asio::async_write(socket_, asio::buffer(out_), std::move(done));
  }
  tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
  proto::FrameReader in_;
  std::string out_;
};

void Accept(tcp::acceptor& acceptor, asio::ssl::context* tls) {
  acceptor.async_accept([&acceptor, tls](const boost::system::error_code& e, tcp::socket socket) {
    if (!e) std::make_shared<EchoSession>(std::move(socket), tls)->Start();
    Accept(acceptor, tls);
  });
}

}  // namespace

int RunEchoServer(const std::string& host, std::uint16_t port, const std::string& tls_cert,
                  const std::string& tls_key) {
  asio::io_context io(1);
  // The daemon's settings (server/tls_context.cc): TLS 1.2 at least, no tickets.
  std::unique_ptr<asio::ssl::context> tls;
  if (!tls_cert.empty()) {
    tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | SSL_OP_NO_TICKET);
    tls->use_certificate_chain_file(tls_cert);
    tls->use_private_key_file(tls_key, asio::ssl::context::pem);
  }
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(asio::ip::make_address(host), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  std::fprintf(stderr, "info event=echo.listening port=%u\n", acceptor.local_endpoint().port());
  Accept(acceptor, tls.get());
  io.run();  // one thread, like the daemon's event loop
  return 0;
}

}  // namespace floatlm::bench
