// Helpers shared by the options tests: build a policy from text, describe a requester.
#ifndef FLOATLM_TESTS_OPTIONS_OPTIONS_TEST_UTIL_H_
#define FLOATLM_TESTS_OPTIONS_OPTIONS_TEST_UTIL_H_

#include <boost/test/unit_test.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "options/options_parser.h"
#include "options/options_policy.h"

namespace floatlm {

// Lets BOOST_TEST print a code on failure ("excluded_by_options").
inline std::ostream& operator<<(std::ostream& out, Errc code) { return out << ErrcName(code); }

}  // namespace floatlm

namespace floatlm::options::testing {

// Parses text that the test expects to be valid, under the name "opts.opt".
inline OptionsPolicy PolicyFrom(std::string_view text) {
  ParsedOptions parsed = ParseOptions("opts.opt", text);
  for (const std::string& e : parsed.errors) BOOST_TEST_MESSAGE(e);
  BOOST_REQUIRE(parsed.ok());
  return *parsed.policy;
}

inline Requester User(std::string user, std::string host = "ws1", std::string ip = "10.0.0.1",
                      std::string display = "ws1:0") {
  return Requester{std::move(user), std::move(host), std::move(display), std::move(ip)};
}

inline FeatureRef Feature(std::string_view name) { return FeatureRef{name, "", {}}; }

}  // namespace floatlm::options::testing

#endif  // FLOATLM_TESTS_OPTIONS_OPTIONS_TEST_UTIL_H_
