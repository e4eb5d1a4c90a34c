# Included at install time: the prefix in use now and the config directory that goes
# with it. GNU rule, as GNUInstallDirs applies it: the /usr prefix keeps its config
# in /etc, any other prefix in PREFIX/etc.
set(_floatlm_prefix "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/+$" "" _floatlm_prefix "${_floatlm_prefix}")
if(_floatlm_prefix STREQUAL "/usr" OR _floatlm_prefix STREQUAL "")
  set(_floatlm_sysconfdir "/etc")
else()
  set(_floatlm_sysconfdir "${_floatlm_prefix}/etc")
endif()

# Expands @PREFIX@ and @SYSCONFDIR@ in a destination.
macro(_floatlm_expand_destination var)
  string(REPLACE "@PREFIX@" "${_floatlm_prefix}" ${var} "${${var}}")
  string(REPLACE "@SYSCONFDIR@" "${_floatlm_sysconfdir}" ${var} "${${var}}")
endmacro()
