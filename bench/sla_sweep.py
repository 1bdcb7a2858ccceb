"""The escalation sweep at scale, beside the same work in hand-written SQL, and deadline arithmetic.

Run by ``make bench-sla`` (which starts a throwaway PostgreSQL), or against any migrated PostgreSQL
database with ``DATABASE_URL`` set: ``python bench/sla_sweep.py [--tickets N] [--due N] [--runs N]``.

Data: Shape A's staff, N open tickets (default 1,000,000) each with a running resolution clock, of
which ``--due`` (default 10,000) are past their warning and their deadline. Each run sweeps them
(warnings, breaches, escalations, notifications, ticket events, the tickets' SLA state), then the
run is undone so that the next starts from the same data. Prints medians and spreads.
"""

import argparse
import json
import os
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

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from sla import backlog, rollup  # noqa: E402
from sla.selectors import default_calendar, work_calendar  # noqa: E402
from sla.sweep import OrgLadder, sweep  # noqa: E402
from staff.models import StaffMember  # noqa: E402
from staff.services import org_import  # noqa: E402


def log(message: str) -> None:
    print(message, flush=True)


def generate(tickets: int, due: int, now) -> None:
    """Tickets and clocks by INSERT … SELECT generate_series: a few statements, whatever N."""
    if not StaffMember.objects.exists():
        org_import(data=json.loads((ROOT / "staff/orgdata/shape_a.json").read_text(encoding="utf-8")),
                   password="bench-pass-123")  # noqa: S106 - a throwaway database
    agents = list(StaffMember.objects.filter(position__role="agent").values_list("pk", "position__unit_id"))
    calendar = default_calendar()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        if cursor.fetchone()[0] >= tickets:
            log(f"data: {tickets:,} tickets already there")
            return
        started = time.perf_counter()
        cursor.execute("INSERT INTO tickets_customer (name, phone, phone_alt, email, account_no, customer_class, area,"
                       " language, created_at) VALUES ('基准客户', '13900000000', '', '', '', 'residential', 'urban',"
                       " 'zh-hans', now()) RETURNING id")
        customer = cursor.fetchone()[0]
        step = 100_000
        for first in range(1, tickets + 1, step):
            last = min(first + step - 1, tickets)
            cursor.execute(
                """
                INSERT INTO tickets_ticket (reference, kind, channel, status, priority, subject, description,
                    customer_id, team_id, assignee_id, received_at, created_at, updated_at, resolution,
                    cancel_reason, pause_reason, complaint_category, investigation, remedy, customer_reply,
                    version, sla_state, sla_due_at)
                SELECT 'TS-B-' || g, 'complaint', 'phone', 'in_progress', 3, 'bench ' || g, '', %(customer)s,
                       (%(units)s::bigint[])[1 + mod(g, %(n)s)], (%(agents)s::bigint[])[1 + mod(g, %(n)s)],
                       %(now)s - interval '2 days', %(now)s, %(now)s, '', '', '', '', '', '', '', 1,
                       CASE WHEN g <= %(due)s THEN 'at_risk' ELSE 'on_track' END,
                       CASE WHEN g <= %(due)s THEN %(now)s - interval '1 hour' ELSE %(now)s + interval '3 days' END
                  FROM generate_series(%(first)s, %(last)s) AS g
                """,
                {"customer": customer, "units": [u for _, u in agents], "agents": [a for a, _ in agents],
                 "n": len(agents), "now": now, "due": due, "first": first, "last": last},
            )
            log(f"  tickets {last:>9,} / {tickets:,}")
        with rollup.recounted_after():  # one count of the rollup, not a trigger per clock
            cursor.execute(
                """
                INSERT INTO sla_clock (ticket_id, target, calendar_id, amount, unit, end_of_day, warn_percent,
                    escalate_every, escalate_every_unit, state, started_at, due_at, warn_at, paused_seconds,
                    provisional, escalation_level)
                SELECT t.id, 'resolution', %(calendar)s, 5, 'working_days', 'close', 80, 1, 'working_days', 'running',
                       t.received_at, t.sla_due_at, t.sla_due_at - interval '1 day', 0, false, 0
                  FROM tickets_ticket t
                """,
                {"calendar": calendar.pk},
            )
        cursor.execute("ANALYZE")
    log(f"data: {tickets:,} tickets and clocks, {due:,} due, in {time.perf_counter() - started:.0f} s")


