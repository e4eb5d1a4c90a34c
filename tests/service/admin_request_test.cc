// The admin command parser (daemon/server/admin_request.h): what each command accepts,
// and the bounds and messages of what it refuses.
#include "service/admin_request.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <variant>
#include <vector>

namespace p = floatlm::proto;
namespace srv = floatlm::server;
namespace cmd = floatlm::server::admin_cmd;
using floatlm::Errc;

namespace {

srv::AdminRequest MustParse(const std::string& command, std::vector<std::string> args) {
  auto parsed = srv::ParseAdminRequest(p::Admin{command, std::move(args), ""});
  if (const auto* error = std::get_if<p::Error>(&parsed)) BOOST_FAIL("refused: " << error->message);
  return std::get<srv::AdminRequest>(parsed);
}

p::Error MustRefuse(const std::string& command, std::vector<std::string> args) {
  auto parsed = srv::ParseAdminRequest(p::Admin{command, std::move(args), ""});
  BOOST_REQUIRE(std::holds_alternative<p::Error>(parsed));
  const auto& error = std::get<p::Error>(parsed);
  BOOST_TEST(static_cast<int>(error.code) == static_cast<int>(Errc::kBadArgument));
  BOOST_TEST(!error.message.empty());
  return error;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admin_request)

BOOST_AUTO_TEST_CASE(every_command_in_its_cli_spelling_parses) {
  BOOST_TEST((MustParse("remove", {"--lease", "42"}) == srv::AdminRequest{cmd::RemoveLease{42}}));
  BOOST_TEST((MustParse("remove", {"cad", "alice", "ws1"}) ==
              srv::AdminRequest{cmd::RemoveHeld{"cad", "alice", "ws1", std::nullopt}}));
  BOOST_TEST((MustParse("remove", {"cad", "alice", "ws1", ":1"}) ==
              srv::AdminRequest{cmd::RemoveHeld{"cad", "alice", "ws1", ":1"}}));
  BOOST_TEST((MustParse("reread", {}) == srv::AdminRequest{cmd::Reread{}}));
  BOOST_TEST((MustParse("reread", {"--partial"}) ==
              srv::AdminRequest{cmd::Reread{cmd::RereadMode::kPartial}}));
  BOOST_TEST((MustParse("reread", {"--dry-run"}) ==
              srv::AdminRequest{cmd::Reread{cmd::RereadMode::kDryRun}}));
  BOOST_TEST((MustParse("down", {}) == srv::AdminRequest{cmd::Down{}}));
  BOOST_TEST((MustParse("backup", {}) == srv::AdminRequest{cmd::Backup{}}));
  BOOST_TEST((MustParse("report", {"1000", "2000", "csv"}) ==
              srv::AdminRequest{cmd::Report{1000, 2000, true}}));
  BOOST_TEST(
      (MustParse("report", {"0", "1", "text"}) == srv::AdminRequest{cmd::Report{0, 1, false}}));
  BOOST_TEST(
      (MustParse("assign", {"cad", "alice"}) == srv::AdminRequest{cmd::Assign{"cad", "alice"}}));
  BOOST_TEST((MustParse("unassign", {"cad", "alice"}) ==
              srv::AdminRequest{cmd::Unassign{"cad", "alice"}}));
  BOOST_TEST((MustParse("cloud-list", {"pdc"}) == srv::AdminRequest{cmd::CloudList{"pdc"}}));
  BOOST_TEST((MustParse("cloud-release", {"pdc", "bob"}) ==
              srv::AdminRequest{cmd::CloudRelease{"pdc", "bob"}}));
  for (const auto name : srv::AdminCommandNames()) BOOST_TEST(srv::IsAdminCommand(name));
}

BOOST_AUTO_TEST_CASE(lease_ids_must_be_positive_decimal_numbers) {
  BOOST_TEST(Contains(MustRefuse("remove", {"--lease", "0"}).message, "start at 1"));
  BOOST_TEST(Contains(MustRefuse("remove", {"--lease", "12x"}).message, "'12x' is not a lease id"));
  MustRefuse("remove", {"--lease", "-1"});
  MustRefuse("remove", {"--lease", "+1"});
  MustRefuse("remove", {"--lease", ""});
  MustRefuse("remove", {"--lease", "18446744073709551616"});  // 2^64
  MustRefuse("remove", {"--lease"});
  MustRefuse("remove", {"--lease", "1", "2"});
}

BOOST_AUTO_TEST_CASE(report_times_are_ordered_and_before_year_10000) {
  MustParse("report", {"0", std::to_string(srv::kLatestReportMillis), "text"});
  MustRefuse("report", {"0", std::to_string(srv::kLatestReportMillis + 1), "text"});
  MustRefuse("report", {"2000", "2000", "text"});
  MustRefuse("report", {"2000", "1000", "text"});
  MustRefuse("report", {"9223372036854775808", "18446744073709551615", "text"});
  BOOST_TEST(Contains(MustRefuse("report", {"1", "2", "pdf"}).message, "usage: report"));
  MustRefuse("report", {"1", "2"});
}

BOOST_AUTO_TEST_CASE(names_are_non_empty_and_within_the_protocol_cap) {
  BOOST_TEST(Contains(MustRefuse("assign", {"", "alice"}).message, "FEATURE must not be empty"));
  BOOST_TEST(Contains(MustRefuse("remove", {"cad", "", "ws1"}).message, "USER must not be empty"));
  BOOST_TEST(Contains(MustRefuse("cloud-release", {"pdc", ""}).message, "USER must not be empty"));
  BOOST_TEST(Contains(MustRefuse("cloud-list", {""}).message, "COLLECTION must not be empty"));
  const std::string longest(p::kMaxName, 'u');
  MustParse("assign", {"cad", longest});
  const auto error = MustRefuse("assign", {"cad", longest + "u"});
  BOOST_TEST(Contains(error.message, "longer than 256 bytes"));
  BOOST_TEST(error.message.size() < 200u);  // the value is quoted cut short
}

BOOST_AUTO_TEST_CASE(wrong_argument_counts_name_the_usage) {
  BOOST_TEST(Contains(MustRefuse("remove", {"cad", "alice"}).message,
                      "usage: remove FEATURE USER HOST [DISPLAY] | remove --lease ID"));
  BOOST_TEST(Contains(MustRefuse("reread", {"now"}).message, "usage: reread"));
  BOOST_TEST(Contains(MustRefuse("down", {"now"}).message, "usage: down"));
  // No path from the caller: the daemon alone picks where its copies go.
  BOOST_TEST(Contains(MustRefuse("backup", {"/etc/passwd"}).message, "usage: backup"));
  BOOST_TEST(Contains(MustRefuse("assign", {"cad"}).message, "usage: assign FEATURE USER"));
  BOOST_TEST(Contains(MustRefuse("unassign", {}).message, "usage: unassign FEATURE USER"));
  BOOST_TEST(Contains(MustRefuse("cloud-list", {}).message, "usage: cloud list COLLECTION"));
  BOOST_TEST(Contains(MustRefuse("cloud-release", {"pdc"}).message,
                      "usage: cloud release COLLECTION USER"));
}

BOOST_AUTO_TEST_CASE(unknown_commands_are_quoted_with_control_bytes_escaped) {
  const auto error = MustRefuse("bo\x01gus\n", {});
  BOOST_TEST(Contains(error.message, "unknown admin command 'bo\\x01gus\\x0a'"), error.message);
  BOOST_TEST(Contains(error.message, "cloud-release"));
  MustRefuse("", {});
  MustRefuse("REREAD", {});
}

BOOST_AUTO_TEST_SUITE_END()
