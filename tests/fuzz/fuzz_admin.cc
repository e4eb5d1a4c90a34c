// Fuzzes the admin command parser (daemon/server/admin_request.h), the code every ADMIN
// request meets after authentication. The input is the field part of an ADMIN frame
// body (COMMAND, ARG*, ADMIN_TOKEN, or anything else): the target puts the ADMIN type
// and a request id in front, decodes it with the real codec and parses what decodes.
// Properties:
//  - parsing is deterministic;
//  - an accepted request keeps the bounds admin_request.h documents (names non-empty
//    and at most proto::kMaxName bytes, lease ids > 0, report since < until <= year
//    9999), has the argument count its command takes, and carries the names it was given;
//  - an accepted request written back in its canonical wire form parses to itself;
//  - a refusal is bad_argument with a one-line message of printable ASCII that fits an
//    ERROR frame and survives the codec.
// The decoder caps every string at kMaxName bytes, so each request is parsed a second
// time with every argument doubled, which reaches the parser's own length
// checks.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "floatlm/proto/messages.h"
#include "fuzz_check.h"
#include "service/admin_request.h"

namespace p = floatlm::proto;
namespace srv = floatlm::server;
namespace acmd = floatlm::server::admin_cmd;
using floatlm::Errc;

namespace {

constexpr std::size_t kMaxMessage = 512;

bool GoodName(const std::string& s) { return !s.empty() && s.size() <= p::kMaxName; }

// The spelling the CLI sends for a request (tools/cli): parsing it must give the request.
p::Admin Canonical(const srv::AdminRequest& request) {
  struct Writer {
    p::Admin operator()(const acmd::RemoveLease& r) const {
      return {"remove", {"--lease", std::to_string(r.lease)}, ""};
    }
    p::Admin operator()(const acmd::RemoveHeld& r) const {
      if (r.display) return {"remove", {r.feature, r.user, r.host, *r.display}, ""};
      return {"remove", {r.feature, r.user, r.host}, ""};
    }
    p::Admin operator()(const acmd::Reread&) const { return {"reread", {}, ""}; }
    p::Admin operator()(const acmd::Down&) const { return {"down", {}, ""}; }
    p::Admin operator()(const acmd::Backup&) const { return {"backup", {}, ""}; }
    p::Admin operator()(const acmd::Report& r) const {
      return {
          "report", {std::to_string(r.since), std::to_string(r.until), r.csv ? "csv" : "text"}, ""};
    }
    p::Admin operator()(const acmd::Assign& r) const { return {"assign", {r.feature, r.user}, ""}; }
    p::Admin operator()(const acmd::Unassign& r) const {
      return {"unassign", {r.feature, r.user}, ""};
    }
    p::Admin operator()(const acmd::CloudList& r) const {
      return {"cloud-list", {r.collection}, ""};
    }
    p::Admin operator()(const acmd::CloudRelease& r) const {
      return {"cloud-release", {r.collection, r.user}, ""};
    }
    p::Admin operator()(const acmd::CloudReleaseAll& r) const {
      return {"cloud-release-all", {r.by_user ? "user" : "collection", r.name}, ""};
    }
  };
  return std::visit(Writer{}, request);
}

void CheckAccepted(const p::Admin& in, const srv::AdminRequest& request) {
  const auto& a = in.args;
  FUZZ_CHECK(srv::IsAdminCommand(in.command), "an unknown command was accepted");
  if (const auto* r = std::get_if<acmd::RemoveLease>(&request)) {
    FUZZ_CHECK(in.command == "remove" && a.size() == 2 && a[0] == "--lease",
               "remove --lease shape");
    FUZZ_CHECK(r->lease > 0, "lease id 0 accepted");
  } else if (const auto* r = std::get_if<acmd::RemoveHeld>(&request)) {
    // remove FEATURE USER HOST [DISPLAY]
    FUZZ_CHECK(in.command == "remove" && (a.size() == 3 || a.size() == 4) && a[0] != "--lease",
               "remove shape");
    FUZZ_CHECK(GoodName(r->feature) && GoodName(r->user) && GoodName(r->host), "remove names");
    FUZZ_CHECK(r->feature == a[0] && r->user == a[1] && r->host == a[2], "remove names changed");
    FUZZ_CHECK(a.size() == 4 ? (r->display && GoodName(*r->display) && *r->display == a[3])
                             : !r->display,
               "remove display changed");
  } else if (std::holds_alternative<acmd::Reread>(request)) {
    FUZZ_CHECK(in.command == "reread" && a.empty(), "reread shape");
  } else if (std::holds_alternative<acmd::Down>(request)) {
    FUZZ_CHECK(in.command == "down" && a.empty(), "down shape");
  } else if (std::holds_alternative<acmd::Backup>(request)) {
    FUZZ_CHECK(in.command == "backup" && a.empty(), "backup takes no path");
  } else if (const auto* r = std::get_if<acmd::Report>(&request)) {
    FUZZ_CHECK(in.command == "report" && a.size() == 3, "report shape");
    FUZZ_CHECK(0 <= r->since && r->since < r->until, "report times not ordered");
    FUZZ_CHECK(r->until <= srv::kLatestReportMillis, "report reaches past year 9999");
    FUZZ_CHECK(r->csv == (a[2] == "csv") && (a[2] == "csv" || a[2] == "text"), "report format");
  } else if (const auto* r = std::get_if<acmd::Assign>(&request)) {
    FUZZ_CHECK(in.command == "assign" && a.size() == 2, "assign shape");
    FUZZ_CHECK(GoodName(r->feature) && GoodName(r->user), "assign names");
    FUZZ_CHECK(r->feature == a[0] && r->user == a[1], "assign names changed");
  } else if (const auto* r = std::get_if<acmd::Unassign>(&request)) {
    FUZZ_CHECK(in.command == "unassign" && a.size() == 2, "unassign shape");
    FUZZ_CHECK(GoodName(r->feature) && GoodName(r->user), "unassign names");
    FUZZ_CHECK(r->feature == a[0] && r->user == a[1], "unassign names changed");
  } else if (const auto* r = std::get_if<acmd::CloudList>(&request)) {
    FUZZ_CHECK(in.command == "cloud-list" && a.size() == 1, "cloud-list shape");
    FUZZ_CHECK(GoodName(r->collection) && r->collection == a[0], "cloud-list name");
  } else if (const auto* r = std::get_if<acmd::CloudRelease>(&request)) {
    FUZZ_CHECK(in.command == "cloud-release" && a.size() == 2, "cloud-release shape");
    FUZZ_CHECK(GoodName(r->collection) && GoodName(r->user), "cloud-release names");
    FUZZ_CHECK(r->collection == a[0] && r->user == a[1], "cloud-release names changed");
  } else if (const auto* r = std::get_if<acmd::CloudReleaseAll>(&request)) {
    FUZZ_CHECK(in.command == "cloud-release-all" && a.size() == 2, "cloud-release-all shape");
    FUZZ_CHECK(a[0] == (r->by_user ? "user" : "collection"), "cloud-release-all kind changed");
    FUZZ_CHECK(GoodName(r->name) && r->name == a[1], "cloud-release-all name changed");
  }

  const auto again = srv::ParseAdminRequest(Canonical(request));
  const auto* same = std::get_if<srv::AdminRequest>(&again);
  FUZZ_CHECK(same != nullptr, "the canonical form of an accepted request is refused");
  FUZZ_CHECK(*same == request, "the canonical form parses to another request");
}

void CheckRefused(const p::Error& error) {
  FUZZ_CHECK(error.code == Errc::kBadArgument, "a refusal with another code than bad_argument");
  FUZZ_CHECK(!error.message.empty(), "a refusal without a message");
  FUZZ_CHECK(error.message.size() <= kMaxMessage, "a refusal message longer than one line");
  for (const char c : error.message) {
    FUZZ_CHECK(c >= 0x20 && c <= 0x7e, "a refusal message with a byte outside printable ASCII");
  }
  std::string frame;
  p::EncodeFrame(9, error, frame);
  std::size_t body = 0;
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(frame.data()),
                                            frame.size());
  FUZZ_CHECK(p::PeekFrame(bytes, body) == p::FrameState::kReady, "the ERROR frame is not whole");
  const auto decoded = p::DecodeBody(bytes.subspan(p::kLengthPrefix, body));
  const auto* msg = std::get_if<p::Decoded>(&decoded);
  FUZZ_CHECK(msg != nullptr, "the ERROR frame does not decode");
  const auto* back = std::get_if<p::Error>(&msg->msg);
  FUZZ_CHECK(back != nullptr && back->message == error.message && back->code == error.code,
             "the ERROR frame changed on the way");
}

