#include "floatlm/licenses/dates.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

namespace floatlm::licenses {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

Result<std::optional<Date>> ParseLicenseDate(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "permanent") return boost::outcome_v2::success(std::optional<Date>());

  std::size_t dash1 = lower.find('-');
  std::size_t dash2 = dash1 == std::string::npos ? dash1 : lower.find('-', dash1 + 1);
  auto syntax_error = [&] {
    return Fail(fmt::format("bad date '{}' (expected dd-mmm-yyyy or permanent)", text));
  };
  if (dash2 == std::string::npos) return syntax_error();
  std::string_view all(lower);
  std::string_view day_text = all.substr(0, dash1);
  std::string_view month_text = all.substr(dash1 + 1, dash2 - dash1 - 1);
  std::string_view year_text = all.substr(dash2 + 1);
  // Four-digit years only, except FlexLM's permanent year 0 (also written "00").
  if (!AllDigits(day_text) || day_text.size() > 2 || !AllDigits(year_text) ||
      year_text.size() > 4) {
    return syntax_error();
  }
  int year = ToInt(year_text);
  if (year != 0 && year_text.size() != 4) return syntax_error();
  unsigned month = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (month_text == kMonths[i]) month = static_cast<unsigned>(i + 1);
  }
  if (month == 0) return syntax_error();
  int day = ToInt(day_text);
  if (year == 0) {
    // The day and month of a permanent date are not checked against a calendar
    // (year 0 is a marker), but must still look like a day.
    if (day < 1 || day > 31) return Fail(fmt::format("impossible date '{}'", text));
    return boost::outcome_v2::success(std::optional<Date>());
  }
  Date date{std::chrono::year{year}, std::chrono::month{month},
            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return Fail(fmt::format("impossible date '{}'", text));
  return boost::outcome_v2::success(std::optional<Date>(date));
}

std::string FormatLicenseDate(Date date) {
  unsigned month = static_cast<unsigned>(date.month());
  std::string_view name = month >= 1 && month <= 12 ? kMonths[month - 1] : "???";
  return fmt::format("{}-{}-{}", static_cast<unsigned>(date.day()), name,
                     static_cast<int>(date.year()));
}

}  // namespace floatlm::licenses
