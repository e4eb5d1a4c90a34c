#include "fake_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace floatlm::testing {
namespace {

int Listen(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    throw std::runtime_error("fake server cannot listen");
  }
  return fd;
}

int PortOf(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

void SendAll(int fd, const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

FakeServer::FakeServer(Handler handler, int port) : handler_(std::move(handler)) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe");
  listen_fd_ = Listen(port);
  port_ = PortOf(listen_fd_);
  thread_ = std::thread([this] { Loop(); });
}

FakeServer::~FakeServer() {
  stop_ = true;
  [[maybe_unused]] ssize_t n = ::write(wake_[1], "x", 1);
  thread_.join();
  std::lock_guard lk(mu_);
  for (int fd : conns_) ::close(fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void FakeServer::DropConnections() {
  drop_ = true;
  [[maybe_unused]] ssize_t n = ::write(wake_[1], "x", 1);
  for (int i = 0; i < 200 && drop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void FakeServer::Stop() {
  {
    std::lock_guard lk(mu_);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
  }
  DropConnections();
}

void FakeServer::Start() {
  std::lock_guard lk(mu_);
  if (listen_fd_ < 0) listen_fd_ = Listen(port_);
  [[maybe_unused]] ssize_t n = ::write(wake_[1], "x", 1);
}

void FakeServer::Broadcast(const proto::Message& msg) {
  std::string frame;
  proto::EncodeFrame(0, msg, frame);
  std::lock_guard lk(mu_);
  broadcasts_.push_back(std::move(frame));
  [[maybe_unused]] ssize_t n = ::write(wake_[1], "x", 1);
}

int FakeServer::count(proto::MsgType type) const {
  std::lock_guard lk(mu_);
  return counts_[static_cast<int>(type) & 127];
}

proto::Hello FakeServer::last_hello() const {
  std::lock_guard lk(mu_);
  return last_hello_;
}

void FakeServer::Loop() {
  while (!stop_) {
    std::vector<pollfd> fds;
    {
      std::lock_guard lk(mu_);
      if (drop_) {
        for (int fd : conns_) ::close(fd);
        conns_.clear();
        inbufs_.clear();
        drop_ = false;
      }
      for (const std::string& frame : broadcasts_) {
        for (int fd : conns_) SendAll(fd, frame);
      }
      broadcasts_.clear();
      fds.push_back({wake_[0], POLLIN, 0});
      fds.push_back({listen_fd_, POLLIN, 0});
      for (int fd : conns_) fds.push_back({fd, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    if (fds[0].revents != 0) {
      char buf[64];
      while (::read(wake_[0], buf, sizeof(buf)) > 0) {
      }
    }
    std::lock_guard lk(mu_);
    if (fds[1].fd >= 0 && fds[1].fd == listen_fd_ && (fds[1].revents & POLLIN) != 0) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        conns_.push_back(fd);
        inbufs_.emplace_back();
      }
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      std::size_t idx = 0;
      while (idx < conns_.size() && conns_[idx] != fds[i].fd) ++idx;
      if (idx == conns_.size()) continue;
      char buf[4096];
      const ssize_t n = ::recv(conns_[idx], buf, sizeof(buf), 0);
      if (n <= 0) {
        ::close(conns_[idx]);
        conns_.erase(conns_.begin() + static_cast<std::ptrdiff_t>(idx));
        inbufs_.erase(inbufs_.begin() + static_cast<std::ptrdiff_t>(idx));
        continue;
      }
      std::string& in = inbufs_[idx];
      in.append(buf, static_cast<std::size_t>(n));
      for (;;) {
        const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(in.data()),
                                                  in.size());
        std::size_t body = 0;
        if (proto::PeekFrame(bytes, body) != proto::FrameState::kReady) break;
        auto decoded = proto::DecodeBody(bytes.subspan(proto::kLengthPrefix, body));
        in.erase(0, proto::kLengthPrefix + body);
        auto* d = std::get_if<proto::Decoded>(&decoded);
        if (d == nullptr) continue;
        counts_[static_cast<int>(proto::TypeOf(d->msg)) & 127]++;
        std::vector<Reply> replies = handler_(*d);
        if (const auto* hello = std::get_if<proto::Hello>(&d->msg)) {
          last_hello_ = *hello;
          if (replies.empty()) {
            replies.push_back({d->request_id, proto::HelloOk{1, "fake", 1, 4000, 100, 2000}});
          }
        }
        std::string out;
        for (const Reply& r : replies) proto::EncodeFrame(r.request_id, r.msg, out);
        SendAll(conns_[idx], out);
      }
    }
  }
}

}  // namespace floatlm::testing
