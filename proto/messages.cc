#include "floatlm/proto/messages.h"

#include <limits>
#include <type_traits>

namespace floatlm::proto {
namespace {

enum class Kind : std::uint8_t { kUint = 0, kBytes = 1 };
constexpr std::size_t kBodyHeader = 2 + 4;  // type + request id
constexpr std::size_t kMaxArgs = 32;

void PutU16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
void PutU32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void PutU64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

// The fields of every message, described once and used both ways: with a FieldWriter
// to encode, with a FieldSink to decode. Opt* fields are left out of a frame when they
// are empty or zero (absent means default); the others are always written.
template <class F, class M>
void Fields(F& f, M& m) {
  using T = std::remove_const_t<M>;
  if constexpr (std::is_same_v<T, Hello>) {
    f.Uint(Tag::kProtoVersion, m.proto_version);
    f.OptName(Tag::kUser, m.user);
    f.OptName(Tag::kHost, m.host);
    f.OptName(Tag::kDisplay, m.display);
    f.OptUint(Tag::kPid, m.pid);
    f.OptName(Tag::kApp, m.app);
    f.OptName(Tag::kClientVersion, m.client_version);
    f.OptBool(Tag::kWantLicenseLines, m.want_license_lines);
    f.Names(Tag::kHostId, m.host_ids);
  } else if constexpr (std::is_same_v<T, Checkout>) {
    f.Name(Tag::kFeature, m.feature);
    f.OptName(Tag::kVersion, m.version);
    f.OptUint(Tag::kWaitMs, m.wait_ms);
    f.OptName(Tag::kDupGroup, m.dup_group);
    f.OptUint(Tag::kCount, m.seats);
  } else if constexpr (std::is_same_v<T, Checkin>) {
    f.Uint(Tag::kLease, m.lease);
  } else if constexpr (std::is_same_v<T, Heartbeat>) {
  } else if constexpr (std::is_same_v<T, Reattach>) {
    f.Uint(Tag::kLease, m.lease);
    f.Uint(Tag::kToken, m.token);
  } else if constexpr (std::is_same_v<T, Status>) {
    f.OptName(Tag::kFeature, m.feature);
    f.OptUint(Tag::kFormat, m.format);
  } else if constexpr (std::is_same_v<T, Diag>) {
    f.Name(Tag::kFeature, m.feature);
    f.OptName(Tag::kVersion, m.version);
    f.OptUint(Tag::kFormat, m.format);
  } else if constexpr (std::is_same_v<T, Admin>) {
    f.Name(Tag::kCommand, m.command);
    f.Names(Tag::kArg, m.args);
    f.OptName(Tag::kToken2, m.token);
  } else if constexpr (std::is_same_v<T, HelloOk>) {
    f.Uint(Tag::kProtoVersion, m.proto_version);
    f.OptName(Tag::kServerVersion, m.server_version);
    f.Uint(Tag::kClientId, m.client_id);
    f.Uint(Tag::kTtlMs, m.ttl_ms);
    f.Uint(Tag::kHeartbeatMs, m.heartbeat_ms);
    f.Uint(Tag::kReattachMs, m.reattach_ms);
  } else if constexpr (std::is_same_v<T, Granted>) {
    f.Uint(Tag::kLease, m.lease);
    f.Uint(Tag::kToken, m.token);
    f.Name(Tag::kFeature, m.feature);
    f.OptName(Tag::kVersion, m.version);
    f.OptName(Tag::kPool, m.pool);
    f.OptName(Tag::kLicenseExpiry, m.license_expiry);
    f.Bool(Tag::kShared, m.shared);
    f.OptUint(Tag::kCount, m.seats);
    f.OptText(Tag::kReason, m.reason);
    f.Lines(Tag::kLicenseLine, m.license_lines);
    f.OptUint(Tag::kLicenseLinesLeftOut, m.license_lines_left_out);
  } else if constexpr (std::is_same_v<T, Denied> || std::is_same_v<T, Error>) {
    f.Code(Tag::kCode, m.code);
    f.OptText(Tag::kMessage, m.message);
  } else if constexpr (std::is_same_v<T, Queued>) {
    f.Uint(Tag::kPosition, m.position);
  } else if constexpr (std::is_same_v<T, Ok>) {
    f.OptUint(Tag::kCount, m.count);
    f.OptText(Tag::kMessage, m.message);
  } else if constexpr (std::is_same_v<T, LeaseLost>) {
    f.Uint(Tag::kLease, m.lease);
    f.Code(Tag::kCode, m.code);
    f.OptText(Tag::kMessage, m.message);
  } else if constexpr (std::is_same_v<T, StatusChunk>) {
    f.OptText(Tag::kBody, m.body);
    f.Bool(Tag::kLast, m.last);
  } else if constexpr (std::is_same_v<T, Shutdown>) {
    f.OptText(Tag::kMessage, m.message);
  } else if constexpr (std::is_same_v<T, Progress>) {
    f.OptText(Tag::kMessage, m.message);
  }
}

// Encodes fields. Strings longer than the protocol allows are cut at the cap: the
// encoder never produces a frame the decoder would refuse.
class FieldWriter {
 public:
  explicit FieldWriter(std::string& out) : out_(out) {}
  void Uint(Tag tag, std::uint64_t v) {
    out_.push_back(static_cast<char>(tag));
    out_.push_back(static_cast<char>(Kind::kUint));
    PutU64(out_, v);
  }
  void Name(Tag tag, std::string_view s) { Bytes(tag, s, kMaxName); }
  void Text(Tag tag, std::string_view s) { Bytes(tag, s, kMaxText); }
  void OptName(Tag tag, std::string_view s) { if (!s.empty()) Name(tag, s); }
  void OptText(Tag tag, std::string_view s) { if (!s.empty()) Text(tag, s); }
  void OptUint(Tag tag, std::uint64_t v) { if (v != 0) Uint(tag, v); }
  void Bool(Tag tag, bool v) { Uint(tag, v ? 1 : 0); }
  void OptBool(Tag tag, bool v) { if (v) Uint(tag, 1); }
  void Code(Tag tag, Errc code) { Uint(tag, static_cast<std::uint64_t>(code)); }
  void Names(Tag tag, const std::vector<std::string>& values) {
    for (std::size_t i = 0; i < values.size() && i < kMaxArgs; ++i) Name(tag, values[i]);
  }
  // What FitLicenseLines keeps: a line is never cut (a cut line cannot verify).
  void Lines(Tag tag, const std::vector<std::string>& values) {
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < values.size() && i < kMaxLicenseLines; ++i) {
      bytes += values[i].size();
      if (values[i].size() > kMaxLicenseLine || bytes > kLicenseLineBudget) break;
      Bytes(tag, values[i], kMaxLicenseLine);
    }
  }

