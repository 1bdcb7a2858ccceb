#!/usr/bin/env bash
# make demo: install, migrate, seed the demo center, then run web + worker + beat in this terminal.
# Embedded mode: SQLite and Celery over a broker on files (servicecenter/fsbroker.py), no servers.
# The worker and beat are restarted if they stop (after 1 s, then 2, 4 … up to 30 s; back to 1 s
# once one has run for a minute); the demo ends when the web server stops. Ctrl-C stops all three.
# DEMO_HOST, DEMO_PORT: where the web server listens (127.0.0.1:8000).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
# The demo runs the embedded settings (DEBUG on) whatever the shell says: wsgi.py, asgi.py and
# celery.py default to production, and the worker and beat below start through celery.py.
export DJANGO_SETTINGS_MODULE=servicecenter.settings.embedded

ensure_venv
compile_messages
log "Migrating"
"$PY" manage.py migrate -v0
log "Seeding the demo center (adds what is missing, changes nothing that exists)"
"$PY" manage.py seed_demo

# supervise NAME COMMAND...: run COMMAND, and again whenever it exits, until this subshell gets TERM.
supervise() {
  local name="$1" child="" delay=1 started rc restarts=0
  shift
  trap 'trap - TERM; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM
  while :; do
    started=$SECONDS
    "$@" &
    child=$!
    rc=0
    wait "$child" || rc=$?
    child=""
    (( SECONDS - started >= 60 )) && delay=1
    restarts=$((restarts + 1))
    log "$name stopped (exit status $rc); restart $restarts in ${delay} s"
    sleep "$delay" &
    wait $! || true
    delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
  done
}

pids=()
stop_all() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo
  log "Stopped"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

HOST="${DEMO_HOST:-127.0.0.1}"; PORT="${DEMO_PORT:-8000}"
# One worker needs no cluster chatter (gossip, mingle, heartbeats): on a broker of files those fanout
# messages would pile up in the queues of workers that are gone.
supervise worker "$VENV/bin/celery" -A servicecenter worker -l info --concurrency 2 -n "demo@%h" \
  --without-gossip --without-mingle --without-heartbeat & pids+=($!)
supervise beat "$VENV/bin/celery" -A servicecenter beat -l info & pids+=($!)
"$PY" manage.py runserver "$HOST:$PORT" --noreload & web=$!
pids+=("$web")
log "Web on http://$HOST:$PORT/ with a Celery worker and beat. Ctrl-C stops all three."
rc=0
wait "$web" || rc=$?
log "The web server stopped (exit status $rc): stopping the worker and beat"
exit "$rc"
