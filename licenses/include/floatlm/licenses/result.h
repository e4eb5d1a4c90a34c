// Result type of the license library: a value or a human-readable message.
// The library reports errors as values; messages are already in the form an admin
// or vendor reads ("file:line:col: message"), so a string is the useful payload.
// Calling value() on a failure terminates (a programming error, not a runtime one).
#ifndef FLOATLM_LICENSES_RESULT_H_
#define FLOATLM_LICENSES_RESULT_H_

#include <string>
#include <utility>

#include <boost/outcome/result.hpp>
#include <boost/outcome/policy/terminate.hpp>

namespace floatlm::licenses {

// The failure side: a message ready to show. A distinct type (not a bare string)
// so that Result<std::string> stays unambiguous.
struct Error {
  std::string message;
};

template <class T>
using Result = boost::outcome_v2::result<T, Error, boost::outcome_v2::policy::terminate>;

// `return Fail("why");`
inline auto Fail(std::string message) { return boost::outcome_v2::failure(Error{std::move(message)}); }

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_RESULT_H_
