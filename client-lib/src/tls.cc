#include "tls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace floatlm::client {
namespace {

int MillisUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > 60'000 ? 60'000 : static_cast<int>(left.count());
}

// Waits for the socket to become readable or writable as OpenSSL asked. False on timeout.
bool WaitSocket(int fd, bool for_write, Clock::time_point deadline) {
  pollfd pfd{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  for (;;) {
    const int rc = ::poll(&pfd, 1, MillisUntil(deadline));
    if (rc < 0 && errno == EINTR) continue;
    return rc > 0;
  }
}

// OpenSSL writes to the socket with write(2), which raises SIGPIPE when the server has
// closed the connection, and SIGPIPE's default action ends the application: the library
// must never do that. For the duration of one OpenSSL call that may write, SIGPIPE is
// blocked on this thread and whatever the call raised is taken back off the thread's
// pending set; errno is kept for the caller.
class NoSigpipe {
 public:
  NoSigpipe() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~NoSigpipe() {
    const int saved = errno;
    if (!was_pending_) {
      const timespec zero{};
      while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    errno = saved;
  }
  NoSigpipe(const NoSigpipe&) = delete;
  NoSigpipe& operator=(const NoSigpipe&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

// The most specific reason OpenSSL queued (the queue is emptied), or `fallback`.
std::string QueuedReason(const std::string& fallback) {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return fallback;
  const char* reason = ERR_reason_error_string(last);
  return reason != nullptr ? reason : fallback;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::shared_ptr<const TlsContext> TlsContext::Create(const std::string& ca_file,
                                                     std::string* error) {
  std::string file = ca_file;
  if (file.empty()) {
    const char* env = std::getenv("FLOATLM_TLS_CA");
    if (env != nullptr) file = env;
  }
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    *error = "cannot set up TLS (" + QueuedReason("out of memory") + ")";
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  const int loaded = file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                  : SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr);
  if (loaded != 1) {
    const std::string what = file.empty() ? std::string("the system's trust store") : file;
    *error = what + ": cannot load CA certificates (" + QueuedReason("unreadable") + ")";
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return std::shared_ptr<const TlsContext>(new TlsContext(ctx));
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

std::unique_ptr<TlsChannel> TlsChannel::Handshake(const TlsContext& ctx, int fd,
                                                  const std::string& host,
                                                  Clock::time_point deadline, std::string* error) {
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx.native());
  if (ssl == nullptr) {
    *error = "cannot start TLS (" + QueuedReason("out of memory") + ")";
    return nullptr;
  }
  std::unique_ptr<TlsChannel> channel(new TlsChannel(ssl, fd));
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  SSL_set_fd(ssl, fd);
  // The name the user wrote is the name the certificate must carry.
  if (IsIpAddress(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  } else {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(ssl, host.c_str());
    SSL_set_tlsext_host_name(ssl, host.c_str());
  }
  for (;;) {
    int rc;
    {
      NoSigpipe quiet;
      rc = SSL_connect(ssl);
    }
    if (rc == 1) return channel;
    const int err = SSL_get_error(ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!WaitSocket(fd, err == SSL_ERROR_WANT_WRITE, deadline)) {
        *error = "TLS handshake timed out";
        return nullptr;
      }
      continue;
    }
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      ERR_clear_error();
      *error = std::string("server certificate does not verify (") +
               X509_verify_cert_error_string(verify) + ")";
    } else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
      const int saved = errno;
      *error = "TLS handshake failed (" +
               QueuedReason(saved != 0 ? std::strerror(saved)
                                       : "the server closed the connection") +
               ")";
    } else {
      const std::string reason = QueuedReason("protocol error");
      *error = "TLS handshake failed (" + reason + ")";
      if (reason == "wrong version number" || reason == "packet length too long") {
        *error += "; the server's port may speak plain TCP";
      }
    }
    return nullptr;
  }
}

TlsChannel::~TlsChannel() { SSL_free(ssl_); }

bool TlsChannel::Write(const char* data, std::size_t size, Clock::time_point deadline,
                       std::string* error) {
  std::size_t sent = 0;
  while (sent < size) {
    int err = SSL_ERROR_NONE;
    {
      std::lock_guard lk(mu_);
      std::size_t n = 0;
      ERR_clear_error();
      NoSigpipe quiet;
      const int rc = SSL_write_ex(ssl_, data + sent, size - sent, &n);
      if (rc == 1) {
        sent += n;
        continue;
      }
      err = SSL_get_error(ssl_, rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        *error = err == SSL_ERROR_SYSCALL && errno != 0 ? std::string(std::strerror(errno))
                                                        : "TLS write failed (" +
                                                              QueuedReason("connection closed") + ")";
        return false;
      }
    }
    // A retried SSL_write must pass the same bytes again, which the loop does.
    if (!WaitSocket(fd_, err == SSL_ERROR_WANT_WRITE, deadline)) {
      *error = "send timed out";
      return false;
    }
  }
  return true;
}

bool TlsChannel::ReadAvailable(proto::FrameReader* into, std::string* error) {
  std::lock_guard lk(mu_);
  char buf[16384];
  for (;;) {
    std::size_t n = 0;
    ERR_clear_error();
    int rc;
    {
      NoSigpipe quiet;  // a read may answer a key update
      rc = SSL_read_ex(ssl_, buf, sizeof(buf), &n);
    }
    if (rc == 1) {
      into->Append({reinterpret_cast<const std::uint8_t*>(buf), n});
      continue;  // until OpenSSL has nothing more without the socket
    }
    switch (SSL_get_error(ssl_, rc)) {
      case SSL_ERROR_WANT_READ:
      case SSL_ERROR_WANT_WRITE:  // e.g. a key update's answer; the next read retries it
        return true;
      case SSL_ERROR_ZERO_RETURN:
        *error = "the server closed the connection";
        return false;
      case SSL_ERROR_SYSCALL:
        if (errno == EINTR) continue;
        *error = errno != 0 ? std::string(std::strerror(errno)) : "the server closed the connection";
        return false;
      default:
        *error = "TLS read failed (" + QueuedReason("protocol error") + ")";
        return false;
    }
  }
}

bool TlsChannel::Buffered() {
  std::lock_guard lk(mu_);
  return SSL_pending(ssl_) > 0;
}

std::string TlsChannel::Version() {
  std::lock_guard lk(mu_);
  return SSL_get_version(ssl_);
}

}  // namespace floatlm::client
