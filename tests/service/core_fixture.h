// A DaemonCore (daemon/service/daemon_core.h) with everything around it faked: a shell
// that records what the core sends, holds and releases per connection, an in-memory
// store that can be made to fail, a license set given as text, and a clock the test
// moves. Frames are built and read with the real protocol codec.
#ifndef FLOATLM_TESTS_SERVICE_CORE_FIXTURE_H_
#define FLOATLM_TESTS_SERVICE_CORE_FIXTURE_H_

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/proto/messages.h"
#include "service/daemon_core.h"
#include "store/memory_lease_store.h"

namespace floatlm::test {

using namespace std::chrono_literals;

// The in-memory store; while `down`, every Commit fails and applies nothing. `on_commit`
// runs after each successful commit (tests note what was durable when). The next
// `deferrals` TryCommits answer kDeferred, as the SQLite store does while it checkpoints.
class FlakyStore final : public store::LeaseStore {
 public:
  bool down = false;
  int commits = 0;
  int deferrals = 0;
  std::string upkeep_problem;  // handed out once by TakeUpkeepProblem
  // Runs at the start of each journal scan, on the scanning thread (the admin worker).
  std::function<void()> before_scan;
  std::string TakeUpkeepProblem() override { return std::exchange(upkeep_problem, {}); }
  store::Status TryCommit(const store::Batch& batch) override {
    if (deferrals > 0) {
      --deferrals;
      return store::Status::Error(store::Status::Code::kDeferred, "checkpoint (test)");
    }
    return Commit(batch);
  }
  store::Status Load(store::StoredState* out) override { return inner_.Load(out); }
  store::Status Commit(const store::Batch& batch) override {
    if (down) return store::Status::Error(store::Status::Code::kIoError, "disk full (test)");
    auto st = inner_.Commit(batch);
    if (st.ok() && !batch.empty()) ++commits;
    return st;
  }
  store::Status ScanJournal(store::UnixMillis from, store::UnixMillis to,
                            const store::JournalSink& sink, const store::AdminWork& work) override {
    if (before_scan) before_scan();
    return inner_.ScanJournal(from, to, sink, work);
  }
  store::Status PruneJournal(store::UnixMillis before, std::size_t max_entries,
                             std::size_t* removed) override {
    return inner_.PruneJournal(before, max_entries, removed);
  }
  // The lease ids the store holds now.
  std::vector<engine::LeaseId> LeaseIds() {
    store::StoredState state;
    BOOST_REQUIRE(Load(&state).ok());
    std::vector<engine::LeaseId> ids;
    for (const auto& l : state.leases) ids.push_back(l.id);
    return ids;
  }

  store::Status LoadSignatureDigests(std::vector<std::string>* out) override {
    return inner_.LoadSignatureDigests(out);
  }
  store::Status ReplaceSignatureDigests(const std::vector<std::string>& digests) override {
    return inner_.ReplaceSignatureDigests(digests);
  }
  store::Status WriteBackup(const std::string& path, const store::AdminWork& work,
                            store::BackupInfo* info) override {
    return inner_.WriteBackup(path, work, info);
  }

 private:
  store::MemoryLeaseStore inner_;
};

class FakeShell final : public server::CoreHost {
 public:
  std::map<engine::ClientId, std::string> sent;  // written to the connection
  std::map<engine::ClientId, std::string> held;  // queued, waiting for Release
  int commits_asked = 0;
  int retries_asked = 0;
  bool stop_asked = false;
  // Runs at each Release, before the held bytes count as sent.
  std::function<void(engine::ClientId)> on_release;

  void Send(engine::ClientId client, const std::string& frames) override { sent[client] += frames; }
  void Hold(engine::ClientId client, const std::string& frames) override { held[client] += frames; }
  void Release(engine::ClientId client) override {
    if (on_release) on_release(client);
    sent[client] += held[client];
    held[client].clear();
  }
  void ScheduleCommit() override { ++commits_asked; }
  void RetryCommitSoon() override { ++retries_asked; }
  void StopRequested() override { stop_asked = true; }
  void RereadStarting() override {}
  void RereadDone() override {}
  std::string Address() const override { return "127.0.0.1:27000"; }
  std::size_t Connections() const override { return 1; }
  engine::MonoTime Elapsed() const override { return engine::MonoTime{}; }

  // Post (from the admin worker) queues; RunPosted runs what came, on the test's thread.
  void Post(std::function<void()> fn) override {
    std::lock_guard lk(posted_mu_);
    posted_.push_back(std::move(fn));
    posted_cv_.notify_all();
  }
  // Waits up to `timeout` for something posted, then runs all of it; false if nothing came.
  bool RunPosted(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::vector<std::function<void()>> ready;
    {
      std::unique_lock lk(posted_mu_);
      if (!posted_cv_.wait_for(lk, timeout, [this] { return !posted_.empty(); })) return false;
      ready.swap(posted_);
    }
    for (auto& fn : ready) fn();
    return true;
  }

