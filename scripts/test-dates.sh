#!/usr/bin/env bash
# No test may depend on today's date. `make test` runs the SQLite suite (scripts/test-fast.sh: no
# servers) under libfaketime at three dates that break date assumptions, the clock starting there and
# running on, all three at once (2 cores: about as fast as one after another, and one summary):
#   - 2026-02-17 10:00 center time: the Spring Festival (春节) holiday, 2026-02-15..23;
#   - 2026-02-14 10:00 center time: a Saturday that is a make-up working day (调休上班);
#   - 2026-12-31 23:50 center time (15:50 UTC): the last minutes of a year (the run crosses into 2027,
#     whose calendar is still provisional), and a date that is not the same in UTC and in Asia/Shanghai
#     after 16:00 UTC.
# Each instant is given in UTC with TZ=UTC, so it does not depend on the machine's zone (Django sets its
# own). The monotonic clock stays real (FAKETIME_DONT_FAKE_MONOTONIC): with it faked, Python's timed
# waits (locks, events, queues) never return under Debian's libfaketime 0.9.10. tests/conftest.py works
# around that version's other bug, time.sleep failing with EINVAL, under these runs.
# The security tests (access decisions and bad input, about 40 % of the suite's time, with no dates in
# what they check) run at the last of the three dates only, the one that crosses both a day and a year;
# without that, the three runs side by side were the longest part of `make test` (36-38 of ~40 minutes).
# Given pytest arguments, every run runs exactly those.
# Usage: scripts/test-dates.sh [pytest args]   (FUZZ_EXAMPLES defaults to 3 here, 10 in the main run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

apt_install faketime
ensure_venv

RUNS=(
  "spring-festival|2026-02-17 02:00:00|2026-02-17 10:00 Asia/Shanghai, Spring Festival holiday (春节)|--ignore=tests/security"
  "make-up-saturday|2026-02-14 02:00:00|2026-02-14 10:00 Asia/Shanghai, Saturday make-up working day (调休上班)|--ignore=tests/security"
  "new-years-eve|2026-12-31 15:50:00|2026-12-31 23:50 Asia/Shanghai (15:50 UTC), ten minutes before 2027|"
)
LOG_DIR="${SERVICECENTER_ARTIFACTS:-$ROOT_DIR/var/test-artifacts}/dates"
mkdir -p "$LOG_DIR"

pids=()
for run in "${RUNS[@]}"; do
  IFS='|' read -r name utc label skip <<<"$run"
  picked=("$@")
  if [ $# -eq 0 ] && [ -n "$skip" ]; then picked=("$skip"); fi
  log "SQLite suite at $label (faketime '$utc' UTC; log: $LOG_DIR/$name.log)"
  # Python sees the fake clock, or the run would quietly test today's date.
  seen="$(TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime "$utc" "$PY" -c \
    'import datetime; print(datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"))')"
  if [ "$seen" != "${utc:0:16}" ]; then
    echo "faketime did not set the clock: Python sees $seen UTC, not ${utc:0:16}" >&2
    exit 1
  fi
  TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-3}" \
    faketime "$utc" bash scripts/test-fast.sh -q -p no:cacheprovider ${picked[@]+"${picked[@]}"} >"$LOG_DIR/$name.log" 2>&1 &
  pids+=($!)
done

failed=()
for i in "${!RUNS[@]}"; do
  IFS='|' read -r name utc label _skip <<<"${RUNS[$i]}"
  if wait "${pids[$i]}"; then status=passed; else status=FAILED; failed+=("$label"); fi
  log "$status at $label: $(tail -n 1 "$LOG_DIR/$name.log")"
  if [ "$status" = FAILED ]; then  # the first failures in full, then pytest's summary of them all
    awk '/^=+ (ERRORS|FAILURES) =+$/ {on = 1} /^=+ short test summary info =+$/ {exit} on' "$LOG_DIR/$name.log" |
      head -n 300
    sed -n '/^=* short test summary info =*$/,$p' "$LOG_DIR/$name.log"
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  printf 'The suite fails at: %s\n' "${failed[@]}" >&2
  exit 1
fi
