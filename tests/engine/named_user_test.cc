// Named-user (USER_BASED) pools: assignments, who may check out, home-use rights.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

BOOST_FIXTURE_TEST_SUITE(engine_named_users, EngineFixture)

// FlexLM and MathWorks sites name a USER_BASED line's users with INCLUDE lines; the line's
// count (or USER_BASED=n) caps how many; floatlm assign still adds users up to the cap.
BOOST_AUTO_TEST_CASE(include_lines_name_the_users_of_a_user_based_line) {
  ModelBuilder m;
  licenses::Pool& pool = m.Add("MATLAB", "41.0", 2);
  pool.user_based = true;
  pool.user_based_limit = 3;
  Start(m);
  engine->SetPolicy(Policy("GROUP ml bob carol dave\nINCLUDE MATLAB USER ann\n"
                           "INCLUDE MATLAB GROUP ml\n"));
  Grant(Who("ann"), 1, "MATLAB");
  Grant(Who("bob", "laptop"), 2, "MATLAB");
  // ann, bob and carol are the 3 named users (USER_BASED=3) of 2 seats; dave is past it.
  const Denial d = Deny(Who("dave"), 4, "MATLAB");
  BOOST_TEST((d.code == Errc::kNotAssigned));
  BOOST_TEST(Contains(d.message, "is assigned to ann, bob, carol"), d.message);
  BOOST_TEST(Contains(d.message, "INCLUDE lines of the options file"), d.message);
  const auto pools = engine->Snapshot(clock.now());
  BOOST_TEST(pools[0].named_by_options == (std::vector<std::string>{"ann", "bob", "carol"}),
             boost::test_tools::per_element());
  BOOST_TEST(pools[0].named_over_limit == std::vector<std::string>{"dave"},
             boost::test_tools::per_element());
  std::string message;
  BOOST_TEST(
      (Code(engine->Assign("MATLAB", "erin", clock.now()), &message) == Errc::kAssignmentsFull));
  BOOST_TEST(Contains(message, "named by the options file: ann, bob, carol"), message);
  // Named by the options file already: done, but nothing changed, so nothing is to be
  // stored (a stored assignment would count ann twice after a restart).
  const AdminResult again = engine->Assign("MATLAB", "ann", clock.now());
  BOOST_TEST_REQUIRE(std::holds_alternative<Done>(again));
  BOOST_TEST(!std::get<Done>(again).changed);
  BOOST_TEST(Contains(std::get<Done>(again).message, "by the options file"));
  BOOST_TEST(engine->Assignments().empty());
}

BOOST_AUTO_TEST_CASE(without_n_the_count_caps_the_named_users_and_assign_fills_the_rest) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).user_based = true;
  Start(m);
  engine->SetPolicy(Policy("INCLUDE cad USER ann\n"));
  std::string message;
  BOOST_TEST((Code(engine->Assign("cad", "bob", clock.now()), &message) == Errc::kOk));
  BOOST_TEST(
      (Code(engine->Assign("cad", "carol", clock.now()), &message) == Errc::kAssignmentsFull));
  Grant(Who("ann"), 1, "cad");
  Grant(Who("bob"), 2, "cad");
  // carol is neither named nor assigned: the INCLUDE list keeps her out.
  BOOST_TEST((Deny(Who("carol"), 3, "cad").code == Errc::kExcludedByOptions));
}

BOOST_AUTO_TEST_CASE(host_based_lines_serve_the_hosts_include_lines_name) {
  ModelBuilder m;
  licenses::Pool& pool = m.Add("lab", "1.0", 5);
  pool.host_based = true;
  pool.host_based_limit = 2;
  Start(m);
  engine->SetPolicy(Policy("HOST_GROUP benches bench1 bench2\nINCLUDE lab HOST_GROUP benches\n"
                           "INCLUDE lab HOST bench3\n"));
  const LeaseView a = Grant(Who("ann", "bench1"), 1, "lab");
  const LeaseView b = Grant(Who("bob", "bench1"), 2, "lab");
  BOOST_TEST(a.seat == b.seat);  // a named host's users share its seat
  Grant(Who("cid", "bench2"), 3, "lab");
  const Denial d = Deny(Who("dan", "bench3"), 4, "lab");  // past HOST_BASED=2
  BOOST_TEST((d.code == Errc::kNotAssigned));
  BOOST_TEST(d.message ==
             "'lab' is licensed to named hosts only (HOST_BASED) and bench3 is not one of them: "
             "lab 1.0 (licenses.lic:10) serves the hosts named by INCLUDE HOST lines of the "
             "options file (bench1, bench2)");
}

BOOST_AUTO_TEST_CASE(only_assigned_users_check_out) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 2).user_based = true;
  Start(m);
  std::string message;
  BOOST_TEST((Code(engine->Assign("cad", "alice", clock.now()), &message) == Errc::kOk));
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
  Code(engine->Assign("cad", "alice", clock.now()));
  Code(engine->Assign("cad", "bob", clock.now()));
  const AdminResult twice = engine->Assign("cad", "bob", clock.now());  // idempotent
  BOOST_TEST_REQUIRE(std::holds_alternative<Done>(twice));
  BOOST_TEST(!std::get<Done>(twice).changed);
  BOOST_TEST(
      (Code(engine->Assign("cad", "carol", clock.now()), &message) == Errc::kAssignmentsFull));
  BOOST_TEST(message == "all 2 seats of cad are assigned (alice, bob): unassign one first");
  BOOST_TEST((Code(engine->Assign("cam", "carol", clock.now()), &message) == Errc::kNoSuchFeature));
  BOOST_TEST((Code(engine->Assign("sim", "carol", clock.now()), &message) == Errc::kNoSuchFeature));
  BOOST_TEST(engine->Assignments().size() == 2u);
}

BOOST_AUTO_TEST_CASE(assigned_user_runs_on_many_hosts_as_one_seat) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1).user_based = true;
  Start(m);
  Code(engine->Assign("cad", "alice", clock.now()));
  Grant(Who("alice", "office"), 1, "cad");
  BOOST_TEST(Grant(Who("alice", "home"), 2, "cad").shared);
  BOOST_TEST(Grant(Who("alice", "laptop", ":1"), 3, "cad").shared);
  BOOST_TEST(InUse(0) == 1);
}

BOOST_AUTO_TEST_CASE(unassign_ends_the_users_leases_and_frees_the_assignment) {
  ModelBuilder m;
  m.Add("cad", "2027.0", 1).user_based = true;
  Start(m);
  Code(engine->Assign("cad", "alice", clock.now()));
  LeaseView lease = Grant(Who("alice", "office"), 1, "cad");
  Grant(Who("alice", "home"), 2, "cad");
  std::string message;
  BOOST_TEST((Code(engine->Unassign("cad", "alice", clock.now()), &message) == Errc::kOk));
  auto ended = TakeEvents(Event::Kind::kLeaseEnded);
  BOOST_REQUIRE(ended.size() == 2u);
  BOOST_TEST(ended[0].lease.id == lease.id);
  BOOST_TEST((ended[0].reason == Errc::kLeaseRemoved));
  BOOST_TEST(InUse(0) == 0);
  BOOST_TEST((Code(engine->Assign("cad", "bob", clock.now())) == Errc::kOk));
  Grant(Who("bob"), 3, "cad");
  Deny(Who("alice"), 1, "cad");
  BOOST_TEST((Code(engine->Unassign("cad", "alice", clock.now()), &message) == Errc::kNotAssigned));
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
