// Turns one decoded client request into engine calls and reply frames. Does no I/O and
// reads no clock: the caller passes `now` and sends the bytes appended to `out`. This is
// the session state machine (HELLO first, then requests), kept apart from the sockets so
// it can be tested and fuzzed frame by frame.
//
// Not thread-safe: called on the server's event loop only.
#ifndef FLOATLM_DAEMON_SERVICE_REQUEST_HANDLER_H_
#define FLOATLM_DAEMON_SERVICE_REQUEST_HANDLER_H_

#include <functional>
#include <string>

#include "engine/seat_engine.h"
#include "floatlm/proto/messages.h"
#include "service/client_context.h"
#include "service/denial_ledger.h"
#include "service/state_recorder.h"

namespace floatlm::server {

struct HandlerSettings {
  std::chrono::milliseconds ttl{120'000};
  std::chrono::milliseconds reattach_window{30'000};
  bool status_allowed = true;
  std::size_t max_queued_per_connection = 64;
  // Checkouts a connection may make per second (a burst of as many is allowed); past it
  // they are denied too_many_requests without reaching the engine. 0: no limit.
  std::uint32_t max_checkouts_per_second = 1000;
  // Repeated denials: see DenialLedger.
  std::chrono::milliseconds denial_window{60'000};
  std::size_t max_open_denials = 10'000;
};

// Makes the status answer for a STATUS request: (feature filter, json?) -> its stream.
using StatusRenderer = std::function<std::unique_ptr<ReplyStream>(
    const std::string& feature, bool json, const engine::Now& now)>;
// Checks the admin token of an ADMIN request (of `request_id`) on the client port and
// runs it. No messages: the answer comes later, through the core (a report, a backup).
using AdminCommands = std::function<std::vector<proto::Message>(
    const proto::Admin&, std::uint32_t request_id, const ClientContext&, const engine::Now& now)>;

// Splits a long text into STATUS_CHUNK frames that each fit the protocol's cap.
std::vector<proto::Message> ChunkedText(const std::string& body);

class RequestHandler {
 public:
  // Grants, checkins and denials are recorded in `recorder` for the turn's commit.
  RequestHandler(engine::SeatEngine& engine, StateRecorder& recorder, HandlerSettings settings,
                 StatusRenderer status, AdminCommands admin);

  // While the state store cannot be written, new checkouts are refused (existing leases
  // keep working): a seat the daemon cannot remember is a seat it could hand out twice.
  void SetStoreHealthy(bool healthy, std::string why);

  enum class After { kContinue, kClose };

  // Handles one request and appends the reply frames to `out`. A long answer (STATUS,
  // DIAG) is left in ctx.answer instead, for ContinueAnswer.
  After Handle(ClientContext& ctx, const proto::Decoded& request, const engine::Now& now,
               std::string& out);

  // Appends the STATUS_CHUNK frames of the next slice (about `budget` bytes) of
  // ctx.answer to `out`; the last one says LAST=1 and clears ctx.answer. No-op without one.
  static void ContinueAnswer(ClientContext& ctx, std::size_t budget, std::string& out);

  // Journals and logs the repeats of denial windows that ended by `now` (call about once
  // a second), or of every window of a connection that went (ClientGone).
  void CloseDenialWindows(const engine::Now& now);
  void ClientGone(engine::ClientId client, const engine::Now& now);
  // Journals every repeat counted so far (before a report reads the journal).
  void FlushDenials(const engine::Now& now);

  // Reply for a frame that could not be decoded.
  After HandleDecodeError(const proto::DecodeError& error, std::string& out);

  // Frames telling the client of `ctx` what an engine event means for it (queued grant,
  // lease lost).
  static void EncodeEvent(const engine::SeatEngine& engine, const engine::Event& event,
                          const ClientContext& ctx, std::string& out);

  // The GRANTED reply for a lease; with the signed license lines behind its seat when
  // the client's HELLO asked for them (license_lines.h).
  static proto::Granted GrantedFor(const engine::SeatEngine& engine,
                                   const engine::LeaseView& lease, const ClientContext& ctx);

 private:
  engine::SeatEngine& engine_;
  StateRecorder& recorder_;
  HandlerSettings settings_;
  bool store_healthy_ = true;
  std::string store_problem_;
  StatusRenderer status_;
  AdminCommands admin_;
  DenialLedger denials_;

  // Journals and logs a denial (the first of its window) or only counts it (a repeat).
  void Deny(const ClientContext& ctx, const std::string& feature, const std::string& version,
            Errc code, const std::string& message, const engine::Now& now);
  void RecordRepeats(const std::vector<DenialLedger::Repeats>& repeats, const engine::Now& now);
  // Takes one checkout from the connection's allowance; false when it is used up.
  bool TakeCheckoutToken(ClientContext& ctx, const engine::Now& now) const;
};

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_REQUEST_HANDLER_H_
