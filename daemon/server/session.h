// One client connection. Reads frames, hands each to the Server, and writes the
// replies: all replies produced by one read are sent with one write, one write is in
// flight at a time, and the queue of unsent bytes is bounded (a client that does not
// read is disconnected rather than allowed to grow the daemon's memory).
//
// On a TLS port the session first completes the server handshake (a failure is logged
// as client.tls_failed and closes only this connection; a handshake that stalls is cut
// by the server's HELLO deadline, since no HELLO can come before it). Nothing is
// written before the handshake is done.
//
// Owns its lifetime with shared_from_this() in every pending handler. Runs on the
// server's single event-loop thread.
#ifndef FLOATLM_DAEMON_SERVER_SESSION_H_
#define FLOATLM_DAEMON_SERVER_SESSION_H_

#include "server/asio.h"

#include <memory>
#include <string>
#include <vector>

#include "engine/seat_engine.h"
#include "server/client_context.h"
#include "server/client_stream.h"

namespace floatlm::server {

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `tls` null: plain TCP; otherwise the server's TLS context, which outlives sessions.
  Session(Server& server, asio::ip::tcp::socket socket, engine::ClientId id,
          asio::ssl::context* tls);

  void Start();
  // Queues bytes (complete frames) for the client and starts a write if none is running.
  void Send(const std::string& frames);
  // Queues bytes without writing them yet: they wait for the turn's store commit.
  void Hold(const std::string& frames);
  // Starts writing what is held.
  void Release();
  // Sends what is queued, then closes. Used for fatal protocol errors and shutdown.
  void CloseAfterWrite();
  // Closes at once; the engine hears of the disconnect.
  void Close(std::string_view why);

  ClientContext& context() { return ctx_; }
  engine::MonoTime last_read() const { return last_read_; }
  bool closed() const { return closed_; }
  bool handshaking() const { return handshaking_; }

  // Replies not yet handed to the socket a client may owe when more are due (see Hold).
  static constexpr std::size_t kMaxPendingWrite = 1 << 20;

 private:
  void DoHandshake();
  void OnHandshake(const boost::system::error_code& ec);
  void DoRead();
  void OnRead(const boost::system::error_code& ec, std::size_t n);
  void ProcessFrames();
  void DoWrite();
  void OnWrite(const boost::system::error_code& ec, std::size_t n);

  Server& server_;
  ClientStream stream_;
  ClientContext ctx_;
  std::vector<std::uint8_t> in_;  // grows to the largest frame seen, up to the protocol cap
  std::size_t in_used_ = 0;
  std::string pending_;           // replies not yet handed to the socket
  std::string writing_;           // the bytes of the write in flight
  bool handshaking_ = false;      // TLS: until the handshake completes
  bool write_in_flight_ = false;
  bool close_after_write_ = false;
  bool closed_ = false;
  engine::MonoTime last_read_;
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_SESSION_H_
