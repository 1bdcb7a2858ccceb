#!/usr/bin/env bash
# make test: install what is missing, start a throwaway PostgreSQL and Redis on free loopback ports,
# run ruff, the migrations check and the whole pytest suite against them, then stop them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

apt_install postgresql redis-server chromium fonts-noto-cjk gettext
ensure_venv
compile_messages

start_services test
log "ruff check"
"$VENV/bin/ruff" check .
log "makemigrations --check"
"$PY" manage.py makemigrations --check --dry-run
log "pytest"
"$VENV/bin/pytest" "$@"
