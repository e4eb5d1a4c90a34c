// The permission rules of config/file_permissions.h, on hand-made stat results: which
// modes and owners of the files floatlmd trusts are worth a warning, and which are the
// documented, quiet set-up.
#include "config/file_permissions.h"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

using floatlm::config::CheckPermissions;
using floatlm::config::DaemonIds;
using floatlm::config::FileFacts;
using floatlm::config::FormatMode;
using floatlm::config::PermissionWarning;
using floatlm::config::Trusted;

namespace {

constexpr uid_t kDaemonUid = 998;  // floatlm
constexpr gid_t kDaemonGid = 998;
constexpr uid_t kAlice = 1000;
constexpr gid_t kUsers = 100;
const DaemonIds kSelf{kDaemonUid, kDaemonGid};

FileFacts Dir(mode_t perms, uid_t uid = 0, gid_t gid = 0) { return {S_IFDIR | perms, uid, gid}; }
FileFacts File(mode_t perms, uid_t uid = 0, gid_t gid = 0) { return {S_IFREG | perms, uid, gid}; }

std::vector<PermissionWarning> Check(Trusted what, const FileFacts& facts,
                                     const FileFacts* holder = nullptr) {
  return CheckPermissions(what, "/some/path", facts, kSelf, holder);
}

std::vector<std::string> Problems(const std::vector<PermissionWarning>& warnings) {
  std::vector<std::string> out;
  for (const auto& w : warnings) out.push_back(w.problem);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(file_permissions)

BOOST_AUTO_TEST_CASE(the_documented_setup_is_quiet) {
  const FileFacts state = Dir(0750, kDaemonUid, kDaemonGid);  // StateDirectoryMode=0750
  BOOST_TEST(Check(Trusted::kStateDir, state).empty());
  BOOST_TEST(Check(Trusted::kStateFile, File(0640, kDaemonUid, kDaemonGid), &state).empty());
  BOOST_TEST(Check(Trusted::kKeyDir, Dir(0755)).empty());
  BOOST_TEST(Check(Trusted::kKeyFile, File(0644)).empty());
  BOOST_TEST(Check(Trusted::kOptionsFile, File(0644)).empty());
  BOOST_TEST(Check(Trusted::kAdminToken, File(0640, 0, kDaemonGid)).empty());  // root:floatlm
  BOOST_TEST(Check(Trusted::kAdminToken, File(0600, kDaemonUid, kDaemonGid)).empty());
}

BOOST_AUTO_TEST_CASE(a_state_directory_others_may_write_is_one_warning_naming_both_classes) {
  const auto w = Check(Trusted::kStateDir, Dir(0777, kDaemonUid, kDaemonGid));
  BOOST_REQUIRE_EQUAL(w.size(), 1u);
  BOOST_TEST(w[0].event == "state.permissions");
  BOOST_TEST(w[0].path == "/some/path");
  BOOST_TEST(w[0].problem == "writable by group and others");
  BOOST_TEST(w[0].risk.find("forge or erase leases") != std::string::npos);
  BOOST_TEST(FormatMode(w[0].facts.mode) == "0777");
}

BOOST_AUTO_TEST_CASE(group_write_warns_even_for_the_daemons_own_group) {
  BOOST_TEST(Problems(Check(Trusted::kStateDir, Dir(0770, kDaemonUid, kDaemonGid))) ==
                 std::vector<std::string>{"writable by group"},
             boost::test_tools::per_element());
  BOOST_TEST(Problems(Check(Trusted::kOptionsFile, File(0664, 0, kDaemonGid))) ==
                 std::vector<std::string>{"writable by group"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_sticky_directory_others_may_write_still_warns) {
  // Sticky stops others deleting files, not creating them: a planted key still loads.
  BOOST_TEST(Problems(Check(Trusted::kKeyDir, Dir(01777))) ==
                 std::vector<std::string>{"writable by group and others"},
             boost::test_tools::per_element());
  BOOST_TEST(FormatMode(01777) == "1777");
}

BOOST_AUTO_TEST_CASE(a_world_writable_key_file_warns_that_licenses_can_be_forged) {
  const auto w = Check(Trusted::kKeyFile, File(0666));
  BOOST_REQUIRE_EQUAL(w.size(), 1u);
  BOOST_TEST(w[0].event == "license.key_permissions");
  BOOST_TEST(w[0].problem == "writable by group and others");
  BOOST_TEST(w[0].risk.find("sign licenses") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(keys_owned_by_another_user_warn_root_and_the_daemon_user_do_not) {
  BOOST_TEST(Check(Trusted::kKeyFile, File(0644, 0)).empty());
  BOOST_TEST(Check(Trusted::kKeyFile, File(0644, kDaemonUid)).empty());
  const auto w = Check(Trusted::kKeyFile, File(0644, kAlice, kUsers));
  BOOST_REQUIRE_EQUAL(w.size(), 1u);
  BOOST_TEST(w[0].problem == "owned by a user other than root and the daemon's user");
  BOOST_TEST(Problems(Check(Trusted::kKeyDir, Dir(0755, kAlice))).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_file_with_two_problems_gets_two_warnings) {
  const auto w = Check(Trusted::kKeyFile, File(0666, kAlice));
  BOOST_TEST(Problems(w) == (std::vector<std::string>{
                                "writable by group and others",
                                "owned by a user other than root and the daemon's user"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_database_others_may_read_warns_when_they_can_reach_it) {
  const FileFacts open_dir = Dir(0755, kDaemonUid);
  const FileFacts closed_dir = Dir(0700, kDaemonUid);
  const FileFacts group_dir = Dir(0750, kDaemonUid);
  const FileFacts db = File(0644, kDaemonUid);
  BOOST_TEST(Problems(Check(Trusted::kStateFile, db, &open_dir)) ==
                 std::vector<std::string>{"readable by others"},
             boost::test_tools::per_element());
  BOOST_TEST(Check(Trusted::kStateFile, db, &closed_dir).empty());
  // The WAL index (-shm) holds no names: only writing it matters.
  BOOST_TEST(Check(Trusted::kStateIndex, db, &open_dir).empty());
  BOOST_TEST(Check(Trusted::kStateIndex, File(0646, kDaemonUid), &open_dir).size() == 1u);
  // Without the directory's facts, assume it lets everyone in.
  BOOST_TEST(Check(Trusted::kStateFile, db).size() == 1u);
  // Group may read (tooling); a database group or others can write is a warning when
  // they can reach it.
  BOOST_TEST(Problems(Check(Trusted::kStateFile, File(0666, kDaemonUid), &group_dir)) ==
                 std::vector<std::string>{"writable by group"},
             boost::test_tools::per_element());
  BOOST_TEST(Check(Trusted::kStateFile, File(0666, kDaemonUid), &closed_dir).empty());
  BOOST_TEST(Check(Trusted::kStateFile, File(0640, kDaemonUid), &open_dir).empty());
}

BOOST_AUTO_TEST_CASE(an_options_file_others_may_write_warns) {
  const auto w = Check(Trusted::kOptionsFile, File(0646));
  BOOST_REQUIRE_EQUAL(w.size(), 1u);
  BOOST_TEST(w[0].event == "options.permissions");
  BOOST_TEST(w[0].problem == "writable by others");
  BOOST_TEST(w[0].risk.find("who may check out") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_admin_token_others_or_a_foreign_group_may_read_warns) {
  BOOST_TEST(Problems(Check(Trusted::kAdminToken, File(0604))) ==
                 std::vector<std::string>{"readable by others"},
             boost::test_tools::per_element());
  BOOST_TEST(Problems(Check(Trusted::kAdminToken, File(0640, 0, kUsers))) ==
                 std::vector<std::string>{"readable by its group, which is not the daemon's"},
             boost::test_tools::per_element());
  BOOST_TEST(Problems(Check(Trusted::kAdminToken, File(0620, 0, kDaemonGid))) ==
                 std::vector<std::string>{"writable by group"},
             boost::test_tools::per_element());
  const auto w = Check(Trusted::kAdminToken, File(0600, kAlice));
  BOOST_REQUIRE_EQUAL(w.size(), 1u);
  BOOST_TEST(w[0].event == "admin.token_permissions");
  BOOST_TEST(w[0].risk == "its owner can read or replace the token");
}

BOOST_AUTO_TEST_CASE(execute_and_setuid_bits_alone_are_not_problems) {
  BOOST_TEST(Check(Trusted::kKeyFile, File(04755)).empty());
  BOOST_TEST(Check(Trusted::kStateDir, Dir(02751, kDaemonUid)).empty());
}

BOOST_AUTO_TEST_SUITE_END()
