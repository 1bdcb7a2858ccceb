#!/usr/bin/env bash
# make demo: install, migrate, seed the demo center, then run web + worker + beat in this terminal.
# Embedded mode: SQLite and Celery over kombu's filesystem broker, no servers needed. Ctrl-C stops all.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

ensure_venv
compile_messages
log "Migrating"
"$PY" manage.py migrate -v0
log "Seeding the demo center"
"$PY" manage.py seed_demo

pids=()
stop_all() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; echo; log "Stopped"; }
trap stop_all INT TERM EXIT

HOST="${DEMO_HOST:-127.0.0.1}"; PORT="${DEMO_PORT:-8000}"
"$PY" manage.py runserver "$HOST:$PORT" --noreload & pids+=($!)
"$VENV/bin/celery" -A servicecenter worker -l info --concurrency 2 -n "demo@%h" & pids+=($!)
"$VENV/bin/celery" -A servicecenter beat -l info & pids+=($!)
log "Web on http://$HOST:$PORT/ with a Celery worker and beat. Ctrl-C stops all three."
wait -n "${pids[@]}"
