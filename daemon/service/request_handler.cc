#include "service/request_handler.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "log/log.h"
#include "render/describe.h"
#include "render/diag_render.h"
#include "service/license_lines.h"

namespace floatlm::server {
namespace {

void Reply(std::uint32_t id, const proto::Message& msg, std::string& out) {
  proto::EncodeFrame(id, msg, out);
}

void ReplyError(std::uint32_t id, Errc code, std::string message, std::string& out) {
  Reply(id, proto::Error{code, std::move(message)}, out);
}

std::string Who(const ClientContext& ctx) {
  return fmt::format("user={} host={} display={} peer={} client={}", ctx.who.user, ctx.who.host,
                     ctx.who.display, ctx.who.peer, ctx.id);
}

}  // namespace

std::vector<proto::Message> ChunkedText(const std::string& body) {
  // The client concatenates the chunks until LAST=1.
  std::vector<proto::Message> out;
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min(body.size() - pos, proto::kMaxText);
    out.push_back(proto::StatusChunk{body.substr(pos, n), pos + n >= body.size()});
    pos += n;
  } while (pos < body.size());
  return out;
}

void RequestHandler::ContinueAnswer(ClientContext& ctx, std::size_t budget, std::string& out) {
  if (!ctx.answer) return;
  std::string slice;
  const bool done = ctx.answer->Next(slice, budget);
  if (slice.empty() && !done) return;
  // The client concatenates the chunks until LAST=1.
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min(slice.size() - pos, proto::kMaxText);
    pos += n;
    Reply(ctx.answer_id, proto::StatusChunk{slice.substr(pos - n, n), done && pos == slice.size()},
          out);
  } while (pos < slice.size());
  if (done) ctx.answer.reset();
}

RequestHandler::RequestHandler(engine::SeatEngine& engine, StateRecorder& recorder,
                               HandlerSettings settings, StatusRenderer status, AdminCommands admin)
    : engine_(engine),
      recorder_(recorder),
      settings_(settings),
      status_(std::move(status)),
      admin_(std::move(admin)),
      denials_(settings_.denial_window, settings_.max_open_denials) {}

bool RequestHandler::TakeCheckoutToken(ClientContext& ctx, const engine::Now& now) const {
  const double rate = settings_.max_checkouts_per_second;
  if (rate <= 0) return true;
  if (ctx.checkout_tokens < 0) {
    ctx.checkout_tokens = rate;
  } else {
    const double seconds = std::chrono::duration<double>(now.mono - ctx.checkout_refill).count();
    ctx.checkout_tokens = std::min(rate, ctx.checkout_tokens + std::max(0.0, seconds) * rate);
  }
  ctx.checkout_refill = now.mono;
  if (ctx.checkout_tokens < 1) return false;
  ctx.checkout_tokens -= 1;
  return true;
}

void RequestHandler::Deny(const ClientContext& ctx, const std::string& feature,
                          const std::string& version, Errc code, const std::string& message,
                          const engine::Now& now) {
  if (!denials_.Note(ctx.id, ctx.who, feature, version, code, now.mono)) return;
  // The log names the feature once per window; the journal never keeps a name that is
  // the client's own text (DenialLedger::Nameless).
  FLOATLM_LOG(kInfo, "lease.denied", "feature={} reason={} {} message=\"{}\"", feature,
              ErrcName(code), Who(ctx), message);
  if (!DenialLedger::Nameless(code)) {
    recorder_.Denied(ctx.who, feature, version, code, message, now.wall);
  } else if (code == Errc::kNoSuchFeature) {
    recorder_.Denied(ctx.who, "", "", code,
                     "a feature no license names (the names asked for are not kept)", now.wall);
  } else {
    recorder_.Denied(ctx.who, "", "", code, message, now.wall);
  }
}

void RequestHandler::RecordRepeats(const std::vector<DenialLedger::Repeats>& repeats,
                                   const engine::Now& now) {
  for (const auto& r : repeats) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(r.window).count();
    FLOATLM_LOG(kInfo, "lease.denied_repeated",
                "feature={} reason={} user={} host={} peer={} count={} seconds={}",
                r.feature.empty() ? "-" : r.feature, ErrcName(r.reason),
                r.who.user.empty() ? "-" : r.who.user, r.who.host.empty() ? "-" : r.who.host,
                r.who.peer.empty() ? "-" : r.who.peer, r.count, seconds);
    const std::string detail =
        r.who.user.empty()
            ? fmt::format("{} more denials over {} s, from connections past the ledger's limit",
                          r.count, seconds)
            : fmt::format("{} more denial{} of this kind over {} s", r.count,
                          r.count == 1 ? "" : "s", seconds);
    recorder_.Denied(r.who, r.feature, r.version, r.reason, detail, now.wall, r.count);
  }
}