 private:
  std::mutex posted_mu_;
  std::condition_variable posted_cv_;
  std::vector<std::function<void()>> posted_;
};

// The messages in a run of frames (each must decode).
inline std::vector<proto::Message> Messages(const std::string& bytes) {
  std::vector<proto::Message> out;
  std::span<const std::uint8_t> rest(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                     bytes.size());
  while (!rest.empty()) {
    std::size_t body = 0;
    BOOST_REQUIRE(proto::PeekFrame(rest, body) == proto::FrameState::kReady);
    auto decoded = proto::DecodeBody(rest.subspan(proto::kLengthPrefix, body));
    BOOST_REQUIRE(std::holds_alternative<proto::Decoded>(decoded));
    out.push_back(std::get<proto::Decoded>(decoded).msg);
    rest = rest.subspan(proto::kLengthPrefix + body);
  }
  return out;
}

// A frame's body, as a session hands it to the core.
inline std::string Body(std::uint32_t request_id, const proto::Message& m) {
  std::string frame;
  proto::EncodeFrame(request_id, m, frame);
  return frame.substr(proto::kLengthPrefix);
}

inline std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

constexpr const char* kAdminToken = "core-test-token";

class CoreFixture {
 public:
  explicit CoreFixture(
      std::string license_text = "VENDOR demo\nFEATURE cad demo 2027.0 permanent 2 SN=C-1\n") {
    auto built = licenses::BuildModel({licenses::ParseLicenseText("test.lic", license_text)});
    BOOST_REQUIRE(built.model.rejected.empty());
    model_ = built.model;
    auto owned = std::make_unique<FlakyStore>();
    store = owned.get();
    config::DaemonConfig config;
    config.lease_ttl = 60s;
    config.reattach_window = 30s;
    server::CoreOptions options;
    options.admin_token = admin::AdminToken(kAdminToken);
    options.tune = [](engine::EngineConfig& e, server::HandlerSettings&) {
      e.token_source = [n = std::uint64_t{500}]() mutable { return ++n; };
    };
    core = std::make_unique<server::DaemonCore>(
        config, std::move(owned),
        [this](const licenses::SignatureDigests&, bool) {
          server::LicenseSet set;
          set.model = model_;
          return set;
        },
        shell, now, std::move(options));
  }

  // A connection that said HELLO as `user`; `tls` as if on a TLS port.
  server::ClientContext& Connect(const std::string& user, bool tls = false) {
    auto& ctx = *clients_.emplace_back(std::make_unique<server::ClientContext>());
    ctx.id = next_id_++;
    ctx.tls = tls;
    ctx.who.peer = "127.0.0.1";
    core->Connect(ctx);
    proto::Hello hello;
    hello.user = user;
    hello.host = "ws1";
    hello.app = "test";
    Request(ctx, 1, hello);
    BOOST_REQUIRE(ctx.hello_done);
    Settle();
    shell.sent.erase(ctx.id);
    return ctx;
  }

  // One request, its replies handed to the core's Deliver as a session does.
  void Request(server::ClientContext& ctx, std::uint32_t id, const proto::Message& m) {
    std::string replies;
    core->HandleFrame(ctx, Bytes(Body(id, m)), now, replies);
    core->Deliver(ctx, replies);
  }

  // A checkout that must be granted; returns the lease id, committed.
  std::uint64_t Checkout(server::ClientContext& ctx, const std::string& feature) {
    Request(ctx, 7, proto::Checkout{feature, "", 0});
    Settle();
    auto msgs = Messages(shell.sent[ctx.id]);
    shell.sent.erase(ctx.id);
    BOOST_REQUIRE(msgs.size() == 1u);
    BOOST_REQUIRE(std::holds_alternative<proto::Granted>(msgs[0]));
    return std::get<proto::Granted>(msgs[0]).lease;
  }

  // The shell's end of turn: the commit the core asked for.
  void Settle() {
    if (shell.commits_asked > 0) {
      shell.commits_asked = 0;
      core->Commit();
    }
  }

  engine::Now now{
      engine::MonoTime{std::chrono::hours(1000)},
      engine::WallTime{std::chrono::sys_days{licenses::Date{
                           std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{27}}} +
                       std::chrono::hours(9)},
      licenses::Date{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{27}}};
  FakeShell shell;
  FlakyStore* store = nullptr;  // owned by core
  std::unique_ptr<server::DaemonCore> core;

 private:
  licenses::Model model_;
  std::vector<std::unique_ptr<server::ClientContext>> clients_;
  engine::ClientId next_id_ = 1;
};

}  // namespace floatlm::test

#endif  // FLOATLM_TESTS_SERVICE_CORE_FIXTURE_H_
