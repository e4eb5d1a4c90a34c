// Reports and backups on the admin worker (service/admin_jobs.h), through DaemonCore with
// a fake shell: the loop serves clients while a report reads the journal, the requester
// hears how far it is once a second, the queue is bounded, and a stop answers what is
// still running.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core_fixture.h"

namespace floatlm::test {
namespace {

const admin::PeerCredentials kRoot{4242, 0, 0};

proto::Admin ReportRequest() {
  proto::Admin a;
  a.command = "report";
  a.args = {"0", std::to_string(server::kLatestReportMillis), "text"};
  return a;
}

// Holds every journal scan at its start until Open() (or the latch's end).
class Gate {
 public:
  explicit Gate(FlakyStore& store) {
    store.before_scan = [this] { opened_.wait(); };
  }
  ~Gate() { Open(); }
  void Open() {
    if (!open_) {
      open_ = true;
      promise_.set_value();
    }
  }

 private:
  std::promise<void> promise_;
  std::shared_future<void> opened_ = promise_.get_future().share();
  bool open_ = false;
};

// A report request on the admin socket; its reply and progress frames land in the
// given strings.
void AskReport(CoreFixture& f, std::uint32_t id, std::optional<std::string>& reply,
               std::string* progress = nullptr) {
  server::AdminReply on_progress;
  if (progress != nullptr) {
    on_progress = [progress](const std::string& frames) { *progress += frames; };
  }
  f.core->HandleAdminFrame(
      Bytes(Body(id, ReportRequest())), kRoot, f.now,
      [&reply](const std::string& frames) {
        BOOST_TEST(!reply.has_value(), "answered twice");
        reply = frames;
      },
      on_progress);
}

// The reply, which must be exactly one ERROR.
proto::Error OnlyError(const std::optional<std::string>& reply) {
  BOOST_TEST_REQUIRE(reply.has_value());
  const auto msgs = Messages(*reply);
  BOOST_TEST_REQUIRE(msgs.size() == 1u);
  const auto* err = std::get_if<proto::Error>(&msgs[0]);
  BOOST_TEST_REQUIRE(err != nullptr);
  return *err;
}

// Runs the shell's side of every job's end until none is left, committing after each.
void DrainJobs(CoreFixture& f) {
  while (f.core->admin_jobs() > 0) {
    BOOST_TEST_REQUIRE(f.shell.RunPosted());
    f.Settle();
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_jobs)

// While a report reads the journal (held here at its start), the loop is free: a
// checkout is granted and committed, a heartbeat answered. The report's reply follows
// once its scan is done, and holds the lease granted before it was asked for.
BOOST_AUTO_TEST_CASE(a_report_runs_off_the_loop_while_clients_are_served) {
  CoreFixture f;
  auto& alice = f.Connect("alice");
  f.Checkout(alice, "cad");
  Gate gate(*f.store);
  std::optional<std::string> reply;
  AskReport(f, 5, reply);
  BOOST_TEST(!reply.has_value(), "the report was answered on the loop");
  BOOST_TEST(f.core->admin_jobs() == 1u);

  auto& bob = f.Connect("bob");
  f.Checkout(bob, "cad");
  f.Request(bob, 8, proto::Heartbeat{});
  BOOST_TEST(Messages(f.shell.sent[bob.id]).size() == 1u, "the heartbeat waited for the report");
  BOOST_TEST(!reply.has_value());

  gate.Open();
  BOOST_TEST_REQUIRE(f.shell.RunPosted());
  f.Settle();
  BOOST_TEST_REQUIRE(reply.has_value());
  BOOST_TEST(f.core->admin_jobs() == 0u);
  std::string text;
  for (const auto& m : Messages(*reply)) {
    const auto* chunk = std::get_if<proto::StatusChunk>(&m);
    BOOST_TEST_REQUIRE(chunk != nullptr);
    text += chunk->body;
  }
  BOOST_TEST(text.find("cad") != std::string::npos, text);
}

// A report that has run for a second tells its requester how far it is, once per
// second, before the reply, and not before its first second nor after the reply.
BOOST_AUTO_TEST_CASE(a_long_report_tells_its_requester_how_far_it_is) {
  CoreFixture f;
  Gate gate(*f.store);
  std::optional<std::string> reply;
  std::string progress;
  AskReport(f, 6, reply, &progress);
  f.core->Tick(f.now);
  BOOST_TEST(progress.empty(), "PROGRESS before a second had passed");
  f.now.mono += 1100ms;
  f.core->Tick(f.now);
  auto frames = Messages(progress);
  BOOST_TEST_REQUIRE(frames.size() == 1u);
  const auto* p = std::get_if<proto::Progress>(&frames[0]);
  BOOST_TEST_REQUIRE(p != nullptr);
  BOOST_TEST(p->message.find("report") != std::string::npos, p->message);
  f.now.mono += 1000ms;
  f.core->Tick(f.now);
  BOOST_TEST(Messages(progress).size() == 2u);

  gate.Open();
  BOOST_TEST_REQUIRE(f.shell.RunPosted());
  f.Settle();
  BOOST_TEST_REQUIRE(reply.has_value());
  f.now.mono += 1000ms;
  f.core->Tick(f.now);
  BOOST_TEST(Messages(progress).size() == 2u, "PROGRESS after the reply");
}

// At most AdminJobs::kMaxJobs reports and backups are running or waiting: the next is
// refused at once with a sentence, the others are all answered in turn.
BOOST_AUTO_TEST_CASE(admin_work_beyond_the_limit_is_refused_and_the_rest_answered) {
  CoreFixture f;
  Gate gate(*f.store);
  std::vector<std::optional<std::string>> replies(server::AdminJobs::kMaxJobs + 1);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    AskReport(f, static_cast<std::uint32_t>(10 + i), replies[i]);
  }
  for (std::size_t i = 0; i < server::AdminJobs::kMaxJobs; ++i) {
    BOOST_TEST(!replies[i].has_value());
  }
  f.Settle();
  const auto refused = OnlyError(replies.back());
  BOOST_TEST(static_cast<int>(refused.code) == static_cast<int>(Errc::kTooManyRequests));
  BOOST_TEST(refused.message.find("try again") != std::string::npos, refused.message);

  gate.Open();
  DrainJobs(f);
  for (std::size_t i = 0; i < server::AdminJobs::kMaxJobs; ++i) {
    BOOST_TEST(replies[i].has_value(), "report " << i << " was not answered");
  }
}

// A stop while a report runs cancels it and tells its requester why; nothing it would
// have posted runs afterwards.
BOOST_AUTO_TEST_CASE(stopping_answers_a_report_in_progress) {
  CoreFixture f;
  Gate gate(*f.store);
  std::optional<std::string> reply;
  AskReport(f, 9, reply);
  // The scan is held; the stop cancels, and the worker returns once the gate opens.
  std::thread opener([&gate] {
    std::this_thread::sleep_for(100ms);
    gate.Open();
  });
  f.core->Stop(f.now);
  opener.join();
  f.Settle();
  const auto err = OnlyError(reply);
  BOOST_TEST(static_cast<int>(err.code) == static_cast<int>(Errc::kServerShuttingDown));
  BOOST_TEST(err.message.find("report not finished") != std::string::npos, err.message);
  BOOST_TEST(!f.shell.RunPosted(200ms), "the cancelled report posted its end");
}

// A report asked for over TLS with the admin token answers the same connection later; a
// connection gone meanwhile is simply not answered.
BOOST_AUTO_TEST_CASE(a_report_on_the_client_port_answers_its_connection_if_still_there) {
  CoreFixture f;
  auto& admin = f.Connect("root", /*tls=*/true);
  auto& other = f.Connect("root", /*tls=*/true);
  Gate gate(*f.store);
  auto request = ReportRequest();
  request.token = kAdminToken;
  f.Request(admin, 21, request);
  f.Request(other, 22, request);
  BOOST_TEST(f.shell.sent[admin.id].empty());
  f.core->Disconnect(other.id, "test", f.now);
  gate.Open();
  DrainJobs(f);
  const auto msgs = Messages(f.shell.sent[admin.id]);
  BOOST_TEST_REQUIRE(!msgs.empty());
  BOOST_TEST(std::holds_alternative<proto::StatusChunk>(msgs.back()));
  BOOST_TEST(f.shell.sent[other.id].empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::test
