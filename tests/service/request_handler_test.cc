// The request handler and the state recorder on a hand-built engine with a fake `now`:
// no core, no store, no sockets. Requests go in as decoded frames, replies come out as
// bytes read back with the real FrameReader, and the engine's events are turned into
// records by RecordEvent, as the core does at the end of a turn.
#include "service/request_handler.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

#include "floatlm/licenses/model_builder.h"
#include "floatlm/licenses/parser.h"
#include "floatlm/proto/frame_reader.h"
#include "service/event_record.h"
#include "service/state_recorder.h"

namespace floatlm::test {
namespace {

using namespace std::chrono_literals;
using server::ClientContext;
using server::RequestHandler;
using store::JournalEvent;

licenses::Model OneSeatModel() {
  auto built = licenses::BuildModel({licenses::ParseLicenseText(
      "test.lic", "VENDOR demo\nFEATURE cad demo 2027.0 permanent 1 SN=C-1\n")});
  BOOST_REQUIRE(built.model.rejected.empty());
  return built.model;
}

engine::EngineConfig Config() {
  engine::EngineConfig c;
  c.ttl = 60s;
  c.token_source = [n = std::uint64_t{900}]() mutable { return ++n; };
  return c;
}

struct HandlerFixture {
  engine::SeatEngine engine{OneSeatModel(), Config()};
  server::StateRecorder recorder{engine};
  std::vector<std::string> admin_seen;  // the admin commands the handler passed on
  RequestHandler handler{
      engine, recorder, server::HandlerSettings{},
      [](const std::string&, bool, const engine::Now&) {
        return std::unique_ptr<server::ReplyStream>();
      },
      [this](const proto::Admin& a, std::uint32_t, const ClientContext& ctx, const engine::Now&) {
        admin_seen.push_back(a.command + " from " + ctx.who.user);
        return std::vector<proto::Message>{proto::Ok{1, "done"}};
      }};
  engine::Now now{
      engine::MonoTime{5000h},
      engine::WallTime{std::chrono::sys_days{std::chrono::year{2026} / std::chrono::November / 27} +
                       9h},
      licenses::Date{std::chrono::year{2026} / std::chrono::November / 27}};

  ClientContext Hello(engine::ClientId id, const std::string& user) {
    ClientContext ctx;
    ctx.id = id;
    ctx.who.peer = "127.0.0.1";
    proto::Hello hello;
    hello.user = user;
    hello.host = "ws1";
    hello.app = "solver";
    hello.pid = 4242;
    auto replies = Send(ctx, 1, hello);
    BOOST_REQUIRE(replies.size() == 1u);
    BOOST_REQUIRE(std::holds_alternative<proto::HelloOk>(replies[0]));
    return ctx;
  }

  std::vector<proto::Message> Send(ClientContext& ctx, std::uint32_t id, proto::Message m) {
    std::string out;
    handler.Handle(ctx, proto::Decoded{id, std::move(m)}, now, out);
    return Read(out);
  }

