# Shared by scripts/test, scripts/demo and scripts/bench: install what is missing, then build.
# shellcheck shell=bash

FLOATLM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FLOATLM_BUILD=${FLOATLM_BUILD:-$FLOATLM_ROOT/build}

# Debian packages the build and the tests need.
FLOATLM_PACKAGES=(
  cmake ninja-build g++ pkg-config ccache
  libboost-dev libboost-program-options-dev libboost-test-dev
  libssl-dev libsqlite3-dev libfmt-dev libsystemd-dev
  sqlite3 procps iproute2 openssl
  systemd dpkg-dev file
  clang
)

floatlm_log() { printf '==> %s\n' "$*" >&2; }

# Installs the packages that are not yet installed; does nothing when all are present.
floatlm_install_deps() {
  local missing=() pkg
  for pkg in "${FLOATLM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  floatlm_log "installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures (once) and builds everything into $FLOATLM_BUILD.
floatlm_build() {
  local extra=()
  [ -n "${CI:-}" ] && extra+=(-DFLOATLM_WERROR=ON)
  if [ ! -f "$FLOATLM_BUILD/build.ninja" ]; then
    floatlm_log "configuring $FLOATLM_BUILD"
    cmake -S "$FLOATLM_ROOT" -B "$FLOATLM_BUILD" -G Ninja "${extra[@]}" "$@" >/dev/null
  fi
  floatlm_log "building"
  cmake --build "$FLOATLM_BUILD" --parallel "$(nproc)"
}
