#!/usr/bin/env bash
# make bench-sla: a throwaway PostgreSQL, migrated, then bench/sla_sweep.py with its arguments.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

apt_install postgresql redis-server
ensure_venv
start_services bench
"$PY" manage.py migrate -v0
"$PY" bench/sla_sweep.py "$@"
