// The .deb packages, built with cpack from this build tree into a scratch directory.
//
// Building and inspecting them (dpkg-deb) touches nothing outside the build tree and
// always runs. Installing, removing and purging them changes the machine: packages,
// the floatlm user and groups, /etc/floatlm, /var/lib/floatlm. That case runs only
// as root, only when FLOATLM_PACKAGE_TESTS=1 or CI is set (a throwaway machine), and
// never when a floatlm package is already installed; afterwards it purges what it
// installed and deletes the accounts it caused to be created.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>
#include <sstream>
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
const std::string kLibDir = std::string("/usr/") + FLOATLM_INSTALL_LIBDIR;
const std::string kPackages = "floatlm libfloatlm0 libfloatlm-dev";

struct Debs {
  ScratchDir dir{"debs"};
  fs::path daemon, runtime, dev;
  int exit_code = -1;
  std::string output;
};

// cpack once per run; the .debs land in a scratch directory, not the build tree.
const Debs& BuildDebs() {
  static const std::unique_ptr<Debs> debs = [] {
    auto d = std::make_unique<Debs>();
    const auto r = Run(Quote(FLOATLM_CPACK_COMMAND) + " -G DEB --config " +
                           Quote(std::string(FLOATLM_BUILD_DIR) + "/CPackConfig.cmake") + " -B " +
                           Quote(d->dir.path().string()),
                       300);
    d->exit_code = r.exit_code;
    d->output = r.output;
    for (const auto& e : fs::directory_iterator(d->dir.path())) {
      const std::string name = e.path().filename().string();
      if (e.path().extension() != ".deb") continue;
      if (name.rfind("floatlm_", 0) == 0) d->daemon = e.path();
      if (name.rfind("libfloatlm0_", 0) == 0) d->runtime = e.path();
      if (name.rfind("libfloatlm-dev_", 0) == 0) d->dev = e.path();
    }
    return d;
  }();
  BOOST_REQUIRE_MESSAGE(debs->exit_code == 0, "cpack failed:\n" << debs->output);
  BOOST_REQUIRE_MESSAGE(!debs->daemon.empty() && !debs->runtime.empty() && !debs->dev.empty(),
                        "cpack did not make all three packages:\n"
                            << debs->output);
  return *debs;
}

// The paths a .deb contains, as absolute paths ("./usr/bin/x" -> "/usr/bin/x"),
// directories with a trailing slash.
std::vector<std::string> Contents(const fs::path& deb) {
  const auto r = Run("dpkg-deb -c " + Quote(deb.string()), 60);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  std::vector<std::string> paths;
  std::istringstream in(r.output);
  static const std::regex line(R"(^\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+\.(/\S*)(?: -> .*)?$)");
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_match(l, m, line) && m[1].str() != "/") paths.push_back(m[1].str());
  }
  return paths;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Field(const fs::path& deb, const std::string& field) {
  return Run("dpkg-deb -f " + Quote(deb.string()) + " " + field, 30).output;
}

bool ToolPresent(const std::string& tool) {
  return Run("command -v " + Quote(tool), 10).exit_code == 0;
}

boost::test_tools::assertion_result DpkgPresent(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(ToolPresent("dpkg-deb") && ToolPresent("dpkg-shlibdeps") &&
                                        ToolPresent("file"));
  r.message() << "dpkg-deb, dpkg-shlibdeps or file is missing (Debian packages dpkg-dev, file)";
  return r;
}

boost::test_tools::assertion_result MayChangeThisMachine(boost::unit_test::test_unit_id) {
  const char* opt_in = std::getenv("FLOATLM_PACKAGE_TESTS");
  const char* ci = std::getenv("CI");
  const bool asked = (opt_in != nullptr && std::string(opt_in) == "1") || (ci != nullptr && *ci);
  if (geteuid() != 0 || !asked) {
    boost::test_tools::assertion_result r(false);
    r.message() << "installs packages on this machine: runs only as root with "
                   "FLOATLM_PACKAGE_TESTS=1 or CI set";
    return r;
  }
  const auto installed =
      Run("dpkg-query -W -f='${Package} ${Status}\\n' " + kPackages + " 2>/dev/null", 30);
  const bool clean = installed.output.find(" installed") == std::string::npos &&
                     installed.output.find("config-files") == std::string::npos;
  boost::test_tools::assertion_result r(clean);
  r.message() << "a floatlm package is already on this machine; not touching it:\n"
              << installed.output;
  return r;
}

