# Runs at install time (from cmake_install.cmake, through floatlm_install_rewritten()):
# installs one text file with its packaged paths rewritten for the prefix in use now.
#
# The files under systemd/ name the Debian package's paths (/usr/bin/floatlm*,
# /etc/floatlm, /usr/share/doc/floatlm) so that they can be read and verified as they
# ship. The prefix is only known when installing: `cmake --install --prefix DIR` and
# cpack (which installs with prefix /usr) both choose it after configuration. So the
# rewrite happens here, and is the identity for prefix /usr.
#
# Inputs (set by the caller): _floatlm_source, _floatlm_name, _floatlm_destination
# (may contain @PREFIX@ and @SYSCONFDIR@), _floatlm_permissions, _floatlm_work_dir,
# _floatlm_bindir, _floatlm_docdir (relative to the prefix) and
# _floatlm_configured_prefix (the prefix at configure time, for `prefix=` lines).

include("${CMAKE_CURRENT_LIST_DIR}/install_paths.cmake")
set(_prefix "${_floatlm_prefix}")
set(_sysconfdir "${_floatlm_sysconfdir}")

file(READ "${_floatlm_source}" _text)
# /usr/bin/floatlmd, /usr/bin/floatlm (the backup unit), /usr/bin/floatlm-vendor.
string(REPLACE "/usr/bin/floatlm" "${_prefix}/${_floatlm_bindir}/floatlm" _text "${_text}")
string(REPLACE "/usr/share/doc/floatlm" "${_prefix}/${_floatlm_docdir}" _text "${_text}")
string(REPLACE "/etc/floatlm" "${_sysconfdir}/floatlm" _text "${_text}")
string(REPLACE "prefix=${_floatlm_configured_prefix}\n" "prefix=${_prefix}\n" _text "${_text}")

set(_destination "${_floatlm_destination}")
_floatlm_expand_destination(_destination)

# One staging file per destination, so a cpack run and a `cmake --install` running at
# the same time never write each other's copy.
string(MD5 _key "$ENV{DESTDIR}${_destination}")
set(_staged "${_floatlm_work_dir}/${_key}/${_floatlm_name}")
file(WRITE "${_staged}" "${_text}")
# file(INSTALL) prepends $ENV{DESTDIR} and records the file in install_manifest.txt.
file(INSTALL DESTINATION "${_destination}" TYPE FILE FILES "${_staged}"
     PERMISSIONS ${_floatlm_permissions})
