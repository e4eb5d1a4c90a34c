// The daemon's folders are its libraries, and their includes only run downwards: the
// Asio shell (server/) sits on the service library, which sits on the engine, the
// renderers and the store; nothing below server/ sees Asio or reads the clock. The
// test reads the sources, so a new include that breaks a layer fails here, naming the
// file and line, and it prints the folder-to-folder include graph it found.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kDaemon = fs::path(FLOATLM_SOURCE_DIR) / "daemon";

// What each folder may include besides itself. "floatlm" is the public headers of proto
// and licenses; main.cc, the program, may include anything.
const std::map<std::string, std::set<std::string>> kMayInclude = {
    {"log", {}},
    {"notify", {}},
    {"token", {"floatlm"}},
    {"options", {"floatlm"}},
    {"store", {"token", "floatlm"}},
    {"engine", {"options", "token", "floatlm"}},
    {"config", {"log", "store", "floatlm"}},
    {"render", {"engine", "store", "floatlm"}},
    {"service", {"config", "engine", "log", "options", "render", "store", "token", "floatlm"}},
    {"asio", {}},
    {"server", {"asio", "config", "engine", "log", "notify", "service", "store", "floatlm"}},
};

// Folders that must stay Asio-free and read no clock: their time comes in as `now`.
const std::set<std::string> kPure = {"engine", "service", "render", "store", "options", "token"};

// A read of the clock: std::chrono's clocks (and aliases of them), time(), gettimeofday,
// clock_gettime.
constexpr const char* kClockRead =
    R"re(\b(system_clock|steady_clock|high_resolution_clock|clock)::now\s*\(|\b(time|gettimeofday|clock_gettime)\s*\(\s*(nullptr|NULL|0|&|CLOCK_))re";

std::vector<std::string> Lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<fs::path> Sources(const std::string& folder) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(kDaemon / folder)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".cc" || ext == ".h")) out.push_back(entry.path());
  }
  return out;
}

std::string Where(const fs::path& file, int line) {
  return fs::relative(file, FLOATLM_SOURCE_DIR).string() + ":" + std::to_string(line);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(layers)

BOOST_AUTO_TEST_CASE(every_folder_of_the_daemon_has_a_rule) {
  for (const auto& entry : fs::directory_iterator(kDaemon)) {
    if (!entry.is_directory()) continue;
    const std::string folder = entry.path().filename().string();
    BOOST_TEST(kMayInclude.count(folder) == 1u,
               "daemon/" << folder << " is a folder without a layering rule in this test");
  }
}

BOOST_AUTO_TEST_CASE(includes_run_downwards_only) {
  const std::regex quoted(R"re(^\s*#\s*include\s+"([^"/]+)/)re");
  std::map<std::string, std::map<std::string, int>> graph;
  for (const auto& [folder, allowed] : kMayInclude) {
    for (const auto& file : Sources(folder)) {
      const auto lines = Lines(file);
      for (std::size_t i = 0; i < lines.size(); ++i) {
        std::smatch m;
        if (!std::regex_search(lines[i], m, quoted)) continue;
        const std::string target = m[1];
        if (target == folder) continue;
        ++graph[folder][target];
        BOOST_TEST(allowed.count(target) == 1u, Where(file, static_cast<int>(i + 1))
                                                    << ": daemon/" << folder << " may not include "
                                                    << target << "/ (" << lines[i] << ")");
      }
    }
  }
  std::string text = "include graph (folder -> folder: includes):\n";
  for (const auto& [from, tos] : graph) {
    for (const auto& [to, n] : tos)
      text += "  " + from + " -> " + to + ": " + std::to_string(n) + "\n";
  }
  BOOST_TEST_MESSAGE(text);
}

BOOST_AUTO_TEST_CASE(only_the_shell_sees_asio_or_reads_the_clock) {
  const std::regex asio(R"re(#\s*include\s+[<"](boost/asio|asio/))re");
  const std::regex clock(kClockRead);
  for (const auto& folder : kPure) {
    for (const auto& file : Sources(folder)) {
      const auto lines = Lines(file);
      for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto where = Where(file, static_cast<int>(i + 1));
        BOOST_TEST(!std::regex_search(lines[i], asio), where << ": Asio below the shell");
        BOOST_TEST(!std::regex_search(lines[i], clock),
                   where << ": a clock read below the shell (pass `now` in): " << lines[i]);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_rules_catch_what_they_are_for) {
  // The patterns themselves, on lines they must and must not match.
  const std::regex clock(kClockRead);
  BOOST_TEST(std::regex_search("  auto t = std::chrono::system_clock::now();", clock));
  BOOST_TEST(std::regex_search("last_ = MonoTime::clock::now();", clock));
  BOOST_TEST(std::regex_search("const std::time_t t = time(nullptr);", clock));
  BOOST_TEST(!std::regex_search("const auto& now = request.now;", clock));
  BOOST_TEST(!std::regex_search("// the time (a clock read) is now.mono", clock));
}

BOOST_AUTO_TEST_SUITE_END()
