// The frame codec: round trips, and hostile bytes that must be refused without harm.
#include <boost/test/unit_test.hpp>

#include <random>

#include "floatlm/proto/messages.h"

namespace p = floatlm::proto;
using floatlm::Errc;

namespace {

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Encodes, peeks and decodes one message; fails the test if any step does not succeed.
p::Decoded RoundTrip(std::uint32_t id, const p::Message& msg) {
  std::string frame;
  p::EncodeFrame(id, msg, frame);
  std::size_t body = 0;
  BOOST_REQUIRE(p::PeekFrame(Bytes(frame), body) == p::FrameState::kReady);
  BOOST_REQUIRE_EQUAL(body + p::kLengthPrefix, frame.size());
  auto decoded = p::DecodeBody(Bytes(frame).subspan(p::kLengthPrefix, body));
  BOOST_REQUIRE(std::holds_alternative<p::Decoded>(decoded));
  auto out = std::get<p::Decoded>(std::move(decoded));
  BOOST_REQUIRE_EQUAL(out.request_id, id);
  BOOST_REQUIRE_EQUAL(out.msg.index(), msg.index());
  return out;
}

std::string Body(std::uint16_t type, std::uint32_t id, const std::string& fields) {
  std::string b;
  b.push_back(static_cast<char>(type >> 8));
  b.push_back(static_cast<char>(type));
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<char>(id >> s));
  return b + fields;
}

p::DecodeError MustFail(const std::string& body) {
  auto r = p::DecodeBody(Bytes(body));
  BOOST_REQUIRE(std::holds_alternative<p::DecodeError>(r));
  return std::get<p::DecodeError>(r);
}

}  // namespace

BOOST_AUTO_TEST_CASE(hello_round_trips_every_field) {
  p::Hello h{p::kProtocolVersion, "alice", "ws1", ":0", 4242, "cad", "0.1.0"};
  auto out = std::get<p::Hello>(RoundTrip(7, h).msg);
  BOOST_TEST(out.user == "alice");
  BOOST_TEST(out.host == "ws1");
  BOOST_TEST(out.display == ":0");
  BOOST_TEST(out.pid == 4242u);
  BOOST_TEST(out.app == "cad");
  BOOST_TEST(out.client_version == "0.1.0");
  BOOST_TEST(out.proto_version == p::kProtocolVersion);
}

BOOST_AUTO_TEST_CASE(checkout_and_grant_round_trip) {
  auto co = std::get<p::Checkout>(RoundTrip(1, p::Checkout{"cad", "2027.0", 5000, "UHD"}).msg);
  BOOST_TEST(co.feature == "cad");
  BOOST_TEST(co.version == "2027.0");
  BOOST_TEST(co.wait_ms == 5000u);
  BOOST_TEST(co.dup_group == "UHD");
  BOOST_TEST(std::get<p::Checkout>(RoundTrip(2, p::Checkout{"cad"}).msg).dup_group.empty());
  BOOST_TEST(std::get<p::Checkout>(RoundTrip(2, p::Checkout{"cad"}).msg).seats == 0u);  // 1 seat
  BOOST_TEST(std::get<p::Checkout>(RoundTrip(3, p::Checkout{"cad", "", 0, "", 4}).msg).seats == 4u);
  p::Granted g{0xFFFFFFFFFFFFFFFFull, 0x1234567890ABCDEFull, "cad", "2027.0", "cad 2027.0 (a.lic:3)",
               "31-dec-2027", true};
  auto out = std::get<p::Granted>(RoundTrip(2, g).msg);
  BOOST_TEST(out.lease == g.lease);
  BOOST_TEST(out.token == g.token);
  BOOST_TEST(out.pool == g.pool);
  BOOST_TEST(out.license_expiry == g.license_expiry);
  BOOST_TEST(out.shared);
  BOOST_TEST(out.seats == 0u, "absent: one seat, as from a daemon before COUNT");
  g.seats = 16;
  BOOST_TEST(std::get<p::Granted>(RoundTrip(3, g).msg).seats == 16u);
}

