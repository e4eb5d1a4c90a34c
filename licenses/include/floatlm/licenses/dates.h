// License-file dates: "dd-mmm-yyyy" with an English month abbreviation in any case,
// or "permanent". As in FlexLM, year 0 ("1-jan-0") also means permanent.
#ifndef FLOATLM_LICENSES_DATES_H_
#define FLOATLM_LICENSES_DATES_H_

#include <optional>
#include <string>
#include <string_view>

#include "floatlm/licenses/model.h"
#include "floatlm/licenses/result.h"

namespace floatlm::licenses {

// A parsed date field: nullopt means permanent. Fails with a message for bad syntax
// ("expected dd-mmm-yyyy") or an impossible day ("31-feb-2027").
Result<std::optional<Date>> ParseLicenseDate(std::string_view text);

// "d-mmm-yyyy" with a lower-case month and no leading zero: "1-jan-2027".
std::string FormatLicenseDate(Date date);

}  // namespace floatlm::licenses

#endif  // FLOATLM_LICENSES_DATES_H_
