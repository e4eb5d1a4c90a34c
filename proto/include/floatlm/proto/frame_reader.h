// FrameReader cuts a byte stream into frames: bytes go in as they arrive, complete frame
// bodies come out one at a time. It is the one place that reads a length prefix; the
// daemon's sessions and admin socket, the client library, the CLI and the bench all use
// it. Pure: no I/O, no clock, no allocation beyond its one buffer.
//
// Buffer: the reader owns it. A connection either copies bytes in (Append, which grows
// the buffer as needed) or reads straight into Room() and then Commit()s what arrived;
// the second way never grows the buffer by itself, so an owner that counts memory (the
// daemon's input limit) decides every growth with Resize().
//
// Views: the body Next() returns and the span Room() returns stay valid until the next
// call of a non-const member.
//
// Errors: a length prefix below the body header or above kMaxFrameBody cannot be
// resynchronised. Next() then returns kBadLength, and does so on every later call; the
// connection must be closed. A frame of valid length whose body does not decode is the
// caller's business (NextDecoded reports it and the stream goes on).
//
// Threads: none of its own; one reader per connection, used by one thread at a time.
#ifndef FLOATLM_PROTO_FRAME_READER_H_
#define FLOATLM_PROTO_FRAME_READER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "floatlm/proto/messages.h"

namespace floatlm::proto {

// The longest frame on the wire, length prefix included.
inline constexpr std::size_t kLargestFrame = kLengthPrefix + kMaxFrameBody;

class FrameReader {
 public:
  explicit FrameReader(std::size_t capacity = 0);

  // Copies `bytes` in after the unread ones, growing the buffer if they do not fit.
  void Append(std::span<const std::uint8_t> bytes);
  // The free room after the unread bytes (moved to the front first), for a read to fill.
  // Empty when the buffer is full: Resize() before reading more.
  std::span<std::uint8_t> Room();
  // Counts `n` bytes of Room() as arrived. n <= Room().size().
  void Commit(std::size_t n);

  enum class State { kNeedMore, kFrame, kBadLength };
  struct Frame {
    State state = State::kNeedMore;
    std::span<const std::uint8_t> body;  // kFrame: the body, without its length prefix
  };
  // Takes the next complete frame out of the buffer.
  Frame Next();

  // Next() and DecodeBody() together, for readers that want messages.
  struct NeedMore {};
  struct BadLength {};
  using Message = std::variant<NeedMore, Decoded, DecodeError, BadLength>;
  Message NextDecoded();

  // The bytes not yet returned as frames (the start of a frame, or garbage after kBadLength).
  std::span<const std::uint8_t> unread() const;
  std::size_t capacity() const { return buf_.size(); }
  // How many bytes the buffer must hold for the frame that has begun to be complete:
  // 0 when nothing has begun or its length prefix is not all here yet or is invalid.
  std::size_t frame_size() const;
  // Sets the buffer's size; never below the unread bytes (it keeps them). Memory is given
  // back when the size falls below half of what is allocated.
  void Resize(std::size_t capacity);
  // Drops every unread byte and a kBadLength state, keeping the buffer: for a new stream.
  void Clear();

 private:
  std::vector<std::uint8_t> buf_;
  std::size_t begin_ = 0;  // first unread byte
  std::size_t end_ = 0;    // one past the last byte that arrived
  bool bad_ = false;

  void Compact();
};

}  // namespace floatlm::proto

#endif  // FLOATLM_PROTO_FRAME_READER_H_