BOOST_AUTO_TEST_CASE(every_message_type_round_trips) {
  std::vector<p::Message> all = {
      p::Hello{}, p::Checkout{"f"}, p::Checkin{9}, p::Heartbeat{}, p::Reattach{3, 4},
      p::Status{"f", 1}, p::Admin{"remove", {"cad", "alice", "ws1"}, "tok"},
      p::HelloOk{1, "0.1", 5, 120000, 30000, 30000}, p::Granted{1, 2, "f"},
      p::Denied{Errc::kAllSeatsInUse, "2 of 2 in use"}, p::Queued{3}, p::Ok{1, "fine"},
      p::Error{Errc::kMalformedRequest, "bad"}, p::LeaseLost{5, Errc::kLeaseRemoved, "removed"},
      p::StatusChunk{"body", false}, p::Shutdown{"bye"}, p::Diag{"cad", "2027.0", 1}};
  for (std::size_t i = 0; i < all.size(); ++i) RoundTrip(static_cast<std::uint32_t>(i), all[i]);
  auto admin = std::get<p::Admin>(RoundTrip(1, all[6]).msg);
  BOOST_TEST(admin.args.size() == 3u);
  BOOST_TEST(admin.args[2] == "ws1");
  BOOST_TEST(admin.token == "tok");
  auto denied = std::get<p::Denied>(RoundTrip(1, all[9]).msg);
  BOOST_TEST(static_cast<int>(denied.code) == static_cast<int>(Errc::kAllSeatsInUse));
  auto diag = std::get<p::Diag>(RoundTrip(1, all[16]).msg);
  BOOST_TEST(diag.feature == "cad");
  BOOST_TEST(diag.version == "2027.0");
  BOOST_TEST(diag.format == 1u);
  auto chunk = std::get<p::StatusChunk>(RoundTrip(1, all[14]).msg);
  BOOST_TEST(!chunk.last);
}

BOOST_AUTO_TEST_CASE(two_frames_in_one_buffer_are_split) {
  std::string buf;
  p::EncodeFrame(1, p::Checkin{11}, buf);
  p::EncodeFrame(2, p::Checkin{22}, buf);
  std::size_t body = 0;
  BOOST_REQUIRE(p::PeekFrame(Bytes(buf), body) == p::FrameState::kReady);
  auto rest = Bytes(buf).subspan(p::kLengthPrefix + body);
  std::size_t body2 = 0;
  BOOST_REQUIRE(p::PeekFrame(rest, body2) == p::FrameState::kReady);
  auto second = std::get<p::Decoded>(p::DecodeBody(rest.subspan(p::kLengthPrefix, body2)));
  BOOST_TEST(std::get<p::Checkin>(second.msg).lease == 22u);
}

BOOST_AUTO_TEST_CASE(every_truncation_needs_more_bytes) {
  std::string frame;
  p::EncodeFrame(1, p::Hello{1, "alice", "ws1", "", 1, "app", "1"}, frame);
  for (std::size_t n = 0; n < frame.size(); ++n) {
    std::size_t body = 0;
    BOOST_TEST((p::PeekFrame(Bytes(frame).first(n), body) == p::FrameState::kNeedMore));
  }
}

BOOST_AUTO_TEST_CASE(oversized_and_zero_lengths_are_refused_before_reading) {
  std::size_t body = 0;
  const std::string huge("\xFF\xFF\xFF\xFF", 4);
  BOOST_TEST((p::PeekFrame(Bytes(huge), body) == p::FrameState::kTooLarge));
  const std::string just_over = std::string("\x00\x01\x00\x01", 4);  // 65537
  BOOST_TEST((p::PeekFrame(Bytes(just_over), body) == p::FrameState::kTooLarge));
  const std::string zero("\x00\x00\x00\x00", 4);
  BOOST_TEST((p::PeekFrame(Bytes(zero), body) == p::FrameState::kTooLarge));
  const std::string too_short_for_header("\x00\x00\x00\x05", 4);
  BOOST_TEST((p::PeekFrame(Bytes(too_short_for_header), body) == p::FrameState::kTooLarge));
}