bool AccountExists(const std::string& db, const std::string& name) {
  return Run("getent " + db + " " + Quote(name), 10).exit_code == 0;
}

// Purges whatever the test installed and deletes the accounts that did not exist
// before it, even when a check fails half-way.
class MachineRestorer {
 public:
  MachineRestorer()
      : had_user_(AccountExists("passwd", "floatlm")),
        had_group_(AccountExists("group", "floatlm")),
        had_admin_group_(AccountExists("group", "floatlm-admin")) {}
  ~MachineRestorer() {
    Run("for p in " + kPackages +
            "; do dpkg-query -W \"$p\" >/dev/null 2>&1 && dpkg -P \"$p\"; done",
        120);
    if (!had_user_) Run("userdel floatlm", 30);
    if (!had_group_) Run("getent group floatlm >/dev/null && groupdel floatlm", 30);
    if (!had_admin_group_) Run("groupdel floatlm-admin", 30);
  }
  MachineRestorer(const MachineRestorer&) = delete;
  MachineRestorer& operator=(const MachineRestorer&) = delete;

 private:
  bool had_user_, had_group_, had_admin_group_;
};

struct Stat {
  bool ok = false;
  unsigned mode = 0;
  std::string owner;
};

Stat StatOf(const std::string& path) {
  const auto r = Run("stat -c '%a %U' " + Quote(path), 10);
  Stat s;
  std::istringstream in(r.output);
  s.ok = r.exit_code == 0 && static_cast<bool>(in >> std::oct >> s.mode >> s.owner);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(service_package, *boost::unit_test::precondition(DpkgPresent))

BOOST_AUTO_TEST_CASE(each_package_holds_its_own_files) {
  const Debs& debs = BuildDebs();
  const auto daemon = Contents(debs.daemon);
  for (const char* path :
       {"/usr/bin/floatlmd", "/usr/bin/floatlm", "/usr/bin/floatlm-vendor",
        "/usr/lib/systemd/system/floatlmd.service", "/usr/lib/systemd/system/floatlm-backup.service",
        "/usr/lib/systemd/system/floatlm-backup.timer", "/usr/lib/sysusers.d/floatlm.conf",
        "/usr/lib/tmpfiles.d/floatlm.conf", "/etc/floatlm/floatlmd.conf", "/etc/floatlm/licenses/",
        "/etc/floatlm/vendor-keys/", "/usr/share/doc/floatlm/service.md"}) {
    BOOST_TEST(Has(daemon, path), "floatlm lacks " << path);
  }
  for (const auto& p : daemon) {
    BOOST_TEST(p.find("/include/") == std::string::npos, "floatlm ships " << p);
    BOOST_TEST(p.find("libfloatlm") == std::string::npos, "floatlm ships " << p);
    BOOST_TEST(p.rfind("/usr/local", 0) != 0, "floatlm ships " << p);
  }

  const auto runtime = Contents(debs.runtime);
  BOOST_TEST(Has(runtime, kLibDir + "/libfloatlm.so." FLOATLM_VERSION));
  BOOST_TEST(Has(runtime, kLibDir + "/libfloatlm.so.0"));
  BOOST_TEST(!Has(runtime, kLibDir + "/libfloatlm.so"));

  const auto dev = Contents(debs.dev);
  for (const std::string& path :
       {kLibDir + "/libfloatlm.so", kLibDir + "/libfloatlm.a",
        kLibDir + "/pkgconfig/floatlm.pc", kLibDir + "/cmake/floatlm/floatlmConfig.cmake",
        kLibDir + "/cmake/floatlm/floatlmConfigVersion.cmake",
        kLibDir + "/cmake/floatlm/floatlmTargets.cmake",
        std::string("/usr/include/floatlm/floatlm.h"),
        std::string("/usr/include/floatlm/floatlm.hpp")}) {
    BOOST_TEST(Has(dev, path), "libfloatlm-dev lacks " << path);
  }
}

BOOST_AUTO_TEST_CASE(control_data_declares_dependencies_conffile_and_scripts) {
  const Debs& debs = BuildDebs();
  const std::string depends = Field(debs.daemon, "Depends");
  // dpkg-shlibdeps found the libraries floatlmd links; the scripts' tools are named.
  BOOST_TEST(depends.find("libc6") != std::string::npos, depends);
  BOOST_TEST(depends.find("libstdc++6") != std::string::npos, depends);
  BOOST_TEST(depends.find("systemd | adduser") != std::string::npos, depends);
  BOOST_TEST(
      Field(debs.dev, "Depends").find("libfloatlm0 (= " FLOATLM_VERSION) != std::string::npos,
      Field(debs.dev, "Depends"));

  ScratchDir control("control");
  auto r =
      Run("dpkg-deb -e " + Quote(debs.daemon.string()) + " " + Quote(control.path().string()), 30);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  BOOST_TEST(ReadFile(control.path() / "conffiles") == "/etc/floatlm/floatlmd.conf\n");
  const std::string postinst = ReadFile(control.path() / "postinst");
  // The admin enables and starts the service; the package never does.
  BOOST_TEST(!std::regex_search(postinst, std::regex(R"(systemctl\s+(enable|start|restart)\b)")));
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    struct stat st {};
    BOOST_TEST(::stat((control.path() / script).c_str(), &st) == 0, script);
    BOOST_TEST((st.st_mode & 0777) == 0755u, script << " mode " << std::oct << (st.st_mode & 0777));
    r = Run("sh -n " + Quote((control.path() / script).string()), 10);
    BOOST_TEST(r.exit_code == 0, script << ": " << r.output);
  }

  r = Run(
      "dpkg-deb -e " + Quote(debs.runtime.string()) + " " + Quote((control.path() / "rt").string()),
      30);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  BOOST_TEST(ReadFile(control.path() / "rt/shlibs").find("libfloatlm 0 libfloatlm0") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(install_remove_and_purge_leave_the_machine_clean,
                     *boost::unit_test::precondition(MayChangeThisMachine)) {
  const Debs& debs = BuildDebs();
  MachineRestorer restore;
  const auto files_of = [](const fs::path& deb) {
    std::vector<std::string> files;
    for (const auto& p : Contents(deb)) {
      if (p.back() != '/') files.push_back(p);
    }
    return files;
  };

  // Install: accounts and directories exist, the daemon runs, the service stays off.
  auto r = Run("DEBIAN_FRONTEND=noninteractive dpkg -i " + Quote(debs.daemon.string()), 180);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const auto user = Run("getent passwd floatlm", 10);
  BOOST_TEST(user.exit_code == 0);
  BOOST_TEST(user.output.find(":/var/lib/floatlm:") != std::string::npos, user.output);
  BOOST_TEST(user.output.find("nologin") != std::string::npos, user.output);
  BOOST_TEST(AccountExists("group", "floatlm"));
  BOOST_TEST(AccountExists("group", "floatlm-admin"));
  const Stat state = StatOf("/var/lib/floatlm");
  BOOST_TEST((state.ok && state.mode == 0750u && state.owner == "floatlm"),
             "/var/lib/floatlm: " << std::oct << state.mode << " " << state.owner);
  BOOST_TEST(StatOf("/etc/floatlm/licenses").ok);
  r = Run("/usr/bin/floatlmd --version", 30);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.output.find("floatlmd " FLOATLM_VERSION) != std::string::npos, r.output);
  BOOST_TEST(!Exists("/etc/systemd/system/multi-user.target.wants/floatlmd.service"),
             "the package enabled the service");
  BOOST_TEST(!Exists("/etc/systemd/system/timers.target.wants/floatlm-backup.timer"),
             "the package enabled the backup timer");
  if (ToolPresent("systemd-analyze")) {
    r = Run("systemd-analyze verify --man=no /usr/lib/systemd/system/floatlmd.service "
            "/usr/lib/systemd/system/floatlm-backup.service "
            "/usr/lib/systemd/system/floatlm-backup.timer",
            60);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.output.empty(), r.output);
  }

  // The library packages: a vendor project builds against /usr with no hints.
  r = Run("DEBIAN_FRONTEND=noninteractive dpkg -i " + Quote(debs.runtime.string()) + " " +
              Quote(debs.dev.string()),
          180);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  {
    ScratchDir vendor("vendor-deb");
    const fs::path build = vendor.path() / "build";
    r = Run(Quote(FLOATLM_CMAKE_COMMAND) + " -S " +
                Quote((kSource / "tests/integration/packaging/vendor_project").string()) + " -B " +
                Quote(build.string()) + " -G " + Quote(FLOATLM_CMAKE_GENERATOR) +
                " -DCMAKE_CXX_COMPILER=" + Quote(FLOATLM_CXX_COMPILER) +
                " -DCMAKE_EXE_LINKER_FLAGS=" + Quote(FLOATLM_TEST_VENDOR_LINK_FLAGS) + " && " +
                Quote(FLOATLM_CMAKE_COMMAND) + " --build " + Quote(build.string()) + " && " +
                Quote((build / "vendor_app").string()),
            400);
    BOOST_TEST(r.exit_code == 0, r.output);
    r = Run(
        Quote(FLOATLM_CXX_COMPILER) + " -std=c++17 " + FLOATLM_TEST_VENDOR_LINK_FLAGS + " -o " +
            Quote((vendor.path() / "pc").string()) +
            " " + Quote((kSource / "tests/integration/packaging/vendor_project/main.cc").string()) +
            " $(pkg-config --cflags --libs floatlm) && " + Quote((vendor.path() / "pc").string()),
        180);
    BOOST_TEST(r.exit_code == 0, r.output);
  }
  r = Run("dpkg -P libfloatlm-dev libfloatlm0", 120);
  BOOST_TEST(r.exit_code == 0, r.output);
  for (const auto& deb : {debs.runtime, debs.dev}) {
    for (const auto& f : files_of(deb)) BOOST_TEST(!Exists(f), f << " left behind");
  }

  // Remove: programs go; the config, its directory and the lease store stay.
  r = Run("dpkg -r floatlm", 120);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(!Exists("/usr/bin/floatlmd"));
  BOOST_TEST(!Exists("/usr/lib/systemd/system/floatlmd.service"));
  BOOST_TEST(Exists("/etc/floatlm/floatlmd.conf"), "remove must keep the conffile");
  BOOST_TEST(Exists("/var/lib/floatlm"), "remove must keep the lease store");
  BOOST_TEST(Run("dpkg-query -W -f='${Status}' floatlm", 30).output == "deinstall ok config-files");

  // Purge: nothing of the package is left; the user stays, as Debian advises.
  r = Run("dpkg -P floatlm", 120);
  BOOST_TEST(r.exit_code == 0, r.output);
  for (const auto& f : files_of(debs.daemon)) BOOST_TEST(!Exists(f), f << " left behind");
  BOOST_TEST(!Exists("/etc/floatlm"));
  BOOST_TEST(!Exists("/var/lib/floatlm"));
  BOOST_TEST(Run("dpkg-query -W floatlm", 30).exit_code != 0, "dpkg still knows floatlm");
  BOOST_TEST(AccountExists("passwd", "floatlm"), "purge is not meant to delete the user");
}

BOOST_AUTO_TEST_SUITE_END()
