// The usage report over a scripted journal; every expected figure is worked out by hand
// in the comments.
#include "render/report_render.h"
#include "store/usage_report.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace floatlm::store {
namespace {

using namespace std::chrono_literals;

// Milliseconds at hh:mm UTC on the given day of March 2024.
UnixMillis At(unsigned day, int hour, int minute = 0) {
  const std::chrono::sys_days date = std::chrono::year{2024} / std::chrono::March / day;
  const auto t = date + std::chrono::hours(hour) + std::chrono::minutes(minute);
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kMinute = 60'000;

JournalEntry Event(UnixMillis time, JournalEvent event, std::string user, std::string feature,
                   std::uint64_t lease_id, std::string reason = "") {
  JournalEntry e;
  e.time = time;
  e.event = event;
  e.user = std::move(user);
  e.host = "ws";
  e.feature = std::move(feature);
  e.lease_id = lease_id;
  e.reason = std::move(reason);
  return e;
}

// Report range: 2024-03-12 00:00Z to 2024-03-14 00:00Z. cad has 2 seats.
std::vector<JournalEntry> ScriptedDays() {
  using E = JournalEvent;
  return {
      Event(At(11, 8), E::kCheckout, "ivan", "cad", 8),  // wholly before the range
      Event(At(11, 9), E::kCheckin, "ivan", "cad", 8),
      Event(At(11, 20), E::kCheckout, "frank", "cam", 6),  // overnight, clipped at from
      Event(At(12, 8), E::kCheckin, "frank", "cam", 6),
      Event(At(12, 8, 30), E::kStart, "", "", 0),  // a daemon restart changes nothing
      Event(At(12, 9), E::kCheckout, "alice", "cad", 1),
      Event(At(12, 10), E::kCheckout, "bob", "cad", 3),
      Event(At(12, 10, 15), E::kDenial, "carol", "cad", 0, "all_seats_in_use"),
      Event(At(12, 11), E::kDenial, "carol", "cad", 0, "all_seats_in_use"),
      Event(At(12, 11, 30), E::kCheckin, "bob", "cad", 3),
      Event(At(12, 12), E::kCheckin, "alice", "cad", 1),
      Event(At(12, 13), E::kCheckout, "alice", "cad", 2),
      Event(At(12, 14), E::kCheckout, "erin", "cam", 5),
      Event(At(12, 16, 30), E::kTimeout, "erin", "cam", 5),  // heartbeats stopped
      Event(At(12, 17), E::kCheckin, "alice", "cad", 2),
      Event(At(12, 22), E::kCheckout, "dave", "cad", 4),  // crosses midnight
      Event(At(13, 2), E::kCheckin, "dave", "cad", 4),
      Event(At(13, 9), E::kDenial, "carol", "cam", 0, "excluded_by_options"),
      Event(At(13, 23), E::kCheckout, "gina", "cad", 7),  // still open at `to`
      Event(At(14, 1), E::kCheckout, "harry", "cad", 9),  // after the range
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(usage_report)

BOOST_AUTO_TEST_CASE(scripted_days_give_hand_computed_figures) {
  const UsageReport r = ComputeReport(ScriptedDays(), At(12, 0), At(14, 0));
  BOOST_REQUIRE_EQUAL(r.days.size(), 4u);

  // cad, 03-12: alice 09-12 (3 h) + alice 13-17 (4 h) + bob 10-11:30 (1.5 h)
  // + dave 22-24 (2 h) = 10.5 h; alice and bob overlap 10:00-11:30: peak 2;
  // users alice, bob, dave; carol denied twice.
  const DayUsage& cad12 = r.days[0];
  BOOST_TEST(cad12.feature == "cad");
  BOOST_TEST(cad12.day == "2024-03-12");
  BOOST_TEST(cad12.day_start == At(12, 0));
  BOOST_TEST(cad12.peak_leases == 2u);
  BOOST_TEST(cad12.lease_ms == 10 * kHour + kHour / 2);
  BOOST_TEST(cad12.users == (std::vector<std::string>{"alice", "bob", "dave"}),
             boost::test_tools::per_element());
  BOOST_TEST(cad12.denials.size() == 1u);
  BOOST_TEST(cad12.denials.at("all_seats_in_use") == 2u);
  BOOST_TEST(cad12.denial_count() == 2u);

  // cad, 03-13: dave 00-02 (2 h, open when the day begins) + gina 23-24 (1 h, counted up
  // to `to`) = 3 h; never both at once: peak 1; users dave, gina; harry is after `to`.
  const DayUsage& cad13 = r.days[1];
  BOOST_TEST(cad13.feature == "cad");
  BOOST_TEST(cad13.day == "2024-03-13");
  BOOST_TEST(cad13.peak_leases == 1u);
  BOOST_TEST(cad13.lease_ms == 3 * kHour);
  BOOST_TEST(cad13.users == (std::vector<std::string>{"dave", "gina"}),
             boost::test_tools::per_element());
  BOOST_TEST(cad13.denials.empty());

  // cam, 03-12: frank 00-08 (8 h, clipped at `from`; ivan's earlier lease not at all)
  // + erin 14:00-16:30 (2.5 h, ended by timeout) = 10.5 h; peak 1; users erin, frank.
  const DayUsage& cam12 = r.days[2];
  BOOST_TEST(cam12.feature == "cam");
  BOOST_TEST(cam12.day == "2024-03-12");
  BOOST_TEST(cam12.peak_leases == 1u);
  BOOST_TEST(cam12.lease_ms == 10 * kHour + kHour / 2);
  BOOST_TEST(cam12.users == (std::vector<std::string>{"erin", "frank"}),
             boost::test_tools::per_element());

  // cam, 03-13: no lease, one denial: the row exists for the denial alone.
  const DayUsage& cam13 = r.days[3];
  BOOST_TEST(cam13.day == "2024-03-13");
  BOOST_TEST(cam13.peak_leases == 0u);
  BOOST_TEST(cam13.lease_ms == 0);
  BOOST_TEST(cam13.users.empty());
  BOOST_TEST(cam13.denials.at("excluded_by_options") == 1u);

  // Per user over the range: alice 3 + 4 = 7 h, bob 1.5 h, dave 2 + 2 = 4 h,
  // erin 2.5 h, frank 8 h, gina 1 h. carol held nothing and has no row.
  BOOST_REQUIRE_EQUAL(r.users.size(), 6u);
  const std::vector<std::tuple<std::string, std::string, std::int64_t>> expected = {
      {"alice", "cad", 7 * kHour}, {"bob", "cad", kHour + kHour / 2},
      {"dave", "cad", 4 * kHour},  {"erin", "cam", 2 * kHour + kHour / 2},
      {"frank", "cam", 8 * kHour}, {"gina", "cad", kHour},
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_TEST(r.users[i].user == std::get<0>(expected[i]));
    BOOST_TEST(r.users[i].feature == std::get<1>(expected[i]));
    BOOST_TEST(r.users[i].lease_ms == std::get<2>(expected[i]));
  }
  BOOST_TEST(r.users[0].hours() == 7.0);
}

BOOST_AUTO_TEST_CASE(csv_has_the_documented_columns_and_figures) {
  const UsageReport r = ComputeReport(ScriptedDays(), At(12, 0), At(14, 0));
  BOOST_TEST(RenderReportCsv(r) ==
             "feature,day,peak_leases,lease_hours,distinct_users,denials,denials_by_reason\n"
             "cad,2024-03-12,2,10.50,3,2,all_seats_in_use=2\n"
             "cad,2024-03-13,1,3.00,2,0,\n"
             "cam,2024-03-12,1,10.50,2,0,\n"
             "cam,2024-03-13,0,0.00,0,1,excluded_by_options=1\n"
             "\n"
             "user,feature,hours\n"
             "alice,cad,7.00\n"
             "bob,cad,1.50\n"
             "dave,cad,4.00\n"
             "erin,cam,2.50\n"
             "frank,cam,8.00\n"
             "gina,cad,1.00\n");
}

BOOST_AUTO_TEST_CASE(text_table_is_aligned) {
  const UsageReport r = ComputeReport(ScriptedDays(), At(12, 0), At(14, 0));
  const std::string text = RenderReportText(r);
  BOOST_TEST_MESSAGE(text);
  BOOST_TEST(text.find("floatlm usage report 2024-03-12 00:00:00 .. 2024-03-14 00:00:00 (times and "
                       "days in UTC)\n") == 0u);
  BOOST_TEST(text.find("FEATURE  DAY         PEAK  LEASE-HOURS  USERS  DENIALS\n"
                       "cad      2024-03-12     2        10.50      3  2 (all_seats_in_use 2)\n"
                       "cad      2024-03-13     1         3.00      2  0\n") != std::string::npos);
  BOOST_TEST(text.find("USER   FEATURE  HOURS\n"
                       "alice  cad       7.00\n") != std::string::npos);
}

// 3 minutes of use at 06:20 must not bill 17 hours: a lease still held counts up to the
// present when the range (a whole day asked for mid-morning) reaches into the future.
BOOST_AUTO_TEST_CASE(a_held_lease_counts_up_to_now_not_to_the_end_of_the_range) {
  using E = JournalEvent;
  const std::vector<JournalEntry> entries = {
      Event(At(12, 6) + 17 * kMinute, E::kCheckout, "zoe", "cad", 1),   // 06:17, still held
      Event(At(12, 1), E::kCheckout, "ann", "cam", 2), Event(At(12, 3), E::kCheckin, "ann", "cam", 2)};
  const UnixMillis now = At(12, 6) + 20 * kMinute;  // 06:20
  const UsageReport r = ComputeReport(entries, At(12, 0), At(13, 0), 0min, now);
  BOOST_TEST(r.counted_to == now);
  BOOST_REQUIRE_EQUAL(r.users.size(), 2u);
  BOOST_TEST(r.users[0].user == "ann");
  BOOST_TEST(r.users[0].lease_ms == 2 * kHour);   // closed leases are as before
  BOOST_TEST(r.users[1].user == "zoe");
  BOOST_TEST(r.users[1].lease_ms == 3 * kMinute);  // not 17 h 43 min
  BOOST_TEST(RenderReportText(r).find("leases still held are counted up to") != std::string::npos);
  // A range wholly in the past is unchanged: open leases count to its end.
  const UsageReport past = ComputeReport(entries, At(12, 0), At(12, 7), 0min, At(13, 12));
  BOOST_TEST(past.counted_to == At(12, 7));
  BOOST_TEST(past.users[1].lease_ms == 43 * kMinute);
  BOOST_TEST(RenderReportText(past).find("counted up to") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_lease_of_four_seats_bills_four_seat_hours) {
  using E = JournalEvent;
  // A 4-seat job 09:00-11:00 (8 seat-hours) beside a single lease 10:00-12:00 (2), and a
  // 3-seat job held since 23:00 of the day before, checked in at 01:00 (3 x 1 h today).
  std::vector<JournalEntry> entries = {
      Event(At(12, 9), E::kCheckout, "ann", "cad", 1), Event(At(12, 11), E::kCheckin, "ann", "cad", 1),
      Event(At(12, 10), E::kCheckout, "bob", "cad", 2), Event(At(12, 12), E::kCheckin, "bob", "cad", 2),
      Event(At(11, 23), E::kCheckout, "cy", "cad", 3), Event(At(12, 1), E::kCheckin, "cy", "cad", 3)};
  for (JournalEntry& e : entries) {
    if (e.lease_id == 1) e.seats = 4;
    if (e.lease_id == 3) e.seats = 3;
  }
  const UsageReport r = ComputeReport(entries, At(12, 0), At(13, 0));
  BOOST_REQUIRE_EQUAL(r.days.size(), 1u);
  BOOST_TEST(r.days[0].lease_ms == 13 * kHour);
  BOOST_TEST(r.days[0].peak_leases == 5u, "4 seats and 1 seat at 10:00");
  BOOST_REQUIRE_EQUAL(r.users.size(), 3u);
  BOOST_TEST(r.users[0].lease_ms == 8 * kHour);
  BOOST_TEST(r.users[1].lease_ms == 2 * kHour);
  BOOST_TEST(r.users[2].lease_ms == 3 * kHour);
  // Still held at 10:30: billed up to now, four seats.
  entries.erase(entries.begin() + 1);
  const UsageReport open = ComputeReport(entries, At(12, 0), At(13, 0), 0min, At(12, 10) + 30 * kMinute);
  BOOST_TEST(open.users[0].lease_ms == 6 * kHour);
}

BOOST_AUTO_TEST_CASE(back_to_back_leases_are_not_concurrent) {
  using E = JournalEvent;
  // a 09-10, b 10-11 on one seat: at 10:00 the checkin is applied before the checkout.
  const std::vector<JournalEntry> entries = {
      Event(At(12, 9), E::kCheckout, "a", "cad", 1), Event(At(12, 10), E::kCheckout, "b", "cad", 2),
      Event(At(12, 10), E::kCheckin, "a", "cad", 1), Event(At(12, 11), E::kCheckin, "b", "cad", 2)};
  const UsageReport r = ComputeReport(entries, At(12, 0), At(13, 0));
  BOOST_REQUIRE_EQUAL(r.days.size(), 1u);
  BOOST_TEST(r.days[0].peak_leases == 1u);
  BOOST_TEST(r.days[0].lease_ms == 2 * kHour);
}

BOOST_AUTO_TEST_CASE(a_lease_checked_in_within_its_millisecond_still_counts) {
  using E = JournalEvent;
  // b's lease starts and ends at 10:00:00.000 exactly; a holds one over it.
  const std::vector<JournalEntry> entries = {
      Event(At(12, 9), E::kCheckout, "a", "cad", 1), Event(At(12, 10), E::kCheckout, "b", "cad", 2),
      Event(At(12, 10), E::kCheckin, "b", "cad", 2), Event(At(12, 11), E::kCheckin, "a", "cad", 1),
      // c's instant lease falls on midnight: it belongs to the 13th, outside the range.
      Event(At(13, 0), E::kCheckout, "c", "cad", 3), Event(At(13, 0), E::kCheckin, "c", "cad", 3)};
  const UsageReport r = ComputeReport(entries, At(12, 0), At(13, 0));
  BOOST_REQUIRE_EQUAL(r.days.size(), 1u);
  BOOST_TEST((r.days[0].users == std::vector<std::string>{"a", "b"}));
  BOOST_TEST(r.days[0].peak_leases == 2u);  // b was open alongside a
  BOOST_TEST(r.days[0].lease_ms == 2 * kHour);
  // Alone, an instant lease still makes a peak of one on its own day.
  const UsageReport next = ComputeReport(entries, At(13, 0), At(14, 0));
  BOOST_REQUIRE_EQUAL(next.days.size(), 1u);
  BOOST_TEST(next.days[0].day == "2024-03-13");
  BOOST_TEST((next.days[0].users == std::vector<std::string>{"c"}));
  BOOST_TEST(next.days[0].peak_leases == 1u);
}

BOOST_AUTO_TEST_CASE(days_follow_the_given_utc_offset) {
  using E = JournalEvent;
  const std::vector<JournalEntry> entries = {Event(At(12, 22), E::kCheckout, "dave", "cad", 4),
                                             Event(At(13, 2), E::kCheckin, "dave", "cad", 4)};
  // UTC+01:00: 23:00-03:00 local, so 1 h on the 12th and 3 h on the 13th.
  const UsageReport plus = ComputeReport(entries, At(11, 0), At(15, 0), 60min);
  BOOST_REQUIRE_EQUAL(plus.days.size(), 2u);
  BOOST_TEST(plus.days[0].day == "2024-03-12");
  BOOST_TEST(plus.days[0].day_start == At(11, 23));
  BOOST_TEST(plus.days[0].lease_ms == kHour);
  BOOST_TEST(plus.days[1].day == "2024-03-13");
  BOOST_TEST(plus.days[1].lease_ms == 3 * kHour);
  BOOST_TEST(plus.days[1].peak_leases == 1u);  // carried over local midnight
  // UTC-05:00: 17:00-21:00 local on the 12th, all of it on one day.
  const UsageReport minus = ComputeReport(entries, At(11, 0), At(15, 0), -300min);
  BOOST_REQUIRE_EQUAL(minus.days.size(), 1u);
  BOOST_TEST(minus.days[0].day == "2024-03-12");
  BOOST_TEST(minus.days[0].lease_ms == 4 * kHour);
  BOOST_TEST(RenderReportText(minus).find("(times and days in UTC-05:00)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(end_without_its_checkout_counts_from_the_start_of_the_range) {
  using E = JournalEvent;
  // The checkout of lease 9 lies before the entries handed in: count it from `from`.
  // An end that names no feature cannot be attributed and is skipped.
  const std::vector<JournalEntry> entries = {Event(At(12, 1), E::kCheckin, "jack", "cam", 9),
                                             Event(At(12, 2), E::kRemoval, "", "", 10)};
  const UsageReport r = ComputeReport(entries, At(12, 0), At(13, 0));
  BOOST_REQUIRE_EQUAL(r.days.size(), 1u);
  BOOST_TEST(r.days[0].lease_ms == kHour);
  BOOST_REQUIRE_EQUAL(r.users.size(), 1u);
  BOOST_TEST(r.users[0].user == "jack");
}

BOOST_AUTO_TEST_CASE(an_end_stamped_before_its_checkout_is_an_instant_use) {
  using E = JournalEvent;
  // The clock was stepped back an hour while kim held lease 11: its checkin carries
  // 09:30, before the 10:00 checkout. lee's lease 12 around it is ordinary.
  const std::vector<JournalEntry> entries = {
      Event(At(12, 9), E::kCheckout, "lee", "cad", 12),
      Event(At(12, 10), E::kCheckout, "kim", "cad", 11),
      Event(At(12, 9, 30), E::kCheckin, "kim", "cad", 11),
      Event(At(12, 11), E::kCheckin, "lee", "cad", 12)};
  const UsageReport r = ComputeReport(entries, At(12, 0), At(13, 0));
  BOOST_REQUIRE_EQUAL(r.days.size(), 1u);
  // Not 2 h of lee plus 14 h of kim (open from 10:00 to the end of the range), nor an
  // extra 9.5 h from the range's start to the checkin: kim counts, with no hours.
  BOOST_TEST(r.days[0].lease_ms == 2 * kHour);
  BOOST_TEST((r.days[0].users == std::vector<std::string>{"kim", "lee"}));
  BOOST_TEST(r.days[0].peak_leases == 2u);
  BOOST_REQUIRE_EQUAL(r.users.size(), 2u);
  BOOST_TEST(r.users[0].user == "kim");
  BOOST_TEST(r.users[0].lease_ms == 0);
}

BOOST_AUTO_TEST_CASE(empty_journal_gives_an_empty_report) {
  const UsageReport r = ComputeReport({}, At(12, 0), At(13, 0));
  BOOST_TEST(r.days.empty());
  BOOST_TEST(r.users.empty());
  BOOST_TEST(RenderReportCsv(r) ==
             "feature,day,peak_leases,lease_hours,distinct_users,denials,denials_by_reason\n"
             "\nuser,feature,hours\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::store