void RequestHandler::CloseDenialWindows(const engine::Now& now) {
  RecordRepeats(denials_.Close(now.mono), now);
}

void RequestHandler::FlushDenials(const engine::Now& now) {
  RecordRepeats(denials_.Drain(now.mono), now);
}

void RequestHandler::ClientGone(engine::ClientId client, const engine::Now& now) {
  RecordRepeats(denials_.Forget(client, now.mono), now);
}

void RequestHandler::SetStoreHealthy(bool healthy, std::string why) {
  store_healthy_ = healthy;
  store_problem_ = std::move(why);
}

proto::Granted RequestHandler::GrantedFor(const engine::SeatEngine& engine,
                                          const engine::LeaseView& lease,
                                          const ClientContext& ctx) {
  proto::Granted g;
  g.lease = lease.id;
  g.token = lease.token;
  g.feature = lease.feature;
  g.shared = lease.shared;
  g.seats = lease.seats;
  g.reason = lease.reason;
  if (const auto* pool = PoolOf(engine, lease.pool)) {
    g.version = pool->version.ToString();
    g.pool = engine::PoolLabel(*pool);
    g.license_expiry = engine::ExpiryText(pool->LastExpiry());
    if (ctx.wants_license_lines) {
      g.license_lines = LicenseLinesOf(engine.model(), *pool, lease.feature);
      g.license_lines_left_out = proto::FitLicenseLines(g.license_lines);
    }
  }
  return g;
}

RequestHandler::After RequestHandler::HandleDecodeError(const proto::DecodeError& error,
                                                        std::string& out) {
  ReplyError(error.request_id, error.code, error.message, out);
  // An unknown message type is a newer client talking; a malformed frame is not.
  return error.code == Errc::kUnknownMessage ? After::kContinue : After::kClose;
}

