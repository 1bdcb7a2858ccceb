# Shared by scripts/test.sh and scripts/demo.sh: install what the project needs on a fresh Debian.
# shellcheck shell=bash

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT_DIR/.venv"
PY="$VENV/bin/python"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  # apt_install PACKAGE... : install the Debian packages that are missing (needs root).
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]} (run as root, or install them: apt-get install ${missing[*]})" >&2
    return 1
  fi
  log "Installing Debian packages: ${missing[*]}"
  if [ -z "${SERVICECENTER_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    export SERVICECENTER_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_python() {
  command -v python3 >/dev/null 2>&1 || apt_install python3
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv python3-pip
}

ensure_venv() {
  # (Re)install the Python packages when the venv is missing or the lock file changed.
  ensure_python
  local stamp="$VENV/.installed" want
  want="$(cat "$ROOT_DIR/pyproject.toml" "$ROOT_DIR/constraints.txt" | sha256sum | cut -d' ' -f1)"
  if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "Installing Python packages into .venv (pinned by constraints.txt)"
  [ -x "$PY" ] || python3 -m venv "$VENV"
  "$PY" -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
  "$PY" -m pip install -q --disable-pip-version-check -c "$ROOT_DIR/constraints.txt" -e "$ROOT_DIR[dev]"
  echo "$want" > "$stamp"
}

compile_messages() {
  command -v msgfmt >/dev/null 2>&1 || apt_install gettext
  (cd "$ROOT_DIR" && "$PY" manage.py compilemessages -v0 --ignore=.venv)
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
