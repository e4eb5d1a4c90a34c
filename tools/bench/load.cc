#include "load.h"

#include <utility>

#include <boost/asio.hpp>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "floatlm/proto/messages.h"

namespace floatlm::bench {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Shared by all threads: whether samples count (the measured interval) and whether to stop.
struct Shared {
  std::atomic<bool> measuring{false};
  std::atomic<bool> stopping{false};
};

struct Worker {
  asio::io_context io{1};
  Histogram latency;
  std::uint64_t requests = 0, denials = 0, errors = 0;
  int connected = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Worker& worker, Shared& shared, const LoadConfig& config, int index)
      : worker_(worker), shared_(shared), config_(config), index_(index),
        socket_(worker.io), timer_(worker.io), in_(4096) {}

  void Start() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(config_.host, ec);
    if (ec) return Fail();
    socket_.open(address.is_v4() ? tcp::v4() : tcp::v6(), ec);
    if (ec) return Fail();
    if (config_.source_addresses > 1 && address.is_loopback() && address.is_v4()) {
      // Spread many connections over several loopback sources: one source address
      // has only ~28,000 ephemeral ports towards one server port.
      const auto source = asio::ip::make_address_v4(
          0x7F000001u + static_cast<unsigned>(index_ % config_.source_addresses));
      socket_.bind(tcp::endpoint(source, 0), ec);
      if (ec) return Fail();
    }
    socket_.async_connect(tcp::endpoint(address, config_.port),
                          [self = shared_from_this()](const boost::system::error_code& e) {
                            if (e) return self->Fail();
                            self->socket_.set_option(tcp::no_delay(true));
                            self->Read();
                            if (self->config_.mode == Mode::kEcho) {
                              ++self->worker_.connected;
                              self->SendCheckout();
                            } else {
                              proto::Hello hello;
                              hello.user = "bench" + std::to_string(self->index_);
                              hello.host = "benchhost";
                              hello.app = "floatlm-bench";
                              self->Send(hello);
                            }
                          });
  }

  void Stop() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
  }

 private:
  void Fail() {
    if (!shared_.stopping) ++worker_.errors;
    Stop();
  }

  void Send(const proto::Message& msg) {
    out_.clear();
    proto::EncodeFrame(++request_id_, msg, out_);
    sent_ = Clock::now();
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](const boost::system::error_code& e, std::size_t) {
                        if (e) self->Fail();
                      });
  }

  void SendCheckout() { Send(proto::Checkout{config_.feature, "", 0}); }

  void Sample() {
    if (!shared_.measuring) return;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent_);
    worker_.latency.Record(static_cast<std::uint64_t>(us.count()));
    ++worker_.requests;
  }

  void Read() {
    socket_.async_read_some(asio::buffer(in_.data() + used_, in_.size() - used_),
                            [self = shared_from_this()](const boost::system::error_code& e,
                                                        std::size_t n) {
                              if (e) return self->Fail();
                              self->used_ += n;
                              self->Parse();
                            });
  }

  void Parse() {
    std::size_t offset = 0;
    for (;;) {
      std::span<const std::uint8_t> rest(in_.data() + offset, used_ - offset);
      std::size_t body = 0;
      const auto state = proto::PeekFrame(rest, body);
      if (state == proto::FrameState::kTooLarge) return Fail();
      if (state == proto::FrameState::kNeedMore) {
        if (rest.size() >= proto::kLengthPrefix && in_.size() < proto::kLengthPrefix + proto::kMaxFrameBody) {
          in_.resize(proto::kLengthPrefix + proto::kMaxFrameBody);
        }
        break;
      }
      auto decoded = proto::DecodeBody(rest.subspan(proto::kLengthPrefix, body));
      offset += proto::kLengthPrefix + body;
      if (auto* d = std::get_if<proto::Decoded>(&decoded)) {
        OnMessage(d->msg);
      } else {
        return Fail();
      }
    }
    std::memmove(in_.data(), in_.data() + offset, used_ - offset);
    used_ -= offset;
    if (!shared_.stopping) Read();
  }

  void OnMessage(const proto::Message& msg) {
    if (shared_.stopping) return;
    if (std::holds_alternative<proto::HelloOk>(msg)) {
      ++worker_.connected;
      heartbeat_ms_ = std::get<proto::HelloOk>(msg).heartbeat_ms;
      switch (config_.mode) {
        case Mode::kStatus: return Send(proto::Status{config_.feature, 0});
        default: return SendCheckout();
      }
    }
    switch (config_.mode) {
      case Mode::kEcho:
        Sample();
        return SendCheckout();
      case Mode::kCheckout:
        if (auto* g = std::get_if<proto::Granted>(&msg)) {
          Sample();
          return Send(proto::Checkin{g->lease});
        }
        if (std::holds_alternative<proto::Denied>(msg)) {
          if (shared_.measuring) ++worker_.denials;
          Sample();
          return SendCheckout();
        }
        if (std::holds_alternative<proto::Ok>(msg)) {
          Sample();
          return SendCheckout();
        }
        break;
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
      case Mode::kHold:
        if (std::holds_alternative<proto::Granted>(msg)) return ScheduleHeartbeat();
        if (std::holds_alternative<proto::Ok>(msg)) {
          Sample();
          return ScheduleHeartbeat();
        }
        if (std::holds_alternative<proto::Denied>(msg)) {
          ++worker_.denials;
          return;
        }
        break;
    }
    if (std::holds_alternative<proto::Denied>(msg) || std::holds_alternative<proto::Error>(msg)) {
      ++worker_.errors;
    }
  }

  void ScheduleHeartbeat() {
    auto interval = config_.heartbeat_interval;
    if (interval.count() == 0) interval = std::chrono::milliseconds(heartbeat_ms_ ? heartbeat_ms_ : 30000);
    timer_.expires_after(interval);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
      if (!e && !self->shared_.stopping) self->Send(proto::Heartbeat{});
    });
  }

  Worker& worker_;
  Shared& shared_;
  const LoadConfig& config_;
  int index_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::vector<std::uint8_t> in_;
  std::size_t used_ = 0;
  std::string out_;
  std::uint32_t request_id_ = 0;
  std::uint64_t heartbeat_ms_ = 0;
  Clock::time_point sent_;
};

}  // namespace

