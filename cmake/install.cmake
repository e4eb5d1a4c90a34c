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
# libfloatlm.a links the wire codec (floatlm_proto, a static library) publicly, so an
# application linking the static client needs the codec's objects as well. It is
# installed and exported as floatlm::proto rather than folded into libfloatlm.a:
# folding would mean changing how client-lib/ builds the archive, while exporting it
# keeps that build as it is and costs one more small archive in libfloatlm-dev.
# libfloatlm.so already contains the codec (linked privately, symbols hidden).
set_target_properties(floatlm_proto PROPERTIES EXPORT_NAME proto)
# The same holds for the license reader the vendor-key check uses (floatlm_licenses),
# which brings OpenSSL's libcrypto and fmt into the static link.
set_target_properties(floatlm_licenses PROPERTIES EXPORT_NAME licenses)

install(TARGETS floatlm_client
  EXPORT floatlmTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    COMPONENT runtime
    NAMELINK_COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS floatlm_client_static floatlm_proto floatlm_licenses
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
