#include "raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace floatlm::testing {

RawClient RawClient::Tcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  return RawClient(fd);
}

RawClient RawClient::Unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot connect to " + path);
  }
  return RawClient(fd);
}

RawClient::RawClient(RawClient&& other) noexcept : fd_(other.fd_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

void RawClient::SendBytes(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;  // the peer may have closed: that is what some tests expect
    off += static_cast<std::size_t>(n);
  }
}

void RawClient::Send(std::uint32_t id, const proto::Message& msg) {
  std::string frame;
  proto::EncodeFrame(id, msg, frame);
  SendBytes(frame);
}

std::optional<proto::Decoded> RawClient::Receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::size_t body = 0;
    auto bytes = std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(buffer_.data()), buffer_.size());
    const auto state = proto::PeekFrame(bytes, body);
    if (state == proto::FrameState::kTooLarge) return std::nullopt;
    if (state == proto::FrameState::kReady) {
      auto decoded = proto::DecodeBody(bytes.subspan(proto::kLengthPrefix, body));
      buffer_.erase(0, proto::kLengthPrefix + body);
      if (auto* d = std::get_if<proto::Decoded>(&decoded)) return std::move(*d);
      return std::nullopt;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

std::optional<proto::Message> RawClient::Call(std::uint32_t id, const proto::Message& msg) {
  Send(id, msg);
  for (;;) {
    auto reply = Receive();
    if (!reply) return std::nullopt;
    if (reply->request_id == id) return std::move(reply->msg);
  }
}

bool RawClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
}

proto::HelloOk RawClient::Hello(const std::string& user, const std::string& host) {
  proto::Hello h;
  h.user = user;
  h.host = host;
  h.app = "raw-test";
  auto reply = Call(1, h);
  if (!reply || !std::holds_alternative<proto::HelloOk>(*reply)) {
    throw std::runtime_error("HELLO was not answered with HELLO_OK");
  }
  return std::get<proto::HelloOk>(*reply);
}

std::string RawClient::StatusOf(int port, bool json) {
  auto c = Tcp(port);
  c.Hello("admin", "console");
  c.Send(9, proto::Status{"", json ? 1u : 0u});
  std::string body;
  while (auto f = c.Receive()) {
    const auto* chunk = std::get_if<proto::StatusChunk>(&f->msg);
    if (!chunk) break;
    body += chunk->body;
    if (chunk->last) break;
  }
  return body;
}

}  // namespace floatlm::testing
