"""Server time of the agent's queue and the SLA dashboard at scale, on PostgreSQL.

Run by ``make bench-pages`` (a throwaway PostgreSQL), or with ``DATABASE_URL`` set:
``python bench/pages.py [--tickets N] [--runs N]``. Shape A's staff and N tickets over the last 3
years (default 100,000; 90 % closed), each with first-response and resolution clocks. Each page is
requested in-process through Django's test client as a signed-in user: the time is the server's
(middleware, views, queries, templates), not the network's. Prints median, min, max and queries.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from sla import rollup  # noqa: E402
from sla.selectors import default_calendar  # noqa: E402
from staff.models import StaffMember  # noqa: E402
from staff.services import org_import  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]

PAGES = [
    ("agent queue: mine", "agent2", "/tickets/?tab=mine"),
    ("agent queue: team", "agent2", "/tickets/?tab=team"),
    ("queue search", "agent2", "/tickets/?tab=all&search=13800000001"),
    ("queue: breached", "supervisor1", "/tickets/?tab=all&is_open=true&sla_state=breached"),
    ("SLA dashboard: supervisor", "supervisor1", "/dashboard/"),
    ("SLA dashboard: director", "director", "/dashboard/"),
    ("ticket API list", "agent2", "/api/v1/tickets/"),
]


def generate(tickets: int) -> None:
    if not StaffMember.objects.exists():
        org_import(data=json.loads((ROOT / "staff/orgdata/shape_a.json").read_text(encoding="utf-8")),
                   password="bench-pass-123")  # noqa: S106 - a throwaway database
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        if cursor.fetchone()[0] >= tickets:
            return
        agents = list(StaffMember.objects.filter(position__role="agent").values_list("pk", "position__unit_id"))
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO tickets_customer (name, phone, phone_alt, email, account_no, customer_class, area, language,"
            " created_at) SELECT '客户' || g, '1380000' || lpad(g::text, 4, '0'), '', '', '', 'residential', 'urban',"
            " 'zh-hans', now() FROM generate_series(1, 5000) AS g")
        cursor.execute("SELECT min(id) FROM tickets_customer")
        first_customer = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO tickets_ticket (reference, kind, channel, status, priority, subject, description, customer_id,
                team_id, assignee_id, received_at, created_at, updated_at, resolution, cancel_reason, pause_reason,
                complaint_category, investigation, remedy, customer_reply, version, sla_state, sla_due_at)
            SELECT 'TS-P-' || g, (ARRAY['inquiry','complaint','repair','application'])[1 + mod(g, 4)], 'phone',
                   CASE WHEN mod(g, 10) = 0
                        THEN (ARRAY['new','assigned','in_progress','pending_customer'])[1 + mod(g / 10, 4)]
                        ELSE 'closed' END,
                   1 + mod(g, 4), '事项 ' || g, '', %(customer)s + mod(g, 5000),
                   (%(units)s::bigint[])[1 + mod(g, %(n)s)],
                   CASE WHEN mod(g, 10) = 0 AND mod(g / 10, 4) = 0 THEN NULL
                        ELSE (%(agents)s::bigint[])[1 + mod(g, %(n)s)] END,
                   now() - (g * interval '15 minutes'), now(), now(), '', '', '', '', '', '', '', 1,
                   CASE WHEN mod(g, 10) = 0 THEN (ARRAY['on_track','at_risk','breached','paused'])[1 + mod(g / 7, 4)]
                        ELSE 'met' END,
                   CASE WHEN mod(g, 10) = 0 THEN now() + (mod(g, 97) - 48) * interval '1 hour' END
              FROM generate_series(1, %(tickets)s) AS g
            """,
            {"customer": first_customer, "units": [u for _, u in agents], "agents": [a for a, _ in agents],
             "n": len(agents), "tickets": tickets},
        )
        with rollup.recounted_after():  # one count of the rollup, not a trigger per clock
            cursor.execute(
                """
                INSERT INTO sla_clock (ticket_id, target, calendar_id, amount, unit, end_of_day, warn_percent,
                    escalate_every, escalate_every_unit, state, started_at, due_at, warn_at, met_at, breached_at,
                    paused_seconds, provisional, escalation_level, elapsed_wall, elapsed_working)
                SELECT t.id, x.target, %(calendar)s, x.amount, 'working_days', 'close', 80, 1, 'working_days',
                       CASE WHEN t.status = 'closed' THEN 'met' ELSE 'running' END,
                       t.received_at, t.received_at + x.amount * interval '1 day',
                       t.received_at + x.amount * interval '19 hours',
                       CASE WHEN t.status = 'closed' THEN t.received_at + (mod(t.id, 130) * interval '1 hour') END,
                       CASE WHEN mod(t.id, 9) = 0 THEN t.received_at + x.amount * interval '1 day' END,
                       0, false, 0,
                       CASE WHEN t.status = 'closed' THEN mod(t.id, 130) * 3600 END,
                       CASE WHEN t.status = 'closed' THEN mod(t.id, 130) * 2000 END
                  FROM tickets_ticket t
                 CROSS JOIN (VALUES ('first_response', 1), ('resolution', 5)) AS x(target, amount)
                """,
                {"calendar": default_calendar().pk},
            )
        cursor.execute("ANALYZE")
    print(f"data: {tickets:,} tickets with 2 clocks each in {time.perf_counter() - started:.0f} s", flush=True)


def measure(runs: int) -> list[dict]:
    users = get_user_model().objects.in_bulk(field_name="username")
    results = []
    for label, username, url in PAGES:
        client = Client()
        client.force_login(users[username])
        client.get(url)  # warm: the session, the calendar cache
        times, queries, status = [], 0, None
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries, status = len(captured.captured_queries), response.status_code
        results.append({"label": label, "url": url, "status": status, "median": statistics.median(times),
                        "min": min(times), "max": max(times), "queries": queries})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench-pages starts one).")
    generate(args.tickets)
    rows = measure(args.runs)
    print(f"\n{args.tickets:,} tickets ({args.tickets // 10:,} open), {args.runs} runs each, server time in ms, "
          f"PostgreSQL {connection.pg_version // 10000}, {timezone.now():%Y-%m-%d}")
    print(f"{'page':28} {'status':>6} {'median':>8} {'min':>8} {'max':>8} {'queries':>8}")
    for r in rows:
        print(f"{r['label']:28} {r['status']:>6} {r['median']:8.1f} {r['min']:8.1f} {r['max']:8.1f} {r['queries']:>8}")


if __name__ == "__main__":
    main()
