# Shared setup for scripts/test and scripts/run (sourced, not executed).
#
# Installs the Debian packages and the Python virtualenv Relaydesk needs, but only
# what is missing: a second run on a ready machine does nothing and takes a moment.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"

# Secret Service for keyring tests, an X server for real-window tests, curl for the
# curl-equivalence tests, and the libraries Qt's xcb platform plugin loads.
RUN_DEB_PACKAGES=(
    dbus dbus-x11 gnome-keyring xvfb xauth curl
    libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
    libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0
    libegl1 libgl1 libfontconfig1 libdbus-1-3
)
# The tests also run the Go snippets (Debian's Go toolchain) and count start-up
# instructions under valgrind; secret references are read from `pass` (GnuPG) entries.
TEST_DEB_PACKAGES=("${RUN_DEB_PACKAGES[@]}" golang-go valgrind pass gnupg)

log() { printf 'relaydesk-setup: %s\n' "$*" >&2; }

# On a busy machine (unattended-upgrades, another session's install) apt's locks are
# held for minutes: wait for them rather than fail. DPkg::Lock::Timeout covers dpkg's
# locks during install; apt-get update's lists lock has no such option, so retry it.
APT_LOCK_WAIT="${RELAYDESK_APT_LOCK_WAIT:-900}"
apt_get() {
    local deadline=$((SECONDS + APT_LOCK_WAIT)) err said=0
    err="$(mktemp)"
    while true; do
        if "$@" -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" 2>"$err"; then
            rm -f "$err"
            return 0
        fi
        if ! grep -q 'Could not get lock\|Unable to lock\|is another process using it' "$err" ||
           [ "$SECONDS" -ge "$deadline" ]; then
            cat "$err" >&2
            rm -f "$err"
            return 1
        fi
        [ "$said" -eq 1 ] || log "waiting for apt/dpkg: $(grep -m1 -o "held by process.*" "$err")"
        said=1
        sleep 3
    done
}

ensure_deb_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        log "missing system packages (${missing[*]}) and no apt-get to install them"
        return 1
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { log "need root (or sudo) to install: ${missing[*]}"; return 1; }
        sudo=(sudo)
    fi
    log "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_get "${sudo[@]}" apt-get update -qq >/dev/null
    apt_get "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_venv() {
    local extras="$1" stamp hash py
    if [ ! -x "$VENV/bin/python" ]; then
        py="$(find_python)" || {
            log "Python >= 3.11 not found; installing Debian's python3"
            ensure_deb_packages python3 python3-venv python3-pip
            py="$(find_python)" || { log "no Python >= 3.11 available"; return 1; }
        }
        if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            ensure_deb_packages python3-venv
        fi
        log "creating $VENV with $py"
        "$py" -m venv "$VENV"
    fi
    # Re-install only when pyproject.toml or the extras change.
    hash="$( (cat "$REPO_ROOT/pyproject.toml"; echo "$extras") | sha256sum | cut -d' ' -f1)"
    stamp="$VENV/.relaydesk-installed"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ] ||
       ! "$VENV/bin/python" -c 'import relaydesk' >/dev/null 2>&1; then
        log "installing relaydesk[$extras] into $VENV"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$REPO_ROOT[$extras]"
        echo "$hash" >"$stamp"
    fi
}

# newman (Postman's reference runner) for the Postman-fidelity tests, from npm into a
# cache outside the repo. Without Node.js/npm those tests skip and say why.
NODE_CACHE="${HOME}/.cache/relaydesk-node"
ensure_newman() {
    ensure_node_tool newman newman@6 "the newman comparison tests will be skipped"
}

# ensure_node_tool BIN PACKAGE CONSEQUENCE: npm-install PACKAGE into the cache unless BIN
# is there; without npm (or when npm fails) log CONSEQUENCE and go on.
ensure_node_tool() {
    [ -x "$NODE_CACHE/node_modules/.bin/$1" ] && return 0
    if ! command -v npm >/dev/null 2>&1; then
        log "npm not found: $3"
        return 0
    fi
    log "installing $2 into $NODE_CACHE"
    npm install --silent --no-audit --no-fund --prefix "$NODE_CACHE" "$2" >/dev/null 2>&1 ||
        log "npm could not install $2: $3"
}

# The Bruno CLI (`bru`), beside newman: the runner benchmark compares `relaydesk run`
# with both on the same collection. Same cache; without npm the benchmark says so.
ensure_bruno() {
    ensure_node_tool bru @usebruno/cli@4 "the runner benchmark will leave the Bruno CLI out"
}
