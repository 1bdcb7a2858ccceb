#!/usr/bin/env bash
# make test: install what is missing; start the SQLite suite at three fixed dates (scripts/test-dates.sh)
# in the background; start a throwaway PostgreSQL and Redis on free loopback ports, run ruff, the
# migrations check and the whole pytest suite against them, then stop them. Fails if anything fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

apt_install postgresql redis-server chromium fonts-noto-cjk gettext faketime dovecot-imapd
ensure_venv
compile_messages

# Alongside, with no server: the SQLite suite at three fixed dates (a holiday, a make-up working
# Saturday, New Year's Eve at 23:50 center time), for tests and code that depend on today's date. It
# runs at the lowest CPU priority, so the main suite's timed waits (browser, workers) keep their pace
# and the fixed-date runs use the cores the main suite leaves idle. Its verdict comes at the end, so
# one run shows every failure. Skipped when pytest arguments pick some tests.
dates_pid=""
dates_log="${SERVICECENTER_ARTIFACTS:-$ROOT_DIR/var/test-artifacts}/dates.log"
if [ $# -eq 0 ]; then
  mkdir -p "$(dirname "$dates_log")"
  log "SQLite suite at three fixed dates, in the background at low priority (log: $dates_log)"
  nice -n 19 bash scripts/test-dates.sh >"$dates_log" 2>&1 &
  dates_pid=$!
else
  log "Fixed dates skipped (pytest arguments given; scripts/test-dates.sh [args] runs them)"
fi

start_services test
status=0
log "ruff check"
"$VENV/bin/ruff" check . || status=$?
log "djlint (the templates; rules in pyproject.toml [tool.djlint])"
"$VENV/bin/djlint" templates --lint || status=$?
log "lint-imports (the layers of ARCHITECTURE.md)"
"$VENV/bin/lint-imports" --no-cache || status=$?
log "mypy (strict on services, selectors, access)"
"$VENV/bin/mypy" || status=$?
log "makemigrations --check"
"$PY" manage.py makemigrations --check --dry-run || status=$?
log "pytest"
"$VENV/bin/pytest" "$@" || status=$?
if [ -n "$dates_pid" ]; then
  log "Waiting for the fixed-date runs"
  dates_status=0
  wait "$dates_pid" || dates_status=$?
  cat "$dates_log"
  if [ "$dates_status" -ne 0 ]; then
    log "FAILED: the SQLite suite at a fixed date (above, and var/test-artifacts/dates/)"
    [ "$status" -ne 0 ] || status=$dates_status
  fi
fi
exit "$status"
