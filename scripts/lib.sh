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

# A throwaway PostgreSQL and Redis on free loopback ports, stopped when the script exits.
# Exports DATABASE_URL, REDIS_URL and the test settings. $1 names the run (test, bench).
start_services() {
  RUN_DIR="$(mktemp -d "/tmp/servicecenter-$1.XXXXXX")"
  chmod 755 "$RUN_DIR"
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  PGPORT="$(free_port)"
  REDISPORT="$(free_port)"
  as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

  cleanup() {
    set +e
    as_pg "$PGBIN/pg_ctl" -D "$RUN_DIR/pg" -m immediate stop >/dev/null 2>&1
    redis-cli -p "$REDISPORT" shutdown nosave >/dev/null 2>&1
    rm -rf "$RUN_DIR"
  }
  trap cleanup EXIT

  [ "$(id -u)" -eq 0 ] && chown postgres "$RUN_DIR"
  as_pg "$PGBIN/initdb" -D "$RUN_DIR/pg" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$RUN_DIR/pg" -l "$RUN_DIR/pg.log" -w \
    -o "-p $PGPORT -k $RUN_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  redis-server --port "$REDISPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$RUN_DIR" --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
  for _ in $(seq 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

  export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/servicecenter"
  # For the fault tests that restart PostgreSQL under a running web server.
  export SERVICECENTER_PGDATA="$RUN_DIR/pg" SERVICECENTER_PGBIN="$PGBIN"
  export REDIS_URL="redis://127.0.0.1:$REDISPORT/0"
  export DJANGO_SETTINGS_MODULE=servicecenter.settings.test
  export SERVICECENTER_VAR_DIR="$RUN_DIR/var"
  export SERVICECENTER_REQUIRE_SERVICES=1
  export SERVICECENTER_ARTIFACTS="${SERVICECENTER_ARTIFACTS:-$ROOT_DIR/var/test-artifacts}"
  as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres servicecenter

  log "Database: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') at 127.0.0.1:$PGPORT; broker: Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) at 127.0.0.1:$REDISPORT"
}
