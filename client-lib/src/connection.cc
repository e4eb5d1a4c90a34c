#include "connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace floatlm::client {
namespace {

constexpr int kSendTimeoutSeconds = 5;

int MillisUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > 60'000 ? 60'000 : static_cast<int>(left.count());
}

// Non-blocking connect bounded by `deadline`; returns the fd (blocking mode) or -1.
int ConnectOne(const addrinfo* ai, Clock::time_point deadline, std::string* error) {
  // SOCK_CLOEXEC: `floatlm run` forks a command that must not inherit the connection.
  int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
  if (fd < 0) {
    *error = std::strerror(errno);
    return -1;
  }
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
    *error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  pollfd pfd{fd, POLLOUT, 0};
  int rc;
  do {
    rc = ::poll(&pfd, 1, MillisUntil(deadline));
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) {
    *error = "connection timed out";
    ::close(fd);
    return -1;
  }
  int so_error = 0;
  socklen_t len = sizeof(so_error);
  if (rc < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0) {
    *error = std::strerror(rc < 0 ? errno : so_error);
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  timeval tv{kSendTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  return fd;
}

}  // namespace

std::unique_ptr<Connection> Connection::Open(const Endpoint& endpoint,
                                             std::chrono::milliseconds timeout,
                                             const TlsContext* tls, std::string* error) {
  const auto deadline = Clock::now() + timeout;
  if (endpoint.tls && tls == nullptr) {
    *error = endpoint.ToString() + ": TLS is not set up";
    return nullptr;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (int rc = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &list); rc != 0) {
    *error = endpoint.ToString() + ": " + ::gai_strerror(rc);
    return nullptr;
  }
  std::string last = "no address";
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    const int fd = ConnectOne(ai, deadline, &last);
    if (fd < 0) continue;
    std::unique_ptr<TlsChannel> channel;
    if (endpoint.tls) {
      // A certificate that does not verify is an answer, not a failure of this address.
      channel = TlsChannel::Handshake(*tls, fd, endpoint.host, deadline, &last);
      if (!channel) {
        ::close(fd);
        break;
      }
    }
    ::freeaddrinfo(list);
    return std::unique_ptr<Connection>(new Connection(fd, endpoint, std::move(channel)));
  }
  ::freeaddrinfo(list);
  *error = endpoint.ToString() + ": " + last;
  return nullptr;
}

Connection::~Connection() { ::close(fd_); }

bool Connection::Send(std::uint32_t request_id, const proto::Message& msg, std::string* error) {
  std::string frame;
  proto::EncodeFrame(request_id, msg, frame);
  if (tls_) {
    return tls_->Write(frame.data(), frame.size(),
                       Clock::now() + std::chrono::seconds(kSendTimeoutSeconds), error);
  }
  std::size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = errno == EAGAIN ? std::string("send timed out") : std::strerror(errno);
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool Connection::ReadAvailable(std::string* error) {
  if (tls_) return tls_->ReadAvailable(&inbuf_, error);
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) {
      inbuf_.Append({reinterpret_cast<const std::uint8_t*>(buf), static_cast<std::size_t>(n)});
      if (static_cast<std::size_t>(n) < sizeof(buf)) return true;
      continue;
    }
    if (n == 0) {
      *error = "the server closed the connection";
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    *error = std::strerror(errno);
    return false;
  }
}

Connection::Next Connection::PopFrame(proto::Decoded* out, std::string* error) {
  auto next = inbuf_.NextDecoded();
  if (std::holds_alternative<proto::FrameReader::NeedMore>(next)) return Next::kNone;
  if (auto* ok = std::get_if<proto::Decoded>(&next)) {
    *out = std::move(*ok);
    return Next::kFrame;
  }
  if (auto* bad = std::get_if<proto::DecodeError>(&next)) {
    if (bad->code == Errc::kUnknownMessage) return Next::kSkip;
    *error = "malformed frame from the server: " + bad->message;
    return Next::kBad;
  }
  // A TLS record (an alert or a handshake) where a frame should be: a TLS port.
  const auto bytes = inbuf_.unread();
  if (!tls_ && bytes.size() >= 2 && (bytes[0] == 0x15 || bytes[0] == 0x16) && bytes[1] == 0x03) {
    *error = "the server speaks TLS on this port; name it tls:" + endpoint_.ToString();
    return Next::kBad;
  }
  *error = "the server sent a frame of invalid size";
  return Next::kBad;
}

bool Connection::WaitFrame(Clock::time_point deadline, proto::Decoded* out, bool* timed_out,
                           std::string* error) {
  *timed_out = false;
  for (;;) {
    switch (PopFrame(out, error)) {
      case Next::kFrame:
        return true;
      case Next::kBad:
        return false;
      case Next::kSkip:
        continue;
      case Next::kNone:
        break;
    }
    if (HasBuffered()) {
      if (!ReadAvailable(error)) return false;
      continue;
    }
    pollfd pfd{fd_, POLLIN, 0};
    const int rc = ::poll(&pfd, 1, MillisUntil(deadline));
    if (rc < 0 && errno != EINTR) {
      *error = std::strerror(errno);
      return false;
    }
    if (rc == 0) {
      *timed_out = true;
      *error = "no answer from " + endpoint_.ToString();
      return false;
    }
    if (rc > 0 && !ReadAvailable(error)) return false;
  }
}

void Connection::Shutdown() { ::shutdown(fd_, SHUT_RDWR); }

}  // namespace floatlm::client
