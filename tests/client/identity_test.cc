#include "identity.h"

#include <boost/test/unit_test.hpp>
#include <map>
#include <string>

using floatlm::client::EnvLookup;
using floatlm::client::Identity;
using floatlm::client::OsIdentity;
using floatlm::client::ResolveIdentity;

namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(identity)

BOOST_AUTO_TEST_CASE(os_identity_is_used_without_overrides) {
  const Identity os{"alice", "ws1", ":0"};
  const Identity id = ResolveIdentity({}, FakeEnv({}), os);
  BOOST_CHECK_EQUAL(id.user, "alice");
  BOOST_CHECK_EQUAL(id.host, "ws1");
  BOOST_CHECK_EQUAL(id.display, ":0");
}

BOOST_AUTO_TEST_CASE(floatlm_variables_override_the_os) {
  const Identity os{"alice", "ws1", ":0"};
  const Identity id = ResolveIdentity(
      {}, FakeEnv({{"FLOATLM_USER", "bob"}, {"FLOATLM_HOST", "ts7"}, {"FLOATLM_DISPLAY", "rdp-3"}}),
      os);
  BOOST_CHECK_EQUAL(id.user, "bob");
  BOOST_CHECK_EQUAL(id.host, "ts7");
  BOOST_CHECK_EQUAL(id.display, "rdp-3");
}

BOOST_AUTO_TEST_CASE(empty_variables_do_not_override) {
  const Identity id = ResolveIdentity({}, FakeEnv({{"FLOATLM_USER", ""}}), {"alice", "h", ""});
  BOOST_CHECK_EQUAL(id.user, "alice");
}

BOOST_AUTO_TEST_CASE(explicit_options_win_over_variables) {
  const Identity id =
      ResolveIdentity({"carol", "", ""}, FakeEnv({{"FLOATLM_USER", "bob"}}), {"alice", "h", ""});
  BOOST_CHECK_EQUAL(id.user, "carol");
  BOOST_CHECK_EQUAL(id.host, "h");
}

BOOST_AUTO_TEST_CASE(os_identity_uses_display_and_never_leaves_user_or_host_empty) {
  const Identity id = OsIdentity(FakeEnv({{"DISPLAY", ":7"}}));
  BOOST_CHECK(!id.user.empty());
  BOOST_CHECK(!id.host.empty());
  BOOST_CHECK_EQUAL(id.display, ":7");
}

BOOST_AUTO_TEST_SUITE_END()