 private:
  void Bytes(Tag tag, std::string_view s, std::size_t cap) {
    if (s.size() > cap) s = s.substr(0, cap);
    out_.push_back(static_cast<char>(tag));
    out_.push_back(static_cast<char>(Kind::kBytes));
    PutU16(out_, static_cast<std::uint16_t>(s.size()));
    out_.append(s);
  }
  std::string& out_;
};

// Reads fields from a body, bounds-checked.
class FieldReader {
 public:
  explicit FieldReader(std::span<const std::uint8_t> data) : data_(data) {}
  bool AtEnd() const { return pos_ == data_.size(); }

  // Reads the next field; false with `error` set if it does not fit.
  bool Next(Tag& tag, Kind& kind, std::uint64_t& u, std::string_view& s, std::string& error) {
    if (data_.size() - pos_ < 2) return Fail(error, "truncated field header");
    tag = static_cast<Tag>(data_[pos_]);
    kind = static_cast<Kind>(data_[pos_ + 1]);
    pos_ += 2;
    if (kind == Kind::kUint) {
      if (data_.size() - pos_ < 8) return Fail(error, "truncated integer field");
      u = 0;
      for (int i = 0; i < 8; ++i) u = (u << 8) | data_[pos_ + i];
      pos_ += 8;
      return true;
    }
    if (kind == Kind::kBytes) {
      if (data_.size() - pos_ < 2) return Fail(error, "truncated string length");
      std::size_t len = (std::size_t{data_[pos_]} << 8) | data_[pos_ + 1];
      pos_ += 2;
      if (data_.size() - pos_ < len) return Fail(error, "string field runs past the frame");
      s = std::string_view(reinterpret_cast<const char*>(data_.data() + pos_), len);
      pos_ += len;
      return true;
    }
    return Fail(error, "unknown field kind " + std::to_string(static_cast<int>(kind)));
  }

