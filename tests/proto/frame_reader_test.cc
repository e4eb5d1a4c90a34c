// FrameReader: a stream cut anywhere gives the same frames, a bad length stops the
// stream for good, and a reader filled through Room() never grows by itself.
#include "floatlm/proto/frame_reader.h"

#include <boost/test/unit_test.hpp>
#include <random>
#include <string>
#include <vector>

namespace p = floatlm::proto;

namespace {

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string Stream() {
  std::string out;
  p::EncodeFrame(1, p::Hello{}, out);
  p::Checkout co;
  co.feature = "solver";
  co.seats = 2;
  p::EncodeFrame(2, co, out);
  p::EncodeFrame(3, p::Heartbeat{}, out);
  p::EncodeFrame(4, p::Shutdown{std::string(20000, 'x')}, out);  // larger than any first buffer
  return out;
}

std::vector<std::uint32_t> Drain(p::FrameReader& r) {
  std::vector<std::uint32_t> ids;
  for (;;) {
    auto next = r.NextDecoded();
    if (std::holds_alternative<p::FrameReader::NeedMore>(next)) return ids;
    BOOST_REQUIRE(std::holds_alternative<p::Decoded>(next));
    ids.push_back(std::get<p::Decoded>(next).request_id);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(frame_reader)

BOOST_AUTO_TEST_CASE(a_stream_cut_anywhere_gives_the_same_frames) {
  const std::string stream = Stream();
  const std::vector<std::uint32_t> want{1, 2, 3, 4};
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    p::FrameReader r;
    std::vector<std::uint32_t> got;
    std::size_t at = 0;
    while (at < stream.size()) {
      const std::size_t n =
          std::min<std::size_t>(stream.size() - at, 1 + rng() % (round < 20 ? 3 : 9000));
      r.Append(Bytes(stream).subspan(at, n));
      at += n;
      for (auto id : Drain(r)) got.push_back(id);
    }
    BOOST_TEST(got == want, boost::test_tools::per_element());
    BOOST_TEST(r.unread().empty());
  }
}

BOOST_AUTO_TEST_CASE(a_frame_is_not_ready_one_byte_early) {
  std::string frame;
  p::EncodeFrame(9, p::Heartbeat{}, frame);
  p::FrameReader r;
  r.Append(Bytes(frame).first(frame.size() - 1));
  BOOST_TEST((r.Next().state == p::FrameReader::State::kNeedMore));
  BOOST_TEST(r.frame_size() == frame.size());
  r.Append(Bytes(frame).last(1));
  const auto got = r.Next();
  BOOST_TEST((got.state == p::FrameReader::State::kFrame));
  BOOST_TEST(got.body.size() == frame.size() - p::kLengthPrefix);
}

BOOST_AUTO_TEST_CASE(a_bad_length_stops_the_stream_for_good) {
  for (const std::string& prefix :
       {std::string("\0\0\0\0", 4), std::string("\0\0\0\5", 4), std::string("\0\x01\0\x01", 4),
        std::string("\x16\x03\x01\0", 4)}) {
    p::FrameReader r;
    std::string good;
    p::EncodeFrame(1, p::Hello{}, good);
    r.Append(Bytes(prefix + good));
    BOOST_TEST((r.Next().state == p::FrameReader::State::kBadLength));
    // The good frame behind it is never handed out: the stream cannot be resynchronised.
    BOOST_TEST((r.Next().state == p::FrameReader::State::kBadLength));
    BOOST_TEST(std::holds_alternative<p::FrameReader::BadLength>(r.NextDecoded()));
    BOOST_TEST(r.unread().size() == prefix.size() + good.size());  // kept, for a diagnosis
    BOOST_TEST(r.frame_size() == 0u);
    r.Clear();
    r.Append(Bytes(good));
    BOOST_TEST((r.Next().state == p::FrameReader::State::kFrame));
  }
}

BOOST_AUTO_TEST_CASE(an_undecodable_body_is_reported_and_the_stream_goes_on) {
  std::string stream("\0\0\0\x06\x7f\x7f\0\0\0\x05", 10);  // an unknown message type
  p::EncodeFrame(6, p::Heartbeat{}, stream);
  p::FrameReader r;
  r.Append(Bytes(stream));
  auto first = r.NextDecoded();
  BOOST_REQUIRE(std::holds_alternative<p::DecodeError>(first));
  BOOST_TEST((std::get<p::DecodeError>(first).code == floatlm::Errc::kUnknownMessage));
  BOOST_TEST(std::get<p::DecodeError>(first).request_id == 5u);
  auto second = r.NextDecoded();
  BOOST_REQUIRE(std::holds_alternative<p::Decoded>(second));
  BOOST_TEST(std::get<p::Decoded>(second).request_id == 6u);
}

BOOST_AUTO_TEST_CASE(reads_into_room_never_grow_the_buffer_by_themselves) {
  const std::string stream = Stream();
  p::FrameReader r(512);
  std::vector<std::uint32_t> got;
  std::size_t at = 0;
  std::size_t grown = 0;
  while (at < stream.size()) {
    auto room = r.Room();
    if (room.empty()) {
      // Full without a complete frame: only the owner grows it, here to the frame begun.
      BOOST_REQUIRE(r.frame_size() > r.capacity() || r.frame_size() == 0);
      r.Resize(std::max(r.frame_size(), r.capacity() * 2));
      ++grown;
      continue;
    }
    BOOST_TEST(r.capacity() <= p::kLargestFrame);
    const std::size_t n = std::min(room.size(), stream.size() - at);
    std::copy_n(stream.data() + at, n, room.begin());
    r.Commit(n);
    at += n;
    for (auto id : Drain(r)) got.push_back(id);
  }
  BOOST_TEST(got == (std::vector<std::uint32_t>{1, 2, 3, 4}), boost::test_tools::per_element());
  BOOST_TEST(grown >= 1u);
  // Resize never drops unread bytes, and gives memory back when asked to shrink.
  std::string half;
  p::EncodeFrame(8, p::Heartbeat{}, half);
  r.Append(Bytes(half).first(5));
  r.Resize(1);
  BOOST_TEST(r.capacity() == 5u);
  r.Append(Bytes(half).subspan(5));
  BOOST_TEST((r.Next().state == p::FrameReader::State::kFrame));
}

BOOST_AUTO_TEST_SUITE_END()
