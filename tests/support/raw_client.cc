#include "raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
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

RawClient RawClient::Tls(int port, const std::string& ca_file) {
  RawClient c = Tcp(port);
  // A handshake the daemon never answers must not hang the test.
  timeval tv{5, 0};
  ::setsockopt(c.fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  c.ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(c.ctx_, TLS1_2_VERSION);
  SSL_CTX_set_verify(c.ctx_, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(c.ctx_, ca_file.c_str(), nullptr) != 1) {
    throw std::runtime_error(ca_file + ": cannot load CA");
  }
  c.ssl_ = SSL_new(c.ctx_);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c.ssl_), "127.0.0.1");
  SSL_set_fd(c.ssl_, c.fd_);
  if (SSL_connect(c.ssl_) != 1) {
    const unsigned long e = ERR_get_error();
    const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
    throw std::runtime_error(std::string("TLS handshake failed: ") +
                             (reason != nullptr ? reason : "connection closed"));
  }
  return c;
}

RawClient::RawClient(RawClient&& other) noexcept
    : fd_(other.fd_), ctx_(other.ctx_), ssl_(other.ssl_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
  other.ctx_ = nullptr;
  other.ssl_ = nullptr;
}

RawClient::~RawClient() {
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

long RawClient::ReadSome(char* buf, std::size_t size) {
  if (ssl_ == nullptr) return ::recv(fd_, buf, size, 0);
  return SSL_read(ssl_, buf, static_cast<int>(size));
}

bool RawClient::Buffered() const { return ssl_ != nullptr && SSL_pending(ssl_) > 0; }

void RawClient::SendBytes(const std::string& bytes) {
  if (ssl_ != nullptr) {
    if (!bytes.empty()) SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    return;
  }
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
    if (!Buffered() && ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buf[65536];
    const long n = ReadSome(buf, sizeof buf);
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
    if (!Buffered() && ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    const long n = ReadSome(buf, sizeof buf);
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