 private:
  static bool Fail(std::string& error, std::string text) {
    error = std::move(text);
    return false;
  }
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

// Decodes one field into a message: each call of Fields() checks whether the field
// read is the one it describes. A value that breaks a cap or has the wrong kind sets
// `error`; unknown tags match nothing and are ignored.
class FieldSink {
 public:
  FieldSink(Tag tag, Kind kind, std::uint64_t u, std::string_view s)
      : tag_(tag), kind_(kind), u_(u), s_(s) {}
  std::string error;

  void Name(Tag tag, std::string& out) { Str(tag, out, kMaxName); }
  void Text(Tag tag, std::string& out) { Str(tag, out, kMaxText); }
  void OptName(Tag tag, std::string& out) { Name(tag, out); }
  void OptText(Tag tag, std::string& out) { Text(tag, out); }
  template <typename U>
  void Uint(Tag tag, U& out) {
    if (tag_ != tag) return;
    if (kind_ != Kind::kUint) return Bad("must be an integer");
    if (u_ > std::uint64_t{std::numeric_limits<U>::max()}) return Bad("is out of range");
    out = static_cast<U>(u_);
  }
  template <typename U>
  void OptUint(Tag tag, U& out) { Uint(tag, out); }
  void Bool(Tag tag, bool& out) {
    std::uint64_t v = 0;
    Uint(tag, v);
    if (tag_ == tag && error.empty()) out = v != 0;
  }
  void OptBool(Tag tag, bool& out) { Bool(tag, out); }
  void Code(Tag tag, Errc& out) {
    std::uint16_t v = 0;
    Uint(tag, v);
    if (tag_ == tag && error.empty()) out = static_cast<Errc>(v);
  }
  void Names(Tag tag, std::vector<std::string>& out) {
    if (tag_ != tag) return;
    if (out.size() >= kMaxArgs) return Bad("repeats too often");
    std::string value;
    Str(tag, value, kMaxName);
    if (error.empty()) out.push_back(std::move(value));
  }
  void Lines(Tag tag, std::vector<std::string>& out) {
    if (tag_ != tag) return;
    if (out.size() >= kMaxLicenseLines) return Bad("repeats too often");
    std::string value;
    Str(tag, value, kMaxLicenseLine);
    if (error.empty()) out.push_back(std::move(value));
  }

