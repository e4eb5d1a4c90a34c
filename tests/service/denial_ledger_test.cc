// DenialLedger: repeated denials become one journal entry per window with their count,
// and nothing is lost or counted twice.
#include "service/denial_ledger.h"

#include <boost/test/unit_test.hpp>
#include <numeric>

namespace floatlm::server {
namespace {

using namespace std::chrono_literals;

engine::Identity Who(const std::string& user) {
  engine::Identity who;
  who.user = user;
  who.host = "ws1";
  return who;
}

std::uint64_t Total(const std::vector<DenialLedger::Repeats>& repeats) {
  return std::accumulate(repeats.begin(), repeats.end(), std::uint64_t{0},
                         [](std::uint64_t n, const auto& r) { return n + r.count; });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(denial_ledger)

BOOST_AUTO_TEST_CASE(the_first_denial_of_a_window_is_written_and_repeats_are_counted) {
  DenialLedger ledger(60s, 100);
  const engine::MonoTime t0{};
  BOOST_TEST(ledger.Note(1, Who("ann"), "cad", "", Errc::kAllSeatsInUse, t0));
  for (int i = 0; i < 999; ++i) {
    BOOST_TEST(!ledger.Note(1, Who("ann"), "cad", "", Errc::kAllSeatsInUse, t0 + 1s));
  }
  // Another feature, reason or connection is another key.
  BOOST_TEST(ledger.Note(1, Who("ann"), "cam", "", Errc::kAllSeatsInUse, t0));
  BOOST_TEST(ledger.Note(1, Who("ann"), "cad", "", Errc::kExcludedByOptions, t0));
  BOOST_TEST(ledger.Note(2, Who("bob"), "cad", "", Errc::kAllSeatsInUse, t0));
  BOOST_TEST(ledger.open() == 4u);

  BOOST_TEST(ledger.Close(t0 + 59s).empty());  // no window has ended yet
  const auto repeats = ledger.Close(t0 + 60s);
  BOOST_REQUIRE_EQUAL(repeats.size(), 1u);  // windows without repeats write nothing more
  BOOST_TEST(repeats[0].feature == "cad");
  BOOST_TEST(repeats[0].who.user == "ann");
  BOOST_TEST(repeats[0].count == 999u);
  BOOST_TEST(repeats[0].window == 60'000ms);
  BOOST_TEST(ledger.open() == 0u);
  // The next denial opens a new window and is written again.
  BOOST_TEST(ledger.Note(1, Who("ann"), "cad", "", Errc::kAllSeatsInUse, t0 + 61s));
}

BOOST_AUTO_TEST_CASE(features_no_license_names_are_one_key_without_their_names) {
  DenialLedger ledger(60s, 100);
  const engine::MonoTime t0{};
  BOOST_TEST(ledger.Note(1, Who("eve"), "made-up-0", "", Errc::kNoSuchFeature, t0));
  for (int i = 1; i < 100'000; ++i) {
    BOOST_TEST(
        !ledger.Note(1, Who("eve"), "made-up-" + std::to_string(i), "", Errc::kNoSuchFeature, t0));
  }
  BOOST_TEST(ledger.open() == 1u);
  const auto repeats = ledger.Forget(1, t0 + 5s);  // the connection went
  BOOST_REQUIRE_EQUAL(repeats.size(), 1u);
  BOOST_TEST(repeats[0].feature.empty());
  BOOST_TEST(repeats[0].count == 99'999u);
  BOOST_TEST(ledger.open() == 0u);
}

BOOST_AUTO_TEST_CASE(past_the_open_limit_denials_are_counted_in_one_overflow_entry) {
  DenialLedger ledger(10s, 3);
  const engine::MonoTime t0{};
  std::uint64_t written = 0;
  std::uint64_t noted = 0;
  for (engine::ClientId c = 1; c <= 50; ++c) {
    for (int i = 0; i < 4; ++i, ++noted) {
      written +=
          ledger.Note(c, Who("u" + std::to_string(c)), "cad", "", Errc::kAllSeatsInUse, t0) ? 1 : 0;
    }
  }
  BOOST_TEST(ledger.open() == 3u);
  BOOST_TEST(written == 3u);
  // Forget only ends a connection's own windows; the overflow stays until its window ends.
  const auto gone = ledger.Forget(1, t0 + 1s);
  BOOST_TEST(Total(gone) == 3u);
  const auto closed = ledger.Close(t0 + 10s);
  const auto overflow =
      std::find_if(closed.begin(), closed.end(), [](const auto& r) { return r.who.user.empty(); });
  BOOST_REQUIRE(overflow != closed.end());
  BOOST_TEST(overflow->count == 47u * 4u);
  // Every denial is accounted for exactly once: written, or in a count.
  BOOST_TEST(written + Total(gone) + Total(closed) == noted);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace floatlm::server
