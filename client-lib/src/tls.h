// TLS for the client library: OpenSSL's libssl directly over a connection's socket
// (no Asio here). A TlsContext holds the trusted certificate authorities and is shared
// by every connection of a Client, reconnects included; a TlsChannel is one session
// over one non-blocking socket.
//
// Verification is not optional: the server's chain must verify against the CA file
// (or the system store) and name the host as the server list wrote it.
#ifndef FLOATLM_CLIENT_TLS_H_
#define FLOATLM_CLIENT_TLS_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "floatlm/proto/frame_reader.h"

struct ssl_ctx_st;
struct ssl_st;

namespace floatlm::client {

using Clock = std::chrono::steady_clock;

// Immutable after Create(); thread-safe.
class TlsContext {
 public:
  // `ca_file` "" = $FLOATLM_TLS_CA, and without it the system's default trust store.
  // Null with `error` set ("FILE: cannot load CA certificates (reason)").
  static std::shared_ptr<const TlsContext> Create(const std::string& ca_file, std::string* error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

// One TLS session over a socket the caller owns (and closes after destroying this).
// Thread rule, as Connection's: one writer at a time and one reader at a time, which
// may be different threads; an internal mutex keeps them from using the SSL object at
// the same moment, and is never held while waiting for the socket.
class TlsChannel {
 public:
  // Sets `fd` non-blocking and runs the client handshake until `deadline`, verifying
  // the certificate for `host` (a DNS name or an IP address). Null with `error` set to
  // a reason without the host ("server certificate does not verify (...)").
  static std::unique_ptr<TlsChannel> Handshake(const TlsContext& ctx, int fd,
                                               const std::string& host,
                                               Clock::time_point deadline, std::string* error);
  ~TlsChannel();
  TlsChannel(const TlsChannel&) = delete;
  TlsChannel& operator=(const TlsChannel&) = delete;

  // Writes all of `data`, waiting for the socket at most until `deadline`.
  bool Write(const char* data, std::size_t size, Clock::time_point deadline, std::string* error);
  // Appends what can be decrypted now without waiting. False on EOF or error.
  bool ReadAvailable(proto::FrameReader* into, std::string* error);
  // Decrypted bytes held inside OpenSSL: poll() on the socket would not show them.
  bool Buffered();
  // "TLSv1.3", for messages and tests.
  std::string Version();

 private:
  TlsChannel(ssl_st* ssl, int fd) : ssl_(ssl), fd_(fd) {}
  ssl_st* ssl_;
  int fd_;
  std::mutex mu_;
};

}  // namespace floatlm::client

#endif  // FLOATLM_CLIENT_TLS_H_