def undo(now) -> None:
    """Put the due clocks back as they were before a sweep."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM sla_notification")
        cursor.execute("DELETE FROM sla_escalation")
        cursor.execute("DELETE FROM tickets_ticketevent WHERE kind = 'escalated'")
        cursor.execute("UPDATE sla_clock SET state = 'running', warned_at = NULL, breached_at = NULL, "
                       "escalation_level = 0, next_escalation_at = NULL WHERE warned_at IS NOT NULL")
        cursor.execute("UPDATE tickets_ticket SET sla_state = 'at_risk' WHERE sla_due_at < %s", [now])
    fold_and_vacuum()


def fold_and_vacuum() -> None:
    """What a live database has between two sweeps: the rollups' changes folded, the tables vacuumed."""
    rollup.fold()  # as the sweep task does after each sweep; the logs of changes stay small
    backlog.fold()
    # A live database is vacuumed between sweeps a minute apart; without this each run would wade
    # through the dead rows the previous run and this undo left (10× slower lookups of due clocks).
    with connection.cursor() as cursor:
        for table in ("sla_clock", "tickets_ticket", "sla_escalation", "sla_notification", "tickets_ticketevent",
                      "sla_clockrollup", "sla_clockrollupchange", "sla_backlogrollup", "sla_backlogrollupchange"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def hand_written(now) -> dict:
    """The same work as one sweep, written directly in SQL: lock and mark the due clocks, insert the
    escalations (recipients from the same org chart, computed once), notifications and events, and
    refresh the tickets. The next-level time is a plain ``+ 1 day`` here (no working-day arithmetic)."""
    ladder = OrgLadder()
    holders = list(ladder.user_of)
    first_up = [ladder.recipient(assignee_id=s, team_id=None, level=1) for s in holders]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE up ON COMMIT DROP AS
            SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS u(staff_id, superior_id, user_id)
            """,
            [holders, first_up, [ladder.user_of[s] for s in holders]],
        )
        for pick, mark, level, recipient in (
            ("warned_at IS NULL AND warn_at <= %(now)s ORDER BY warn_at", "warned_at = %(now)s", 0,
             "t.assignee_id"),
            ("due_at <= %(now)s ORDER BY due_at",
             "state = 'breached', breached_at = c.due_at, escalation_level = 1, "
             "next_escalation_at = c.due_at + interval '1 day'", 1, "up.superior_id"),
        ):
            cursor.execute(
                f"""
                WITH due AS (
                    SELECT id FROM sla_clock WHERE state = 'running' AND {pick} LIMIT 10000 FOR UPDATE SKIP LOCKED
                ), marked AS (
                    UPDATE sla_clock c SET {mark} FROM due WHERE c.id = due.id RETURNING c.id, c.ticket_id
                ), escalations AS (
                    INSERT INTO sla_escalation (clock_id, ticket_id, level, recipient_id, created_at)
                    SELECT m.id, m.ticket_id, {level}, {recipient}, %(now)s
                      FROM marked m JOIN tickets_ticket t ON t.id = m.ticket_id JOIN up ON up.staff_id = t.assignee_id
                    RETURNING id, ticket_id, level, recipient_id
                ), notified AS (
                    INSERT INTO sla_notification (recipient_id, escalation_id, ticket_id, level, target, created_at)
                    SELECT u.user_id, e.id, e.ticket_id, e.level, 'resolution', %(now)s
                      FROM escalations e JOIN up u ON u.staff_id = e.recipient_id
                )
                INSERT INTO tickets_ticketevent (ticket_id, kind, field, old_value, new_value, body, created_at)
                SELECT ticket_id, 'escalated', 'sla:resolution', '', level::text, '', %(now)s FROM escalations
                """,
                {"now": now},
            )
        cursor.execute(
            "UPDATE tickets_ticket t SET sla_state = 'breached' FROM sla_clock c "
            "WHERE c.ticket_id = t.id AND c.state = 'breached' AND t.sla_state <> 'breached'"
        )
        touched = cursor.rowcount
    return {"tickets": touched}


def measure(label: str, fn, runs: int, now) -> dict:
    times, queries, outcome = [], [], None
    for _ in range(runs):
        undo(now)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            outcome = fn()
            times.append(time.perf_counter() - started)
        queries.append(len(captured.captured_queries))
    return {"label": label, "median": statistics.median(times), "min": min(times), "max": max(times),
            "queries": queries[-1], "outcome": outcome}


def deadline_rate(n: int = 200_000) -> list[tuple[str, float]]:
    engine = work_calendar(default_calendar())
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    starts = [start - timedelta(minutes=17 * i) for i in range(1000)]
    rates = []
    for unit, amount in (("working_days", 5), ("business_minutes", 240), ("minutes", 45)):
        began = time.perf_counter()
        for i in range(n):
            engine.due(starts[i % 1000], amount, unit)
        rates.append((unit, n / (time.perf_counter() - began)))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print where one sweep spends its time")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench-sla starts one).")
    now = timezone.now()
    generate(args.tickets, args.due, now)
    if args.profile:
        import cProfile
        import pstats

        undo(now)
        with CaptureQueriesContext(connection) as captured:
            profiler = cProfile.Profile()
            profiler.runcall(sweep, now=now)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        for query in captured.captured_queries:
            log(f"{query['time']:>7}s  {query['sql'][:150]}")
        return
    ours = measure("sweep (sla.sweep.sweep)", lambda: sweep(now=now).as_dict(), args.runs, now)
    theirs = measure("hand-written SQL", lambda: hand_written(now), args.runs, now)
    undo(now)
    log("")
    log(f"{args.tickets:,} open tickets with running clocks, {args.due:,} past warning and deadline; "
        f"{args.runs} runs each, PostgreSQL {connection.pg_version // 10000}")
    log(f"{'':28} {'median':>9} {'min':>9} {'max':>9} {'queries':>8}")
    for row in (ours, theirs):
        log(f"{row['label']:28} {row['median']:8.3f}s {row['min']:8.3f}s {row['max']:8.3f}s {row['queries']:>8}")
    log(f"ratio sweep / hand-written SQL (medians): {ours['median'] / theirs['median']:.2f}")
    log(f"sweep outcome: {ours['outcome']}")
    log("")
    for unit, rate in deadline_rate():
        log(f"deadlines per second, {unit:17}: {rate:,.0f}")


if __name__ == "__main__":
    main()
