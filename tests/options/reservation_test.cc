// RESERVE: seats set aside for people stay free for them until they use them.
#include <boost/test/unit_test.hpp>
#include <vector>

#include "options/options_policy.h"
#include "options_test_util.h"

namespace floatlm::options {
namespace {

using testing::Feature;
using testing::PolicyFrom;
using testing::User;

BOOST_AUTO_TEST_SUITE(options_reservations)

BOOST_AUTO_TEST_CASE(reserve_keeps_the_last_seats_for_a_group) {
  // Pool of 5; 2 reserved for eng; 3 held by outsiders: 2 free, both reserved.
  const OptionsPolicy policy = PolicyFrom("GROUP eng alice bob\nRESERVE 2 cad GROUP eng\n");
  const std::vector<Requester> holders = {User("x"), User("y"), User("z")};
  const Verdict other = policy.MayTakeSeat(Feature("cad"), User("carol"), {2, holders});
  BOOST_TEST(other.code == Errc::kReservedForOthers);
  BOOST_TEST(other.message ==
             "2 free seats are reserved for others by opts.opt:2 (RESERVE 2 cad GROUP eng)");
  const Verdict member = policy.MayTakeSeat(Feature("cad"), User("alice"), {2, holders});
  BOOST_TEST(member.ok());
  BOOST_REQUIRE(member.rule.has_value());
  BOOST_TEST(member.rule->line == 2);
}

BOOST_AUTO_TEST_CASE(others_may_take_seats_beyond_the_reservations) {
  const OptionsPolicy policy = PolicyFrom("RESERVE 1 cad USER robert\n");
  const Verdict v = policy.MayTakeSeat(Feature("cad"), User("carol"), {2, {}});
  BOOST_TEST(v.ok());
  BOOST_TEST(!v.rule.has_value());
  const Verdict last = policy.MayTakeSeat(Feature("cad"), User("carol"), {1, {}});
  BOOST_TEST(last.code == Errc::kReservedForOthers);
  BOOST_TEST(last.message ==
             "1 free seat is reserved for others by opts.opt:1 (RESERVE 1 cad USER robert)");
}

BOOST_AUTO_TEST_CASE(a_reservation_is_consumed_when_its_person_holds_a_seat) {
  const OptionsPolicy policy = PolicyFrom("RESERVE 1 cad USER robert\n");
  const std::vector<Requester> holders = {User("robert")};
  // robert uses his reserved seat, so the last free seat is open to anyone.
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("carol"), {1, holders}).ok());
  const ReservationUse use = policy.Reservations(Feature("cad"), holders);
  BOOST_TEST(use.reserved == 1);
  BOOST_TEST(use.in_use == 1);
  // A second seat for robert is an ordinary one.
  const Verdict again = policy.MayTakeSeat(Feature("cad"), User("robert"), {2, holders});
  BOOST_TEST(again.ok());
  BOOST_TEST(!again.rule.has_value());
}

BOOST_AUTO_TEST_CASE(group_reservation_is_consumed_seat_by_seat) {
  const OptionsPolicy policy = PolicyFrom("GROUP eng alice bob carol\nRESERVE 2 cad GROUP eng\n");
  std::vector<Requester> holders = {User("alice")};
  // One of two reserved seats used: one free seat of two must stay for eng.
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("zed"), {2, holders}).ok());
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("zed"), {1, holders}).code ==
             Errc::kReservedForOthers);
  holders.push_back(User("bob"));
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("zed"), {1, holders}).ok());
}

BOOST_AUTO_TEST_CASE(overlapping_reservations_are_counted_at_their_best) {
  // bob fits both lines; alice only the group one. With bob on the USER line and alice
  // on the GROUP line, both reservations are used and the free seat is open.
  const OptionsPolicy policy =
      PolicyFrom("GROUP eng alice bob\nRESERVE 1 cad GROUP eng\nRESERVE 1 cad USER bob\n");
  const std::vector<Requester> holders = {User("bob"), User("alice")};
  BOOST_TEST(policy.Reservations(Feature("cad"), holders).in_use == 2);
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("zed"), {1, holders}).ok());
}

