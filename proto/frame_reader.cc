#include "floatlm/proto/frame_reader.h"

#include <algorithm>
#include <cstring>

namespace floatlm::proto {

FrameReader::FrameReader(std::size_t capacity) : buf_(capacity) {}

void FrameReader::Compact() {
  if (begin_ == 0) return;
  if (end_ > begin_) std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
}

void FrameReader::Append(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  if (buf_.size() - end_ < bytes.size()) {
    Compact();
    if (buf_.size() - end_ < bytes.size()) buf_.resize(end_ + bytes.size());
  }
  std::memcpy(buf_.data() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
}

std::span<std::uint8_t> FrameReader::Room() {
  Compact();
  return {buf_.data() + end_, buf_.size() - end_};
}

void FrameReader::Commit(std::size_t n) { end_ += std::min(n, buf_.size() - end_); }

FrameReader::Frame FrameReader::Next() {
  if (bad_) return {State::kBadLength, {}};
  std::size_t body = 0;
  switch (PeekFrame(unread(), body)) {
    case FrameState::kNeedMore:
      if (begin_ == end_) begin_ = end_ = 0;  // empty: the next read starts at the front
      return {};
    case FrameState::kTooLarge:
      bad_ = true;
      return {State::kBadLength, {}};
    case FrameState::kReady:
      break;
  }
  const std::span<const std::uint8_t> out(buf_.data() + begin_ + kLengthPrefix, body);
  begin_ += kLengthPrefix + body;
  return {State::kFrame, out};
}

FrameReader::Message FrameReader::NextDecoded() {
  const Frame frame = Next();
  switch (frame.state) {
    case State::kNeedMore:
      return NeedMore{};
    case State::kBadLength:
      return BadLength{};
    case State::kFrame:
      break;
  }
  auto decoded = DecodeBody(frame.body);
  if (auto* ok = std::get_if<Decoded>(&decoded)) return std::move(*ok);
  return std::get<DecodeError>(std::move(decoded));
}

std::span<const std::uint8_t> FrameReader::unread() const {
  return {buf_.data() + begin_, end_ - begin_};
}

std::size_t FrameReader::frame_size() const {
  const auto bytes = unread();
  std::size_t body = 0;
  switch (PeekFrame(bytes, body)) {
    case FrameState::kReady:
      return kLengthPrefix + body;
    case FrameState::kTooLarge:
      return 0;
    case FrameState::kNeedMore:
      break;
  }
  if (bytes.size() < kLengthPrefix) return 0;
  const std::size_t len = (std::size_t{bytes[0]} << 24) | (std::size_t{bytes[1]} << 16) |
                          (std::size_t{bytes[2]} << 8) | std::size_t{bytes[3]};
  return kLengthPrefix + len;
}

void FrameReader::Resize(std::size_t capacity) {
  Compact();
  const std::size_t size = std::max(capacity, end_);
  buf_.resize(size);
  if (size < buf_.capacity() / 2) buf_.shrink_to_fit();
}

void FrameReader::Clear() {
  begin_ = end_ = 0;
  bad_ = false;
}

}  // namespace floatlm::proto
