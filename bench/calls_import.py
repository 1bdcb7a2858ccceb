"""A queue_log import beside a plain COPY, the year's service level, and Erlang A beside Erlang C.

Importing a large Asterisk queue_log into PostgreSQL, beside a plain COPY of the same records, the
service-level query over a year of calls, and the staffing API with Erlang A beside the same request
with Erlang C only (``bench/erlang.py``).

Run by ``make bench-calls`` (a throwaway PostgreSQL) or with ``DATABASE_URL`` set:
``python bench/calls_import.py [--lines N]`` (default 1,000,000 lines spread over the last 365 days);
``--erlang-only`` prints the Erlang table alone (no database needed).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from calls.imports import call_import_create, call_import_run  # noqa: E402
from calls.metrics import service_level  # noqa: E402
from calls.queue_log import parse_queue_log  # noqa: E402
from demo.calls import _call  # noqa: E402


def generate(lines: int, days: int = 365) -> str:
    rng = random.Random(7)
    now = timezone.now()
    agents = [f"Agent/{n}" for n in range(1000, 1080)]
    out, n = [], 0
    while len(out) < lines:
        n += 1
        start = now - timedelta(seconds=rng.randrange(days * 86_400))
        local_hour = timezone.localtime(start).hour
        out += _call(rng, f"{int(start.timestamp())}.{n}", start, agents, local_hour)
    return "\n".join(out[:lines]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--erlang-only", action="store_true", help="only the Erlang A timing table")
    args = parser.parse_args()
    from bench.erlang import erlang_table

    if args.erlang_only:
        erlang_table()
        return
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench-calls starts one).")
    began = time.perf_counter()
    text = generate(args.lines)
    print(f"generated {args.lines:,} lines ({len(text) / 1e6:.0f} MB) in {time.perf_counter() - began:.1f} s",
          flush=True)

    job = call_import_create(name="bench-queue_log", content=text, fmt="queue_log")
    began = time.perf_counter()
    job = call_import_run(import_id=job.pk)
    ours = time.perf_counter() - began

    parsed = parse_queue_log(text)
    rows = [(c.call_id, c.queue, c.enqueued_at, c.answered_at, c.outcome, c.wait_seconds, c.ring_seconds,
             c.talk_seconds, c.agent, c.caller) for c in parsed.calls]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_target (LIKE sla_callrecord INCLUDING DEFAULTS) ON COMMIT PRESERVE ROWS")
        cursor.execute("ALTER TABLE copy_target ALTER COLUMN id DROP NOT NULL")
        began = time.perf_counter()
        with cursor.cursor.copy("COPY copy_target (call_id, queue, enqueued_at, answered_at, outcome, wait_seconds, "
                                "ring_seconds, talk_seconds, agent, caller) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        plain_copy = time.perf_counter() - began
    began = time.perf_counter()
    parse_queue_log(text)
    parse_only = time.perf_counter() - began

    again = call_import_run(import_id=call_import_create(name="again", content=text, fmt="queue_log").pk)

    times, queries = [], 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            report = service_level(date_from=timezone.localdate() - timedelta(days=365), date_to=timezone.localdate())
            times.append(time.perf_counter() - began)
        queries = len(captured.captured_queries)
    grouped = []
    for group in ("day", "hour", "queue", "agent"):
        began = time.perf_counter()
        service_level(date_from=timezone.localdate() - timedelta(days=365), date_to=timezone.localdate(),
                      group_by=group)
        grouped.append((group, time.perf_counter() - began))

    row = report["results"][0]
    print(f"\nqueue_log of {args.lines:,} lines → {job.imported:,} call records ({len(job.errors)} errors), "
          f"PostgreSQL {connection.pg_version // 10000}")
    print(f"{'import (parse + store)':34} {ours:7.2f} s  {args.lines / ours:10,.0f} lines/s")
    print(f"{'  of which parsing':34} {parse_only:7.2f} s")
    print(f"{'plain COPY of the same records':34} {plain_copy:7.2f} s  {args.lines / plain_copy:10,.0f} lines/s")
    print(f"{'ratio import / (parse + COPY)':34} {ours / (parse_only + plain_copy):7.2f}")
    print(f"{'the same file again':34} imported {again.imported}, duplicates {again.duplicates:,}")
    print(f"service level over a year ({row['records']:,} records): median {statistics.median(times) * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}), {queries} query; "
          f"SL {row['service_level']}, answer rate {row['answer_rate']}")
    for group, seconds in grouped:
        print(f"  grouped by {group:6}: {seconds * 1000:.0f} ms")
    erlang_table()


if __name__ == "__main__":
    main()
