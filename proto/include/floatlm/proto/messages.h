// floatlm wire messages: one struct per message type, and the codec that turns them
// into frames and back. See proto/PROTOCOL.md for the byte layout and the rules.
//
// Dependency-free and allocation-light: it is linked into vendors' applications.
// Decoding never trusts a length before checking it against the bytes present and
// the caps below. Thread-safe: no shared state.
#ifndef FLOATLM_PROTO_MESSAGES_H_
#define FLOATLM_PROTO_MESSAGES_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "floatlm/proto/errc.h"

namespace floatlm::proto {

inline constexpr std::uint32_t kProtocolVersion = 1;
inline constexpr std::size_t kLengthPrefix = 4;        // u32 big-endian body length
inline constexpr std::size_t kMaxFrameBody = 64 * 1024;  // either direction
inline constexpr std::size_t kMaxName = 256;           // user, host, display, feature, app
inline constexpr std::size_t kMaxText = 60 * 1024;     // messages, status bodies
inline constexpr std::size_t kMaxFieldsPerFrame = 256;
inline constexpr std::size_t kMaxLicenseLine = 4096;  // one LICENSE_LINE value
inline constexpr std::size_t kMaxLicenseLines = 32;   // LICENSE_LINE fields per GRANTED
inline constexpr std::size_t kLicenseLineBudget = 32 * 1024;  // their bytes per GRANTED
inline constexpr std::uint64_t kMaxSeatsPerCheckout = 1000;  // CHECKOUT's COUNT, at most

enum class MsgType : std::uint16_t {
  // client -> daemon
  kHello = 1,
  kCheckout = 2,
  kCheckin = 3,
  kHeartbeat = 4,
  kReattach = 5,
  kStatus = 6,
  kAdmin = 7,
  kDiag = 8,
  // daemon -> client
  kHelloOk = 64,
  kGranted = 65,
  kDenied = 66,
  kQueued = 67,
  kOk = 68,
  kError = 69,
  kLeaseLost = 70,
  kStatusChunk = 71,
  kShutdown = 72,
  kProgress = 73,
};

// Field tags. One namespace for all messages; a peer skips tags it does not know.
enum class Tag : std::uint8_t {
  kProtoVersion = 1, kUser = 2, kHost = 3, kDisplay = 4, kPid = 5, kApp = 6,
  kClientVersion = 7, kFeature = 8, kVersion = 9, kWaitMs = 10, kLease = 11, kToken = 12,
  kFormat = 13, kCode = 14, kMessage = 15, kPosition = 16, kCount = 17, kTtlMs = 18,
  kHeartbeatMs = 19, kReattachMs = 20, kServerVersion = 21, kClientId = 22, kPool = 23,
  kLicenseExpiry = 24, kShared = 25, kBody = 26, kLast = 27, kCommand = 28, kArg = 29,
  kToken2 = 30, kReason = 31, kLicenseLine = 32, kLicenseLinesLeftOut = 33,
  kWantLicenseLines = 34, kHostId = 35, kDupGroup = 36,
};

// ---- client -> daemon ----
struct Hello {
  std::uint32_t proto_version = kProtocolVersion;
  std::string user, host, display;
  std::uint64_t pid = 0;
  std::string app, client_version;
  bool want_license_lines = false;  // ask GRANTED to carry the signed license lines
  // The client machine's host ids (licenses::HostId::ToString forms: "0242ac110002",
  // "HOSTNAME=ws1", "ID=...", vendor-set "COMPOSITE=..."), at most 32: node-locked
  // license lines are served only to a client that reports one of their ids.
  std::vector<std::string> host_ids;
};
struct Checkout {
  std::string feature;
  std::string version;        // "" = any version
  std::uint64_t wait_ms = 0;  // > 0: queue up to this long
  // The application's duplicate grouping (FlexLM DUP_GROUP syntax: "NONE", "SITE", "UH",
  // "UHD", ...), used where the license line has no DUP_GROUP=; "" = the default, UH.
  std::string dup_group;
  // Seats wanted at once, all or none (FlexLM's nlic), 1..kMaxSeatsPerCheckout; 0 (absent) = 1.
  std::uint64_t seats = 0;
};
struct Checkin { std::uint64_t lease = 0; };
struct Heartbeat {};
struct Reattach { std::uint64_t lease = 0; std::uint64_t token = 0; };
struct Status {
  std::string feature;  // "" = all
  std::uint32_t format = 0;  // 0 text, 1 json
};
// What a checkout of FEATURE (VERSION "" = any) would get now for this connection's
// identity, and why (`floatlm diag`). Answered like STATUS, with STATUS_CHUNKs.
struct Diag {
  std::string feature;
  std::string version;
  std::uint32_t format = 0;  // 0 text, 1 json
};
// A privileged command (remove, reread, down, ...) with its arguments; `token` is the
// admin token when sent over TCP, empty on the admin socket.
struct Admin {
  std::string command;
  std::vector<std::string> args;
  std::string token;
};

// ---- daemon -> client ----
struct HelloOk {
  std::uint32_t proto_version = kProtocolVersion;
  std::string server_version;
  std::uint64_t client_id = 0;
  std::uint64_t ttl_ms = 0, heartbeat_ms = 0, reattach_ms = 0;
};
struct Granted {
  std::uint64_t lease = 0, token = 0;
  std::string feature, version;  // version of the pool that serves the lease
  std::string pool;              // human description of the pool, e.g. "cad 2027.0 (site.lic:12)"
  std::string license_expiry;    // "31-dec-2027" or "permanent"
  bool shared = false;
  std::uint64_t seats = 0;       // seats the lease holds; 0 (absent: an older daemon) = 1
  std::string reason;            // why this seat, e.g. "rides on alice@ws1's collection seat 1 of pdc"
  // The signed license lines the seat comes from, each "<hostid>\n<line>" (PROTOCOL.md,
  // "License lines"), sent when HELLO asked for them; `license_lines_left_out` counts
  // those that did not fit in the frame.
  std::vector<std::string> license_lines;
  std::uint64_t license_lines_left_out = 0;
};
struct Denied { Errc code = Errc::kOk; std::string message; };
struct Queued { std::uint64_t position = 0; };
struct Ok { std::uint64_t count = 0; std::string message; };
struct Error { Errc code = Errc::kOk; std::string message; };
struct LeaseLost { std::uint64_t lease = 0; Errc code = Errc::kOk; std::string message; };
struct StatusChunk { std::string body; bool last = true; };
struct Shutdown { std::string message; };
// The daemon is still at the request of this id (an admin report or backup); no reply.
struct Progress { std::string message; };

using Message = std::variant<Hello, Checkout, Checkin, Heartbeat, Reattach, Status, Admin,
                             HelloOk, Granted, Denied, Queued, Ok, Error, LeaseLost,
                             StatusChunk, Shutdown, Diag, Progress>;

MsgType TypeOf(const Message& msg);

// Keeps the first license lines of `lines` that fit GRANTED's caps (kMaxLicenseLines,
// kLicenseLineBudget; a line longer than kMaxLicenseLine never fits) and returns how
// many it dropped, for Granted::license_lines_left_out.
std::uint64_t FitLicenseLines(std::vector<std::string>& lines);

// Appends one complete frame (length prefix included) to `out`.
void EncodeFrame(std::uint32_t request_id, const Message& msg, std::string& out);

// Looks at buffered bytes. kReady: `body_size` is the size of the first frame's body,
// which starts at buf[kLengthPrefix]. kTooLarge: the claimed length exceeds kMaxFrameBody
// or is zero; the peer must be disconnected.
enum class FrameState { kNeedMore, kReady, kTooLarge };
FrameState PeekFrame(std::span<const std::uint8_t> buf, std::size_t& body_size);

struct Decoded {
  std::uint32_t request_id = 0;
  Message msg;
};
struct DecodeError {
  Errc code = Errc::kMalformedRequest;  // or kUnknownMessage (the connection may continue)
  std::uint32_t request_id = 0;         // when it could be read, else 0
  std::string message;
};

// Decodes one frame body (without the length prefix). Unknown tags are skipped,
// duplicate scalar tags keep the last value, missing fields keep their defaults.
std::variant<Decoded, DecodeError> DecodeBody(std::span<const std::uint8_t> body);

}  // namespace floatlm::proto

#endif  // FLOATLM_PROTO_MESSAGES_H_
