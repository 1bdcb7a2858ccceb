#!/usr/bin/env bash
# A quick loop on SQLite: no PostgreSQL, Redis or browser; tests that need them are deselected.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
ensure_venv
export DJANGO_SETTINGS_MODULE=servicecenter.settings.test
export SERVICECENTER_VAR_DIR="$(mktemp -d /tmp/servicecenter-fast.XXXXXX)"
unset DATABASE_URL REDIS_URL
"$VENV/bin/pytest" -m "not integration and not e2e" "$@"
