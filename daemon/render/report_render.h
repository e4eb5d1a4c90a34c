// The usage report (store/usage_report.h) as text for admins: an aligned table for the
// terminal and CSV for spreadsheets. Pure functions of the report.
#ifndef FLOATLM_DAEMON_RENDER_REPORT_RENDER_H_
#define FLOATLM_DAEMON_RENDER_REPORT_RENDER_H_

#include <string>

#include "store/usage_report.h"

namespace floatlm::store {

// An aligned plain-text table: a title line, the feature/day table, then the user table.
std::string RenderReportText(const UsageReport& report);

// CSV (RFC 4180 quoting, "\n" line ends), two sections separated by an empty line:
//   feature,day,peak_leases,lease_hours,distinct_users,denials,denials_by_reason
//     one row per DayUsage; lease_hours with 2 decimals; denials_by_reason is
//     "reason=count" pairs joined by ';', sorted by reason
//   user,feature,hours
//     one row per UserUsage; hours with 2 decimals
std::string RenderReportCsv(const UsageReport& report);

}  // namespace floatlm::store

#endif  // FLOATLM_DAEMON_RENDER_REPORT_RENDER_H_
