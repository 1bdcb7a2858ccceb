#!/usr/bin/env bash
# make bench-sla / bench-pages: a throwaway PostgreSQL, migrated, then the given bench/ script with its arguments.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

apt_install postgresql redis-server wrk curl dovecot-imapd
ensure_venv
start_services bench
"$PY" manage.py migrate -v0
script="$1"
shift
"$PY" "$script" "$@"