void Check(const p::Admin& in) {
  const auto parsed = srv::ParseAdminRequest(in);
  const auto twice = srv::ParseAdminRequest(in);
  FUZZ_CHECK(parsed.index() == twice.index(), "parsing is not deterministic");
  if (const auto* request = std::get_if<srv::AdminRequest>(&parsed)) {
    FUZZ_CHECK(*request == std::get<srv::AdminRequest>(twice), "parsing is not deterministic");
    CheckAccepted(in, *request);
  } else {
    const auto& error = std::get<p::Error>(parsed);
    FUZZ_CHECK(error.message == std::get<p::Error>(twice).message, "parsing is not deterministic");
    CheckRefused(error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // type ADMIN (7), request id 1, then the input as fields.
  std::vector<std::uint8_t> body = {0, static_cast<std::uint8_t>(p::MsgType::kAdmin), 0, 0, 0, 1};
  body.insert(body.end(), data, data + size);
  const auto decoded = p::DecodeBody(body);
  const auto* ok = std::get_if<p::Decoded>(&decoded);
  if (!ok) return 0;  // the codec's refusals are fuzz_proto's business
  const auto* admin = std::get_if<p::Admin>(&ok->msg);
  FUZZ_CHECK(admin != nullptr, "an ADMIN body decoded as another message");
  Check(*admin);

  p::Admin doubled = *admin;
  for (auto& arg : doubled.args) arg += arg;
  Check(doubled);
  return 0;
}
