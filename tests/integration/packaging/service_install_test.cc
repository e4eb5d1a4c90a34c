// `cmake --install` into a scratch prefix: every file lands where docs/service.md says,
// the service files are rewritten for that prefix, and a vendor's project builds and
// runs against the installed library, found with find_package and with pkg-config.
// Everything happens under the build tree; the machine is not touched.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "command.h"

namespace fs = std::filesystem;
using floatlm::service_test::Exists;
using floatlm::service_test::Quote;
using floatlm::service_test::ReadFile;
using floatlm::service_test::Run;
using floatlm::service_test::ScratchDir;

namespace {

const fs::path kSource = FLOATLM_SOURCE_DIR;
const std::string kLibDir = FLOATLM_INSTALL_LIBDIR;

// One install per test run, shared by the cases below.
struct Installed {
  ScratchDir dir{"install"};
  fs::path prefix = dir.path() / "prefix";
  int exit_code = -1;
  std::string output;
};

const Installed& Install() {
  static const std::unique_ptr<Installed> installed = [] {
    auto i = std::make_unique<Installed>();
    const auto r = Run(Quote(FLOATLM_CMAKE_COMMAND) + " --install " + Quote(FLOATLM_BUILD_DIR) +
                           " --prefix " + Quote(i->prefix.string()),
                       180);
    i->exit_code = r.exit_code;
    i->output = r.output;
    return i;
  }();
  BOOST_REQUIRE_MESSAGE(installed->exit_code == 0, "cmake --install failed:\n"
                                                       << installed->output);
  return *installed;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(service_install)

BOOST_AUTO_TEST_CASE(every_file_lands_in_its_place_under_the_prefix) {
  const fs::path p = Install().prefix;
  const std::vector<std::string> expected = {
      "bin/floatlmd",
      "bin/floatlm",
      "bin/floatlm-vendor",
      kLibDir + "/libfloatlm.so." FLOATLM_VERSION,
      kLibDir + "/libfloatlm.so.0",
      kLibDir + "/libfloatlm.so",
      kLibDir + "/libfloatlm.a",
      kLibDir + "/pkgconfig/floatlm.pc",
      kLibDir + "/cmake/floatlm/floatlmConfig.cmake",
      kLibDir + "/cmake/floatlm/floatlmConfigVersion.cmake",
      kLibDir + "/cmake/floatlm/floatlmTargets.cmake",
      "include/floatlm/floatlm.h",
      "include/floatlm/floatlm.hpp",
      "lib/systemd/system/floatlmd.service",
      "lib/systemd/system/floatlm-backup.service",
      "lib/systemd/system/floatlm-backup.timer",
      "lib/sysusers.d/floatlm.conf",
      "lib/tmpfiles.d/floatlm.conf",
      "etc/floatlm/floatlmd.conf",
      "etc/floatlm/licenses",
      "etc/floatlm/vendor-keys",
      "share/doc/floatlm/service.md",
  };
  for (const auto& rel : expected) BOOST_TEST(Exists(p / rel), "missing: " << p / rel);
  // libfloatlm.a is self-contained: no archive of floatlm's own beside it.
  for (const auto& entry : fs::directory_iterator(p / kLibDir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".a")) BOOST_TEST(name == "libfloatlm.a", "also installed: " << name);
  }

  const auto version = Run(Quote((p / "bin/floatlmd").string()) + " --version", 30);
  BOOST_TEST(version.exit_code == 0);
  BOOST_TEST(version.output.find("floatlmd " FLOATLM_VERSION) != std::string::npos, version.output);
}

// Outside prefix /usr, the unit must start the daemon and read the config of this
// install, not of a packaged one; the pkg-config file must point here too.
BOOST_AUTO_TEST_CASE(service_files_and_pkg_config_name_the_prefix_in_use) {
  const fs::path p = Install().prefix;
  const std::string unit = ReadFile(p / "lib/systemd/system/floatlmd.service");
  const std::string exec = "ExecStart=" + (p / "bin/floatlmd").string() + " --config " +
                           (p / "etc/floatlm/floatlmd.conf").string() + "\n";
  BOOST_TEST(unit.find(exec) != std::string::npos, "want " << exec << "in:\n" << unit);
  BOOST_TEST(unit.find("/usr/bin/floatlmd") == std::string::npos);
  const std::string backup = ReadFile(p / "lib/systemd/system/floatlm-backup.service");
  BOOST_TEST(backup.find("ExecStart=" + (p / "bin/floatlm").string() + " backup\n") !=
                 std::string::npos,
             backup);

  const std::string tmpfiles = ReadFile(p / "lib/tmpfiles.d/floatlm.conf");
  BOOST_TEST(tmpfiles.find("d " + (p / "etc/floatlm/licenses").string()) != std::string::npos,
             tmpfiles);
  const std::string config = ReadFile(p / "etc/floatlm/floatlmd.conf");
  BOOST_TEST(config.find((p / "etc/floatlm/vendor-keys").string()) != std::string::npos);
  const std::string pc = ReadFile(p / kLibDir / "pkgconfig/floatlm.pc");
  BOOST_TEST(pc.find("prefix=" + p.string() + "\n") != std::string::npos, pc);

  // With its binary really present, the installed unit verifies cleanly as it is.
  if (Run("command -v systemd-analyze", 10).exit_code == 0) {
    const auto r = Run("systemd-analyze verify --man=no " +
                           Quote((p / "lib/systemd/system/floatlmd.service").string()),
                       60);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.output.empty(), r.output);
  }
}