BOOST_AUTO_TEST_CASE(unknown_message_type_is_reported_with_its_request_id) {
  auto err = MustFail(Body(999, 77, ""));
  BOOST_TEST(static_cast<int>(err.code) == static_cast<int>(Errc::kUnknownMessage));
  BOOST_TEST(err.request_id == 77u);
}

BOOST_AUTO_TEST_CASE(unknown_tags_are_skipped) {
  // tag 200 as an integer and as a string, then a real lease field.
  std::string fields;
  fields += std::string("\xC8\x00", 2) + std::string(8, '\x01');
  fields += std::string("\xC9\x01\x00\x03xyz", 7);
  fields += std::string("\x0B\x00", 2) + std::string("\x00\x00\x00\x00\x00\x00\x00\x2A", 8);
  auto r = p::DecodeBody(Bytes(Body(3, 1, fields)));
  BOOST_REQUIRE(std::holds_alternative<p::Decoded>(r));
  BOOST_TEST(std::get<p::Checkin>(std::get<p::Decoded>(r).msg).lease == 42u);
}

BOOST_AUTO_TEST_CASE(truncated_fields_are_malformed) {
  const std::vector<std::string> bad = {
      std::string("\x0B", 1),                             // header cut
      std::string("\x0B\x00\x00\x00", 4),                 // integer cut
      std::string("\x08\x01\x00", 3),                     // string length cut
      std::string("\x08\x01\x00\x10short", 9),            // string runs past the end
      std::string("\x08\x07\x00\x00", 4),                 // unknown kind
  };
  for (const auto& f : bad) {
    auto err = MustFail(Body(2, 5, f));
    BOOST_TEST(static_cast<int>(err.code) == static_cast<int>(Errc::kMalformedRequest));
    BOOST_TEST(err.request_id == 5u);
    BOOST_TEST(!err.message.empty());
  }
}