 private:
  void Str(Tag tag, std::string& out, std::size_t cap) {
    if (tag_ != tag) return;
    if (kind_ != Kind::kBytes) return Bad("must be a string");
    if (s_.size() > cap) return Bad("is longer than " + std::to_string(cap) + " bytes");
    out.assign(s_);
  }
  void Bad(std::string_view what) {
    error = "field " + std::to_string(static_cast<int>(tag_)) + " " + std::string(what);
  }
  Tag tag_;
  Kind kind_;
  std::uint64_t u_;
  std::string_view s_;
};

bool MessageFor(MsgType type, Message& out) {
  switch (type) {
    case MsgType::kHello: out = Hello{}; return true;
    case MsgType::kCheckout: out = Checkout{}; return true;
    case MsgType::kCheckin: out = Checkin{}; return true;
    case MsgType::kHeartbeat: out = Heartbeat{}; return true;
    case MsgType::kReattach: out = Reattach{}; return true;
    case MsgType::kStatus: out = Status{}; return true;
    case MsgType::kAdmin: out = Admin{}; return true;
    case MsgType::kDiag: out = Diag{}; return true;
    case MsgType::kHelloOk: out = HelloOk{}; return true;
    case MsgType::kGranted: out = Granted{}; return true;
    case MsgType::kDenied: out = Denied{}; return true;
    case MsgType::kQueued: out = Queued{}; return true;
    case MsgType::kOk: out = Ok{}; return true;
    case MsgType::kError: out = Error{}; return true;
    case MsgType::kLeaseLost: out = LeaseLost{}; return true;
    case MsgType::kStatusChunk: out = StatusChunk{}; return true;
    case MsgType::kShutdown: out = Shutdown{}; return true;
    case MsgType::kProgress: out = Progress{}; return true;
  }
  return false;
}

}  // namespace

MsgType TypeOf(const Message& msg) {
  static constexpr MsgType kTypes[] = {
      MsgType::kHello,    MsgType::kCheckout, MsgType::kCheckin,   MsgType::kHeartbeat,
      MsgType::kReattach, MsgType::kStatus,   MsgType::kAdmin,     MsgType::kHelloOk,
      MsgType::kGranted,  MsgType::kDenied,   MsgType::kQueued,    MsgType::kOk,
      MsgType::kError,    MsgType::kLeaseLost, MsgType::kStatusChunk, MsgType::kShutdown,
      MsgType::kDiag,     MsgType::kProgress};
  static_assert(std::size(kTypes) == std::variant_size_v<Message>);
  return kTypes[msg.index()];
}

std::uint64_t FitLicenseLines(std::vector<std::string>& lines) {
  std::size_t keep = 0, bytes = 0;
  while (keep < lines.size() && keep < kMaxLicenseLines) {
    bytes += lines[keep].size();
    if (lines[keep].size() > kMaxLicenseLine || bytes > kLicenseLineBudget) break;
    ++keep;
  }
  const std::uint64_t dropped = lines.size() - keep;
  lines.resize(keep);
  return dropped;
}

void EncodeFrame(std::uint32_t request_id, const Message& msg, std::string& out) {
  const std::size_t start = out.size();
  PutU32(out, 0);  // length, patched below
  PutU16(out, static_cast<std::uint16_t>(TypeOf(msg)));
  PutU32(out, request_id);
  FieldWriter w(out);
  std::visit([&w](const auto& m) { Fields(w, m); }, msg);
  const auto body = static_cast<std::uint32_t>(out.size() - start - kLengthPrefix);
  for (int i = 0; i < 4; ++i) out[start + i] = static_cast<char>(body >> (24 - 8 * i));
}

FrameState PeekFrame(std::span<const std::uint8_t> buf, std::size_t& body_size) {
  if (buf.size() < kLengthPrefix) return FrameState::kNeedMore;
  const std::uint32_t len = (std::uint32_t{buf[0]} << 24) | (std::uint32_t{buf[1]} << 16) |
                            (std::uint32_t{buf[2]} << 8) | std::uint32_t{buf[3]};
  if (len < kBodyHeader || len > kMaxFrameBody) return FrameState::kTooLarge;
  if (buf.size() - kLengthPrefix < len) return FrameState::kNeedMore;
  body_size = len;
  return FrameState::kReady;
}

std::variant<Decoded, DecodeError> DecodeBody(std::span<const std::uint8_t> body) {
  if (body.size() < kBodyHeader || body.size() > kMaxFrameBody) {
    return DecodeError{Errc::kMalformedRequest, 0, "frame body has an invalid size"};
  }
  const auto type = static_cast<MsgType>((std::uint16_t{body[0]} << 8) | body[1]);
  const std::uint32_t id = (std::uint32_t{body[2]} << 24) | (std::uint32_t{body[3]} << 16) |
                           (std::uint32_t{body[4]} << 8) | std::uint32_t{body[5]};
  Decoded out{id, Hello{}};
  if (!MessageFor(type, out.msg)) {
    return DecodeError{Errc::kUnknownMessage, id,
                       "unknown message type " + std::to_string(static_cast<int>(type))};
  }
  FieldReader reader(body.subspan(kBodyHeader));
  std::size_t fields = 0;
  while (!reader.AtEnd()) {
    if (++fields > kMaxFieldsPerFrame) {
      return DecodeError{Errc::kMalformedRequest, id, "too many fields in one frame"};
    }
    Tag tag{};
    Kind kind{};
    std::uint64_t u = 0;
    std::string_view s;
    std::string error;
    if (!reader.Next(tag, kind, u, s, error)) return DecodeError{Errc::kMalformedRequest, id, error};
    FieldSink sink(tag, kind, u, s);
    std::visit([&sink](auto& m) { Fields(sink, m); }, out.msg);
    if (!sink.error.empty()) return DecodeError{Errc::kMalformedRequest, id, sink.error};
  }
  return out;
}

}  // namespace floatlm::proto
