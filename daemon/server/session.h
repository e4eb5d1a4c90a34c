// One client connection. Reads frames, hands each to its host (session_host.h), and writes the
// replies, within budgets that keep one connection from costing others:
//
//  * Owed bytes. Replies produced but not yet taken by the socket count against
//    kMaxOwed (1 MiB), as each is produced. While a connection owes that much it gets no
//    further request handled and no further slice of a long answer: its requests wait in
//    the kernel (it is not read), and it resumes as the client reads. Events caused by
//    others (a queued grant, a lost lease) are still queued; past kMaxHeld (8 MiB) the
//    connection is closed.
//  * Work per turn. At most kFramesPerTurn requests per event-loop turn; the rest waits
//    behind every other ready connection. A long answer (STATUS, DIAG,
//    client_context.h) is written a slice (kSliceBytes) at a time, one slice per turn
//    for all connections together (SessionHost::QueueAnswer); the requests behind it wait
//    for its end.
//  * Input. The read buffer grows with the bytes that arrived (to 16 KiB while the
//    client's reads keep filling it), never with the length a frame claims; all
//    connections together hold at most the server's input limit (SessionHost::ClaimInput)
//    beyond their first 512 bytes.
//  * Time. The server cuts a connection whose write has not moved for its write timeout
//    (write_stalled_since) or whose started frame has not arrived in full within its
//    read timeout (partial_frame_since).
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

#include <memory>
#include <optional>
#include <string>

#include "asio/asio.h"
#include "engine/seat_engine.h"
#include "floatlm/proto/frame_reader.h"
#include "server/client_stream.h"
#include "service/client_context.h"

namespace floatlm::server {

class SessionHost;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `tls` null: plain TCP; otherwise the server's TLS context, which outlives sessions.
  Session(SessionHost& server, asio::ip::tcp::socket socket, engine::ClientId id,
          asio::ssl::context* tls);
  ~Session();

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
  // The host is going away with the event loop stopped: closes the socket without
  // telling the host. Nothing may be called on the session afterwards. A closed or
  // detached session has returned its input claim, so the handlers that still hold it,
  // destroyed unrun with the loop after the host, touch nothing of the host.
  void Detach();
  // Writes the next slice of the answer in progress (SessionHost::QueueAnswer's turn).
  void AnswerSlice();

  ClientContext& context() { return ctx_; }
  engine::MonoTime last_read() const { return last_read_; }
  bool closed() const { return closed_; }
  bool handshaking() const { return handshaking_; }
  // Since when bytes have waited for the socket without any being taken; nullopt when
  // nothing is waiting.
  std::optional<engine::MonoTime> write_stalled_since() const;
  // Since when part of a frame has been buffered while the session waits to read the
  // rest; nullopt between frames and while the session itself is not reading.
  std::optional<engine::MonoTime> partial_frame_since() const { return partial_since_; }
  // Replies produced and not yet taken by the socket.
  std::size_t owed() const { return pending_.size() + (writing_.size() - written_); }

  static constexpr std::size_t kMaxOwed = 1 << 20;
  static constexpr std::size_t kMaxHeld = 8 << 20;
  static constexpr std::size_t kFramesPerTurn = 16;
  static constexpr std::size_t kSliceBytes = 8 * 1024;
  static constexpr std::size_t kInitialBuffer = 512;
  // A connection whose reads fill its buffer reads up to this much at a time.
  static constexpr std::size_t kPipelineBuffer = 16 * 1024;

 private:
  void DoHandshake();
  void OnHandshake(const boost::system::error_code& ec);
  void DoRead();
  void OnRead(const boost::system::error_code& ec, std::size_t n);
  // Handles what is buffered within this turn's budgets, then reads, waits for the
  // client to drain, or continues in a later turn.
  void Pump();
  void SchedulePump();
  void DoWrite();
  void OnWrite(const boost::system::error_code& ec, std::size_t n);
  // Resizes the read buffer, claiming or returning the difference from the server.
  bool ResizeInput(std::size_t size);
  // Gives the host back this session's claim, once; it claims nothing afterwards.
  void ReturnInput();

  SessionHost& server_;
  ClientStream stream_;
  ClientContext ctx_;
  proto::FrameReader in_;         // grows with the bytes received, up to the protocol cap
  std::string pending_;           // replies not yet handed to the socket
  std::string writing_;           // the bytes of the write in flight
  std::size_t written_ = 0;       // of writing_, taken by the socket
  bool handshaking_ = false;      // TLS: until the handshake completes
  bool read_in_flight_ = false;
  bool read_filled_ = false;      // the last read took all the room it was given
  std::size_t read_asked_ = 0;    // room given to the read in flight
  bool write_in_flight_ = false;
  bool pump_posted_ = false;
  bool answer_queued_ = false;
  bool close_after_write_ = false;
  bool closed_ = false;
  bool input_returned_ = false;  // closed: the read buffer no longer counts against the host
  engine::MonoTime last_read_;
  engine::MonoTime last_write_progress_;
  std::optional<engine::MonoTime> partial_since_;
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_SESSION_H_
