// Meaning: how lines become pools, packages and server settings.
#include <boost/test/unit_test.hpp>

#include "test_util.h"

namespace floatlm::licenses {
namespace {

using testing::Build;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date D(int y, unsigned m, unsigned d) { return Date{year{y}, month{m}, day{d}}; }

const Pool* FindPool(const Model& model, std::string_view feature) {
  for (const Pool& p : model.pools) {
    if (p.feature == feature) return &p;
  }
  return nullptr;
}

std::vector<std::string> Notes(const BuildResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics) {
    if (d.severity == Diagnostic::Severity::kNote) out.push_back(d.ToString());
  }
  return out;
}

BOOST_AUTO_TEST_SUITE(model_builder)

// FlexNet makes HOSTID part of the pool: lines locked to different hosts never merge into
// one pool anyone could use, and a list with ANY or DEMO floats.
BOOST_AUTO_TEST_CASE(hostid_locks_a_line_and_is_part_of_the_pool) {
  BuildResult r = Build(
      "INCREMENT cad acme 2027.0 permanent 2 HOSTID=HOSTNAME=ws1\n"
      "INCREMENT cad acme 2027.0 permanent 3 HOSTID=\"0242AC110002 ID=7\"\n"
      "INCREMENT cad acme 2027.0 permanent 4\n"
      "INCREMENT cad acme 2027.0 permanent 5 HOSTID=hostname=WS1\n"
      "FEATURE viewer acme 1.0 permanent uncounted HOSTID=\"DEMO\"\n"
      "FEATURE calc acme 1.0 permanent uncounted HOSTID=\"ws9x ANY\"\n"
      "FEATURE lab acme 1.0 permanent uncounted HOSTID=\"INTERNET=10.1.*.* COMPOSITE=ABCD\"\n");
  for (const auto& d : r.diagnostics) BOOST_TEST_MESSAGE(d.ToString());
  std::vector<const Pool*> cad;
  for (const Pool& p : r.model.pools) {
    if (p.feature == "cad") cad.push_back(&p);
  }
  BOOST_REQUIRE_EQUAL(cad.size(), 3u);
  BOOST_TEST(cad[0]->HostIdText() == "HOSTNAME=ws1");
  BOOST_REQUIRE_EQUAL(cad[0]->lines.size(), 2u);  // host names compare without case
  BOOST_TEST(cad[0]->CountOn(D(2027, 1, 1)) == 7);
  BOOST_TEST(cad[1]->HostIdText() == "0242ac110002 ID=7");
  BOOST_TEST(cad[1]->CountOn(D(2027, 1, 1)) == 3);
  BOOST_TEST(cad[2]->hostids.empty());
  BOOST_TEST(cad[2]->CountOn(D(2027, 1, 1)) == 4);
  // A floating pool's key is the one it always had (keys are stored with leases).
  BOOST_TEST(cad[2]->Key().find("HOSTID") == std::string::npos);
  BOOST_TEST(cad[0]->Key() != cad[2]->Key());
  BOOST_TEST(FindPool(r.model, "viewer")->hostids.empty());
  BOOST_TEST(FindPool(r.model, "calc")->hostids.empty());
  const Pool* lab = FindPool(r.model, "lab");
  BOOST_REQUIRE_EQUAL(lab->hostids.size(), 2u);

  const std::vector<HostId> ws1 = {*HostId::Parse("HOSTNAME=WS1"), *HostId::Parse("0242ac110009")};
  const std::vector<HostId> ether = {*HostId::Parse("02:42:ac:11:00:02")};
  const std::vector<HostId> composite = {*HostId::Parse("composite=abcd")};
  BOOST_TEST(cad[0]->AdmitsHost(ws1, "10.0.0.1"));
  BOOST_TEST(!cad[0]->AdmitsHost(ether, "10.0.0.1"));
  BOOST_TEST(cad[1]->AdmitsHost(ether, ""));
  BOOST_TEST(!cad[1]->AdmitsHost(ws1, ""));
  BOOST_TEST(!cad[1]->AdmitsHost({}, ""));
  BOOST_TEST(cad[2]->AdmitsHost({}, ""));
  BOOST_TEST(lab->AdmitsHost({}, "10.1.200.3"));
  BOOST_TEST(lab->AdmitsHost({}, "::ffff:10.1.0.3"));
  BOOST_TEST(!lab->AdmitsHost({}, "10.2.0.3"));
  BOOST_TEST(lab->AdmitsHost(composite, "127.0.0.1"));
}

BOOST_AUTO_TEST_CASE(a_bad_hostid_rejects_the_line) {
  BuildResult r = Build("FEATURE cad acme 1.0 permanent uncounted HOSTID=\"ws1 INTERNET=10.1\"\n");
  BOOST_TEST(r.model.pools.empty());
  BOOST_REQUIRE_EQUAL(r.model.rejected.size(), 1u);
  BOOST_TEST(r.model.rejected[0].reason.find("bad HOSTID 'INTERNET=10.1'") != std::string::npos,
             r.model.rejected[0].reason);
}

BOOST_AUTO_TEST_CASE(feature_line_becomes_a_pool_with_its_attributes) {
  BuildResult r = Build(
      "FEATURE draw acme 2027.0 31-dec-2027 5 DUP_GROUP=NONE SORT=10 BORROW=72 "
      "PREV_VERSIONS=2 VENDOR_STRING=pro START=1-jan-2027 ISSUED=2-jan-2026 SN=A1 MY_KEY=x\n");
  BOOST_REQUIRE(r.diagnostics.empty());
  BOOST_REQUIRE_EQUAL(r.model.pools.size(), 1u);
  const Pool& p = r.model.pools[0];
  BOOST_TEST(p.feature == "draw");
  BOOST_TEST(p.vendor == "acme");
  BOOST_TEST(p.version.ToString() == "2027.0");
  BOOST_TEST(p.dup_group.bits == DupGroup::kNone);
  BOOST_TEST(p.sort == 10);
  BOOST_TEST(p.borrow_hours == 72);
  BOOST_TEST(*p.prev_versions == 2);
  BOOST_TEST(p.vendor_string == "pro");
  BOOST_TEST(!p.uncounted);
  BOOST_TEST((p.rank == Rank::kProduct));
  BOOST_REQUIRE_EQUAL(p.lines.size(), 1u);
  BOOST_TEST(p.lines[0].count == 5);
  BOOST_TEST((*p.lines[0].expiry == D(2027, 12, 31)));
  BOOST_TEST((*p.lines[0].start == D(2027, 1, 1)));
  BOOST_TEST((*p.lines[0].issued == D(2026, 1, 2)));
  BOOST_TEST(p.lines[0].serial == "A1");
  BOOST_TEST(p.lines[0].source.ToString() == "t.lic:1");
  BOOST_TEST(p.attributes.at("MY_KEY") == "x");
  BOOST_TEST(p.attributes.count("SORT") == 1u);
}

BOOST_AUTO_TEST_CASE(defaults_match_flexlm) {
  BuildResult r = Build("FEATURE f acme 1.0 permanent 2 BORROW USER_BASED\n");
  const Pool& p = r.model.pools.at(0);
  BOOST_TEST(p.dup_group.ToString() == "UH");
  BOOST_TEST(p.sort == 100);
  BOOST_TEST(p.borrow_hours == 168);
  BOOST_TEST(p.user_based);
  BOOST_TEST(!p.lines[0].expiry.has_value());
}

BOOST_AUTO_TEST_CASE(uncounted_and_zero_count_and_year_zero) {
  BuildResult r = Build("FEATURE a acme 1.0 1-jan-0 uncounted\nFEATURE b acme 1.0 permanent 0\n");
  BOOST_REQUIRE(r.diagnostics.empty());
  BOOST_TEST(FindPool(r.model, "a")->uncounted);
  BOOST_TEST(!FindPool(r.model, "a")->LastExpiry().has_value());
  BOOST_TEST(FindPool(r.model, "b")->uncounted);
}

BOOST_AUTO_TEST_CASE(first_feature_line_wins_later_ones_get_a_note) {
  BuildResult r = Build("FEATURE f acme 1.0 permanent 2\nFEATURE f acme 2.0 permanent 9\n");
  BOOST_REQUIRE_EQUAL(r.model.pools.size(), 1u);
  BOOST_TEST(r.model.pools[0].CountOn(D(2027, 1, 1)) == 2);
  BOOST_TEST(r.model.rejected.empty());
  auto notes = Notes(r);
  BOOST_REQUIRE_EQUAL(notes.size(), 1u);
  BOOST_TEST(notes[0].find("t.lic:2:1: note: FEATURE 'f' already defined at t.lic:1") == 0);
}

BOOST_AUTO_TEST_CASE(increment_lines_with_the_same_key_add_up) {
  BuildResult r = Build(
      "INCREMENT f acme 1.0 31-dec-2027 2\n"
      "INCREMENT f acme 1.000 31-dec-2028 3\n"
      "INCREMENT f acme 1.0 permanent 4 DUP_GROUP=UH\n");
  BOOST_REQUIRE_EQUAL(r.model.pools.size(), 1u);
  const Pool& p = r.model.pools[0];
  BOOST_TEST(p.lines.size() == 3u);
  BOOST_TEST(p.CountOn(D(2027, 6, 1)) == 9);
  BOOST_TEST(p.CountOn(D(2028, 6, 1)) == 7);
  BOOST_TEST(p.CountOn(D(2029, 6, 1)) == 4);
}

BOOST_AUTO_TEST_CASE(increment_lines_differing_in_a_pool_attribute_split) {
  BuildResult r = Build(
      "INCREMENT f acme 1.0 permanent 1\n"
      "INCREMENT f acme 2.0 permanent 1\n"
      "INCREMENT f acme 1.0 permanent 1 DUP_GROUP=NONE\n"
      "INCREMENT f acme 1.0 permanent 1 USER_BASED\n"
      "INCREMENT f acme 1.0 permanent 1 VENDOR_STRING=edu POOL_BY_VENDOR_STRING\n"
      "INCREMENT f acme 1.0 permanent 1 SORT=1 SN=different\n"
      "INCREMENT f acme 1.0 permanent 1 VENDOR_STRING=lab\n");
  BOOST_TEST(r.model.pools.size() == 5u);
  BOOST_REQUIRE(r.model.pools[0].lines.size() == 3u);
  BOOST_TEST(r.model.pools[0].lines[1].source.line == 6);  // SORT and SN do not split pools
  // Nor does VENDOR_STRING, unless the vendor signed POOL_BY_VENDOR_STRING (FlexLM pools
  // by it only when the vendor configured so); the merge is a warning.
  BOOST_TEST(r.model.pools[0].lines[2].source.line == 7);
  bool warned = false;
  for (const Diagnostic& d : r.diagnostics) {
    warned = warned || (d.severity == Diagnostic::Severity::kWarning && d.line == 7 &&
                        d.message.find("VENDOR_STRING differs from t.lic:1") != std::string::npos);
  }
  BOOST_TEST(warned);
}

// Siemens-style renewals: every version is re-issued on one day with SUPERSEDE; only the
// highest version is served (FlexLM), wherever it sits in the file.
BOOST_AUTO_TEST_CASE(supersede_on_one_day_keeps_the_highest_version) {
  BuildResult r = Build(
      "INCREMENT nx acme 2027.0 permanent 72 ISSUED=1-mar-2026 SUPERSEDE\n"
      "INCREMENT nx acme 2026.0 permanent 72 ISSUED=1-mar-2026 SUPERSEDE\n"
      "INCREMENT nx acme 2025.0 permanent 72 ISSUED=1-jan-2026\n"
      "INCREMENT nx acme 2028.0 permanent 72 ISSUED=2-mar-2026\n");
  int seats = 0;
  for (const Pool& p : r.model.pools) seats += p.CountOn(D(2026, 6, 1));
  BOOST_TEST(seats == 144);  // 2027.0 and the later-issued 2028.0, which does not supersede
  BOOST_REQUIRE_EQUAL(r.model.pools.size(), 2u);
  BOOST_TEST(r.model.pools[0].version.ToString() == "2027.0");
  BOOST_TEST(r.model.pools[1].version.ToString() == "2028.0");
  const auto notes = Notes(r);
  BOOST_TEST(std::count_if(notes.begin(), notes.end(), [](const std::string& n) {
               return n.find("superseded by t.lic:1") != std::string::npos;
             }) == 2);
}

BOOST_AUTO_TEST_CASE(a_repeated_line_counts_once) {
  BuildResult r = BuildModel({ParseLicenseText("a.lic", "INCREMENT cad acme 1.0 permanent 5 SN=1\n"),
                              ParseLicenseText("b.lic", "INCREMENT  cad acme 1.0 permanent 5 sn=1\n"
                                                        "INCREMENT cad acme 1.0 permanent 5 SN=2\n")});
  BOOST_REQUIRE_EQUAL(r.model.pools.size(), 1u);
  BOOST_TEST(r.model.pools[0].CountOn(D(2026, 6, 1)) == 10);
  BOOST_REQUIRE(!r.diagnostics.empty());
  BOOST_TEST(r.diagnostics[0].ToString() ==
             "b.lic:1:1: warning: identical to a.lic:1; a repeated line counts once");
}

// Two PACKAGE lines of one name: each version is its own package, enabled by the line of
// its version; a second line with the same version is ignored with a warning.
BOOST_AUTO_TEST_CASE(packages_are_told_apart_by_version) {
  BuildResult r = Build(
      "INCREMENT pdc acme 2026.0 permanent 2\n"
      "INCREMENT pdc acme 2027.0 permanent 3\n"
      "PACKAGE pdc acme 2026.0 COMPONENTS=\"cad cam\" OPTIONS=SUITE\n"
      "PACKAGE pdc acme 2027.0 COMPONENTS=\"cad cam sim\" OPTIONS=SUITE\n"
      "PACKAGE pdc acme 2027.0 COMPONENTS=\"cad\" OPTIONS=SUITE\n"
      "PACKAGE pdc acme 2028.0 COMPONENTS=\"cad\" OPTIONS=SUITE\n");
  BOOST_REQUIRE_EQUAL(r.model.packages.size(), 2u);
  BOOST_TEST(r.model.packages[1].components.size() == 3u);
  BOOST_REQUIRE_EQUAL(r.model.rejected.size(), 1u);
  BOOST_TEST(r.model.rejected[0].source.line == 6);
  BOOST_TEST(r.model.rejected[0].reason.find("of version 2028.0") != std::string::npos);
  bool warned = false;
  for (const Diagnostic& d : r.diagnostics) {
    warned = warned || (d.severity == Diagnostic::Severity::kWarning && d.line == 5);
  }
  BOOST_TEST(warned);
}

// Autodesk writes SUITE_DUP_GROUP on the enabling INCREMENT, where FlexLM documents it.
BOOST_AUTO_TEST_CASE(suite_dup_group_is_read_from_the_enabling_line) {
  BuildResult r = Build(
      "INCREMENT pdc acme 1.0 permanent 2 SUITE_DUP_GROUP=UHV\n"
      "PACKAGE pdc acme 1.0 COMPONENTS=\"cad cam\" OPTIONS=SUITE\n");
  BOOST_REQUIRE_EQUAL(r.model.packages.size(), 1u);
  BOOST_TEST(r.model.packages[0].suite_dup_group.ToString() == DupGroup::Parse("UHV")->ToString());
}

BOOST_AUTO_TEST_CASE(increment_joins_a_pool_started_by_feature) {
  BuildResult r = Build("FEATURE f acme 1.0 permanent 2\nINCREMENT f acme 1.0 permanent 3\n");
  BOOST_REQUIRE_EQUAL(r.model.pools.size(), 1u);
  BOOST_TEST(r.model.pools[0].CountOn(D(2030, 1, 1)) == 5);
}

// Thousands of lines: each one is matched with the pools before it by lookup, with the
// same outcome as line by line (first FEATURE wins, INCREMENTs join the pool of their key).
BOOST_AUTO_TEST_CASE(ten_thousand_lines_build_the_same_pools_as_a_few) {
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += fmt::format("INCREMENT f{} acme 1.0 permanent 1\n", i);
    text += fmt::format("INCREMENT f{} acme 1.0 permanent 2 SN=second\n", i);
  }
  text += "FEATURE f7 acme 2.0 permanent 9\n";    // the name exists: ignored with a note
  text += "INCREMENT f7 acme 2.0 permanent 4\n";  // another version: a pool of its own
  BuildResult r = Build(text);
  BOOST_REQUIRE_EQUAL(r.model.pools.size(), 5001u);
  BOOST_TEST(r.model.pools[0].feature == "f0");
  BOOST_TEST(r.model.pools[4999].feature == "f4999");
  BOOST_TEST(r.model.pools[4999].lines.size() == 2u);
  BOOST_TEST(r.model.pools[4999].CountOn(D(2030, 1, 1)) == 3);
  BOOST_TEST(r.model.pools[5000].version.ToString() == "2.0");
  BOOST_TEST(r.model.pools[5000].CountOn(D(2030, 1, 1)) == 4);
  auto notes = Notes(r);
  BOOST_REQUIRE_EQUAL(notes.size(), 1u);
  BOOST_TEST(notes[0].find("t.lic:10001:1: note: FEATURE 'f7' already defined at t.lic:15") == 0);
}

