// DaemonCore with a fake shell: the commit gate (no reply leaves before the batch that
// carries its changes is written, on the client port and on the admin socket alike),
// what a reply means when its commit failed, and the records every change leaves.
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdio>

#include "core_fixture.h"
#include "log/log.h"

namespace floatlm::test {
namespace {

bool Holds(const std::vector<engine::LeaseId>& ids, engine::LeaseId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

proto::Admin RemoveLease(std::uint64_t lease, std::string token = {}) {
  proto::Admin a;
  a.command = "remove";
  a.args = {"--lease", std::to_string(lease)};
  a.token = std::move(token);
  return a;
}

const admin::PeerCredentials kRoot{4242, 0, 0};

}  // namespace

BOOST_AUTO_TEST_SUITE(daemon_core)

// `floatlm remove --lease N` on the admin socket: the reply reaches the admin only once
// the delete is in the store, so an admin who saw "removed" never sees the lease come
// back after a crash. The holder's LEASE_LOST waits for the same commit.
BOOST_AUTO_TEST_CASE(an_admin_socket_removal_answers_only_after_the_delete_is_committed) {
  CoreFixture f;
  auto& alice = f.Connect("alice");
  const auto lease = f.Checkout(alice, "cad");
  BOOST_TEST(Holds(f.store->LeaseIds(), lease));

  std::optional<std::string> reply;
  bool durable_at_reply = false;
  f.core->HandleAdminFrame(Bytes(Body(9, RemoveLease(lease))), kRoot, f.now,
                           [&](const std::string& frames) {
                             durable_at_reply = !Holds(f.store->LeaseIds(), lease);
                             reply = frames;
                           });
  BOOST_TEST(!reply.has_value(), "the reply left before the commit");
  BOOST_TEST(Holds(f.store->LeaseIds(), lease));
  BOOST_TEST(f.shell.sent[alice.id].empty(), "LEASE_LOST left before the commit");
  BOOST_TEST(f.shell.commits_asked > 0);

  f.Settle();
  BOOST_TEST_REQUIRE(reply.has_value());
  BOOST_TEST(durable_at_reply);
  const auto msgs = Messages(*reply);
  BOOST_TEST_REQUIRE(msgs.size() == 1u);
  BOOST_TEST_REQUIRE(std::holds_alternative<proto::Ok>(msgs[0]));
  BOOST_TEST(std::get<proto::Ok>(msgs[0]).message.find("removed lease") != std::string::npos);
  const auto lost = Messages(f.shell.sent[alice.id]);
  BOOST_TEST_REQUIRE(lost.size() == 1u);
  BOOST_TEST(std::holds_alternative<proto::LeaseLost>(lost[0]));
}

// The same removal over TLS with the admin token: the reply is held by the shell and
// released only by the commit that wrote the delete.
BOOST_AUTO_TEST_CASE(a_client_port_removal_answers_only_after_the_delete_is_committed) {
  CoreFixture f;
  auto& alice = f.Connect("alice");
  const auto lease = f.Checkout(alice, "cad");
  auto& admin = f.Connect("root", /*tls=*/true);

  bool durable_at_release = false;
  f.shell.on_release = [&](engine::ClientId client) {
    if (client == admin.id) durable_at_release = !Holds(f.store->LeaseIds(), lease);
  };
  f.Request(admin, 9, RemoveLease(lease, kAdminToken));
  BOOST_TEST(f.shell.sent[admin.id].empty(), "the reply left before the commit");
  BOOST_TEST(!f.shell.held[admin.id].empty());
  BOOST_TEST(Holds(f.store->LeaseIds(), lease));

  f.Settle();
  BOOST_TEST(durable_at_release);
  const auto msgs = Messages(f.shell.sent[admin.id]);
  BOOST_TEST_REQUIRE(msgs.size() == 1u);
  BOOST_TEST(std::holds_alternative<proto::Ok>(msgs[0]));
  BOOST_TEST(!Holds(f.store->LeaseIds(), lease));
}

// A reply that changes nothing still waits behind a pending commit (a status could show
// a grant not yet written), so no client sees the daemon's answers out of the order it
// made its decisions in. A heartbeat's reply is the exception: it speaks only of the
// connection's own leases, so it leaves at once, unless something for that connection
// is held (then it keeps its place behind it).
BOOST_AUTO_TEST_CASE(a_read_only_reply_waits_behind_a_pending_commit) {
  CoreFixture f;
  auto& alice = f.Connect("alice");
  auto& bob = f.Connect("bob");
  f.Request(alice, 7, proto::Checkout{"cad", "", 0});
  // A status on the admin socket waits: it would show alice's grant before it is written.
  std::optional<std::string> status;
  f.core->HandleAdminFrame(Bytes(Body(3, proto::Status{"", 0})), kRoot, f.now,
                           [&](const std::string& frames) { status = frames; });
  BOOST_TEST(!status.has_value());
  // Alice's own heartbeat queues behind her held grant.
  f.Request(alice, 11, proto::Heartbeat{});
  BOOST_TEST(f.shell.sent[alice.id].empty());
  // Bob has nothing held: his heartbeat's answer leaves at once.
  f.Request(bob, 8, proto::Heartbeat{});
  BOOST_TEST(Messages(f.shell.sent[bob.id]).size() == 1u);
  f.Settle();
  const auto a = Messages(f.shell.sent[alice.id]);
  BOOST_TEST_REQUIRE(a.size() == 2u);
  BOOST_TEST(std::holds_alternative<proto::Granted>(a[0]));  // in the order it was decided
  BOOST_TEST(std::holds_alternative<proto::Ok>(a[1]));
  BOOST_TEST(status.has_value());
  // With nothing pending, an answer leaves at once, on either transport.
  f.Request(bob, 9, proto::Heartbeat{});
  BOOST_TEST(Messages(f.shell.sent[bob.id]).size() == 2u);
  status.reset();
  f.core->HandleAdminFrame(Bytes(Body(4, proto::Status{"", 0})), kRoot, f.now,
                           [&](const std::string& frames) { status = frames; });
  BOOST_TEST(status.has_value());
}

// A store busy with its checkpoint defers the commit: nothing is released, nothing is
// lost, the store is not called unhealthy and no checkout is refused; the shell is asked
// to try again shortly, and that try writes the batch and releases its replies.
BOOST_AUTO_TEST_CASE(a_deferred_commit_keeps_its_replies_until_a_later_try_writes_them) {
  CoreFixture f;
  auto& alice = f.Connect("alice");
  auto& bob = f.Connect("bob");
  const int commits = f.store->commits;  // the start-up record's
  f.store->deferrals = 2;
  f.Request(alice, 7, proto::Checkout{"cad", "", 0});
  f.Settle();
  BOOST_TEST(f.shell.sent[alice.id].empty());
  BOOST_TEST(f.shell.retries_asked == 1);
  BOOST_TEST(f.core->store_healthy());
  BOOST_TEST(f.core->commit_pending());
  BOOST_TEST(f.store->commits == commits);

  // Meanwhile bob's checkout joins the same batch; the next try is deferred too.
  f.Request(bob, 8, proto::Checkout{"cad", "", 0});
  f.core->Commit();
  BOOST_TEST(f.shell.sent[bob.id].empty());
  BOOST_TEST(f.shell.retries_asked == 2);

  // The checkpoint is over: one commit carries both grants, then both replies leave.
  f.core->Commit();
  BOOST_TEST(f.store->commits == commits + 1);
  BOOST_TEST(!f.core->commit_pending());
  const auto a = Messages(f.shell.sent[alice.id]);
  const auto b = Messages(f.shell.sent[bob.id]);
  BOOST_TEST_REQUIRE(a.size() == 1u);
  BOOST_TEST_REQUIRE(b.size() == 1u);
  BOOST_TEST(std::holds_alternative<proto::Granted>(a[0]));
  BOOST_TEST(std::holds_alternative<proto::Granted>(b[0]));
  BOOST_TEST(Holds(f.store->LeaseIds(), std::get<proto::Granted>(a[0]).lease));
  BOOST_TEST(Holds(f.store->LeaseIds(), std::get<proto::Granted>(b[0]).lease));
}

// Upkeep the store runs on its own thread (the SQLite store's checkpoint) reports its
// failures to the core, which logs each once, at error level, in the once-a-second tick.
BOOST_AUTO_TEST_CASE(a_failed_store_upkeep_is_logged_once) {
  CoreFixture f;
  f.store->upkeep_problem = "/var/lib/floatlm/floatlm.db: disk I/O error (test)";
  std::fflush(stderr);
  const int saved = ::dup(2);
  std::FILE* capture = std::tmpfile();
  BOOST_REQUIRE(saved >= 0 && capture != nullptr);
  ::dup2(::fileno(capture), 2);
  for (int i = 0; i < 2; ++i) {
    f.now.mono += 2s;
    f.now.wall += 2s;
    f.core->Tick(f.now);
    log::Flush();
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::string text;
  std::rewind(capture);
  for (int c; (c = std::fgetc(capture)) != EOF;) text += static_cast<char>(c);
  std::fclose(capture);
  const std::string event = "error event=store.upkeep_failed";
  BOOST_TEST_REQUIRE(text.find(event) != std::string::npos, text);
  BOOST_TEST(text.find("disk I/O error (test)") != std::string::npos, text);
  BOOST_TEST(text.find(event) == text.rfind(event), "logged more than once:\n" << text);
}

// When the batch cannot be written, its replies go out anyway: the grant is in force in
// memory and the holder is served. From then on new checkouts are refused until a
// commit succeeds, and the kept batch is written by the next try.
BOOST_AUTO_TEST_CASE(a_failed_commit_releases_its_replies_and_refuses_new_checkouts) {
  CoreFixture f;
  auto& alice = f.Connect("alice");
  auto& bob = f.Connect("bob");
  f.store->down = true;
  f.Request(alice, 7, proto::Checkout{"cad", "", 0});
  f.Settle();
  const auto granted = Messages(f.shell.sent[alice.id]);
  BOOST_TEST_REQUIRE(granted.size() == 1u);
  BOOST_TEST_REQUIRE(std::holds_alternative<proto::Granted>(granted[0]));
  const auto lease = std::get<proto::Granted>(granted[0]).lease;
  BOOST_TEST(!f.core->store_healthy());
  BOOST_TEST(f.core->commit_pending());

  // While the kept batch waits, every reply waits for the next try, made at the end of
  // the turn; that try fails too, and the refusal leaves.
  f.Request(bob, 8, proto::Checkout{"cad", "", 0});
  BOOST_TEST(f.shell.sent[bob.id].empty());
  f.Settle();
  const auto refused = Messages(f.shell.sent[bob.id]);
  BOOST_TEST_REQUIRE(refused.size() == 1u);
  BOOST_TEST_REQUIRE(std::holds_alternative<proto::Denied>(refused[0]));
  BOOST_TEST((std::get<proto::Denied>(refused[0]).code == Errc::kStoreUnavailable));

  // The store comes back; the once-a-second retry writes the kept batch.
  f.store->down = false;
  f.now.mono += 2s;
  f.now.wall += 2s;
  f.core->Tick(f.now);
  BOOST_TEST(f.core->store_healthy());
  BOOST_TEST(!f.core->commit_pending());
  BOOST_TEST(Holds(f.store->LeaseIds(), lease));
}

// Every change leaves its journal entry, whichever way it came: a direct grant, a
// checkin, and the waiter's grant that checkin caused, in that order.
BOOST_AUTO_TEST_CASE(grants_and_checkins_are_journaled_in_the_order_they_happened) {
  CoreFixture f("VENDOR demo\nFEATURE cad demo 2027.0 permanent 1 SN=C-1\n");
  auto& alice = f.Connect("alice");
  auto& bob = f.Connect("bob");
  const auto first = f.Checkout(alice, "cad");
  f.Request(bob, 8, proto::Checkout{"cad", "", 60'000});
  f.Settle();
  BOOST_TEST(std::holds_alternative<proto::Queued>(Messages(f.shell.sent[bob.id]).at(0)));
  f.Request(alice, 9, proto::Checkin{first});
  f.Settle();
  const auto to_bob = Messages(f.shell.sent[bob.id]);
  BOOST_TEST_REQUIRE(to_bob.size() == 2u);
  BOOST_TEST_REQUIRE(std::holds_alternative<proto::Granted>(to_bob[1]));
  const auto second = std::get<proto::Granted>(to_bob[1]).lease;

  std::vector<store::JournalEntry> journal;
  BOOST_REQUIRE(f.store->ReadJournal(0, INT64_MAX, &journal).ok());
  std::vector<std::pair<store::JournalEvent, std::uint64_t>> leases;
  for (const auto& e : journal) {
    if (e.lease_id != 0) leases.emplace_back(e.event, e.lease_id);
  }
  using E = store::JournalEvent;
  const std::vector<std::pair<E, std::uint64_t>> expected{
      {E::kCheckout, first}, {E::kCheckin, first}, {E::kCheckout, second}};
  BOOST_TEST_REQUIRE(leases.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_TEST((leases[i] == expected[i]), "entry " << i);
  }
  const auto ids = f.store->LeaseIds();
  BOOST_TEST(ids == std::vector<engine::LeaseId>{second});
}

// The admin executor's doors: the token only over TLS, only the right one, and on the
// socket only admins; each refusal names why and changes nothing.
BOOST_AUTO_TEST_CASE(admin_commands_are_refused_without_the_right_credentials) {
  CoreFixture f;
  auto& alice = f.Connect("alice");
  const auto lease = f.Checkout(alice, "cad");
  auto& plain = f.Connect("mallory", /*tls=*/false);
  auto& tls = f.Connect("mallory", /*tls=*/true);
  auto refusal = [&](server::ClientContext& ctx, const std::string& token) {
    f.Request(ctx, 5, RemoveLease(lease, token));
    f.Settle();
    const auto msgs = Messages(f.shell.sent[ctx.id]);
    f.shell.sent.erase(ctx.id);
    BOOST_REQUIRE(msgs.size() == 1u);
    BOOST_REQUIRE(std::holds_alternative<proto::Error>(msgs[0]));
    BOOST_TEST((std::get<proto::Error>(msgs[0]).code == Errc::kPermissionDenied));
    return std::get<proto::Error>(msgs[0]).message;
  };
  BOOST_TEST(refusal(plain, kAdminToken).find("unencrypted") != std::string::npos);
  BOOST_TEST(refusal(tls, "guess").find("wrong admin token") != std::string::npos);
  BOOST_TEST(refusal(tls, "").find("no admin token") != std::string::npos);
  std::optional<std::string> reply;
  const admin::PeerCredentials nobody{1, 65534, 65534};
  f.core->HandleAdminFrame(Bytes(Body(9, RemoveLease(lease))), nobody, f.now,
                           [&](const std::string& frames) { reply = frames; });
  f.Settle();
  BOOST_TEST_REQUIRE(reply.has_value());
  const auto msgs = Messages(*reply);
  BOOST_TEST_REQUIRE(msgs.size() == 1u);
  BOOST_TEST(std::holds_alternative<proto::Error>(msgs[0]));
  BOOST_TEST(f.core->engine().FindLease(lease).has_value());
  BOOST_TEST(Holds(f.store->LeaseIds(), lease));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::test
