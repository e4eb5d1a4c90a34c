// Shared Boost.Test entry point: every test executable links this one file.
#define BOOST_TEST_MODULE floatlm
#include <boost/test/unit_test.hpp>
