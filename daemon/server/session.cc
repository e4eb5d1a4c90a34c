#include "server/session.h"

#include "floatlm/proto/messages.h"
#include "log/log.h"
#include "server/server.h"

namespace floatlm::server {

namespace {
constexpr std::size_t kInitialBuffer = 512;
// After a large frame the buffer shrinks back so idle connections stay small.
constexpr std::size_t kShrinkAbove = 8 * 1024;
}  // namespace

Session::Session(Server& server, asio::ip::tcp::socket socket, engine::ClientId id,
                 asio::ssl::context* tls)
    : server_(server), stream_(std::move(socket), tls), in_(kInitialBuffer) {
  ctx_.id = id;
  ctx_.tls = stream_.tls();
  boost::system::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) ctx_.who.peer = remote.address().to_string();
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  last_read_ = engine::MonoTime::clock::now();
}

void Session::Start() {
  if (stream_.tls()) {
    DoHandshake();
  } else {
    DoRead();
  }
}

void Session::DoHandshake() {
  handshaking_ = true;
  stream_.AsyncHandshake([self = shared_from_this()](const boost::system::error_code& ec) {
    self->OnHandshake(ec);
  });
}

void Session::OnHandshake(const boost::system::error_code& ec) {
  handshaking_ = false;
  if (closed_) return;  // cut by the HELLO deadline or the shutdown meanwhile
  if (ec) {
    const std::string why = ClientStream::Describe(ec);
    FLOATLM_LOG(kWarn, "client.tls_failed", "peer={} client={} reason=\"{}\"", ctx_.who.peer,
                ctx_.id, why);
    Close("TLS handshake failed: " + why);
    return;
  }
  FLOATLM_LOG(kDebug, "client.tls_ready", "peer={} client={}", ctx_.who.peer, ctx_.id);
  DoRead();
  // Replies held for this session (none yet, but Stop() may have queued a goodbye).
  if (!pending_.empty() || close_after_write_) Release();
}

void Session::DoRead() {
  if (closed_) return;
  if (in_used_ == in_.size()) in_.resize(in_.size() * 2);
  stream_.AsyncReadSome(
      asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        self->OnRead(ec, n);
      });
}

void Session::OnRead(const boost::system::error_code& ec, std::size_t n) {
  if (closed_) return;
  if (ec) {
    Close(ec == asio::error::eof ? "closed by client" : ec.message());
    return;
  }
  in_used_ += n;
  last_read_ = engine::MonoTime::clock::now();
  ProcessFrames();
  if (closed_ || close_after_write_) return;
  DoRead();
}

void Session::ProcessFrames() {
  std::string replies;
  std::size_t offset = 0;
  while (!close_after_write_) {
    std::span<const std::uint8_t> rest(in_.data() + offset, in_used_ - offset);
    std::size_t body = 0;
    const auto state = proto::PeekFrame(rest, body);
    if (state == proto::FrameState::kNeedMore) {
      // Make room for the whole frame, whose size is now known and within the cap.
      if (rest.size() >= proto::kLengthPrefix) {
        const std::size_t need =
            proto::kLengthPrefix + ((std::size_t{rest[0]} << 24) | (std::size_t{rest[1]} << 16) |
                                    (std::size_t{rest[2]} << 8) | rest[3]);
        if (need > in_.size()) in_.resize(need);
      }
      break;
    }
    if (state == proto::FrameState::kTooLarge) {
      FLOATLM_LOG(kWarn, "client.bad_frame", "peer={} client={} reason=\"frame length out of range\"",
                  ctx_.who.peer, ctx_.id);
      proto::EncodeFrame(0, proto::Error{Errc::kMalformedRequest, "frame length out of range"},
                         replies);
      close_after_write_ = true;
      break;
    }
    if (server_.HandleFrame(*this, rest.subspan(proto::kLengthPrefix, body), replies) ==
        RequestHandler::After::kClose) {
      close_after_write_ = true;
    }
    offset += proto::kLengthPrefix + body;
  }
  // Keep the unread tail at the front of the buffer.
  if (offset > 0) {
    std::memmove(in_.data(), in_.data() + offset, in_used_ - offset);
    in_used_ -= offset;
  }
  if (in_used_ <= kInitialBuffer && in_.size() > kShrinkAbove) {
    in_.resize(kInitialBuffer);
    in_.shrink_to_fit();
  }
  if (!replies.empty()) server_.Deliver(*this, replies);
  if (close_after_write_ && !write_in_flight_ && pending_.empty()) Close("protocol error");
}

void Session::Send(const std::string& frames) {
  Hold(frames);
  Release();
}

void Session::Release() {
  if (!closed_ && !write_in_flight_ && !handshaking_) DoWrite();
}

void Session::Hold(const std::string& frames) {
  if (closed_) return;
  // A client is cut off for what it already owes, not for the size of one answer: the
  // status of a pool with 100,000 leases is tens of megabytes, and a reader that asks
  // for it gets all of it. A client that does not read owes more with its next request.
  if (pending_.size() > kMaxPendingWrite) {
    FLOATLM_LOG(kWarn, "client.slow_reader", "peer={} client={} pending={}", ctx_.who.peer,
                ctx_.id, pending_.size());
    Close("client does not read its replies");
    return;
  }
  pending_ += frames;
}

void Session::CloseAfterWrite() {
  close_after_write_ = true;
  // A client still in its TLS handshake has nothing to be told: it has said nothing.
  if (handshaking_ || (!write_in_flight_ && pending_.empty())) Close("closing");
}

void Session::DoWrite() {
  if (pending_.empty()) {
    if (close_after_write_) Close("closing after reply");
    return;
  }
  writing_.swap(pending_);
  pending_.clear();
  write_in_flight_ = true;
  stream_.AsyncWrite(asio::buffer(writing_),
                     [self = shared_from_this()](const boost::system::error_code& ec,
                                                 std::size_t n) { self->OnWrite(ec, n); });
}

void Session::OnWrite(const boost::system::error_code& ec, std::size_t) {
  write_in_flight_ = false;
  writing_.clear();
  if (writing_.capacity() > kShrinkAbove) writing_.shrink_to_fit();
  if (closed_) return;
  if (ec) {
    Close(ec.message());
    return;
  }
  DoWrite();
}

void Session::Close(std::string_view why) {
  if (closed_) return;
  closed_ = true;
  log::Flush();  // what led to the close is in the log before the peer sees it
  stream_.Close();
  server_.OnSessionClosed(*this, why);
}

}  // namespace floatlm::server
