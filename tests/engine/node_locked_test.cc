// Node-locked pools (HOSTID= on a FEATURE/INCREMENT line): served only to a client that
// reports one of the line's host ids, and the denial names the id that was required.
#include <boost/test/unit_test.hpp>

#include "engine_fixture.h"

namespace floatlm::engine::testing {
namespace {

Identity On(std::string user, std::string host, std::vector<std::string> ids,
            std::string peer = "10.0.0.1") {
  Identity who = Who(std::move(user), std::move(host));
  auto parsed = std::make_shared<std::vector<licenses::HostId>>();
  for (const std::string& id : ids) parsed->push_back(*licenses::HostId::Parse(id));
  who.host_ids = std::move(parsed);
  who.peer = std::move(peer);
  return who;
}

void Lock(licenses::Pool& pool, std::initializer_list<std::string_view> ids) {
  for (std::string_view id : ids) pool.hostids.push_back(*licenses::HostId::Parse(id));
  pool.lines.front().hostids = pool.hostids;
}

BOOST_FIXTURE_TEST_SUITE(engine_node_locked, EngineFixture)

BOOST_AUTO_TEST_CASE(uncounted_node_locked_line_serves_only_its_host) {
  ModelBuilder m;
  Lock(m.Add("viewer", "1.0", 0), {"HOSTNAME=lab7"});
  Start(m);
  Grant(On("ann", "lab7", {"HOSTNAME=lab7", "0242ac110002"}), 1, "viewer");
  Grant(On("bob", "lab7", {"HOSTNAME=LAB7"}), 2, "viewer");
  const Denial d = Deny(On("cid", "ws2", {"HOSTNAME=ws2", "0242ac110003"}), 3, "viewer");
  BOOST_TEST((d.code == Errc::kWrongHost));
  BOOST_TEST(d.message ==
             "the license for 'viewer' is node-locked to other computers: viewer 1.0 "
             "(licenses.lic:10) is locked to HOSTID=HOSTNAME=lab7; this computer reports "
             "HOSTNAME=ws2, 0242ac110003");
  // A client that reports no ids (an old library) is not served either.
  BOOST_TEST((Deny(Who("dan", "lab7"), 4, "viewer").code == Errc::kWrongHost));
  // The host name the client states is not a host id: only reported ids count.
  BOOST_TEST(Contains(Deny(Who("eve", "lab7"), 5, "viewer").message, "reports no host id"));
}

BOOST_AUTO_TEST_CASE(counted_lines_locked_to_different_hosts_stay_apart) {
  ModelBuilder m;
  Lock(m.Add("cad", "2027.0", 1), {"HOSTNAME=ws1"});
  Lock(m.Add("cad", "2027.0", 1), {"0242ac110002", "ID=77"});
  Start(m);
  BOOST_TEST(Grant(On("ann", "ws1", {"HOSTNAME=ws1"}), 1, "cad").pool == 0u);
  // ws1's only seat is taken; the other pool is not ws1's.
  BOOST_TEST((Deny(On("bob", "ws1", {"HOSTNAME=ws1"}), 2, "cad").code == Errc::kAllSeatsInUse));
  BOOST_TEST(Grant(On("cid", "ws3", {"ID=77"}), 3, "cad").pool == 1u);
  BOOST_TEST((Deny(On("dan", "ws4", {"HOSTNAME=ws4"}), 4, "cad").code == Errc::kWrongHost));
}

BOOST_AUTO_TEST_CASE(a_locked_pool_is_passed_over_for_a_floating_one) {
  ModelBuilder m;
  Lock(m.Add("cad", "2027.0", 5), {"HOSTNAME=ws1"});
  m.Add("cad", "2027.0", 1);
  Start(m);
  BOOST_TEST(Grant(On("bob", "ws2", {"HOSTNAME=ws2"}), 1, "cad").pool == 1u);
  // With the floating seat taken, the denial is about seats, the most actionable reason.
  BOOST_TEST((Deny(On("cid", "ws3", {"HOSTNAME=ws3"}), 2, "cad").code == Errc::kAllSeatsInUse));
  BOOST_TEST(Grant(On("ann", "ws1", {"HOSTNAME=ws1"}), 3, "cad").pool == 0u);
}

BOOST_AUTO_TEST_CASE(internet_and_vendor_ids_match) {
  ModelBuilder m;
  Lock(m.Add("lab", "1.0", 0), {"INTERNET=10.9.*.*", "COMPOSITE=ABCD12"});
  Start(m);
  Grant(On("ann", "a", {}, "10.9.1.2"), 1, "lab");
  Grant(On("bob", "b", {"COMPOSITE=abcd12"}, "192.168.0.1"), 2, "lab");
  BOOST_TEST((Deny(On("cid", "c", {"COMPOSITE=ffff"}, "192.168.0.2"), 3, "lab").code ==
              Errc::kWrongHost));
}

BOOST_AUTO_TEST_CASE(diag_names_the_lock) {
  ModelBuilder m;
  Lock(m.Add("viewer", "1.0", 0), {"HOSTNAME=lab7"});
  Start(m);
  const Diagnosis d = engine->Explain(On("cid", "ws2", {"HOSTNAME=ws2"}), "viewer", std::nullopt,
                                      clock.now());
  BOOST_TEST((d.outcome == Errc::kWrongHost));
  BOOST_REQUIRE_EQUAL(d.pools.size(), 1u);
  BOOST_TEST(Contains(d.pools[0].why, "node-locked to HOSTID=HOSTNAME=lab7"), d.pools[0].why);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::engine::testing