RequestHandler::After RequestHandler::Handle(ClientContext& ctx, const proto::Decoded& request,
                                             const engine::Now& now, std::string& out) {
  const std::uint32_t rid = request.request_id;

  if (const auto* hello = std::get_if<proto::Hello>(&request.msg)) {
    if (ctx.hello_done) {
      ReplyError(rid, Errc::kBadArgument, "HELLO was already sent on this connection", out);
      return After::kContinue;
    }
    if (hello->proto_version != proto::kProtocolVersion) {
      ReplyError(rid, Errc::kUnsupportedVersion,
                 fmt::format("protocol version {} is not supported; this daemon speaks {}",
                             hello->proto_version, proto::kProtocolVersion),
                 out);
      return After::kClose;
    }
    if (hello->user.empty() || hello->host.empty()) {
      ReplyError(rid, Errc::kBadArgument, "HELLO must name the user and the host", out);
      return After::kClose;
    }
    // Names end up in logs, journals and admins' terminals: printable text only.
    for (const auto& [what, value] : {std::pair<const char*, const std::string*>{"user", &hello->user},
                                      {"host", &hello->host},
                                      {"display", &hello->display},
                                      {"app", &hello->app}}) {
      const auto bad = std::find_if(value->begin(), value->end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
      });
      if (bad != value->end()) {
        ReplyError(rid, Errc::kBadArgument,
                   fmt::format("the {} name contains a control character (byte 0x{:02x} at "
                               "offset {}); names must be printable",
                               what, static_cast<unsigned char>(*bad), bad - value->begin()),
                   out);
        return After::kClose;
      }
    }
    ctx.hello_done = true;
    ctx.who.user = hello->user;
    ctx.who.host = hello->host;
    ctx.who.display = hello->display;
    ctx.app = hello->app;
    ctx.pid = hello->pid;
    ctx.wants_license_lines = hello->want_license_lines;
    // Host ids in a form this daemon does not know are left out: they can only match
    // lines locked to exactly that text, which it would not have parsed either.
    auto ids = std::make_shared<std::vector<licenses::HostId>>();
    for (const std::string& text : hello->host_ids) {
      if (auto id = licenses::HostId::Parse(text); id && id->kind != licenses::HostId::Kind::kInternet) {
        ids->push_back(std::move(*id));
      }
    }
    if (!ids->empty()) ctx.who.host_ids = std::move(ids);
    FLOATLM_LOG(kDebug, "client.hello", "{} app={} pid={}", Who(ctx), ctx.app, ctx.pid);
    proto::HelloOk ok;
    ok.server_version = FLOATLM_VERSION;
    ok.client_id = ctx.id;
    ok.ttl_ms = static_cast<std::uint64_t>(settings_.ttl.count());
    ok.heartbeat_ms = ok.ttl_ms / 4;
    ok.reattach_ms = static_cast<std::uint64_t>(settings_.reattach_window.count());
    Reply(rid, ok, out);
    return After::kContinue;
  }

  if (!ctx.hello_done) {
    ReplyError(rid, Errc::kHelloRequired, "send HELLO before any other request", out);
    return After::kClose;
  }

  if (const auto* co = std::get_if<proto::Checkout>(&request.msg)) {
    engine::CheckoutRequest req;
    req.client = ctx.id;
    req.tag = rid;
    req.feature = co->feature;
    if (!co->version.empty()) {
      req.version = licenses::Version::Parse(co->version);
      if (!req.version) {
        Reply(rid, proto::Denied{Errc::kBadArgument,
                                 fmt::format("'{}' is not a version number (expected e.g. 2027.0)",
                                             co->version)},
              out);
        return After::kContinue;
      }
    }
    if (!co->dup_group.empty()) {
      req.dup_group = licenses::DupGroup::Parse(co->dup_group);
      if (!req.dup_group) {
        // Any text that parses is a few letters; a value that does not is not echoed.
        Reply(rid,
              proto::Denied{Errc::kBadArgument,
                            "DUP_GROUP is not a duplicate grouping (expected NONE, SITE, "
                            "or letters of U, H, D, V such as UH)"},
              out);
        return After::kContinue;
      }
    }
    if (co->feature.empty()) {
      Reply(rid, proto::Denied{Errc::kBadArgument, "CHECKOUT must name a feature"}, out);
      return After::kContinue;
    }
    if (co->seats > proto::kMaxSeatsPerCheckout) {
      Reply(rid,
            proto::Denied{Errc::kBadArgument,
                          fmt::format("a checkout asks for {} seats at most, not {}",
                                      proto::kMaxSeatsPerCheckout, co->seats)},
            out);
      return After::kContinue;
    }
    req.seats = co->seats == 0 ? 1 : static_cast<std::uint32_t>(co->seats);
    if (!TakeCheckoutToken(ctx, now)) {
      const std::string message = fmt::format(
          "this connection asks for seats faster than {} times a second; wait and try again",
          settings_.max_checkouts_per_second);
      Deny(ctx, co->feature, co->version, Errc::kTooManyRequests, message, now);
      Reply(rid, proto::Denied{Errc::kTooManyRequests, message}, out);
      return After::kContinue;
    }
    if (!store_healthy_) {
      Reply(rid, proto::Denied{Errc::kStoreUnavailable,
                               fmt::format("the license server cannot record new seats right now "
                                           "({}); seats already held keep working",
                                           store_problem_)},
            out);
      return After::kContinue;
    }
    if (co->wait_ms > 0) {
      if (ctx.queued_checkouts >= settings_.max_queued_per_connection) {
        Reply(rid, proto::Denied{Errc::kTooManyRequests,
                                 fmt::format("this connection already has {} checkouts waiting",
                                             ctx.queued_checkouts)},
              out);
        return After::kContinue;
      }
      // Cap the wait at a day: a longer one is a client bug, not a plan.
      req.wait = std::chrono::milliseconds(std::min<std::uint64_t>(co->wait_ms, 86'400'000));
    }
    auto result = engine_.Checkout(ctx.who, req, now);
    if (auto* lease = std::get_if<engine::LeaseView>(&result)) {
      // Recorded and logged from the engine's kGranted event (event_record.h).
      Reply(rid, GrantedFor(engine_, *lease, ctx), out);
    } else if (auto* queued = std::get_if<engine::Queued>(&result)) {
      ++ctx.queued_checkouts;
      FLOATLM_LOG(kInfo, "lease.queued", "feature={} position={} {}", co->feature,
                  queued->position, Who(ctx));
      Reply(rid, proto::Queued{queued->position}, out);
    } else {
      const auto& denial = std::get<engine::Denial>(result);
      Deny(ctx, co->feature, co->version, denial.code, denial.message, now);
      Reply(rid, proto::Denied{denial.code, denial.message}, out);
    }
    return After::kContinue;
  }

  if (const auto* ci = std::get_if<proto::Checkin>(&request.msg)) {
    // Recorded and logged from the engine's kCheckedIn event (event_record.h).
    if (const auto denial = engine_.Checkin(ctx.id, ci->lease, now)) {
      ReplyError(rid, denial->code, denial->message, out);
    } else {
      Reply(rid, proto::Ok{1, {}}, out);
    }
    return After::kContinue;
  }

  if (std::holds_alternative<proto::Heartbeat>(request.msg)) {
    Reply(rid, proto::Ok{engine_.Heartbeat(ctx.id, now), {}}, out);
    return After::kContinue;
  }

  if (const auto* ra = std::get_if<proto::Reattach>(&request.msg)) {
    auto result = engine_.Reattach(ctx.id, ctx.who, ra->lease, ra->token, now);
    if (auto* lease = std::get_if<engine::LeaseView>(&result)) {
      FLOATLM_LOG(kInfo, "lease.reattached", "lease={} feature={} {}", lease->id, lease->feature,
                  Who(ctx));
      Reply(rid, GrantedFor(engine_, *lease, ctx), out);
    } else {
      const auto& denial = std::get<engine::Denial>(result);
      FLOATLM_LOG(kInfo, "lease.reattach_refused", "lease={} reason={} {}", ra->lease,
                  ErrcName(denial.code), Who(ctx));
      Reply(rid, proto::Denied{denial.code, denial.message}, out);
    }
    return After::kContinue;
  }

  if (const auto* st = std::get_if<proto::Status>(&request.msg)) {
    if (!settings_.status_allowed) {
      ReplyError(rid, Errc::kPermissionDenied, "status is turned off on the client port", out);
      return After::kContinue;
    }
    ctx.answer = status_(st->feature, st->format == 1, now);
    ctx.answer_id = rid;
    return After::kContinue;
  }

  if (const auto* dg = std::get_if<proto::Diag>(&request.msg)) {
    // Diag shows the same holders status does, so the same switch governs it.
    if (!settings_.status_allowed) {
      ReplyError(rid, Errc::kPermissionDenied, "diag is turned off on the client port", out);
      return After::kContinue;
    }
    std::optional<licenses::Version> version;
    if (!dg->version.empty()) {
      version = licenses::Version::Parse(dg->version);
      if (!version) {
        ReplyError(rid, Errc::kBadArgument,
                   fmt::format("'{}' is not a version number (expected e.g. 2027.0)", dg->version),
                   out);
        return After::kContinue;
      }
    }
    const DiagRequest asked{ctx.who, dg->feature, dg->version};
    const engine::Diagnosis diagnosis = engine_.Explain(ctx.who, dg->feature, version, now);
    std::string body =
        dg->format == 1 ? RenderDiagJson(asked, diagnosis) : RenderDiagText(asked, diagnosis);
    ctx.answer = StreamText(std::move(body));
    ctx.answer_id = rid;
    return After::kContinue;
  }

  if (const auto* cmd = std::get_if<proto::Admin>(&request.msg)) {
    for (const auto& reply : admin_(*cmd, rid, ctx, now)) Reply(rid, reply, out);
    return After::kContinue;
  }

  // A daemon-to-client message sent by a client.
  ReplyError(rid, Errc::kUnknownMessage, "that message type is not a request", out);
  return After::kContinue;
}

void RequestHandler::EncodeEvent(const engine::SeatEngine& engine, const engine::Event& event,
                                 const ClientContext& ctx, std::string& out) {
  switch (event.kind) {
    case engine::Event::Kind::kQueuedGranted:
      Reply(static_cast<std::uint32_t>(event.tag), GrantedFor(engine, event.lease, ctx), out);
      break;
    case engine::Event::Kind::kQueueTimeout:
      Reply(static_cast<std::uint32_t>(event.tag), proto::Denied{event.reason, event.message}, out);
      break;
    case engine::Event::Kind::kLeaseEnded:
    case engine::Event::Kind::kLeaseTaken:
      Reply(0, proto::LeaseLost{event.lease.id, event.reason, event.message}, out);
      break;
    case engine::Event::Kind::kLeaseMoved:
    case engine::Event::Kind::kCloudSlotGranted:
      // Internal bookkeeping: the client's lease id and token are unchanged.
    case engine::Event::Kind::kGranted:
    case engine::Event::Kind::kCheckedIn:
      // Answered by the request that caused them.
      break;
  }
}

}  // namespace floatlm::server