// Before any install: the build tree's package (floatlm-build/) serves the same vendor
// project, with find_package and with pkg-config.
BOOST_AUTO_TEST_CASE(vendor_project_builds_against_the_build_tree_before_install) {
  const fs::path package = fs::path(FLOATLM_BUILD_DIR) / "floatlm-build";
  ScratchDir dir("vendor-build-tree");
  const fs::path build = dir.path() / "build";
  auto r = Run(Quote(FLOATLM_CMAKE_COMMAND) + " -S " +
                   Quote((kSource / "tests/integration/packaging/vendor_project").string()) + " -B " +
                   Quote(build.string()) + " -G " + Quote(FLOATLM_CMAKE_GENERATOR) +
                   " -DCMAKE_CXX_COMPILER=" + Quote(FLOATLM_CXX_COMPILER) +
                   " -Dfloatlm_DIR=" + Quote(package.string()) +
                   " -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON" +
                   " -DCMAKE_EXE_LINKER_FLAGS=" + Quote(FLOATLM_TEST_VENDOR_LINK_FLAGS) + " && " +
                   Quote(FLOATLM_CMAKE_COMMAND) + " --build " + Quote(build.string()),
               400);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  for (const char* app : {"vendor_app", "vendor_app_static"}) {
    r = Run(Quote((build / app).string()), 30);
    BOOST_TEST(r.exit_code == 0, app << ":\n" << r.output);
    BOOST_TEST(r.output.find("libfloatlm " FLOATLM_VERSION) != std::string::npos, r.output);
  }
  const fs::path pc_app = dir.path() / "pc_app";
  r = Run("PKG_CONFIG_PATH=" + Quote(package.string()) + " " + Quote(FLOATLM_CXX_COMPILER) +
              " -std=c++17 " + FLOATLM_TEST_VENDOR_LINK_FLAGS + " -o " + Quote(pc_app.string()) +
              " " + Quote((kSource / "tests/integration/packaging/vendor_project/main.cc").string()) +
              " $(PKG_CONFIG_PATH=" + Quote(package.string()) +
              " pkg-config --cflags --libs floatlm) && " + Quote(pc_app.string()),
          180);
  BOOST_TEST(r.exit_code == 0, r.output);
  // Static: the one archive and what floatlm.pc names beside it.
  r = Run(Quote(FLOATLM_CXX_COMPILER) + " -std=c++17 " + FLOATLM_TEST_VENDOR_LINK_FLAGS + " -o " +
              Quote((dir.path() / "static_app").string()) + " " +
              Quote((kSource / "tests/integration/packaging/vendor_project/main.cc").string()) + " -I" +
              Quote((kSource / "client-lib/include").string()) + " " +
              Quote((fs::path(FLOATLM_BUILD_DIR) / "lib/libfloatlm.a").string()) +
              " -lfmt -lssl -lcrypto -pthread && " + Quote((dir.path() / "static_app").string()),
          180);
  BOOST_TEST(r.exit_code == 0, r.output);
}

