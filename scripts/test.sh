#!/usr/bin/env bash
# make test: install what is missing, start a throwaway PostgreSQL and Redis on free loopback ports,
# run ruff, the migrations check and the whole pytest suite against them, then stop them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

apt_install postgresql redis-server chromium fonts-noto-cjk gettext
ensure_venv
compile_messages

RUN_DIR="$(mktemp -d /tmp/servicecenter-test.XXXXXX)"
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
export REDIS_URL="redis://127.0.0.1:$REDISPORT/0"
export DJANGO_SETTINGS_MODULE=servicecenter.settings.test
export SERVICECENTER_VAR_DIR="$RUN_DIR/var"
export SERVICECENTER_REQUIRE_SERVICES=1
export SERVICECENTER_ARTIFACTS="${SERVICECENTER_ARTIFACTS:-$ROOT_DIR/var/test-artifacts}"
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres servicecenter

log "Database: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') at 127.0.0.1:$PGPORT; broker: Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) at 127.0.0.1:$REDISPORT"
log "ruff check"
"$VENV/bin/ruff" check .
log "makemigrations --check"
"$PY" manage.py makemigrations --check --dry-run
log "pytest"
"$VENV/bin/pytest" "$@"
