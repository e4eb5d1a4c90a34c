# Debian packages, built with `cpack -G DEB` in the build tree. Include after
# cmake/install.cmake, which defines the three install components:
#
#   floatlm          daemon, CLI, vendor tool, systemd unit, sysusers/tmpfiles, config
#   libfloatlm<N>    the shared client library, for applications that link it
#   libfloatlm-dev   headers, libfloatlm.so, static libraries, pkg-config, CMake config
#
# The shared library has its own runtime package so that an application's package
# can depend on it without pulling in headers, and so that libfloatlm-dev can be
# removed on a machine that only runs applications.
set(FLOATLM_PACKAGE_MAINTAINER "floatlm maintainers <floatlm@localhost>"
  CACHE STRING "Maintainer field of the .deb packages")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME floatlm)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${FLOATLM_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${FLOATLM_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)

# Install with the real prefix /usr under a staging DESTDIR: the service files and
# the config choose /etc and /usr/lib/systemd/system from CMAKE_INSTALL_PREFIX at
# install time (cmake/install_rewritten.cmake), which must therefore read /usr, not
# the staging directory.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# /etc/floatlm/... is absolute by design; that is what DESTDIR staging is for.
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)

# Debian ships stripped binaries; RelWithDebInfo would otherwise put ~50 MB of debug
# info into the floatlm package.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL daemon runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(_floatlm_soname_major ${PROJECT_VERSION_MAJOR})

# floatlm: the service.
set(CPACK_DEBIAN_DAEMON_PACKAGE_NAME floatlm)
set(CPACK_DEBIAN_DAEMON_PACKAGE_SECTION net)
# The maintainer scripts create the accounts with systemd-sysusers, or with adduser
# where systemd is absent (a container, another init).
set(CPACK_DEBIAN_DAEMON_PACKAGE_DEPENDS "systemd | adduser")
set(CPACK_DEBIAN_DAEMON_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
  ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
  ${CMAKE_CURRENT_LIST_DIR}/debian/postrm
  ${CMAKE_CURRENT_LIST_DIR}/debian/conffiles)
# Component descriptions: the first line is the Debian synopsis, the rest the long
# description (CPack indents it).
set(CPACK_COMPONENT_DAEMON_DESCRIPTION
  "floatlm network license manager: server, admin CLI and vendor tool
floatlm hands out floating license seats over the network: a vendor signs license
files with floatlm-vendor, a site runs floatlmd as a systemd service, and
applications check seats out through libfloatlm. The floatlm command shows and
manages seats. The service is installed disabled: enable it with
'systemctl enable --now floatlmd' once a license is in /etc/floatlm/licenses.")

# libfloatlmN: the shared library. GENERATE_SHLIBS writes its shlibs file, so
# packages linking it get a correct Depends from dpkg-shlibdeps; CPack adds the
# ldconfig calls to its maintainer scripts.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libfloatlm${_floatlm_soname_major})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
# (CPack has only the global switch; packages without a shared library get no file.)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
  "floatlm network license manager: client library
The library applications link to check floating license seats out of a floatlm
server, keep them alive with heartbeats and check them in.")

# libfloatlm-dev: depends on the exact runtime version (component dependency below).
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libfloatlm-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DESCRIPTION
  "floatlm network license manager: client library development files
Headers (C and C++), the shared and static libraries, a pkg-config file and a
CMake package (find_package(floatlm), target floatlm::client) for building
applications against libfloatlm.")
set(CPACK_COMPONENT_DEV_DEPENDS runtime)
# The static library needs OpenSSL's libcrypto and fmt at link time (floatlm.pc).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libssl-dev, libfmt-dev")

include(CPack)
