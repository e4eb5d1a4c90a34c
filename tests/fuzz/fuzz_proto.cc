// Fuzzes the wire codec the way a session uses it: the input is a byte stream from a
// peer, cut into frames by PeekFrame and decoded by DecodeBody. Properties:
//  - FrameReader, fed the same stream in pieces of every size (Append and Room/Commit),
//    hands out exactly the frames the one-pass split finds, then kBadLength where that
//    split met a bad length, and never a frame after it;
//  - PeekFrame only reports a frame that lies inside the buffer and within the caps, and
//    a frame is not "ready" one byte early;
//  - a decode error is one of the two codes the daemon acts on, with a message;
//  - whatever decodes re-encodes to a frame that decodes again to the same bytes
//    (encode(decode(encode(decode(x)))) == encode(decode(x))).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "floatlm/proto/frame_reader.h"
#include "floatlm/proto/messages.h"
#include "fuzz_check.h"

namespace p = floatlm::proto;

namespace {

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void CheckRoundTrip(const p::Decoded& first) {
  std::string frame;
  p::EncodeFrame(first.request_id, first.msg, frame);
  std::size_t body = 0;
  FUZZ_CHECK(p::PeekFrame(Bytes(frame), body) == p::FrameState::kReady,
             "the encoder produced a frame the splitter refuses");
  FUZZ_CHECK(body + p::kLengthPrefix == frame.size(), "encoded length prefix is wrong");
  auto again = p::DecodeBody(Bytes(frame).subspan(p::kLengthPrefix, body));
  const auto* second = std::get_if<p::Decoded>(&again);
  FUZZ_CHECK(second != nullptr, "the decoder refuses a frame the encoder produced");
  FUZZ_CHECK(second->request_id == first.request_id, "request id changed in the round trip");
  FUZZ_CHECK(second->msg.index() == first.msg.index(), "message type changed in the round trip");
  std::string frame2;
  p::EncodeFrame(second->request_id, second->msg, frame2);
  FUZZ_CHECK(frame == frame2, "re-encoding a decoded frame changed its bytes");
}

// The stream fed to a FrameReader in pieces whose sizes come from the bytes themselves,
// alternately copied in and read into its room; returns the frame bodies in order, and
// whether the stream ended on a bad length.
std::vector<std::string> ThroughReader(std::span<const std::uint8_t> data, bool* bad) {
  p::FrameReader reader(16);
  std::vector<std::string> bodies;
  *bad = false;
  std::size_t at = 0;
  bool into_room = false;
  auto drain = [&] {
    for (;;) {
      const auto frame = reader.Next();
      if (frame.state == p::FrameReader::State::kNeedMore) return;
      if (frame.state == p::FrameReader::State::kBadLength) {
        *bad = true;
        FUZZ_CHECK(reader.Next().state == p::FrameReader::State::kBadLength,
                   "a reader handed out more after a bad length");
        return;
      }
      bodies.emplace_back(reinterpret_cast<const char*>(frame.body.data()), frame.body.size());
    }
  };
  while (at < data.size() && !*bad) {
    const std::size_t piece = std::min<std::size_t>(data.size() - at, 1 + data[at] % 97);
    if (into_room) {
      auto room = reader.Room();
      if (room.size() < piece) reader.Resize(reader.unread().size() + piece);
      room = reader.Room();
      FUZZ_CHECK(room.size() >= piece, "Resize did not make the room asked for");
      std::copy_n(data.data() + at, piece, room.data());
      reader.Commit(piece);
    } else {
      reader.Append(data.subspan(at, piece));
    }
    into_room = !into_room;
    at += piece;
    drain();
  }
  return bodies;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> buf(data, size);
  std::vector<std::string> bodies;
  bool bad = false;
  while (true) {
    std::size_t body = 0;
    const auto state = p::PeekFrame(buf, body);
    if (state != p::FrameState::kReady) {
      bad = state == p::FrameState::kTooLarge;
      if (state == p::FrameState::kNeedMore && buf.size() >= p::kLengthPrefix) {
        // The announced length is valid (else kTooLarge), the bytes are simply not all here.
        const std::size_t claimed = (std::size_t{buf[0]} << 24) | (std::size_t{buf[1]} << 16) |
                                    (std::size_t{buf[2]} << 8) | buf[3];
        FUZZ_CHECK(claimed <= p::kMaxFrameBody, "kNeedMore for a frame above the cap");
        FUZZ_CHECK(buf.size() - p::kLengthPrefix < claimed, "kNeedMore with the frame present");
      }
      break;
    }
    FUZZ_CHECK(body >= 6 && body <= p::kMaxFrameBody, "ready frame outside the size caps");
    FUZZ_CHECK(body + p::kLengthPrefix <= buf.size(), "ready frame runs past the buffer");
    std::size_t ignored = 0;
    FUZZ_CHECK(p::PeekFrame(buf.first(p::kLengthPrefix + body - 1), ignored) ==
                   p::FrameState::kNeedMore,
               "frame reported ready one byte early");

    bodies.emplace_back(reinterpret_cast<const char*>(buf.data() + p::kLengthPrefix), body);
    auto decoded = p::DecodeBody(buf.subspan(p::kLengthPrefix, body));
    if (const auto* ok = std::get_if<p::Decoded>(&decoded)) {
      CheckRoundTrip(*ok);
    } else {
      const auto& err = std::get<p::DecodeError>(decoded);
      FUZZ_CHECK(err.code == floatlm::Errc::kMalformedRequest ||
                     err.code == floatlm::Errc::kUnknownMessage,
                 "decode error with an unexpected code");
      FUZZ_CHECK(!err.message.empty(), "decode error without a message");
    }
    buf = buf.subspan(p::kLengthPrefix + body);
  }
  bool reader_bad = false;
  FUZZ_CHECK(ThroughReader({data, size}, &reader_bad) == bodies,
             "FrameReader cut the stream into other frames than the one-pass split");
  FUZZ_CHECK(reader_bad == bad, "FrameReader and the one-pass split disagree on a bad length");
  return 0;
}