LoadResult RunLoad(const LoadConfig& config) {
  Shared shared;
  const int threads = std::max(1, config.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>());
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

  std::this_thread::sleep_for(config.warmup);
  const auto begin = Clock::now();
  shared.measuring = true;
  std::this_thread::sleep_for(config.duration);
  shared.measuring = false;
  const auto end = Clock::now();
  shared.stopping = true;
  for (std::size_t i = 0; i < connections.size(); ++i) {
    auto c = connections[i];
    asio::post(workers[i % workers.size()]->io, [c] { c->Stop(); });
  }
  guards.clear();
  for (auto& t : pool) t.join();

  LoadResult result;
  result.seconds = std::chrono::duration<double>(end - begin).count();
  for (auto& w : workers) {
    result.latency.Merge(w->latency);
    result.requests += w->requests;
    result.denials += w->denials;
    result.errors += w->errors;
    result.connected += w->connected;
  }
  return result;
}

namespace {

// Echo: every complete frame goes back byte for byte, with the same framing checks the
// daemon applies, so a round trip costs what the protocol costs and nothing more.
class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  explicit EchoSession(tcp::socket socket) : socket_(std::move(socket)), in_(4096) {}
  void Start() {
    socket_.set_option(tcp::no_delay(true));
    Read();
  }

 private:
  void Read() {
    socket_.async_read_some(asio::buffer(in_.data() + used_, in_.size() - used_),
                            [self = shared_from_this()](const boost::system::error_code& e,
                                                        std::size_t n) {
                              if (e) return;
                              self->used_ += n;
                              self->Echo();
                            });
  }
  void Echo() {
    std::size_t offset = 0;
    out_.clear();
    for (;;) {
      std::span<const std::uint8_t> rest(in_.data() + offset, used_ - offset);
      std::size_t body = 0;
      const auto state = proto::PeekFrame(rest, body);
      if (state == proto::FrameState::kTooLarge) return;
      if (state == proto::FrameState::kNeedMore) {
        if (in_.size() < proto::kLengthPrefix + proto::kMaxFrameBody) {
          in_.resize(proto::kLengthPrefix + proto::kMaxFrameBody);
        }
        break;
      }
      // Decoding too, so the reference pays for the same parse the daemon does.
      auto decoded = proto::DecodeBody(rest.subspan(proto::kLengthPrefix, body));
      if (!std::holds_alternative<proto::Decoded>(decoded)) return;
      out_.append(reinterpret_cast<const char*>(rest.data()), proto::kLengthPrefix + body);
      offset += proto::kLengthPrefix + body;
    }
    std::memmove(in_.data(), in_.data() + offset, used_ - offset);
    used_ -= offset;
    if (out_.empty()) return Read();
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](const boost::system::error_code& e, std::size_t) {
                        if (!e) self->Read();
                      });
  }
  tcp::socket socket_;
  std::vector<std::uint8_t> in_;
  std::size_t used_ = 0;
  std::string out_;
};

void Accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](const boost::system::error_code& e, tcp::socket socket) {
    if (!e) std::make_shared<EchoSession>(std::move(socket))->Start();
    Accept(acceptor);
  });
}

}  // namespace

int RunEchoServer(const std::string& host, std::uint16_t port) {
  asio::io_context io(1);
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(asio::ip::make_address(host), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  std::fprintf(stderr, "info event=echo.listening port=%u\n", acceptor.local_endpoint().port());
  Accept(acceptor);
  io.run();  // one thread, like the daemon's event loop
  return 0;
}

}  // namespace floatlm::bench
