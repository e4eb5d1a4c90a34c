// Fuzzes the daemon's core (service/daemon_core.h), the code floatlmd runs, without its
// sockets: the input is a script of client frames (raw bytes or well-formed requests built
// from the input), admin-socket frames, disconnects, clock advances, and store outages,
// played against one DaemonCore with a fake clock, a fake shell (CoreHost) and an
// in-memory store that can be made to fail. After every step:
//  - every byte the core hands to a connection decodes as whole frames, and a reply it
//    held for a commit leaves only after that commit;
//  - the engine's lease count matches its snapshot, and no counted pool holds more seats
//    than it has, except one a reread left above a lowered count, which may only drain;
//  - every checkout the engine serves gets what SeatEngine::Explain (`floatlm diag`)
//    predicted just before;
//  - once the turn's batch is committed, the leases the store holds are exactly the
//    engine's: what a restart would restore is what is held.
// Admin commands (over TLS with the token, and on the admin socket) run through the
// core's own executor; a reread switches between two fixed license sets.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/seat_engine.h"
#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/proto/messages.h"
#include "fuzz_check.h"
#include "fuzz_script.h"
#include "log/log.h"
#include "render/status_render.h"
#include "service/daemon_core.h"
#include "service/request_handler.h"
#include "store/memory_lease_store.h"

namespace p = floatlm::proto;
namespace lic = floatlm::licenses;
namespace eng = floatlm::engine;
namespace srv = floatlm::server;
namespace acmd = floatlm::server::admin_cmd;
using floatlm::Errc;
using namespace std::chrono_literals;