  static std::vector<proto::Message> Read(const std::string& bytes) {
    proto::FrameReader reader;
    reader.Append({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    std::vector<proto::Message> out;
    for (;;) {
      auto next = reader.NextDecoded();
      if (std::holds_alternative<proto::FrameReader::NeedMore>(next)) break;
      BOOST_REQUIRE(std::holds_alternative<proto::Decoded>(next));
      out.push_back(std::get<proto::Decoded>(next).msg);
    }
    BOOST_REQUIRE(reader.unread().empty());
    return out;
  }

  // The core's end of turn, without the store: every event into the recorder.
  void RecordEvents(const ClientContext* holder) {
    for (const auto& event : engine.TakeEvents()) {
      server::RecordEvent(event, holder, recorder, now.wall);
    }
  }
};

BOOST_FIXTURE_TEST_SUITE(request_handler, HandlerFixture)

BOOST_AUTO_TEST_CASE(a_request_before_hello_is_refused_and_ends_the_connection) {
  ClientContext ctx;
  ctx.id = 1;
  std::string out;
  const auto after =
      handler.Handle(ctx, proto::Decoded{3, proto::Checkout{"cad", "", 0}}, now, out);
  BOOST_TEST((after == RequestHandler::After::kClose));
  const auto replies = Read(out);
  BOOST_REQUIRE(replies.size() == 1u);
  BOOST_REQUIRE(std::holds_alternative<proto::Error>(replies[0]));
  BOOST_TEST((std::get<proto::Error>(replies[0]).code == Errc::kHelloRequired));
  BOOST_TEST(engine.lease_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_grant_is_recorded_once_with_its_holder_at_the_time_passed_in) {
  ClientContext alice = Hello(1, "alice");
  const auto replies = Send(alice, 7, proto::Checkout{"cad", "", 0});
  BOOST_REQUIRE(replies.size() == 1u);
  BOOST_REQUIRE(std::holds_alternative<proto::Granted>(replies[0]));
  const auto lease = std::get<proto::Granted>(replies[0]).lease;
  // The handler itself records nothing for a grant: the engine's kGranted event does.
  BOOST_TEST(recorder.batch().upsert_leases.empty());
  RecordEvents(&alice);
  const auto& batch = recorder.batch();
  BOOST_REQUIRE(batch.upsert_leases.size() == 1u);
  BOOST_TEST(batch.upsert_leases[0].id == lease);
  BOOST_TEST(batch.upsert_leases[0].user == "alice");
  BOOST_TEST(batch.upsert_leases[0].app == "solver");
  BOOST_TEST(batch.upsert_leases[0].client_pid == 4242);
  BOOST_REQUIRE(batch.journal.size() == 1u);
  BOOST_TEST((batch.journal[0].event == JournalEvent::kCheckout));
  BOOST_TEST(batch.journal[0].lease_id == lease);
  BOOST_TEST(batch.journal[0].time == server::ToUnixMillis(now.wall));
  BOOST_TEST(batch.highest_lease_id >= lease);
}

BOOST_AUTO_TEST_CASE(a_checkin_frees_the_seat_and_is_recorded_as_one) {
  ClientContext alice = Hello(1, "alice");
  const auto granted = Send(alice, 7, proto::Checkout{"cad", "", 0});
  const auto lease = std::get<proto::Granted>(granted.at(0)).lease;
  RecordEvents(&alice);
  recorder.Clear();
  now.mono += 10min;
  now.wall += 10min;
  const auto replies = Send(alice, 8, proto::Checkin{lease});
  BOOST_REQUIRE(replies.size() == 1u);
  BOOST_TEST(std::holds_alternative<proto::Ok>(replies[0]));
  RecordEvents(&alice);
  const auto& batch = recorder.batch();
  BOOST_TEST(batch.delete_leases == std::vector<std::uint64_t>{lease});
  BOOST_REQUIRE(batch.journal.size() == 1u);
  BOOST_TEST((batch.journal[0].event == JournalEvent::kCheckin));
  BOOST_TEST(batch.journal[0].time == server::ToUnixMillis(now.wall));
  BOOST_TEST(engine.lease_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_checkin_of_another_connections_lease_is_refused_with_the_engines_words) {
  ClientContext alice = Hello(1, "alice");
  ClientContext bob = Hello(2, "bob");
  const auto lease =
      std::get<proto::Granted>(Send(alice, 7, proto::Checkout{"cad", "", 0}).at(0)).lease;
  engine.TakeEvents();
  const auto replies = Send(bob, 8, proto::Checkin{lease});
  BOOST_REQUIRE(replies.size() == 1u);
  BOOST_REQUIRE(std::holds_alternative<proto::Error>(replies[0]));
  const auto& error = std::get<proto::Error>(replies[0]);
  BOOST_TEST((error.code == Errc::kNoSuchLease));
  BOOST_TEST(error.message == "lease " + std::to_string(lease) + " is not held by this connection");
  BOOST_TEST(engine.TakeEvents().empty());
  BOOST_TEST(engine.lease_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_denial_is_answered_and_journaled_with_its_reason) {
  ClientContext alice = Hello(1, "alice");
  ClientContext bob = Hello(2, "bob");
  Send(alice, 7, proto::Checkout{"cad", "", 0});
  engine.TakeEvents();
  const auto replies = Send(bob, 7, proto::Checkout{"cad", "", 0});
  BOOST_REQUIRE(replies.size() == 1u);
  BOOST_REQUIRE(std::holds_alternative<proto::Denied>(replies[0]));
  const auto& denied = std::get<proto::Denied>(replies[0]);
  BOOST_TEST((denied.code == Errc::kAllSeatsInUse));
  BOOST_TEST(denied.message.find("alice@ws1 since 09:00 UTC") != std::string::npos, denied.message);
  const auto& journal = recorder.batch().journal;
  BOOST_REQUIRE(journal.size() == 1u);
  BOOST_TEST((journal[0].event == JournalEvent::kDenial));
  BOOST_TEST(journal[0].user == "bob");
  BOOST_TEST(journal[0].reason == "all_seats_in_use");
  BOOST_TEST(journal[0].time == server::ToUnixMillis(now.wall));
}

BOOST_AUTO_TEST_CASE(while_the_store_is_unhealthy_new_checkouts_are_refused_and_held_ones_work) {
  ClientContext alice = Hello(1, "alice");
  const auto lease =
      std::get<proto::Granted>(Send(alice, 7, proto::Checkout{"cad", "", 0}).at(0)).lease;
  engine.TakeEvents();
  handler.SetStoreHealthy(false, "disk full");
  const auto refused = Send(alice, 8, proto::Checkout{"cad", "", 0});
  BOOST_REQUIRE(std::holds_alternative<proto::Denied>(refused.at(0)));
  BOOST_TEST((std::get<proto::Denied>(refused[0]).code == Errc::kStoreUnavailable));
  BOOST_TEST(std::get<proto::Denied>(refused[0]).message.find("disk full") != std::string::npos);
  const auto beat = Send(alice, 9, proto::Heartbeat{});
  BOOST_REQUIRE(std::holds_alternative<proto::Ok>(beat.at(0)));
  BOOST_TEST(std::get<proto::Ok>(beat[0]).count == 1u);
  BOOST_TEST(std::holds_alternative<proto::Ok>(Send(alice, 10, proto::Checkin{lease}).at(0)));
}

BOOST_AUTO_TEST_CASE(an_admin_request_on_the_client_port_goes_to_the_admin_commands) {
  ClientContext alice = Hello(1, "alice");
  proto::Admin admin;
  admin.command = "remove";
  const auto replies = Send(alice, 11, admin);
  BOOST_TEST(admin_seen == std::vector<std::string>{"remove from alice"},
             boost::test_tools::per_element());
  BOOST_REQUIRE(replies.size() == 1u);
  BOOST_REQUIRE(std::holds_alternative<proto::Ok>(replies[0]));
  BOOST_TEST(std::get<proto::Ok>(replies[0]).message == "done");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::test
