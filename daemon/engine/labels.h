// Dates, times and pool labels, written the same way by every surface of the daemon.
// One choice per surface, on purpose (docs/admin-guide.md, "Dates and times"):
//  - a license date (expiry, START), wherever people read it: as license files write
//    it, "31-dec-2027", so it can be found in the file (LicenseDate, ExpiryText);
//  - an instant inside a sentence (denials, admin replies, reread reports): "09:14 UTC"
//    today, else "30-nov-2026 09:14 UTC" (SinceText);
//  - an instant in a status row: "09:14" today, else "30-nov 09:14" (SinceShort), short
//    enough for 80 columns;
//  - an instant for programs (JSON, log lines, usage reports): ISO 8601 in UTC,
//    "2026-11-30T09:14:00Z" (IsoTime).
// Instants are UTC everywhere: the text must not depend on the daemon's time zone.
// License dates are calendar days and carry no zone.
#ifndef FLOATLM_DAEMON_ENGINE_LABELS_H_
#define FLOATLM_DAEMON_ENGINE_LABELS_H_

#include <optional>
#include <string>

#include "engine/seat_engine.h"
#include "floatlm/licenses/model.h"

namespace floatlm::engine {

// "31-dec-2027".
std::string LicenseDate(licenses::Date day);
// LicenseDate, or "permanent".
std::string ExpiryText(const std::optional<licenses::Date>& day);
// "09:14 UTC" when `at` is on the day of `now`, else "30-nov-2026 09:14 UTC".
std::string SinceText(WallTime at, WallTime now);
// "09:14" when `at` is on the day of `now`, else "30-nov 09:14".
std::string SinceShort(WallTime at, WallTime now);
// "2026-11-30T09:14:05Z".
std::string IsoTime(WallTime at);

// "cad 2027.0 (site.lic:5)": feature, version and the license line that made the pool
// (without the parenthesis for a pool built in memory, which has no line).
std::string PoolLabel(const licenses::Pool& pool);
// The label and the seats in force on `today`: "cad 2027.0 (site.lic:5): 4 seats".
std::string PoolSummary(const licenses::Pool& pool, licenses::Date today);

}  // namespace floatlm::engine

#endif  // FLOATLM_DAEMON_ENGINE_LABELS_H_