namespace {

// Two small models: the second is what "reread" switches to and back, so counts go up
// and down (cam 2 <-> 3, sim 1 <-> 2) and pools come and go.
constexpr const char* kModelA =
    "VENDOR demo\n"
    "FEATURE cad demo 2027.0 permanent 2 DUP_GROUP=UH SN=S-1\n"
    "INCREMENT cam demo 1.0 1-jan-2099 1 DUP_GROUP=NONE SN=C-1\n"
    "INCREMENT cam demo 1.0 1-jan-2099 1 DUP_GROUP=NONE SN=C-2\n"
    "FEATURE old demo 1.0 1-jan-2001 3\n"
    "FEATURE sim demo 3.0 permanent 1 DUP_GROUP=SITE PREV_VERSIONS=1\n"
    "FEATURE free demo 1.0 permanent uncounted HOSTID=ANY\n"
    "INCREMENT lab demo 1.0 permanent 1 HOSTID=HOSTNAME=ws1\n"
    "INCREMENT lab demo 1.0 permanent 1 HOSTID=\"COMPOSITE=ab INTERNET=10.*.*.*\"\n"
    "PACKAGE suite demo 1.0 COMPONENTS=\"cad sim\" OPTIONS=SUITE\n"
    "FEATURE suite demo 1.0 permanent 1\n";
constexpr const char* kModelB =
    "VENDOR demo\n"
    "FEATURE cad demo 2027.0 permanent 2 DUP_GROUP=UH SN=S-1\n"
    "INCREMENT cam demo 1.0 1-jan-2099 3 DUP_GROUP=NONE\n"
    "FEATURE sim demo 3.0 permanent 2 DUP_GROUP=SITE PREV_VERSIONS=1\n"
    "FEATURE new demo 1.0 permanent 1 DUP_GROUP=UHD\n";

lic::Model BuildFixedModel(const char* text) {
  auto built = lic::BuildModel({lic::ParseLicenseText("fixed.lic", text)});
  FUZZ_CHECK(built.model.rejected.empty(), "the fixed fuzz model must load cleanly");
  return built.model;
}

const char* const kFeatures[] = {"cad", "cam", "old", "sim", "free", "suite", "new", "nope", "", "lab"};
const char* const kHostIds[] = {"HOSTNAME=ws1", "hostname=WS2", "COMPOSITE=AB", "0242ac110002",
                                "INTERNET=10.1.1.1", "ANY", "", "bogus id"};
const char* const kVersions[] = {"", "2027.0", "1.0", "3.0", "2.0", "0.5", "x.y", "99999999999"};
// "user" and "collection" double as the words of cloud-release-all.
const char* const kUsers[] = {"alice", "bob",        "carol",      "",
                              "user",  "collection", "esc\x1b[2J", "new\nline"};
const char* const kHosts[] = {"ws1", "ws2", ""};
// New words go at the end: the saved inputs pick commands by index.
const char* const kCommands[] = {
    "remove",     "reread",        "report",           "down", "bogus", "", "assign", "unassign",
    "cloud-list", "cloud-release", "cloud-release-all"};
// The application's DUP_GROUP in CHECKOUT; mostly none, as most applications send.
const char* const kDupGroups[] = {"", "", "", "NONE", "SITE", "UHD", "H", "bogus"};
constexpr const char* kAdminToken = "fuzz-admin-token";

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

template <std::size_t N>
const char* Pick(FuzzScript& in, const char* const (&list)[N]) {
  return list[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

// The in-memory store, with outages on demand: while down, every Commit fails and
// applies nothing, as a full disk would. The next `deferrals` TryCommits are deferred,
// as the SQLite store's are while its thread checkpoints.
class FlakyStore final : public floatlm::store::LeaseStore {
 public:
  bool down = false;
  int deferrals = 0;
  floatlm::store::Status TryCommit(const floatlm::store::Batch& batch) override {
    if (deferrals > 0) {
      --deferrals;
      return floatlm::store::Status::Error(floatlm::store::Status::Code::kDeferred,
                                           "checkpoint (fuzz)");
    }
    return Commit(batch);
  }
  floatlm::store::Status Load(floatlm::store::StoredState* out) override {
    return inner_.Load(out);
  }
  floatlm::store::Status Commit(const floatlm::store::Batch& batch) override {
    if (down)
      return floatlm::store::Status::Error(floatlm::store::Status::Code::kIoError,
                                           "disk full (fuzz)");
    return inner_.Commit(batch);
  }
  floatlm::store::Status ScanJournal(floatlm::store::UnixMillis from, floatlm::store::UnixMillis to,
                                     const floatlm::store::JournalSink& sink,
                                     const floatlm::store::AdminWork& work) override {
    return inner_.ScanJournal(from, to, sink, work);
  }
  floatlm::store::Status PruneJournal(floatlm::store::UnixMillis before, std::size_t max_entries,
                                      std::size_t* removed) override {
    return inner_.PruneJournal(before, max_entries, removed);
  }

  floatlm::store::Status LoadSignatureDigests(std::vector<std::string>* out) override {
    return inner_.LoadSignatureDigests(out);
  }
  floatlm::store::Status ReplaceSignatureDigests(const std::vector<std::string>& digests) override {
    return inner_.ReplaceSignatureDigests(digests);
  }
  floatlm::store::Status WriteBackup(const std::string& path, const floatlm::store::AdminWork& work,
                                     floatlm::store::BackupInfo* info) override {
    return inner_.WriteBackup(path, work, info);
  }

 private:
  floatlm::store::MemoryLeaseStore inner_;
};

// The shell, faked: it keeps what the core sends per connection, holds what it is told
// to hold until Release, and notes the commits and stops asked for.
class FakeShell final : public srv::CoreHost {
 public:
  std::map<eng::ClientId, std::string> sent;  // since the harness last looked
  std::map<eng::ClientId, std::string> held;
  bool commit_asked = false;
  bool stop_asked = false;
  eng::MonoTime clock{};

  void Send(eng::ClientId client, const std::string& frames) override {
    FUZZ_CHECK(held[client].empty(), "a reply overtook one held for a commit");
    sent[client] += frames;
  }
  void Hold(eng::ClientId client, const std::string& frames) override { held[client] += frames; }
  void Release(eng::ClientId client) override {
    sent[client] += held[client];
    held[client].clear();
  }
  void ScheduleCommit() override { commit_asked = true; }
  void RetryCommitSoon() override { commit_asked = true; }
  void StopRequested() override { stop_asked = true; }
  void RereadStarting() override {}
  void RereadDone() override {}
  std::string Address() const override { return "127.0.0.1:27000"; }
  std::size_t Connections() const override { return 4; }
  eng::MonoTime Elapsed() const override { return clock; }

  // From the admin worker's thread: queued until the harness runs it (RunPosted).
  void Post(std::function<void()> fn) override {
    std::lock_guard lk(posted_mu_);
    posted_.push_back(std::move(fn));
    posted_cv_.notify_all();
  }
  // Waits for something posted (a job's end) and runs it on the harness's thread.
  void RunPosted() {
    std::vector<std::function<void()>> ready;
    {
      std::unique_lock lk(posted_mu_);
      const bool came = posted_cv_.wait_for(lk, 30s, [this] { return !posted_.empty(); });
      FUZZ_CHECK(came, "an admin job did not end within 30 s");
      ready.swap(posted_);
    }
    for (auto& fn : ready) fn();
  }

 private:
  std::mutex posted_mu_;
  std::condition_variable posted_cv_;
  std::vector<std::function<void()>> posted_;
};

class Harness {
 public:
  Harness() : model_a_(BuildFixedModel(kModelA)), model_b_(BuildFixedModel(kModelB)) {
    auto store = std::make_unique<FlakyStore>();
    store_ = store.get();
    floatlm::config::DaemonConfig config;
    config.lease_ttl = 10s;
    config.reattach_window = 5s;
    config.journal_days = 400;
    srv::CoreOptions options;
    options.admin_token = floatlm::admin::AdminToken(kAdminToken);
    options.tune = [](eng::EngineConfig& e, srv::HandlerSettings& h) {
      e.max_queue_per_pool = 8;
      e.token_source = [n = std::uint64_t{1000}]() mutable { return ++n; };
      h.max_queued_per_connection = 3;
      // Small, so that short scripts reach the checkout limit, fold denials, end their
      // windows and overflow the ledger.
      h.max_checkouts_per_second = 20;
      h.denial_window = 2s;
      h.max_open_denials = 4;
    };
    // Start-up loads model A; each reread switches to the other one.
    auto load = [this](const lic::SignatureDigests&, bool reread) {
      if (reread) use_b_ = !use_b_;
      srv::LicenseSet set;
      set.model = use_b_ ? model_b_ : model_a_;
      return set;
    };
    core_ = std::make_unique<srv::DaemonCore>(config, std::move(store), load, shell_, now_,
                                              std::move(options));
    for (std::size_t k = 0; k < kClients; ++k) Reset(k);
  }

  void Run(FuzzScript& in) {
    while (in.remaining_bytes() > 0) {
      const std::size_t k = in.ConsumeIntegralInRange<std::size_t>(0, kClients - 1);
      switch (in.ConsumeIntegralInRange<int>(0, 8)) {
        case 0: {  // a raw frame body, straight from the input
          Feed(k, in.ConsumeBytesAsString(in.ConsumeIntegralInRange<std::size_t>(0, 300)));
          break;
        }
        case 1:
        case 2:
        case 3: {  // a well-formed request, so the script gets past HELLO quickly
          // Two statements: the order in which a call's arguments are evaluated is up to
          // the compiler (g++ and clang differ), and a saved input must replay the same
          // way in the g++ replay test as in the clang fuzzer that found it.
          const auto request_id = in.ConsumeIntegral<std::uint32_t>();
          const p::Message request = MakeRequest(in);
          std::string frame;
          p::EncodeFrame(request_id, request, frame);
          Feed(k, frame.substr(p::kLengthPrefix));
          break;
        }
        case 4: {  // time passes; the server ticks every 100 ms, here in one step
          Advance(std::chrono::milliseconds(in.ConsumeIntegralInRange<int>(0, 255) * 100));
          break;
        }
        case 5:
          Disconnect(k);
          break;
        case 6:
          store_->down = !store_->down;
          store_->deferrals = in.ConsumeIntegralInRange<int>(0, 3);
          break;
        case 7: {  // a day passes in one jump: reattach windows and TTLs all run out
          Advance(24h);
          break;
        }
        case 8: {  // a request on the admin socket, from root or from a user who is no admin
          const auto request_id = in.ConsumeIntegral<std::uint32_t>();
          const p::Message request = MakeRequest(in);
          std::string frame;
          p::EncodeFrame(request_id, request, frame);
          floatlm::admin::PeerCredentials peer{1, in.ConsumeBool() ? 0u : 65534u, 0};
          if (peer.uid != 0) peer.gid = 65534;
          FeedAdminSocket(
              in.ConsumeBool() ? frame.substr(p::kLengthPrefix) : in.ConsumeBytesAsString(40),
              peer);
          break;
        }
      }
      EndOfTurn();
    }
  }

 private:
  static constexpr std::size_t kClients = 4;

  // A new connection in slot k. Three of the four slots speak TLS (the admin token is
  // accepted only there), one plain TCP.
  void Reset(std::size_t k) {
    auto& c = clients_[k];
    c = srv::ClientContext{};
    c.id = next_client_++;
    c.who.peer = "127.0.0.1";
    c.tls = k != kClients - 1;
    core_->Connect(c);
  }

  p::Message MakeRequest(FuzzScript& in) {
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
      case 0: {
        p::Hello h;
        h.proto_version = in.ConsumeBool() ? p::kProtocolVersion : in.ConsumeIntegral<std::uint32_t>();
        h.user = Pick(in, kUsers);
        h.host = Pick(in, kHosts);
        h.display = in.ConsumeBool() ? ":0" : "";
        h.pid = in.ConsumeIntegral<std::uint16_t>();
        h.app = "fuzz";
        h.want_license_lines = in.ConsumeBool();
        for (int n = in.ConsumeIntegralInRange<int>(0, 3); n > 0; --n) {
          h.host_ids.push_back(Pick(in, kHostIds));
        }
        return h;
      }
      case 1: {
        p::Checkout co{Pick(in, kFeatures), Pick(in, kVersions),
                       in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<std::uint64_t>(1, 20'000)};
        co.dup_group = Pick(in, kDupGroups);
        // Mostly one seat; now and then several at once, or more than a checkout may ask.
        const int seats = in.ConsumeIntegralInRange<int>(0, 9);
        co.seats = seats < 6 ? 0 : seats < 9 ? static_cast<std::uint64_t>(seats - 4) : 1001;
        return co;
      }
      case 2:
        return p::Checkin{KnownLease(in).first};
      case 3:
        return p::Heartbeat{};
      case 4: {
        auto [lease, token] = KnownLease(in);
        return p::Reattach{lease, in.ConsumeBool() ? token : token + 1};
      }
      case 5:
        return p::Status{in.ConsumeBool() ? "" : Pick(in, kFeatures),
                         in.ConsumeIntegralInRange<std::uint32_t>(0, 2)};
      case 6: {
        p::Admin a;
        a.command = Pick(in, kCommands);
        a.token = in.ConsumeBool() ? kAdminToken : in.ConsumeRandomLengthString(20);
        const int n = in.ConsumeIntegralInRange<int>(0, 4);
        for (int i = 0; i < n; ++i) {
          switch (in.ConsumeIntegralInRange<int>(0, 4)) {
            case 0: a.args.push_back("--lease"); break;
            case 1: a.args.push_back(std::to_string(KnownLease(in).first)); break;
            case 2: a.args.push_back(Pick(in, kFeatures)); break;
            case 3: a.args.push_back(Pick(in, kUsers)); break;
            default: a.args.push_back(in.ConsumeRandomLengthString(24)); break;
          }
        }
        return a;
      }
      case 8:
        return p::Diag{Pick(in, kFeatures), Pick(in, kVersions),
                       in.ConsumeIntegralInRange<std::uint32_t>(0, 2)};
      case 7:  // daemon-to-client messages sent by a client
        return p::Granted{1, 2, "cad", "2027.0", "", "", false};
      default:
        return p::Ok{in.ConsumeIntegral<std::uint8_t>(), "hi"};
    }
  }

  // A lease id and token the daemon handed out (or a made-up one).
  std::pair<std::uint64_t, std::uint64_t> KnownLease(FuzzScript& in) {
    if (known_.empty() || in.ConsumeIntegralInRange<int>(0, 7) == 0) {
      return {in.ConsumeIntegralInRange<std::uint64_t>(0, 40), in.ConsumeIntegral<std::uint64_t>()};
    }
    return known_[in.ConsumeIntegralInRange<std::size_t>(0, known_.size() - 1)];
  }

  void Feed(std::size_t k, const std::string& body) {
    auto& ctx = clients_[k];
    const auto& engine = core_->engine();
    std::string out;
    std::optional<eng::Diagnosis> predicted;
    std::optional<std::string> whole;
    const bool had_hello = ctx.hello_done;
    auto decoded = p::DecodeBody(Bytes(body));
    const auto* request = std::get_if<p::Decoded>(&decoded);
    if (request) {
      predicted = Predict(ctx, request->msg);
      // The reply budget must not change an answer: the slices of a status, however
      // small, add up to the text rendered whole at the same moment.
      if (const auto* st = std::get_if<p::Status>(&request->msg)) {
        const srv::ServerFacts facts{FLOATLM_VERSION, "127.0.0.1:27000", core_->started(), 4};
        whole = st->format == 1 ? srv::RenderStatusJson(engine, facts, st->feature, now_)
                                : srv::RenderStatusText(engine, facts, st->feature, now_);
      }
    }
    const auto after = core_->HandleFrame(ctx, Bytes(body), now_, out);
    if (request) {
      if (predicted) CheckPrediction(*predicted, out);
      if (!had_hello && ctx.hello_done) CheckIdentity(ctx);
      if (const auto* h = std::get_if<p::Hello>(&request->msg); h && !had_hello) {
        for (const std::string* name : {&h->user, &h->host, &h->display, &h->app}) {
          const bool control = std::any_of(name->begin(), name->end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
          });
          FUZZ_CHECK(!control || !ctx.hello_done,
                     "a HELLO with a control character in a name was accepted");
        }
      }
      // A long answer leaves in slices, as a session asks for them; small slices here so
      // the fuzzer crosses the slice boundaries of short answers too.
      const std::size_t budget = 1 + (request->request_id % 4) * 100;
      while (ctx.answer) srv::RequestHandler::ContinueAnswer(ctx, budget, out);
      // All of this request's output: a refusal is written by Handle, slices after it.
      if (whole) CheckStreamed(out, *whole);
    }
    core_->Deliver(ctx, out);
    Drain();
    if (after == srv::RequestHandler::After::kClose) Disconnect(k);
  }

  // An admin-socket frame body from `peer`; the reply must come, whole frames, once.
  void FeedAdminSocket(const std::string& body, const floatlm::admin::PeerCredentials& peer) {
    auto reply = std::make_shared<std::optional<std::string>>();
    core_->HandleAdminFrame(Bytes(body), peer, now_, [reply](const std::string& frames) {
      FUZZ_CHECK(!reply->has_value(), "an admin request was answered twice");
      *reply = frames;
    });
    Drain();
    admin_replies_.push_back(reply);
  }

  // Checks what the core sent since the last look, per connection.
  void Drain() {
    for (auto& [id, bytes] : shell_.sent) {
      if (bytes.empty()) continue;
      const srv::ClientContext* to = nullptr;
      for (const auto& c : clients_) {
        if (c.id == id) to = &c;
      }
      FUZZ_CHECK(to != nullptr, "the core wrote to a connection that is gone");
      CheckReplies(bytes, to);
      bytes.clear();
    }
  }

  // A client past HELLO has printable names: they reach logs, journals and terminals.
  static void CheckIdentity(const srv::ClientContext& ctx) {
    for (const std::string* name : {&ctx.who.user, &ctx.who.host, &ctx.who.display, &ctx.app}) {
      for (const char c : *name) {
        FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f,
                   "an accepted identity holds a control character");
      }
    }
    FUZZ_CHECK(!ctx.who.user.empty() && !ctx.who.host.empty(), "an identity without user or host");
  }

  // The StatusChunk frames in `out` concatenate to `whole`, and only the last says so.
  static void CheckStreamed(const std::string& out, const std::string& whole) {
    std::span<const std::uint8_t> rest = Bytes(out);
    std::string joined;
    bool last = false;
    bool refused = false;
    while (!rest.empty()) {
      std::size_t body = 0;
      if (p::PeekFrame(rest, body) != p::FrameState::kReady) return;  // CheckReplies says so
      auto decoded = p::DecodeBody(rest.subspan(p::kLengthPrefix, body));
      rest = rest.subspan(p::kLengthPrefix + body);
      const auto* msg = std::get_if<p::Decoded>(&decoded);
      if (msg == nullptr) return;
      if (std::holds_alternative<p::Error>(msg->msg)) refused = true;
      const auto* chunk = std::get_if<p::StatusChunk>(&msg->msg);
      if (chunk == nullptr) continue;
      FUZZ_CHECK(!last, "a status chunk after the one marked last");
      joined += chunk->body;
      last = chunk->last;
    }
    if (refused && joined.empty()) return;  // status turned off: an ERROR, no answer
    FUZZ_CHECK(last, "a status answer without its last chunk");
    FUZZ_CHECK(joined == whole, "a status answer streamed in slices differs from the whole text");
  }

  // What `floatlm diag` would say about a checkout the handler is about to serve; nullopt
  // when the handler answers it without asking the engine.
  std::optional<eng::Diagnosis> Predict(const srv::ClientContext& ctx, const p::Message& msg) {
    const auto* co = std::get_if<p::Checkout>(&msg);
    if (!co || !ctx.hello_done || !core_->store_healthy() || co->feature.empty()) {
      return std::nullopt;
    }
    // diag asks as an application that chose no grouping: nothing to compare with.
    if (!co->dup_group.empty()) return std::nullopt;
    if (co->seats > p::kMaxSeatsPerCheckout) return std::nullopt;  // refused before the engine
    std::optional<lic::Version> version;
    if (!co->version.empty()) {
      version = lic::Version::Parse(co->version);
      if (!version) return std::nullopt;
    }
    return core_->engine().Explain(
        ctx.who, co->feature, version, now_,
        static_cast<std::uint32_t>(std::max<std::uint64_t>(co->seats, 1)));
  }

  // The checkout's first reply must be what the diagnosis predicted.
  static void CheckPrediction(const eng::Diagnosis& predicted, const std::string& out) {
    std::size_t body = 0;
    FUZZ_CHECK(p::PeekFrame(Bytes(out), body) == p::FrameState::kReady, "a checkout got no reply");
    auto decoded = p::DecodeBody(Bytes(out).subspan(p::kLengthPrefix, body));
    const auto* reply = std::get_if<p::Decoded>(&decoded);
    FUZZ_CHECK(reply != nullptr, "a checkout reply does not decode");
    if (std::holds_alternative<p::Granted>(reply->msg)) {
      FUZZ_CHECK(predicted.outcome == Errc::kOk, "diag predicted a denial; the checkout was granted");
    } else if (std::holds_alternative<p::Queued>(reply->msg)) {
      FUZZ_CHECK(predicted.would_queue, "diag did not predict the checkout would queue");
    } else if (const auto* denied = std::get_if<p::Denied>(&reply->msg)) {
      if (denied->code != Errc::kTooManyRequests) {  // a per-connection limit, not a seat rule
        FUZZ_CHECK(predicted.outcome == denied->code, "diag predicted another outcome");
      }
    }
  }

  void Disconnect(std::size_t k) {
    core_->Disconnect(clients_[k].id, "fuzz", now_);
    Drain();
    Reset(k);
  }

  void Advance(std::chrono::milliseconds span) {
    now_.mono += span;
    now_.wall += span;
    now_.today = lic::Date{std::chrono::floor<std::chrono::days>(now_.wall)};
    shell_.clock = now_.mono;
    // The shell's tick, then the sweep slices it posts while more is due.
    for (bool more = core_->Tick(now_); more;) more = core_->Sweep(now_);
    Drain();
  }

  // Everything the daemon sends to `to` must be whole, decodable frames; a grant carries
  // the license lines behind its seat exactly when the client's HELLO asked for them.
  void CheckReplies(const std::string& out, const srv::ClientContext* to) {
    std::span<const std::uint8_t> rest = Bytes(out);
    while (!rest.empty()) {
      std::size_t body = 0;
      FUZZ_CHECK(p::PeekFrame(rest, body) == p::FrameState::kReady,
                 "the daemon wrote a partial or oversized frame");
      auto decoded = p::DecodeBody(rest.subspan(p::kLengthPrefix, body));
      const auto* msg = std::get_if<p::Decoded>(&decoded);
      FUZZ_CHECK(msg != nullptr, "the daemon wrote a frame its own decoder refuses");
      if (const auto* g = std::get_if<p::Granted>(&msg->msg)) {
        if (known_.size() < 64) known_.emplace_back(g->lease, g->token);
        const bool asked = to != nullptr && to->wants_license_lines;
        FUZZ_CHECK(asked == !g->license_lines.empty(),
                   "license lines sent without HELLO asking, or missing when asked");
        for (const std::string& line : g->license_lines) {
          FUZZ_CHECK(line.find('\n') != std::string::npos, "a license line without its host id");
        }
      }
      rest = rest.subspan(p::kLengthPrefix + body);
    }
  }

  // The shell's end of turn: the commit it was asked for, then the checks of the engine
  // against itself and against the store.
  void EndOfTurn() {
    // Reports and backups answer from the admin worker: wait for them in this turn (their
    // replies may wait for a commit of their own).
    while (core_->admin_jobs() > 0) {
      shell_.RunPosted();
      Drain();
    }
    // A deferred commit asks again (RetryCommitSoon); the deferrals run out.
    while (shell_.commit_asked) {
      shell_.commit_asked = false;
      core_->Commit();
      Drain();
    }
    FUZZ_CHECK(!core_->commit_pending() || !core_->store_healthy(),
               "changes or replies were left without a commit");
    for (const auto& [id, bytes] : shell_.held) {
      const bool open = std::any_of(std::begin(clients_), std::end(clients_),
                                    [id = id](const auto& c) { return c.id == id; });
      FUZZ_CHECK(bytes.empty() || !open, "replies still held after their commit");
    }
    for (const auto& reply : admin_replies_) {
      FUZZ_CHECK(reply->has_value(), "an admin request got no reply by the end of its turn");
      CheckReplies(**reply, nullptr);
    }
    admin_replies_.clear();
    const auto& engine = core_->engine();
    std::size_t in_snapshot = 0;
    std::set<eng::LeaseId> ids;
    for (const auto& pool : engine.Snapshot(now_)) {
      int weights = 0;
      for (const auto& seat : pool.seats) weights += static_cast<int>(seat.weight);
      FUZZ_CHECK(pool.in_use == weights, "in_use is not the seats' count");
      if (!pool.spec->uncounted) {
        // A reread may leave a pool above its new count (leases are not cut); from then on
        // it may only shrink until it is back within its count.
        const std::string key = pool.spec->Key();
        auto cap = seat_cap_.find(key);
        const int allowed = cap == seat_cap_.end() ? pool.total : std::max(pool.total, cap->second);
        FUZZ_CHECK(pool.in_use <= allowed, "a pool holds more seats than it has");
        seat_cap_[key] = std::max(pool.total, pool.in_use);
      }
      for (const auto& seat : pool.seats) {
        FUZZ_CHECK(!seat.leases.empty(), "a seat without a lease");
        FUZZ_CHECK(seat.weight == 1 || (seat.leases.size() == 1 && seat.leases[0].seats == seat.weight),
                   "a seat of several is not one multi-seat lease's own");
        for (const auto& l : seat.leases) {
          ++in_snapshot;
          FUZZ_CHECK(ids.insert(l.id).second, "a lease sits on two seats");
          FUZZ_CHECK(engine.FindLease(l.id).has_value(), "a seat holds a lease FindLease misses");
        }
      }
    }
    FUZZ_CHECK(in_snapshot == engine.lease_count(), "lease_count disagrees with the snapshot");
    if (!core_->commit_pending()) {
      floatlm::store::StoredState state;
      FUZZ_CHECK(store_->Load(&state).ok(), "memory store load failed");
      std::set<eng::LeaseId> stored;
      for (const auto& r : state.leases) stored.insert(r.id);
      FUZZ_CHECK(stored == ids, "the store's leases differ from the engine's");
    }
  }

  // 2026-11-27 09:00 UTC, like the engine tests' fake clock.
  eng::Now now_{
      eng::MonoTime{std::chrono::hours(1000)},
      eng::WallTime{std::chrono::sys_days{lic::Date{std::chrono::year{2026}, std::chrono::month{11},
                                                    std::chrono::day{27}}} +
                    std::chrono::hours(9)},
      lic::Date{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{27}}};
  lic::Model model_a_;
  lic::Model model_b_;
  bool use_b_ = false;  // the license set in force: model B after an odd number of rereads
  FakeShell shell_;
  FlakyStore* store_ = nullptr;  // owned by core_
  std::unique_ptr<srv::DaemonCore> core_;
  std::vector<std::shared_ptr<std::optional<std::string>>> admin_replies_;  // this turn's
  srv::ClientContext clients_[kClients];
  eng::ClientId next_client_ = 1;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> known_;
  // Per pool key: the most seats it may hold, lowered as a pool left above its count by
  // a reread drains.
  std::map<std::string, int> seat_cap_;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The handler logs every grant and denial; at fuzzing speed that is only noise.
  floatlm::log::SetLevel(floatlm::log::Level::kError);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzScript in(data, size);
  Harness harness;
  harness.Run(in);
  return 0;
}
