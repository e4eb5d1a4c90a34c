// The end user's denial sentences (FLOATLM_DENIAL_SHORT): one per code, naming the
// feature and nothing of other people.
#include <boost/test/unit_test.hpp>

#include "denial_text.h"

using floatlm::Errc;
using floatlm::client::ShortDenial;

BOOST_AUTO_TEST_SUITE(denial_text)

BOOST_AUTO_TEST_CASE(every_checkout_denial_has_a_short_sentence_naming_the_feature) {
  for (int code = 1; code <= 11; ++code) {
    const std::string text = ShortDenial(static_cast<Errc>(code), "cad", "");
    BOOST_TEST_INFO("code " << code << ": " << text);
    BOOST_TEST(text.find("cad") != std::string::npos);
    // A sentence of its own, not the generic fallback.
    BOOST_TEST(text.find('(' + std::string(floatlm::ErrcName(static_cast<Errc>(code))) + ')') ==
               std::string::npos);
  }
  BOOST_TEST(ShortDenial(Errc::kVersionNotLicensed, "cad", "2028.0") ==
             "version 2028.0 of cad is not licensed");
  BOOST_TEST(ShortDenial(Errc::kTooManyRequests, "cad", "") ==
             "no license for cad (too_many_requests)");
}

BOOST_AUTO_TEST_SUITE_END()