BOOST_AUTO_TEST_CASE(a_newcomer_can_shift_a_holder_to_another_reservation) {
  // bob holds a seat and fits both lines; the matcher may put him on either. alice fits
  // only the GROUP line, so her claim succeeds by leaving bob on his USER line.
  const OptionsPolicy policy =
      PolicyFrom("GROUP eng alice bob\nRESERVE 1 cad GROUP eng\nRESERVE 1 cad USER bob\n");
  const std::vector<Requester> holders = {User("bob")};
  const Verdict v = policy.MayTakeSeat(Feature("cad"), User("alice"), {1, holders});
  BOOST_TEST(v.ok());
  BOOST_REQUIRE(v.rule.has_value());
  BOOST_TEST(v.rule->line == 2);
}

BOOST_AUTO_TEST_CASE(exclude_beats_reserve) {
  const OptionsPolicy policy = PolicyFrom("RESERVE 1 cad USER bob\nEXCLUDE cad USER bob\n");
  const Verdict v = policy.MayTakeSeat(Feature("cad"), User("bob"), {1, {}});
  BOOST_TEST(v.code == Errc::kExcludedByOptions);
  BOOST_TEST(v.rule->line == 2);
}

BOOST_AUTO_TEST_CASE(reserve_beats_max) {
  const OptionsPolicy policy = PolicyFrom("RESERVE 2 cad USER bob\nMAX 1 cad USER bob\n");
  const std::vector<Requester> holders = {User("bob")};
  // bob's second reserved seat is still unused: the reservation grants it despite MAX.
  const Verdict v = policy.MayTakeSeat(Feature("cad"), User("bob"), {3, holders});
  BOOST_TEST(v.ok());
  BOOST_TEST(v.rule->line == 1);
}

BOOST_AUTO_TEST_CASE(max_applies_once_reservations_are_used_up) {
  const OptionsPolicy policy = PolicyFrom("RESERVE 1 cad USER bob\nMAX 1 cad USER bob\n");
  const std::vector<Requester> holders = {User("bob")};
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("bob"), {3, holders}).code ==
             Errc::kMaxReachedForUser);
}

BOOST_AUTO_TEST_CASE(reserve_beats_include) {
  // A reservation names someone the admin means to serve, even if the INCLUDE list
  // forgets them.
  const OptionsPolicy policy = PolicyFrom("INCLUDE cad USER alice\nRESERVE 1 cad USER bob\n");
  BOOST_TEST(policy.Admission(Feature("cad"), User("bob")).ok());
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("bob"), {2, {}}).ok());
  BOOST_TEST(policy.Admission(Feature("cad"), User("carol")).code == Errc::kExcludedByOptions);
}

BOOST_AUTO_TEST_CASE(reservations_apply_per_pool_and_honour_qualifiers) {
  const OptionsPolicy policy = PolicyFrom("RESERVE 1 cad:VERSION=2.0 HOST lab1\n");
  BOOST_TEST(policy.MayTakeSeat({"cad", "2.0", {}}, User("bob"), {1, {}}).code ==
             Errc::kReservedForOthers);
  BOOST_TEST(policy.MayTakeSeat({"cad", "1.0", {}}, User("bob"), {1, {}}).ok());
  BOOST_TEST(policy.MayTakeSeat({"cad", "2.0", {}}, User("bob", "lab1"), {1, {}}).ok());
}

BOOST_AUTO_TEST_CASE(no_free_seat_is_not_an_options_decision) {
  const OptionsPolicy policy = PolicyFrom("RESERVE 1 cad USER bob\n");
  BOOST_TEST(policy.MayTakeSeat(Feature("cad"), User("bob"), {0, {}}).code == Errc::kAllSeatsInUse);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace floatlm::options
