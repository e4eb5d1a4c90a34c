# Install rules for targets defined elsewhere (daemon/, tools/, client-lib/, proto/),
# kept in one place. Included at the end of the top-level CMakeLists.txt, after every
# target exists. Three components, which cmake/packaging.cmake turns into .debs:
#
#   daemon   floatlmd, floatlm, floatlm-vendor (+ floatlm-bench), service files -> floatlm
#   runtime  libfloatlm.so.N                                                    -> libfloatlmN
#   dev      headers, libfloatlm.so, static libraries, pkg-config, CMake config -> libfloatlm-dev
# GNUInstallDirs sets some of its variables (DOCDIR, ...) per directory scope, so every
# file that uses them includes it.
include(GNUInstallDirs)
include(${CMAKE_CURRENT_LIST_DIR}/FloatlmInstallHelpers.cmake)
include(CMakePackageConfigHelpers)

set(FLOATLM_CMAKE_CONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/floatlm)

# --- Programs ---------------------------------------------------------------------
set(_floatlm_programs floatlmd floatlm floatlm-vendor)
if(TARGET floatlm-bench)
  list(APPEND _floatlm_programs floatlm-bench)
endif()
install(TARGETS ${_floatlm_programs}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT daemon)

install(FILES ${PROJECT_SOURCE_DIR}/docs/service.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT daemon)

# --- Client library ---------------------------------------------------------------
# Vendors write find_package(floatlm) and link floatlm::client (shared) or
# floatlm::client_static, the same names the in-tree ALIAS targets use.
set_target_properties(floatlm_client PROPERTIES EXPORT_NAME client)
set_target_properties(floatlm_client_static PROPERTIES EXPORT_NAME client_static)
# libfloatlm.a holds the wire codec's and the license reader's objects itself
# (client-lib/CMakeLists.txt), so it is the one archive a vendor links; its link
# interface names OpenSSL::Crypto, fmt::fmt and Threads::Threads (floatlmConfig.cmake
# finds them). libfloatlm.so contains the same code, linked privately, symbols hidden.

install(TARGETS floatlm_client
  EXPORT floatlmTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    COMPONENT runtime
    NAMELINK_COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS floatlm_client_static
  EXPORT floatlmTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES
    ${PROJECT_SOURCE_DIR}/client-lib/include/floatlm/floatlm.h
    ${PROJECT_SOURCE_DIR}/client-lib/include/floatlm/floatlm.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/floatlm
  COMPONENT dev)

# CMake package: floatlmConfig.cmake, its version file and the exported targets. All
# paths in them are relative to the config's own location, so the tree can be moved.
install(EXPORT floatlmTargets
  NAMESPACE floatlm::
  DESTINATION ${FLOATLM_CMAKE_CONFIG_DIR}
  COMPONENT dev)
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/floatlmConfig.cmake.in
  ${CMAKE_BINARY_DIR}/floatlm-package/floatlmConfig.cmake
  INSTALL_DESTINATION ${FLOATLM_CMAKE_CONFIG_DIR})
# 0.x releases may change the ABI with every minor version: accept only the same minor
# until 1.0, then the same major.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_floatlm_compat SameMinorVersion)
else()
  set(_floatlm_compat SameMajorVersion)
endif()
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/floatlm-package/floatlmConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY ${_floatlm_compat})
install(FILES
    ${CMAKE_BINARY_DIR}/floatlm-package/floatlmConfig.cmake
    ${CMAKE_BINARY_DIR}/floatlm-package/floatlmConfigVersion.cmake
  DESTINATION ${FLOATLM_CMAKE_CONFIG_DIR}
  COMPONENT dev)

# pkg-config: configured here with the configure-time prefix; the `prefix=` line is
# rewritten at install time, so `cmake --install --prefix DIR` and the .deb (prefix
# /usr) both get a file that points at where they put the library.
configure_file(${CMAKE_CURRENT_LIST_DIR}/floatlm.pc.in
  ${CMAKE_BINARY_DIR}/floatlm-package/floatlm.pc @ONLY)
floatlm_install_rewritten(
  SOURCE ${CMAKE_BINARY_DIR}/floatlm-package/floatlm.pc
  DESTINATION @PREFIX@/${CMAKE_INSTALL_LIBDIR}/pkgconfig
  COMPONENT dev)

# The same package for the build tree, so a vendor can build against libfloatlm before
# installing it: -Dfloatlm_DIR=<build>/floatlm-build (CMake) or
# PKG_CONFIG_PATH=<build>/floatlm-build (pkg-config finds floatlm-uninstalled.pc first).
set(_floatlm_build_package ${CMAKE_BINARY_DIR}/floatlm-build)
export(EXPORT floatlmTargets NAMESPACE floatlm::
  FILE ${_floatlm_build_package}/floatlmTargets.cmake)
file(WRITE ${_floatlm_build_package}/floatlmConfig.cmake
"# floatlm's CMake package for its build tree (see cmake/install.cmake).
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(OpenSSL)
find_dependency(fmt)
# The build tree's targets still name the Boost headers the sources compile against.
find_dependency(Boost)
include(\"\${CMAKE_CURRENT_LIST_DIR}/floatlmTargets.cmake\")
")
configure_file(${CMAKE_BINARY_DIR}/floatlm-package/floatlmConfigVersion.cmake
  ${_floatlm_build_package}/floatlmConfigVersion.cmake COPYONLY)
file(WRITE ${_floatlm_build_package}/floatlm-uninstalled.pc
"Name: floatlm
Description: floatlm client library (build tree, not installed)
Version: ${PROJECT_VERSION}
Cflags: -I${PROJECT_SOURCE_DIR}/client-lib/include
Libs: -L${CMAKE_LIBRARY_OUTPUT_DIRECTORY} -Wl,-rpath,${CMAKE_LIBRARY_OUTPUT_DIRECTORY} -lfloatlm
Libs.private: -lfmt -lssl -lcrypto -lstdc++ -pthread
")
