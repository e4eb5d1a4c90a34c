# Install helpers shared by cmake/install.cmake and systemd/CMakeLists.txt. The
# functions find their install-time scripts through CMAKE_CURRENT_FUNCTION_LIST_DIR,
# not a variable, because include_guard(GLOBAL) skips this file in the second
# directory that includes it and a variable set here would not reach that scope.
include_guard(GLOBAL)

# floatlm_install_rewritten(SOURCE file DESTINATION dir [RENAME name]
#                           [PERMISSIONS perm...] COMPONENT component)
#
# Installs a text file whose packaged paths depend on the install prefix (see
# cmake/install_rewritten.cmake). DESTINATION may use @PREFIX@ (the prefix at install
# time) and @SYSCONFDIR@ (/etc for prefix /usr, else PREFIX/etc).
function(floatlm_install_rewritten)
  cmake_parse_arguments(A "" "SOURCE;DESTINATION;RENAME;COMPONENT" "PERMISSIONS" ${ARGN})
  if(NOT A_RENAME)
    get_filename_component(A_RENAME "${A_SOURCE}" NAME)
  endif()
  if(NOT A_PERMISSIONS)
    set(A_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
  install(CODE "
    set(_floatlm_source [[${A_SOURCE}]])
    set(_floatlm_name [[${A_RENAME}]])
    set(_floatlm_destination [[${A_DESTINATION}]])
    set(_floatlm_permissions ${A_PERMISSIONS})
    set(_floatlm_work_dir [[${CMAKE_BINARY_DIR}/floatlm-install-staging]])
    set(_floatlm_bindir [[${CMAKE_INSTALL_BINDIR}]])
    set(_floatlm_docdir [[${CMAKE_INSTALL_DOCDIR}]])
    set(_floatlm_configured_prefix [[${CMAKE_INSTALL_PREFIX}]])
    include([[${CMAKE_CURRENT_FUNCTION_LIST_DIR}/install_rewritten.cmake]])
  " COMPONENT ${A_COMPONENT})
endfunction()

# floatlm_install_empty_dir(DESTINATION dir COMPONENT component)
#
# Ships an empty directory (same placeholders as above), so the package owns it and
# dpkg removes it again when it is empty.
function(floatlm_install_empty_dir)
  cmake_parse_arguments(A "" "DESTINATION;COMPONENT" "" ${ARGN})
  install(CODE "
    set(_dir [[${A_DESTINATION}]])
    include([[${CMAKE_CURRENT_FUNCTION_LIST_DIR}/install_paths.cmake]])
    _floatlm_expand_destination(_dir)
    message(STATUS \"Installing: \$ENV{DESTDIR}\${_dir}\")
    file(MAKE_DIRECTORY \"\$ENV{DESTDIR}\${_dir}\")
  " COMPONENT ${A_COMPONENT})
endfunction()
