// Text and CSV forms of the usage report (declared in usage_report.h).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include "render/report_render.h"

namespace floatlm::store {
namespace {

std::string Hours(std::int64_t ms) {
  return fmt::format("{:.2f}", static_cast<double>(ms) / 3.6e6);
}

std::string Instant(UnixMillis t, std::chrono::minutes offset) {
  const std::chrono::sys_time<std::chrono::milliseconds> utc{std::chrono::milliseconds(t)};
  const auto local = utc + offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{std::chrono::floor<std::chrono::seconds>(local - day)};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

std::string ZoneName(std::chrono::minutes offset) {
  if (offset.count() == 0) return "UTC";
  const long minutes = std::labs(offset.count());
  return fmt::format("UTC{}{:02}:{:02}", offset.count() < 0 ? '-' : '+', minutes / 60,
                     minutes % 60);
}

std::string DenialList(const DayUsage& day, std::string_view pair_sep, std::string_view list_sep) {
  std::string text;
  for (const auto& [reason, count] : day.denials) {
    if (!text.empty()) text += list_sep;
    text += fmt::format("{}{}{}", reason, pair_sep, count);
  }
  return text;
}

// Left-aligns text columns and right-aligns numeric ones to the widest cell.
template <std::size_t N>
std::string Table(const std::array<std::string, N>& header, const std::array<bool, N>& numeric,
                  const std::vector<std::array<std::string, N>>& rows) {
  std::array<std::size_t, N> width{};
  for (std::size_t c = 0; c < N; ++c) width[c] = header[c].size();
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < N; ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  const auto line = [&](const std::array<std::string, N>& cells) {
    std::string text;
    for (std::size_t c = 0; c < N; ++c) {
      if (c > 0) text += "  ";
      text += numeric[c] ? fmt::format("{:>{}}", cells[c], width[c])
                         : fmt::format("{:<{}}", cells[c], width[c]);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  return out;
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string RenderReportText(const UsageReport& report) {
  std::string out = fmt::format("floatlm usage report {} .. {} (times and days in {})\n",
                                Instant(report.from, report.utc_offset),
                                Instant(report.to, report.utc_offset), ZoneName(report.utc_offset));
  if (report.counted_to != 0 && report.counted_to < report.to) {
    // The range reaches into the future: nothing after the present is billed.
    out += fmt::format("leases still held are counted up to {}, the time of this report\n",
                       Instant(report.counted_to, report.utc_offset));
  }
  out += "\n";
  std::vector<std::array<std::string, 6>> days;
  for (const DayUsage& d : report.days) {
    std::string denials = std::to_string(d.denial_count());
    if (!d.denials.empty()) denials += " (" + DenialList(d, " ", ", ") + ")";
    days.push_back({d.feature, d.day, std::to_string(d.peak_leases), Hours(d.lease_ms),
                    std::to_string(d.users.size()), denials});
  }
  out += Table<6>({"FEATURE", "DAY", "PEAK", "LEASE-HOURS", "USERS", "DENIALS"},
                  {false, false, true, true, true, false}, days);
  out += "\n";
  std::vector<std::array<std::string, 3>> users;
  for (const UserUsage& u : report.users) users.push_back({u.user, u.feature, Hours(u.lease_ms)});
  out += Table<3>({"USER", "FEATURE", "HOURS"}, {false, false, true}, users);
  return out;
}

std::string RenderReportCsv(const UsageReport& report) {
  std::string out =
      "feature,day,peak_leases,lease_hours,distinct_users,denials,denials_by_reason\n";
  for (const DayUsage& d : report.days) {
    out += fmt::format("{},{},{},{},{},{},{}\n", CsvField(d.feature), d.day, d.peak_leases,
                       Hours(d.lease_ms), d.users.size(), d.denial_count(),
                       CsvField(DenialList(d, "=", ";")));
  }
  out += "\nuser,feature,hours\n";
  for (const UserUsage& u : report.users) {
    out += fmt::format("{},{},{}\n", CsvField(u.user), CsvField(u.feature), Hours(u.lease_ms));
  }
  return out;
}

}  // namespace floatlm::store
