// A bare protocol client for tests: a blocking loopback TCP or Unix socket, or TLS over
// loopback TCP, that sends raw bytes or encoded messages and reads decoded frames with a
// timeout. Used to play both well-behaved and hostile clients against the real daemon.
#ifndef FLOATLM_TESTS_SUPPORT_RAW_CLIENT_H_
#define FLOATLM_TESTS_SUPPORT_RAW_CLIENT_H_

#include <chrono>
#include <optional>
#include <string>

#include "floatlm/proto/messages.h"

struct ssl_ctx_st;
struct ssl_st;

namespace floatlm::testing {

class RawClient {
 public:
  static RawClient Tcp(int port);                    // 127.0.0.1:port; throws on failure
  static RawClient Unix(const std::string& path);  // throws on failure
  // TLS to 127.0.0.1:port, the certificate verified against `ca_file` for 127.0.0.1;
  // throws with OpenSSL's reason when the handshake fails.
  static RawClient Tls(int port, const std::string& ca_file);
  RawClient(RawClient&& other) noexcept;
  ~RawClient();

  void SendBytes(const std::string& bytes);
  void Send(std::uint32_t id, const proto::Message& msg);
  // Next decoded frame, or nullopt on timeout / closed connection / undecodable frame.
  std::optional<proto::Decoded> Receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Sends and waits for the reply frame with the same request id.
  std::optional<proto::Message> Call(std::uint32_t id, const proto::Message& msg);
  // True once the peer has closed the connection (waits up to `timeout`).
  bool WaitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // HELLO as user@host; returns the HELLO_OK.
  proto::HelloOk Hello(const std::string& user, const std::string& host);

  // The daemon's whole status body (text, or JSON), fetched on a fresh connection.
  static std::string StatusOf(int port, bool json = false);

 private:
  explicit RawClient(int fd) : fd_(fd) {}
  // Bytes from the socket (decrypted under TLS); <= 0 on EOF or error.
  long ReadSome(char* buf, std::size_t size);
  bool Buffered() const;  // TLS holds decrypted bytes poll() cannot see
  int fd_ = -1;
  ssl_ctx_st* ctx_ = nullptr;
  ssl_st* ssl_ = nullptr;
  std::string buffer_;
};

// One encoded frame, for tests that write many requests at once with SendBytes.
inline std::string Frame(std::uint32_t id, const proto::Message& msg) {
  std::string out;
  proto::EncodeFrame(id, msg, out);
  return out;
}

}  // namespace floatlm::testing

#endif  // FLOATLM_TESTS_SUPPORT_RAW_CLIENT_H_
