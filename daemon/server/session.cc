#include "server/session.h"

#include <algorithm>

#include "floatlm/proto/messages.h"
#include "log/log.h"
#include "server/session_host.h"

namespace floatlm::server {

namespace {
// After a large frame the buffer shrinks back so idle connections stay small.
constexpr std::size_t kShrinkAbove = 8 * 1024;
// Bytes handed to the kernel per write: a client with megabytes owed costs one short
// copy per turn, not one that holds the loop while others wait.
constexpr std::size_t kWriteChunk = 64 * 1024;

// Bytes of a read buffer of `size` that count against the server's input limit.
std::size_t Claimed(std::size_t size) {
  return size > Session::kInitialBuffer ? size - Session::kInitialBuffer : 0;
}
}  // namespace

Session::Session(SessionHost& server, asio::ip::tcp::socket socket, engine::ClientId id,
                 asio::ssl::context* tls)
    : server_(server), stream_(std::move(socket), tls), in_(kInitialBuffer) {
  ctx_.id = id;
  ctx_.tls = stream_.tls();
  boost::system::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) ctx_.who.peer = remote.address().to_string();
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  last_read_ = engine::MonoTime::clock::now();
  last_write_progress_ = last_read_;
}

Session::~Session() { ReturnInput(); }

void Session::ReturnInput() {
  if (input_returned_) return;
  input_returned_ = true;
  server_.ReleaseInput(Claimed(in_.capacity()));
}

