// libfloatlm's locking, checked by clang's thread-safety analysis: each source of
// client-lib/src compiles with -Wthread-safety -Werror, so a member marked GUARDED_BY
// touched without its mutex, or a REQUIRES function called without it, fails here
// with the compiler's file:line. Two small programs show the check is live: one reads
// a guarded member unlocked and must be refused, the same under a MutexLock must pass.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon_fixture.h"

namespace fs = std::filesystem;
using floatlm::testing::RunCommand;

namespace {

const std::string kClang = FLOATLM_CLANGXX;

// The compiler's arguments for one client-lib source: C++20, the library's include
// directories and definitions (written by CMake), the analysis as errors.
std::vector<std::string> ClangArgs(const fs::path& source) {
  std::vector<std::string> args = {kClang,
                                   "-std=c++20",
                                   "-fsyntax-only",
                                   "-Werror",
                                   "-Wthread-safety",
                                   "-Wthread-safety-beta",
                                   "-Wno-unknown-warning-option"};
  std::ifstream flags(FLOATLM_CLIENT_TSA_FLAGS);
  BOOST_REQUIRE_MESSAGE(flags, "cannot read " FLOATLM_CLIENT_TSA_FLAGS);
  for (std::string line; std::getline(flags, line);) {
    if (line.size() > 2) args.push_back(line);  // "-I" or "-D" alone: an empty list
  }
  args.push_back("-I" FLOATLM_CLIENT_SRC_DIR);
  args.push_back(source.string());
  return args;
}

void RequireClang() {
  BOOST_REQUIRE_MESSAGE(
      !kClang.empty() && kClang.find("NOTFOUND") == std::string::npos && fs::exists(kClang),
      "clang++ was not found when the build was configured (scripts/test "
      "installs Debian's clang; then configure again)");
}

struct Compiled {
  int rc;
  std::string output;
};

Compiled Compile(const fs::path& source) {
  Compiled c{0, {}};
  c.rc = RunCommand(ClangArgs(source), &c.output);
  return c;
}

fs::path WriteProgram(const std::string& name, const std::string& body) {
  const fs::path dir = fs::temp_directory_path() / ("floatlm-tsa-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path) << "#include \"mutex.h\"\n"
                         "using floatlm::client::Mutex;\n"
                         "using floatlm::client::MutexLock;\n"
                      << body;
  return path;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(client_thread_safety)

BOOST_AUTO_TEST_CASE(every_client_library_source_passes_the_analysis) {
  RequireClang();
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(FLOATLM_CLIENT_SRC_DIR)) {
    if (entry.path().extension() != ".cc") continue;
    const Compiled c = Compile(entry.path());
    BOOST_CHECK_MESSAGE(c.rc == 0, entry.path().filename().string() << ":\n" << c.output);
    ++checked;
  }
  // client.cc and c_api.cc at least: the ones that take the locks.
  BOOST_CHECK_GE(checked, 2);
  BOOST_TEST_MESSAGE(checked << " sources of client-lib/src checked");
}

BOOST_AUTO_TEST_CASE(an_unguarded_read_is_refused_and_a_guarded_one_passes) {
  RequireClang();
  const std::string unlocked = "  void Unlocked() { ++n; }\n";
  const std::string type =
      "struct Counter {\n"
      "  Mutex mu;\n"
      "  int n GUARDED_BY(mu) = 0;\n" +
      unlocked +
      "  void Locked() { MutexLock lk(mu); ++n; lk.Unlock(); lk.Lock(); ++n; }\n"
      "  void Helper() REQUIRES(mu) { ++n; }\n"
      "  void CallsHelper() { MutexLock lk(mu); Helper(); }\n"
      "};\n";
  const Compiled bad = Compile(WriteProgram("bad.cc", type));
  BOOST_CHECK_NE(bad.rc, 0);
  BOOST_CHECK_MESSAGE(bad.output.find("requires holding mutex 'mu'") != std::string::npos,
                      bad.output);
  BOOST_CHECK_MESSAGE(bad.output.find("bad.cc:7:") != std::string::npos, bad.output);

  std::string good = type;
  good.erase(good.find(unlocked), unlocked.size());
  const Compiled ok = Compile(WriteProgram("good.cc", good));
  BOOST_CHECK_MESSAGE(ok.rc == 0, ok.output);

  const Compiled after_unlock =
      Compile(WriteProgram("after_unlock.cc",
                           "struct C { Mutex mu; int n GUARDED_BY(mu) = 0;\n"
                           "  void F() { MutexLock lk(mu); lk.Unlock(); ++n; } };\n"));
  BOOST_CHECK_NE(after_unlock.rc, 0);
  BOOST_CHECK_MESSAGE(after_unlock.output.find("requires holding mutex") != std::string::npos,
                      after_unlock.output);
  fs::remove_all(fs::temp_directory_path() / ("floatlm-tsa-" + std::to_string(::getpid())));
}

BOOST_AUTO_TEST_SUITE_END()
