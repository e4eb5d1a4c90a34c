#include "server_list.h"

#include <boost/test/unit_test.hpp>

using floatlm::client::Endpoint;
using floatlm::client::ParseServerList;

BOOST_AUTO_TEST_SUITE(server_list)

BOOST_AUTO_TEST_CASE(port_at_host_lists_are_tried_in_order) {
  std::string error;
  const auto list = ParseServerList("27000@lic1:27001@10.0.0.2", &error);
  BOOST_REQUIRE(list);
  BOOST_REQUIRE_EQUAL(list->size(), 2u);
  BOOST_CHECK((list->at(0) == Endpoint{"lic1", 27000}));
  BOOST_CHECK((list->at(1) == Endpoint{"10.0.0.2", 27001}));
  BOOST_CHECK_EQUAL(list->at(1).ToString(), "27001@10.0.0.2");
}

BOOST_AUTO_TEST_CASE(at_host_means_the_default_port) {
  std::string error;
  const auto list = ParseServerList("@license-host", &error);
  BOOST_REQUIRE(list);
  BOOST_CHECK_EQUAL(list->at(0).port, 27000);
}

BOOST_AUTO_TEST_CASE(semicolons_and_empty_entries_are_accepted) {
  std::string error;
  const auto list = ParseServerList(" 1@a ;; 2@b: ", &error);
  BOOST_REQUIRE(list);
  BOOST_CHECK_EQUAL(list->size(), 2u);
}

BOOST_AUTO_TEST_CASE(bad_entries_are_named_in_the_error) {
  for (const char* bad :
       {"27000", "x@host", "0@host", "70000@host", "27000@", "1@ho st", "/opt/license.dat"}) {
    std::string error;
    BOOST_TEST_INFO(bad);
    BOOST_CHECK(!ParseServerList(bad, &error));
    BOOST_CHECK(!error.empty());
  }
}

BOOST_AUTO_TEST_CASE(an_empty_list_says_what_is_expected) {
  std::string error;
  BOOST_CHECK(!ParseServerList("", &error));
  BOOST_CHECK(error.find("port@host") != std::string::npos);
  // Where a list comes from is the caller's to say (client.cc names the variables).
  BOOST_CHECK(error.find("-c") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