BOOST_AUTO_TEST_CASE(supersede_removes_earlier_issued_lines_of_the_feature) {
  BuildResult r = Build(
      "INCREMENT f acme 1.0 permanent 10 ISSUED=1-jan-2025\n"
      "INCREMENT f acme 1.0 permanent 20\n"
      "INCREMENT g acme 1.0 permanent 7 ISSUED=1-jan-2025\n"
      "INCREMENT f acme 2.0 permanent 5 ISSUED=1-jan-2026 SUPERSEDE\n");
  BOOST_TEST(FindPool(r.model, "f")->version.ToString() == "2.0");
  BOOST_TEST(FindPool(r.model, "f")->CountOn(D(2030, 1, 1)) == 5);
  BOOST_TEST(FindPool(r.model, "g")->CountOn(D(2030, 1, 1)) == 7);
  BOOST_TEST(r.model.pools.size() == 2u);
  BOOST_TEST(Notes(r).size() == 2u);
  BOOST_TEST(Notes(r)[0].find("superseded by t.lic:4") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(supersede_keeps_lines_issued_later) {
  BuildResult r = Build(
      "INCREMENT f acme 1.0 permanent 10 ISSUED=1-jan-2027\n"
      "INCREMENT f acme 2.0 permanent 5 ISSUED=1-jan-2026 SUPERSEDE\n");
  BOOST_TEST(r.model.pools.size() == 2u);
}

BOOST_AUTO_TEST_CASE(supersede_list_names_other_features) {
  BuildResult r = Build(
      "INCREMENT old1 acme 1.0 permanent 1 ISSUED=1-jan-2025\n"
      "INCREMENT old2 acme 1.0 permanent 1 ISSUED=1-jan-2025\n"
      "INCREMENT keep acme 1.0 permanent 1 ISSUED=1-jan-2025\n"
      "INCREMENT old1 other 1.0 permanent 1 ISSUED=1-jan-2025\n"
      "INCREMENT new acme 1.0 permanent 1 ISSUED=1-jan-2026 SUPERSEDE=\"old1 old2\"\n");
  BOOST_TEST(!FindPool(r.model, "old2"));
  BOOST_TEST(FindPool(r.model, "keep"));
  BOOST_TEST(FindPool(r.model, "new"));
  BOOST_REQUIRE(FindPool(r.model, "old1"));
  BOOST_TEST(FindPool(r.model, "old1")->vendor == "other");  // another vendor's line stays
}

BOOST_AUTO_TEST_CASE(suite_package_sets_rank_of_its_enabling_pool) {
  BuildResult r = Build(
      "PACKAGE coll acme 1.0 COMPONENTS=\"a b:2.0 c:1.0:2\" OPTIONS=SUITE PRODUCTS_PER_SEAT=3 "
      "SUITE_DUP_GROUP=UHV CLOUD=c CLOUD_USERS_PER_SEAT=4\n"
      "INCREMENT coll acme 1.0 permanent 10\n"
      "PACKAGE ent acme COMPONENTS=a OPTIONS=SUITE RANK=suite\n"
      "FEATURE ent acme 1.0 permanent 1\n"
      "PACKAGE plain acme COMPONENTS=a\nFEATURE plain acme 1.0 permanent 1\n");
  BOOST_REQUIRE(!HasErrors(r.diagnostics));
  BOOST_REQUIRE_EQUAL(r.model.packages.size(), 3u);
  const Package& coll = r.model.packages[0];
  BOOST_TEST(coll.suite);
  BOOST_TEST(coll.products_per_seat == 3);
  BOOST_TEST(coll.suite_dup_group.ToString() == "UHV");
  BOOST_REQUIRE_EQUAL(coll.components.size(), 3u);
  BOOST_TEST(!coll.components[0].version.has_value());
  BOOST_TEST(coll.components[1].version->ToString() == "2.0");
  BOOST_TEST(coll.components[2].count == 2);
  BOOST_TEST(coll.cloud == std::vector<std::string>{"c"});
  BOOST_TEST(coll.cloud_users_per_seat == 4);
  BOOST_TEST((FindPool(r.model, "coll")->rank == Rank::kCollection));
  BOOST_TEST((FindPool(r.model, "ent")->rank == Rank::kSuite));
  BOOST_TEST(!r.model.packages[2].suite);
  BOOST_TEST(r.model.packages[2].suite_dup_group.ToString() == "UH");
  BOOST_TEST((FindPool(r.model, "plain")->rank == Rank::kProduct));
}

BOOST_AUTO_TEST_CASE(server_vendor_and_use_server) {
  BuildResult r = Build(
      "SERVER lic1 0A-1B-2C-3D-4E-5F 27000\nVENDOR adskflex port=2080 options=/etc/a.opt\n"
      "VENDOR sampled /opt/sampled /etc/s.opt 2081\nDAEMON plain\nUSE_SERVER\n");
  BOOST_REQUIRE(r.diagnostics.empty());
  BOOST_REQUIRE(r.model.server.has_value());
  BOOST_TEST(r.model.server->host == "lic1");
  BOOST_TEST(r.model.server->hostid.value == "0a1b2c3d4e5f");
  BOOST_TEST(*r.model.server->port == 27000);
  BOOST_REQUIRE_EQUAL(r.model.vendors.size(), 3u);
  BOOST_TEST(*r.model.vendors[0].port == 2080);
  BOOST_TEST(r.model.vendors[0].options_file == "/etc/a.opt");
  BOOST_TEST(*r.model.vendors[1].port == 2081);
  BOOST_TEST(r.model.vendors[1].options_file == "/etc/s.opt");
  BOOST_TEST(!r.model.vendors[2].port.has_value());
  BOOST_TEST(r.model.use_server);
}

BOOST_AUTO_TEST_CASE(pools_across_files_keep_load_order) {
  BuildResult r = BuildModel({ParseLicenseText("a.lic", "INCREMENT f acme 1.0 permanent 1\n"),
                              ParseLicenseText("b.lic", "INCREMENT g acme 1.0 permanent 1\n"
                                                        "INCREMENT f acme 1.0 permanent 2\n")});
  BOOST_REQUIRE_EQUAL(r.model.pools.size(), 2u);
  BOOST_TEST(r.model.pools[0].feature == "f");
  BOOST_TEST(r.model.pools[0].lines.at(1).source.ToString() == "b.lic:2");
  BOOST_TEST(r.model.pools[1].order == 1);
}

BOOST_AUTO_TEST_CASE(already_rejected_lines_come_first) {
  BuildResult r = BuildModel({ParseLicenseText("a.lic", "FEATURE f acme 1.0 permanent x\n")},
                             {Rejection{SourceRef{"a.lic", 9}, "signature does not verify (no SIGN)"}});
  BOOST_REQUIRE_EQUAL(r.model.rejected.size(), 2u);
  BOOST_TEST(r.model.rejected[0].source.line == 9);
  BOOST_TEST(r.model.rejected[1].source.line == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::licenses