// tests/integration/packaging/vendor_project is what a vendor writes: find_package(floatlm) and
// floatlm::client (and floatlm::client_static, which needs floatlm::proto exported).
BOOST_AUTO_TEST_CASE(vendor_project_builds_with_find_package_and_runs) {
  const fs::path p = Install().prefix;
  ScratchDir dir("vendor-cmake");
  const fs::path build = dir.path() / "build";
  auto r = Run(Quote(FLOATLM_CMAKE_COMMAND) + " -S " +
                   Quote((kSource / "tests/integration/packaging/vendor_project").string()) + " -B " +
                   Quote(build.string()) + " -G " + Quote(FLOATLM_CMAKE_GENERATOR) +
                   " -DCMAKE_CXX_COMPILER=" + Quote(FLOATLM_CXX_COMPILER) +
                   " -DCMAKE_PREFIX_PATH=" + Quote(p.string()) +
                   " -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON" +
                   " -DCMAKE_EXE_LINKER_FLAGS=" + Quote(FLOATLM_TEST_VENDOR_LINK_FLAGS),
               120);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const std::string cache = ReadFile(build / "CMakeCache.txt");
  BOOST_TEST(cache.find("floatlm_DIR:PATH=" + (p / kLibDir / "cmake/floatlm").string()) !=
                 std::string::npos,
             "find_package did not use the installed package");

  r = Run(Quote(FLOATLM_CMAKE_COMMAND) + " --build " + Quote(build.string()), 300);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  for (const char* app : {"vendor_app", "vendor_app_static"}) {
    r = Run(Quote((build / app).string()), 30);
    BOOST_TEST(r.exit_code == 0, app << ":\n" << r.output);
    BOOST_TEST(r.output.find("libfloatlm " FLOATLM_VERSION) != std::string::npos, r.output);
  }
  // The shared build really loads the installed library.
  r = Run("ldd " + Quote((build / "vendor_app").string()), 30);
  BOOST_TEST(r.output.find((p / kLibDir / "libfloatlm.so.0").string()) != std::string::npos,
             r.output);
}

BOOST_AUTO_TEST_CASE(vendor_program_builds_with_pkg_config_and_runs) {
  const fs::path p = Install().prefix;
  if (Run("command -v pkg-config", 10).exit_code != 0) {
    BOOST_TEST_MESSAGE("pkg-config is missing; skipped");
    return;
  }
  ScratchDir dir("vendor-pc");
  const fs::path app = dir.path() / "vendor_app";
  const std::string env = "PKG_CONFIG_PATH=" + Quote((p / kLibDir / "pkgconfig").string()) + " ";
  auto r = Run(env + "pkg-config --modversion floatlm", 30);
  BOOST_TEST(r.output == FLOATLM_VERSION "\n", r.output);
  r = Run(Quote(FLOATLM_CXX_COMPILER) + " -std=c++17 " + FLOATLM_TEST_VENDOR_LINK_FLAGS + " -o " +
              Quote(app.string()) + " " +
              Quote((kSource / "tests/integration/packaging/vendor_project/main.cc").string()) + " $(" + env +
              "pkg-config --cflags --libs floatlm)",
          180);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  r = Run("LD_LIBRARY_PATH=" + Quote((p / kLibDir).string()) + " " + Quote(app.string()), 30);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(r.output.find("libfloatlm " FLOATLM_VERSION) != std::string::npos, r.output);
}

BOOST_AUTO_TEST_SUITE_END()
