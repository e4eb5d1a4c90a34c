// The byte stream of one client connection: the accepted TCP socket, read and written
// directly, or through a TLS layer when the port speaks TLS. Session uses one code
// path for both; only the handshake and the close differ.
//
// Owned by its Session; not movable (the TLS layer refers to the socket). Used only on
// the server's event loop, with at most one read and one write in flight (what Asio's
// ssl::stream allows), and no write before the handshake has completed.
#ifndef FLOATLM_DAEMON_SERVER_CLIENT_STREAM_H_
#define FLOATLM_DAEMON_SERVER_CLIENT_STREAM_H_

#include "asio/asio.h"

#include <boost/asio/ssl.hpp>

#include <memory>
#include <string>
#include <utility>

namespace floatlm::server {

class ClientStream {
 public:
  // `tls` null: plain TCP. Otherwise the context outlives the stream.
  ClientStream(asio::ip::tcp::socket socket, asio::ssl::context* tls);
  ClientStream(const ClientStream&) = delete;
  ClientStream& operator=(const ClientStream&) = delete;

  bool tls() const { return tls_ != nullptr; }
  asio::ip::tcp::socket& socket() { return socket_; }

  // Plain TCP: completes at once (posted) with success. TLS: the server handshake.
  template <class Handler>
  void AsyncHandshake(Handler&& handler) {
    if (tls_) {
      tls_->async_handshake(asio::ssl::stream_base::server, std::forward<Handler>(handler));
    } else {
      asio::post(socket_.get_executor(),
                 [h = std::forward<Handler>(handler)]() mutable { h(boost::system::error_code{}); });
    }
  }

  template <class Buffers, class Handler>
  void AsyncReadSome(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      socket_.async_read_some(buffers, std::forward<Handler>(handler));
    }
  }

  template <class Buffers, class Handler>
  void AsyncWrite(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
    } else {
      asio::async_write(socket_, buffers, std::forward<Handler>(handler));
    }
  }

  // Writes some of `buffers` (at least one byte unless an error is reported).
  template <class Buffers, class Handler>
  void AsyncWriteSome(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      socket_.async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

  // Closes the socket, which ends pending operations. No TLS close_notify is sent: the
  // peer is told everything that matters in frames, and a close must never wait on it.
  void Close();

  // A handshake error as one short sentence for the log ("wrong version number", ...).
  static std::string Describe(const boost::system::error_code& ec);

 private:
  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVER_CLIENT_STREAM_H_