BOOST_AUTO_TEST_CASE(strings_above_caps_and_wrong_kinds_are_malformed) {
  std::string long_name(p::kMaxName + 1, 'a');
  std::string f = std::string("\x08\x01", 2);
  f.push_back(static_cast<char>(long_name.size() >> 8));
  f.push_back(static_cast<char>(long_name.size()));
  f += long_name;
  BOOST_TEST(MustFail(Body(2, 1, f)).message.find("longer") != std::string::npos);
  // feature sent as an integer
  auto wrong = std::string("\x08\x00", 2) + std::string(8, '\0');
  BOOST_TEST(MustFail(Body(2, 1, wrong)).message.find("string") != std::string::npos);
  // an integer too large for a 32-bit field
  auto big = std::string("\x01\x00", 2) + std::string(8, '\xFF');
  BOOST_TEST(MustFail(Body(1, 1, big)).message.find("range") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(too_many_fields_are_refused) {
  std::string f;
  for (std::size_t i = 0; i <= p::kMaxFieldsPerFrame; ++i) f += std::string("\xC8\x00", 2) + std::string(8, '\0');
  BOOST_TEST(MustFail(Body(4, 1, f)).message.find("too many") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(encoder_cuts_overlong_strings_at_the_cap) {
  p::Checkout co{std::string(1000, 'x')};
  auto out = std::get<p::Checkout>(RoundTrip(1, co).msg);
  BOOST_TEST(out.feature.size() == p::kMaxName);
}

BOOST_AUTO_TEST_CASE(hello_carries_host_ids_at_most_32) {
  p::Hello h;
  h.user = "alice";
  h.host_ids = {"0242ac110002", "HOSTNAME=ws1", "COMPOSITE=9F"};
  BOOST_TEST(std::get<p::Hello>(RoundTrip(1, h).msg).host_ids == h.host_ids);
  BOOST_TEST(std::get<p::Hello>(RoundTrip(1, p::Hello{}).msg).host_ids.empty());
  h.host_ids.assign(40, "HOSTNAME=x");
  BOOST_TEST(std::get<p::Hello>(RoundTrip(1, h).msg).host_ids.size() == 32u);  // the encoder caps
}

BOOST_AUTO_TEST_CASE(a_grant_carries_its_license_lines_when_hello_asks) {
  p::Hello h;
  h.user = "alice";
  h.want_license_lines = true;
  BOOST_TEST(std::get<p::Hello>(RoundTrip(1, h).msg).want_license_lines);
  BOOST_TEST(!std::get<p::Hello>(RoundTrip(1, p::Hello{}).msg).want_license_lines);
  p::Granted g;
  g.lease = 3;
  g.feature = "cad";
  g.license_lines = {"ANY\nFEATURE cad acme 1.0 permanent 2 SIGN=\"00\"",
                     "0a1b2c3d4e5f\nPACKAGE pdc acme COMPONENTS=\"cad\" SIGN=\"01\""};
  g.license_lines_left_out = 2;
  const auto out = std::get<p::Granted>(RoundTrip(9, g).msg);
  BOOST_TEST(out.license_lines == g.license_lines);
  BOOST_TEST(out.license_lines_left_out == 2u);
}

BOOST_AUTO_TEST_CASE(license_lines_are_fitted_whole_never_cut) {
  std::vector<std::string> lines(40, std::string(1000, 'l'));
  lines[3] = std::string(p::kMaxLicenseLine + 1, 'x');  // never fits: it and the rest go
  std::vector<std::string> fitted = lines;
  BOOST_TEST(p::FitLicenseLines(fitted) == 37u);
  BOOST_TEST(fitted.size() == 3u);
  // The byte budget: 32 lines of 1,000 bytes fit, 33 of 1,000 do not fit the count cap,
  // 20 of 2,000 stop at the 32 KiB budget.
  std::vector<std::string> many(33, std::string(1000, 'm'));
  BOOST_TEST(p::FitLicenseLines(many) == 1u);
  std::vector<std::string> big(20, std::string(2000, 'b'));
  BOOST_TEST(p::FitLicenseLines(big) == 4u);
  // The encoder applies the same rule, so a grant it writes always decodes.
  p::Granted g;
  g.license_lines = std::vector<std::string>(20, std::string(4000, 'z'));
  const auto out = std::get<p::Granted>(RoundTrip(1, g).msg);
  BOOST_TEST(out.license_lines.size() == 8u);
}

BOOST_AUTO_TEST_CASE(a_license_line_above_its_cap_or_repeated_too_often_is_malformed) {
  auto field = [](const std::string& value) {
    std::string f("\x20\x01", 2);
    f.push_back(static_cast<char>(value.size() >> 8));
    f.push_back(static_cast<char>(value.size()));
    return f + value;
  };
  BOOST_TEST(MustFail(Body(65, 1, field(std::string(p::kMaxLicenseLine + 1, 'a'))))
                 .message.find("longer") != std::string::npos);
  std::string many;
  for (std::size_t i = 0; i <= p::kMaxLicenseLines; ++i) many += field("ANY\nx");
  BOOST_TEST(MustFail(Body(65, 1, many)).message.find("repeats") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(random_garbage_never_crashes_the_decoder) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 300);
  std::size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string b(static_cast<std::size_t>(len(rng)), '\0');
    for (auto& c : b) c = static_cast<char>(byte(rng));
    if (b.size() >= 2 && i % 2 == 0) {  // bias half the inputs to known types
      b[0] = 0;
      b[1] = static_cast<char>(1 + i % 7);
    }
    auto r = p::DecodeBody(Bytes(b));
    if (std::holds_alternative<p::Decoded>(r)) ++decoded;
    std::size_t body = 0;
    (void)p::PeekFrame(Bytes(b), body);
  }
  BOOST_TEST_MESSAGE("garbage inputs that decoded: " << decoded);
}
