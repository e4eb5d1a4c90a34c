// A long answer produced a slice at a time. A session asks for the next slice only
// while its client has read what it was sent (the owed-bytes budget), and for one slice
// per event-loop turn, so one connection's status of 100,000 leases neither fills the
// daemon's memory nor holds the loop while other clients wait.
//
// A stream owns copies of everything it renders from: it stays valid across engine
// changes and rereads, and shows the state of the moment it was made. Used on the
// server's event loop only.
#ifndef FLOATLM_DAEMON_RENDER_REPLY_STREAM_H_
#define FLOATLM_DAEMON_RENDER_REPLY_STREAM_H_

#include <cstddef>
#include <memory>
#include <string>

namespace floatlm::server {

class ReplyStream {
 public:
  virtual ~ReplyStream() = default;
  // Appends the next part of the answer to `out`: about `budget` bytes, more when an
  // indivisible part is longer. Returns true once the whole answer has been appended.
  virtual bool Next(std::string& out, std::size_t budget) = 0;
};

// A finished text handed out in slices of `budget` bytes.
std::unique_ptr<ReplyStream> StreamText(std::string text);

// Drains a stream into one string (admin socket, tests).
std::string DrainStream(ReplyStream& stream);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_RENDER_REPLY_STREAM_H_
