#!/usr/bin/env bash
# make soak: the demo's embedded web, worker and beat (scripts/demo.sh, in a temporary folder, on a
# free port) under a steady load of tasks for SOAK_MINUTES (30), then figures (bench/soak.py).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
ensure_venv
compile_messages
exec "$PY" bench/soak.py "$@"
