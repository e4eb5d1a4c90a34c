// One TCP connection to a floatlm server, framed with the proto codec; for a "tls:"
// endpoint the bytes go through a TlsChannel (tls.h) over the same socket.
//
// Writes block (bounded by a send timeout) and may come from any thread, one at a
// time (callers serialize them). Reads are non-blocking and belong to one thread at
// a time: the connecting thread during the handshake, then the client's I/O thread.
// Shutdown() may be called from any thread to make pending reads and writes fail.
#ifndef FLOATLM_CLIENT_CONNECTION_H_
#define FLOATLM_CLIENT_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "floatlm/proto/frame_reader.h"
#include "floatlm/proto/messages.h"
#include "server_list.h"
#include "tls.h"

namespace floatlm::client {

class Connection {
 public:
  // Resolves and connects within `timeout`, the TLS handshake included for a "tls:"
  // endpoint (`tls` must then be given). On failure returns null and sets `error` to a
  // sentence that starts with the endpoint as the user wrote it.
  static std::unique_ptr<Connection> Open(const Endpoint& endpoint,
                                          std::chrono::milliseconds timeout,
                                          const TlsContext* tls, std::string* error);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  bool tls() const { return tls_ != nullptr; }
  // Bytes already read from the socket but not yet returned (inside TLS): a caller that
  // polls fd() must read first when this is true.
  bool HasBuffered() const { return tls_ != nullptr && tls_->Buffered(); }
  const Endpoint& endpoint() const { return endpoint_; }

  // Encodes and sends one frame. False on failure (`error` set).
  bool Send(std::uint32_t request_id, const proto::Message& msg, std::string* error);

  // Reads what the socket holds without blocking. False on EOF or error.
  bool ReadAvailable(std::string* error);

  enum class Next { kNone, kFrame, kSkip, kBad };
  // Takes the first complete frame from the read buffer. kSkip: a frame of a type
  // this client does not know (ignored, as the protocol allows); kBad: the stream
  // cannot be trusted any more (`error` set).
  Next PopFrame(proto::Decoded* out, std::string* error);

  // Blocks until a frame is available or `deadline`. False on timeout (`timed_out`
  // set) or failure (`error` set).
  bool WaitFrame(Clock::time_point deadline, proto::Decoded* out, bool* timed_out,
                 std::string* error);

  // Makes blocked and later reads/writes fail; the fd stays open until destruction.
  void Shutdown();

 private:
  Connection(int fd, Endpoint endpoint, std::unique_ptr<TlsChannel> tls)
      : fd_(fd), endpoint_(std::move(endpoint)), tls_(std::move(tls)) {}

  int fd_;
  Endpoint endpoint_;
  std::unique_ptr<TlsChannel> tls_;  // null: plain TCP
  proto::FrameReader inbuf_;
};

}  // namespace floatlm::client

#endif  // FLOATLM_CLIENT_CONNECTION_H_
