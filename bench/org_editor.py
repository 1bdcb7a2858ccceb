"""Server time of the org chart page and of an org change's impact preview, small and at 2,000 posts with
100,000 open tickets, on PostgreSQL.

Run by ``make bench-org`` (a throwaway PostgreSQL), or with ``DATABASE_URL`` set: ``python bench/org_editor.py
[--posts N] [--tickets N] [--runs N]``. First Shape A as it ships (14 posts) with 1,000 open tickets, then
the org grown to N posts (teams of a lead and nine agents under ten department managers, every post held)
and N open tickets held by the agents, each with a running or breached clock. Each figure is printed beside
a baseline measured in the same run and size, as a ratio: the org page beside the signed-in home page
(the framework's floor for a page), the impact beside loading the org into memory alone and beside one
count of the live clocks (the floor of anything that looks at every open ticket).
"""

import argparse
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

import json  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from sla import rollup  # noqa: E402
from sla.selectors import default_calendar  # noqa: E402
from staff.changes import change_check, change_impact  # noqa: E402
from staff.graph import OrgGraph  # noqa: E402
from staff.models import Position, StaffMember, Unit  # noqa: E402
from staff.services import org_import  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
TEAM = 10  # a lead and nine agents


def timed(fn, runs: int) -> dict:
    fn()  # warm
    times, queries, result = [], 0, None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "queries": queries,
            "result": result}


