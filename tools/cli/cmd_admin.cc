// The privileged floatlm commands: remove, reread, down, report and backup. They go to the
// daemon's admin socket, or over TCP with the admin token (admin_channel.h).
#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "admin_channel.h"
#include "cli_common.h"

namespace po = boost::program_options;

namespace floatlm::cli {
namespace {

struct AdminArgs {
  std::string socket, server, token_file;
};

// Parses the admin options plus the command's own; returns false after --help.
bool ParseAdmin(const std::vector<std::string>& args, po::options_description& desc,
                const po::positional_options_description* positional, const char* usage,
                AdminArgs& admin, po::variables_map& vm) {
  desc.add_options()("help,h", "show this help");
  AddAdminOptions(desc, &admin.socket, &admin.server, &admin.token_file);
  return ParseArgs(args, desc, positional, usage, &vm);
}

int Send(const AdminArgs& a, const std::string& command, const std::vector<std::string>& args) {
  const auto target = ResolveAdminTarget(a.socket, a.server, a.token_file);
  return PrintAdminReply(SendAdmin(target, command, args));
}

// A command with no arguments of its own (down, backup): only the admin options.
int SendBare(const std::vector<std::string>& args, const std::string& command) {
  AdminArgs a;
  const std::string usage = "floatlm " + command;
  po::options_description desc(usage + " options");
  po::variables_map vm;
  if (!ParseAdmin(args, desc, nullptr, usage.c_str(), a, vm)) return kExitOk;
  return Send(a, command, {});
}

// Accepts 2026-11-27 or 27-nov-2026; returns the UTC midnight starting that day.
std::chrono::sys_days ParseDay(const std::string& text, const char* option) {
  using namespace std::chrono;
  int y = 0, m = 0, d = 0;
  char mon[4] = {};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &m, &d) == 3 && text.size() == 10) {
  } else if (std::sscanf(text.c_str(), "%2d-%3[a-zA-Z]-%4d", &d, mon, &y) == 3) {
    static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                              "jul", "aug", "sep", "oct", "nov", "dec"};
    std::string lower = mon;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int i = 0; i < 12; ++i) {
      if (lower == kMonths[i]) m = i + 1;
    }
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(m)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) {
    throw UsageError(std::string(option) + ": '" + text + "' is not a date (YYYY-MM-DD or dd-mmm-yyyy)");
  }
  return sys_days(ymd);
}

std::int64_t Millis(std::chrono::sys_days d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d.time_since_epoch()).count();
}

}  // namespace

int RunRemove(const std::vector<std::string>& args) {
  constexpr const char* kUsage =
      "floatlm remove FEATURE USER HOST [DISPLAY] | floatlm remove --lease ID";
  AdminArgs a;
  std::string lease;
  std::vector<std::string> words;
  po::options_description desc("floatlm remove options");
  desc.add_options()("lease", po::value(&lease)->value_name("ID"), "remove this lease")(
      "words", po::value(&words)->multitoken(), "FEATURE USER HOST [DISPLAY]");
  po::positional_options_description pos;
  pos.add("words", -1);
  po::variables_map vm;
  if (!ParseAdmin(args, desc, &pos, kUsage, a, vm)) return kExitOk;
  if (!lease.empty() && words.empty()) return Send(a, "remove", {"--lease", lease});
  if (lease.empty() && (words.size() == 3 || words.size() == 4)) return Send(a, "remove", words);
  throw UsageError("give either FEATURE USER HOST [DISPLAY] or --lease ID");
}

int RunReread(const std::vector<std::string>& args) {
  constexpr const char* kUsage = "floatlm reread [--partial | --dry-run]";
  AdminArgs a;
  bool partial = false, dry_run = false;
  po::options_description desc("floatlm reread options");
  desc.add_options()("partial", po::bool_switch(&partial),
                     "apply the accepted lines even if some are rejected, unless that ends a lease")(
      "dry-run", po::bool_switch(&dry_run), "print what the reread would change; change nothing");
  po::variables_map vm;
  if (!ParseAdmin(args, desc, nullptr, kUsage, a, vm)) return kExitOk;
  if (partial && dry_run) throw UsageError("give --partial or --dry-run, not both");
  if (partial) return Send(a, "reread", {"--partial"});
  if (dry_run) return Send(a, "reread", {"--dry-run"});
  return Send(a, "reread", {});
}

int RunDown(const std::vector<std::string>& args) { return SendBare(args, "down"); }

int RunBackup(const std::vector<std::string>& args) { return SendBare(args, "backup"); }

int RunReport(const std::vector<std::string>& args) {
  constexpr const char* kUsage = "floatlm report [--since DATE] [--until DATE] [--csv]";
  AdminArgs a;
  std::string since, until;
  po::options_description desc("floatlm report options (days are UTC)");
  desc.add_options()("since", po::value(&since)->value_name("DATE"),
                     "first day (YYYY-MM-DD; default 30 days ago)")(
      "until", po::value(&until)->value_name("DATE"), "last day, included (default today)")(
      "csv", "CSV instead of a table");
  po::variables_map vm;
  if (!ParseAdmin(args, desc, nullptr, kUsage, a, vm)) return kExitOk;
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const auto first = since.empty() ? today - std::chrono::days(30) : ParseDay(since, "--since");
  const auto last = until.empty() ? today : ParseDay(until, "--until");
  if (last < first) throw UsageError("--until is before --since");
  return Send(a, "report",
              {std::to_string(Millis(first)), std::to_string(Millis(last + std::chrono::days(1))),
               vm.count("csv") ? "csv" : "text"});
}

}  // namespace floatlm::cli
