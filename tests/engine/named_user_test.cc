// Named-user (USER_BASED) pools: assignments, who may check out, home-use rights.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

BOOST_FIXTURE_TEST_SUITE(engine_named_users, EngineFixture)

BOOST_AUTO_TEST_CASE(only_assigned_users_check_out) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).user_based = true;
  Start(m);
  std::string message;
  BOOST_TEST((engine->Assign("cad", "alice", clock.now(), &message) == Errc::kOk));
  BOOST_TEST(message == "alice assigned to 'cad' (1 of 2 seats assigned)");
  Grant(Who("alice"), 1, "cad");
  Denial d = Deny(Who("bob"), 2, "cad");
  BOOST_TEST((d.code == Errc::kNotAssigned));
  BOOST_TEST(Contains(d.message, "is assigned to alice"));
}

BOOST_AUTO_TEST_CASE(assigning_beyond_the_count_names_the_assignees) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).user_based = true;
  m.Add("cam", "2027.0", 2);
  Start(m);
  std::string message;
  engine->Assign("cad", "alice", clock.now(), nullptr);
  engine->Assign("cad", "bob", clock.now(), nullptr);
  BOOST_TEST((engine->Assign("cad", "bob", clock.now(), nullptr) == Errc::kOk));  // idempotent
  BOOST_TEST((engine->Assign("cad", "carol", clock.now(), &message) == Errc::kAssignmentsFull));
  BOOST_TEST(message == "all 2 seats of cad are assigned (alice, bob): unassign one first");
  BOOST_TEST((engine->Assign("cam", "carol", clock.now(), &message) == Errc::kNoSuchFeature));
  BOOST_TEST((engine->Assign("sim", "carol", clock.now(), &message) == Errc::kNoSuchFeature));
  BOOST_TEST(engine->Assignments().size() == 2u);
}

BOOST_AUTO_TEST_CASE(assigned_user_runs_on_many_hosts_as_one_seat) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1).user_based = true;
  Start(m);
  engine->Assign("cad", "alice", clock.now(), nullptr);
  Grant(Who("alice", "office"), 1, "cad");
  BOOST_TEST(Grant(Who("alice", "home"), 2, "cad").shared);
  BOOST_TEST(Grant(Who("alice", "laptop", ":1"), 3, "cad").shared);
  BOOST_TEST(InUse(0) == 1);
}

BOOST_AUTO_TEST_CASE(unassign_ends_the_users_leases_and_frees_the_assignment) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1).user_based = true;
  Start(m);
  engine->Assign("cad", "alice", clock.now(), nullptr);
  LeaseView lease = Grant(Who("alice", "office"), 1, "cad");
  Grant(Who("alice", "home"), 2, "cad");
  std::string message;
  BOOST_TEST((engine->Unassign("cad", "alice", clock.now(), &message) == Errc::kOk));
  auto ended = TakeEvents(Event::Kind::kLeaseEnded);
  BOOST_REQUIRE(ended.size() == 2u);
  BOOST_TEST(ended[0].lease.id == lease.id);
  BOOST_TEST((ended[0].reason == Errc::kLeaseRemoved));
  BOOST_TEST(InUse(0) == 0);
  BOOST_TEST((engine->Assign("cad", "bob", clock.now(), nullptr) == Errc::kOk));
  Grant(Who("bob"), 3, "cad");
  Deny(Who("alice"), 1, "cad");
  BOOST_TEST((engine->Unassign("cad", "alice", clock.now(), &message) == Errc::kNotAssigned));
}

BOOST_AUTO_TEST_CASE(assignments_are_restored) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).user_based = true;
  Start(m);
  engine->RestoreAssignments({{"cad", "alice", clock.now().wall}});
  Grant(Who("alice"), 1, "cad");
  BOOST_TEST(engine->Assignments().size() == 1u);
  BOOST_TEST(engine->Assignments()[0].user == "alice");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