def grow_org(posts: int) -> None:
    """Teams of a lead and nine agents under ten department managers; every post held by one person."""
    director = Position.objects.get(code="director")
    cs = Unit.objects.get(code="cs-dept")
    teams = max(posts // TEAM, 1)
    managers = []
    for d in range(10):
        dept = Unit.objects.create(name=f"分部{d}", code=f"bench-dept-{d}", kind="department", parent=cs)
        managers.append(Position.objects.create(unit=dept, title=f"分部经理{d}", code=f"bench-mgr-{d}", role="manager",
                                                reports_to=director))
    units = [Unit.objects.create(name=f"班组{t}", code=f"bench-team-{t}", kind="team",
                                 parent=managers[t % 10].unit) for t in range(teams)]
    leads = Position.objects.bulk_create(
        Position(unit=u, title=f"组长{t}", code=f"bench-lead-{t}", role="team_lead", reports_to=managers[t % 10])
        for t, u in enumerate(units))
    agents = Position.objects.bulk_create(
        Position(unit=u, title=f"专员{t}-{i}", code=f"bench-agent-{t}-{i}", role="agent", reports_to=leads[t])
        for t, u in enumerate(units) for i in range(TEAM - 1))
    held = [*managers, *leads, *agents]
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{i}", password="!") for i in range(len(held)))  # noqa: S106 - unusable
    StaffMember.objects.bulk_create(
        StaffMember(user=user, name=f"员工{i}", employee_no=f"BN{i:05d}", position=position)
        for i, (user, position) in enumerate(zip(users, held, strict=True)))


def open_tickets(count: int) -> None:
    """Open tickets held by the agents in their own teams, each with a running or a breached clock."""
    agents = list(StaffMember.objects.filter(position__role="agent").values_list("pk", "position__unit_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_customer (name, phone, phone_alt, email, account_no, customer_class, area, "
            "language, created_at) SELECT '客户' || g, '1390000' || lpad(g::text, 4, '0'), '', '', '', "
            "'residential', 'urban', 'zh-hans', now() FROM generate_series(1, 1000) AS g")
        cursor.execute("SELECT min(id) FROM tickets_customer")
        customer = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO tickets_ticket (reference, kind, channel, status, priority, subject, description,
                customer_id, team_id, assignee_id, received_at, created_at, updated_at, resolution, cancel_reason,
                pause_reason, complaint_category, investigation, remedy, customer_reply, version, sla_state,
                sla_due_at)
            SELECT 'TS-O-' || (%(offset)s + g), 'complaint', 'phone', 'in_progress', 2, '事项 ' || g, '',
                   %(customer)s + mod(g, 1000), (%(units)s::bigint[])[1 + mod(g, %(n)s)],
                   (%(agents)s::bigint[])[1 + mod(g, %(n)s)], now() - interval '3 days', now(), now(),
                   '', '', '', '', '', '', '', 1, 'on_track', now() + interval '1 day'
              FROM generate_series(1, %(count)s) AS g
            """,
            {"offset": Position.objects.count() * 1_000_000, "customer": customer, "n": len(agents),
             "units": [u for _a, u in agents], "agents": [a for a, _u in agents], "count": count})
        with rollup.recounted_after():  # one count of the rollup, not a trigger per clock
            cursor.execute(
                """
                INSERT INTO sla_clock (ticket_id, target, calendar_id, amount, unit, end_of_day, warn_percent,
                    escalate_every, escalate_every_unit, state, started_at, due_at, warn_at, breached_at,
                    paused_seconds, provisional, escalation_level)
                SELECT t.id, 'resolution', %(calendar)s, 5, 'working_days', 'close', 80, 1, 'working_days',
                       CASE WHEN mod(t.id, 3) = 0 THEN 'breached' ELSE 'running' END, t.received_at,
                       t.received_at + interval '5 days', t.received_at + interval '4 days',
                       CASE WHEN mod(t.id, 3) = 0 THEN t.received_at + interval '5 days' END, 0, false,
                       CASE WHEN mod(t.id, 3) = 0 THEN 1 + mod(t.id, 2) ELSE 0 END
                  FROM tickets_ticket t WHERE t.reference LIKE 'TS-O-%%' AND NOT EXISTS (
                       SELECT 1 FROM sla_clock c WHERE c.ticket_id = t.id)
                """,
                {"calendar": default_calendar().pk})
        cursor.execute("ANALYZE")


def live_clocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sla_clock WHERE state IN ('running', 'breached')")
        return cursor.fetchone()[0]


def a_team_move() -> dict:
    """Move the first bench team (or Shape A's region 1) under another department, its lead reporting to
    that department's manager: the reorganisation the impact preview is for."""
    team = Unit.objects.filter(code="bench-team-0").first()
    if team is None:
        return {"unit": Unit.objects.get(code="tech-region-1").pk, "parent": Unit.objects.get(code="cs-dept").pk,
                "reports_to": Position.objects.get(code="reception-dm").pk}
    return {"unit": team.pk, "parent": Unit.objects.get(code="bench-dept-1").pk,
            "reports_to": Position.objects.get(code="bench-mgr-1").pk}


def measure(runs: int) -> list[tuple[str, dict, dict]]:
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    data = a_team_move()
    form = {**data, "fixed": "unit"}
    home = timed(lambda: admin.get("/"), runs)
    load = timed(OrgGraph.load, runs)
    count = timed(live_clocks, runs)
    page = timed(lambda: admin.get("/org/"), runs)
    impact = timed(lambda: change_impact(change_check(kind="unit_move", data=data)), runs)
    http = timed(lambda: admin.post("/org/change/unit_move/", form), runs)
    return [("/org/ (admin)", page, home), ("impact: move a team", impact, load),
            ("impact: move a team", impact, count), ("POST preview page", http, home)]


def report(title: str, rows: list[tuple[str, dict, dict]], baselines: dict[int, str]) -> None:
    print(f"\n{title}")
    print(f"{'measure':24} {'median ms':>10} {'min':>8} {'max':>8} {'queries':>8}   {'baseline':28} {'its ms':>8}"
          f" {'ratio':>7}")
    for i, (label, figure, base) in enumerate(rows):
        ratio = figure["median"] / base["median"]
        print(f"{label:24} {figure['median']:10.1f} {figure['min']:8.1f} {figure['max']:8.1f} "
              f"{figure['queries']:>8}   {baselines[i]:28} {base['median']:8.1f} {ratio:7.1f}×")


BASELINES = {0: "signed-in home page /", 1: "OrgGraph.load() alone", 2: "count(*) of live clocks",
             3: "signed-in home page /"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench-org starts one).")
    if not StaffMember.objects.exists():
        org_import(data=json.loads((ROOT / "staff/orgdata/shape_a.json").read_text(encoding="utf-8")),
                   password="bench-pass-123")  # noqa: S106 - a throwaway database
    if not Unit.objects.filter(code="bench-dept-0").exists():
        open_tickets(1_000)
        small = measure(args.runs)
        impact = small[1][1]["result"]
        report(f"Shape A: {Position.objects.count()} posts, {live_clocks():,} live clocks; the team move changes "
               f"{len(impact.superiors)} superiors and {impact.tickets} tickets' next escalation", small, BASELINES)
        started = time.perf_counter()
        grow_org(args.posts)
        open_tickets(args.tickets)
        print(f"\ndata: grown to {Position.objects.count():,} posts and {live_clocks():,} live clocks in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    large = measure(args.runs)
    impact = large[1][1]["result"]
    report(f"{Position.objects.count():,} posts, {StaffMember.objects.count():,} people, {live_clocks():,} live "
           f"clocks; the team move changes {len(impact.superiors)} superiors and {impact.tickets:,} tickets' next "
           f"escalation. {args.runs} runs each, PostgreSQL {connection.pg_version // 10000}, "
           f"{timezone.now():%Y-%m-%d}", large, BASELINES)


if __name__ == "__main__":
    main()
