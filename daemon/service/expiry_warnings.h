// Which license lines the daemon should warn about because they are about to expire.
//
// Each FEATURE/INCREMENT line with an expiry date warns once when it enters each of
// the 30-, 7- and 1-day bands before its last day, and once more when it has expired.
// A line that is already inside a band when first seen (at start-up, or when a reread
// brings it in) warns once for the band it is in, not for the wider ones it skipped.
// A renewed line (a new expiry date) is a new line and starts afresh.
#ifndef FLOATLM_DAEMON_SERVICE_EXPIRY_WARNINGS_H_
#define FLOATLM_DAEMON_SERVICE_EXPIRY_WARNINGS_H_

#include <string>
#include <unordered_map>
#include <vector>

#include "floatlm/licenses/model.h"

namespace floatlm::server {

// One warning that is due: the line, its seats and the days left. `days_left` is 0 on
// the expiry day itself (the line is valid until its end) and negative once it passed.
struct ExpiryNotice {
  std::string feature;
  std::string version;
  std::string vendor;
  std::string source;  // "file:line"
  int count = 0;       // seats of the line; 0 when uncounted
  licenses::Date expiry;
  long days_left = 0;
};

class ExpiryWarnings {
 public:
  static constexpr long kBands[] = {30, 7, 1};

  // The notices due on `today` for the lines of `pools`, in pool and line order. Each
  // is returned once: later calls return only lines that entered a narrower band.
  std::vector<ExpiryNotice> Due(const std::vector<licenses::Pool>& pools, licenses::Date today);

 private:
  // Narrowest band already warned about, keyed by line and expiry date.
  std::unordered_map<std::string, long> warned_;
};

// The log sentence for a notice: "cad 2027.0 (site.lic:5): 10 seats expire in 7 days
// (at the end of 31-dec-2027)", or "... expired on 31-dec-2027".
std::string DescribeExpiry(const ExpiryNotice& notice);

}  // namespace floatlm::server

#endif  // FLOATLM_DAEMON_SERVICE_EXPIRY_WARNINGS_H_