void Session::Detach() {
  closed_ = true;
  stream_.Close();
  ReturnInput();
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

bool Session::ResizeInput(std::size_t size) {
  const std::size_t before = Claimed(in_.capacity());
  const std::size_t after = Claimed(size);
  if (input_returned_) {
    if (after > before) return false;
  } else if (after > before && !server_.ClaimInput(after - before)) {
    return false;
  } else if (after < before) {
    server_.ReleaseInput(before - after);
  }
  in_.Resize(size);
  return true;
}

void Session::DoRead() {
  if (closed_ || read_in_flight_) return;
  // A client that pipelines filled the last read: read more at a time, so its requests
  // cost fewer system calls (and their replies leave together).
  if (read_filled_ && in_.capacity() < kPipelineBuffer && in_.unread().size() < in_.capacity()) {
    if (!ResizeInput(std::min(in_.capacity() * 2, kPipelineBuffer))) read_filled_ = false;
  }
  if (in_.unread().size() == in_.capacity()) {
    // Full, and no complete frame in it (Pump took those): room for more of this one,
    // doubled as its bytes arrive rather than sized by the length it claims.
    if (!ResizeInput(std::min(in_.capacity() * 2, proto::kLargestFrame))) {
      FLOATLM_LOG(kWarn, "client.input_limit",
                  "peer={} client={} reason=\"the daemon's buffers for unfinished frames are "
                  "full\"",
                  ctx_.who.peer, ctx_.id);
      Close("input buffer limit reached");
      return;
    }
  }
  read_in_flight_ = true;
  const auto room = in_.Room();
  read_asked_ = room.size();
  stream_.AsyncReadSome(asio::buffer(room.data(), room.size()),
                        [self = shared_from_this()](const boost::system::error_code& ec,
                                                    std::size_t n) { self->OnRead(ec, n); });
}

void Session::OnRead(const boost::system::error_code& ec, std::size_t n) {
  read_in_flight_ = false;
  if (closed_) return;
  if (ec) {
    Close(ec == asio::error::eof ? "closed by client" : ec.message());
    return;
  }
  in_.Commit(n);
  read_filled_ = n == read_asked_;
  last_read_ = engine::MonoTime::clock::now();
  Pump();
}

void Session::SchedulePump() {
  if (pump_posted_) return;
  pump_posted_ = true;
  asio::post(stream_.socket().get_executor(), [self = shared_from_this()] {
    self->pump_posted_ = false;
    self->Pump();
  });
}

void Session::Pump() {
  if (closed_ || pump_posted_) return;
  std::string replies;
  std::size_t frames = 0;
  enum class Then { kRead, kDrain, kLater, kAnswer } then = Then::kRead;
  while (!close_after_write_) {
    if (owed() + replies.size() >= kMaxOwed) {
      then = Then::kDrain;  // OnWrite resumes once the client has read
      break;
    }
    if (ctx_.answer) {
      then = Then::kAnswer;  // the requests behind it wait for its end
      break;
    }
    if (frames == kFramesPerTurn) {
      then = Then::kLater;
      break;
    }
    const auto frame = in_.Next();
    if (frame.state == proto::FrameReader::State::kNeedMore) break;
    if (frame.state == proto::FrameReader::State::kBadLength) {
      FLOATLM_LOG(kWarn, "client.bad_frame", "peer={} client={} reason=\"frame length out of range\"",
                  ctx_.who.peer, ctx_.id);
      proto::EncodeFrame(0, proto::Error{Errc::kMalformedRequest, "frame length out of range"},
                         replies);
      close_after_write_ = true;
      break;
    }
    ++frames;
    if (server_.HandleFrame(*this, frame.body, replies) == RequestHandler::After::kClose) {
      close_after_write_ = true;
    }
  }
  // A started frame is timed only while the session waits for the rest of it.
  const std::size_t unread = in_.unread().size();
  if (unread == 0 || then != Then::kRead) {
    partial_since_.reset();
  } else if (frames > 0 || !partial_since_) {
    partial_since_ = engine::MonoTime::clock::now();
  }
  if (!read_filled_ && unread <= kInitialBuffer && in_.capacity() > kShrinkAbove) {
    ResizeInput(kInitialBuffer);
  }
  if (!replies.empty()) server_.Deliver(*this, replies);
  if (closed_) return;
  if (close_after_write_) {
    if (!write_in_flight_ && pending_.empty()) Close("protocol error");
    return;
  }
  switch (then) {
    case Then::kRead:
      DoRead();
      break;
    case Then::kLater:
      SchedulePump();
      break;
    case Then::kAnswer:
      if (!answer_queued_) {
        answer_queued_ = true;
        server_.QueueAnswer(shared_from_this());
      }
      break;
    case Then::kDrain:
      break;
  }
}

void Session::AnswerSlice() {
  answer_queued_ = false;
  if (closed_ || !ctx_.answer) return;
  if (owed() >= kMaxOwed) return;  // OnWrite pumps again once the client has read
  std::string replies;
  RequestHandler::ContinueAnswer(ctx_, kSliceBytes, replies);
  if (!replies.empty()) server_.Deliver(*this, replies);
  if (closed_) return;
  Pump();  // the next slice's turn, or the requests behind the answer
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
  // Requests stop being handled at kMaxOwed, so only what others cause (queued grants,
  // lost leases) can grow a non-reader's queue this far.
  if (owed() > kMaxHeld) {
    FLOATLM_LOG(kWarn, "client.slow_reader", "peer={} client={} pending={}", ctx_.who.peer,
                ctx_.id, owed());
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

std::optional<engine::MonoTime> Session::write_stalled_since() const {
  if (!write_in_flight_) return std::nullopt;
  return last_write_progress_;
}

void Session::DoWrite() {
  if (pending_.empty()) {
    if (close_after_write_) Close("closing after reply");
    return;
  }
  writing_.swap(pending_);
  pending_.clear();
  written_ = 0;
  write_in_flight_ = true;
  last_write_progress_ = engine::MonoTime::clock::now();
  stream_.AsyncWriteSome(asio::buffer(writing_.data(), std::min(writing_.size(), kWriteChunk)),
                         [self = shared_from_this()](const boost::system::error_code& ec,
                                                     std::size_t n) { self->OnWrite(ec, n); });
}

void Session::OnWrite(const boost::system::error_code& ec, std::size_t n) {
  if (closed_) return;
  if (ec) {
    write_in_flight_ = false;
    Close(ec.message());
    return;
  }
  written_ += n;
  last_write_progress_ = engine::MonoTime::clock::now();
  if (written_ < writing_.size()) {
    stream_.AsyncWriteSome(asio::buffer(writing_.data() + written_,
                                        std::min(writing_.size() - written_, kWriteChunk)),
                           [self = shared_from_this()](const boost::system::error_code& ec,
                                                       std::size_t n) { self->OnWrite(ec, n); });
    return;
  }
  write_in_flight_ = false;
  writing_.clear();
  written_ = 0;
  if (writing_.capacity() > kShrinkAbove) writing_.shrink_to_fit();
  DoWrite();
  // The client has read: what waited for that (requests, the rest of an answer) goes on.
  if (!closed_ && !close_after_write_ && owed() < kMaxOwed && !read_in_flight_) Pump();
}

void Session::Close(std::string_view why) {
  if (closed_) return;
  closed_ = true;
  log::Flush();  // what led to the close is in the log before the peer sees it
  stream_.Close();
  ReturnInput();
  server_.OnSessionClosed(*this, why);
}

}  // namespace floatlm::server
