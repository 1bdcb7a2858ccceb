"""``make bench``: one table of what matters at scale, beside django-helpdesk on the same PostgreSQL.

``make bench SIZE=small`` (minutes) or ``SIZE=large`` (1,000,000 tickets over 3 years, a year of
calls). Generates the data with set-based SQL, then measures, each over repeated runs with median,
spread and query count:

- the escalation sweep for the due tickets;
- the ticket-list API (25 rows): plain, filtered, searched;
- the agent's queue page and the SLA dashboard;
- a calls import and the year's service-level query;
- gunicorn with the production settings under wrk on loopback (requests/s, p50, p99, errors);

then loads the same number of tickets into django-helpdesk (from PyPI, in its own virtual
environment under ``var/bench/``; none of its code is in this repository) and measures its
``escalate_tickets``, its ticket-list JSON and its dashboard, and prints the ratios.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.test")

import django  # noqa: E402

django.setup()

import calls_import  # noqa: E402
import sla_sweep  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from plans import rows_read  # noqa: E402
from wrk import parse_wrk  # noqa: E402

from calls.imports import call_import_create, call_import_run  # noqa: E402
from calls.metrics import service_level  # noqa: E402
from calls.models import CallRecord  # noqa: E402
from notifications.delivery import notifications_digest, notifications_email  # noqa: E402
from notifications.models import Notification  # noqa: E402
from sla import rollup  # noqa: E402
from sla.selectors import default_calendar  # noqa: E402
from sla.sweep import sweep  # noqa: E402
from staff.models import StaffMember  # noqa: E402
from staff.services import org_import  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
SIZES = {
    "small": {"tickets": 50_000, "due": 1_000, "call_lines": 100_000, "runs": 5, "load_seconds": 10},
    "large": {"tickets": 1_000_000, "due": 10_000, "call_lines": 1_000_000, "runs": 5, "load_seconds": 30},
}
PASSWORD = "bench-pass-123"  # noqa: S105 - a throwaway database
HELPDESK_VERSION = "2.6.1"


def log(message: str) -> None:
    print(message, flush=True)


def progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = int(width * done / total)
    print(f"\r  {label:10} [{'#' * filled}{'.' * (width - filled)}] {done:>9,} / {total:,}", end="", flush=True)
    if done >= total:
        print(flush=True)


def generate(tickets: int, due: int, now) -> None:
    """Shape A's staff; customers; tickets over three years (95 % closed; ``due`` open ones past their
    deadline, the other open ones ahead of it); two events and two clocks per ticket."""
    if not StaffMember.objects.exists():
        org_import(data=json.loads((ROOT / "staff/orgdata/shape_a.json").read_text(encoding="utf-8")),
                   password=PASSWORD)
        with connection.cursor() as cursor:  # an address for everyone, so the escalations are e-mailed
            cursor.execute("UPDATE auth_user SET email = username || '@bench.example.com' WHERE email = ''")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        if cursor.fetchone()[0] >= tickets:
            log(f"data: {tickets:,} tickets already there")
            return
        started = time.perf_counter()
        agents = list(StaffMember.objects.filter(position__role="agent").values_list("pk", "position__unit_id"))
        customers = max(tickets // 5, 1000)
        cursor.execute(
            "INSERT INTO tickets_customer (name, phone, phone_alt, email, account_no, customer_class, area, language,"
            " created_at) SELECT '客户' || g, '138' || lpad(g::text, 8, '0'), '', '', '', 'residential', 'urban',"
            " 'zh-hans', %s FROM generate_series(1, %s) AS g", [now, customers])
        cursor.execute("SELECT min(id) FROM tickets_customer")
        first_customer = cursor.fetchone()[0]
        spacing = timedelta(days=3 * 365) / tickets
        step = 100_000
        for first in range(1, tickets + 1, step):
            last = min(first + step - 1, tickets)
            cursor.execute(
                """
                INSERT INTO tickets_ticket (reference, kind, channel, status, priority, subject, description,
                    customer_id, team_id, assignee_id, received_at, created_at, updated_at, resolution,
                    cancel_reason, pause_reason, complaint_category, investigation, remedy, customer_reply, version,
                    sla_state, sla_due_at, resolved_at, closed_at, first_response_at)
                SELECT 'TS-B-' || g, (ARRAY['inquiry','complaint','repair','application'])[1 + mod(g, 4)], 'phone',
                       CASE WHEN g <= %(open)s THEN 'in_progress' ELSE 'closed' END, 1 + mod(g, 4),
                       '事项 ' || g, '', %(customer)s + mod(g, %(customers)s),
                       (%(units)s::bigint[])[1 + mod(g, %(n)s)], (%(agents)s::bigint[])[1 + mod(g, %(n)s)],
                       %(now)s - g * %(spacing)s - interval '2 days', %(now)s, %(now)s, '', '', '', '', '', '', '', 1,
                       CASE WHEN g <= %(due)s THEN 'at_risk' WHEN g <= %(open)s THEN 'on_track' ELSE 'met' END,
                       CASE WHEN g <= %(due)s THEN %(now)s - interval '1 hour'
                            WHEN g <= %(open)s THEN %(now)s + interval '3 days' END,
                       CASE WHEN g > %(open)s THEN %(now)s - g * %(spacing)s END,
                       CASE WHEN g > %(open)s THEN %(now)s - g * %(spacing)s END,
                       %(now)s - g * %(spacing)s - interval '1 day'
                  FROM generate_series(%(first)s, %(last)s) AS g
                """,
                {"customer": first_customer, "customers": customers, "units": [u for _, u in agents],
                 "agents": [a for a, _ in agents], "n": len(agents), "now": now, "spacing": spacing, "due": due,
                 "open": max(due * 2, tickets // 20), "first": first, "last": last},
            )
            progress(last, tickets, "tickets")
        cursor.execute(
            """
            INSERT INTO tickets_ticketevent (ticket_id, kind, actor_id, created_at, field, old_value, new_value, body)
            SELECT t.id, x.kind, NULL, t.received_at + x.offset_, 'status', x.old, x.new, ''
              FROM tickets_ticket t CROSS JOIN (VALUES ('created', interval '0', '', 'new'),
                                                       ('status', interval '1 day', 'new', 'assigned')) AS
                   x(kind, offset_, old, new)
            """)
        progress(tickets, tickets, "events")
        with rollup.recounted_after():  # one count of the rollup, not a trigger per clock
            cursor.execute(
                """
                INSERT INTO sla_clock (ticket_id, target, calendar_id, amount, unit, end_of_day, warn_percent,
                    escalate_every, escalate_every_unit, state, started_at, due_at, warn_at, met_at, breached_at,
                    paused_seconds, provisional, escalation_level, elapsed_wall, elapsed_working)
                SELECT t.id, x.target, %(calendar)s, x.amount, 'working_days', 'close', 80, 1, 'working_days',
                       CASE WHEN x.target = 'resolution' AND t.status <> 'closed' THEN 'running' ELSE 'met' END,
                       t.received_at,
                       CASE WHEN x.target = 'resolution' AND t.status <> 'closed' THEN t.sla_due_at
                            ELSE t.received_at + x.amount * interval '1 day' END,
                       CASE WHEN x.target = 'resolution' AND t.status <> 'closed' THEN t.sla_due_at - interval '1 day'
                            ELSE t.received_at + x.amount * interval '19 hours' END,
                       CASE WHEN x.target = 'resolution' AND t.status <> 'closed' THEN NULL
                            ELSE t.received_at + interval '20 hours' END,
                       NULL, 0, false, 0, NULL, NULL
                  FROM tickets_ticket t
                 CROSS JOIN (VALUES ('first_response', 1), ('resolution', 5)) AS x(target, amount)
                """,
                {"calendar": default_calendar().pk},
            )
        progress(tickets, tickets, "clocks")
    with connection.cursor() as cursor:  # outside any transaction: VACUUM refuses to run in one
        # A live database is vacuumed; without it the first measurements would race autovacuum
        # over two million fresh rows.
        cursor.execute("VACUUM ANALYZE")
    log(f"data: {tickets:,} tickets, {2 * tickets:,} events, {2 * tickets:,} clocks in "
        f"{time.perf_counter() - started:.0f} s")


def timed(fn, runs: int, before=None) -> dict:
    times, queries, status = [], 0, None
    for _ in range(runs):
        if before:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            status = fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "queries": queries,
            "status": status}


def page(client: Client, url: str):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.status_code

    return get


def measure_ours(size: dict, now) -> dict:
    runs = size["runs"]
    users = get_user_model().objects.in_bulk(field_name="username")
    clients = {}
    for name in ("agent2", "director"):
        clients[name] = Client()
        clients[name].force_login(users[name])
    rows = {}
    rows["sweep"] = timed(lambda: sweep(now=now).breached, runs, before=lambda: sla_sweep.undo(now))
    rows["sweep, hand-written SQL"] = timed(lambda: sla_sweep.hand_written(now)["tickets"], runs,
                                            before=lambda: sla_sweep.undo(now))

    def sweep_and_mail() -> int:
        """The sweep, then the e-mails of the notices it made (as its task queues them); the e-mails sent."""
        sweep(now=now)
        pending = list(Notification.objects.filter(emailed_at__isnull=True).values_list("pk", flat=True))
        return notifications_email(notification_ids=pending) + notifications_digest()

    rows["sweep with its e-mails"] = timed(sweep_and_mail, runs, before=lambda: sla_sweep.undo(now))
    sla_sweep.undo(now)
    # The pages are read as in a live center, whose sweep runs every minute: the deadlines passed are
    # marked breached (and the rollups folded), not left as if the sweep had never run.
    while sweep(now=now).more:
        pass
    sla_sweep.fold_and_vacuum()
    for label, who, url in (
        ("ticket API, 25 rows, agent", "agent2", "/api/v1/tickets/"),
        ("ticket API, 25 rows, director", "director", "/api/v1/tickets/"),
        ("ticket API, filtered, director", "director", "/api/v1/tickets/?status=closed&kind=complaint&priority=high"),
        ("ticket API, search, director", "director", "/api/v1/tickets/?search=13800001234"),
        ("queue page, agent", "agent2", "/tickets/?tab=mine"),
        ("SLA dashboard, director", "director", "/dashboard/"),
    ):
        clients[who].get(url)  # warm: the session, the calendar cache
        rows[label] = timed(page(clients[who], url), runs)
        rows[label]["rows read"] = rows_read(clients[who], url)
    content = calls_import.generate(size["call_lines"])
    job_ids = []

    def import_once():
        job = call_import_create(name="queue_log", content=content, fmt="queue_log")
        job_ids.append(job.pk)
        return call_import_run(import_id=job.pk).imported

    rows["calls import"] = timed(import_once, min(runs, 3), before=lambda: CallRecord.objects.all().delete())
    rows["calls import"]["lines"] = size["call_lines"]
    today = timezone.localdate()
    rows["service level, a year"] = timed(
        lambda: service_level(date_from=today - timedelta(days=365), date_to=today)["results"][0]["offered"], runs)
    return rows


LOAD_ROWS = (  # label, user, path; the floors first
    ("floor: Django, fixed JSON, signed in", "agent2", "/bench/floor/django/"),
    ("floor: DRF, fixed JSON, signed in", "agent2", "/bench/floor/drf/"),
    ("floor: one hand SQL, 25 rows, no count", "agent2", "/bench/floor/sql/"),
    ("ticket API, agent", "agent2", "/api/v1/tickets/"),
    ("ticket API, director", "director", "/api/v1/tickets/"),
    ("queue page, agent", "agent2", "/tickets/?tab=mine"),
    ("queue page, director (search tab)", "director", "/tickets/?tab=all"),
)


def _busy_ms() -> float:
    """CPU time the whole machine has spent busy (all cores), in ms, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) * 1000 / os.sysconf("SC_CLK_TCK")


def load(seconds: int) -> dict:
    """gunicorn with the production settings on loopback (and the floors of ``floor_urls``), wrk with 8
    connections against each row of ``LOAD_ROWS``; the machine's busy CPU ms per request beside it."""
    if not shutil.which("wrk"):
        return {"error": "wrk is not installed (apt-get install wrk)"}
    users = get_user_model().objects.in_bulk(field_name="username")
    cookies = {}
    for name in ("agent2", "director"):
        client = Client()
        client.force_login(users[name])
        cookies[name] = f"sessionid={client.cookies['sessionid'].value}"
    static = ROOT / "var" / "bench" / "static"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicecenter.settings.production", "STATIC_ROOT": str(static),
           "SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "False",
           "SESSION_COOKIE_SECURE": "False", "CSRF_COOKIE_SECURE": "False", "SECURE_HSTS_SECONDS": "0",
           "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--pythonpath", str(ROOT / "bench"),
                               "floor_wsgi:application", "-b", f"127.0.0.1:{port}",
                               "-w", str(2 * (os.cpu_count() or 2) + 1), "--log-level", "warning"], cwd=ROOT,
                              env=env)
    results = {}
    try:
        for _ in range(100):
            if subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/healthz"]).returncode == 0:
                break
            time.sleep(0.2)
        for label, who, path in LOAD_ROWS:
            cookie = cookies[who]
            url = f"http://127.0.0.1:{port}{path}"
            code = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Cookie: {cookie}",
                                   url], capture_output=True, text=True).stdout
            if code != "200":  # a redirect to the sign-in page would be counted as a success by wrk
                results[label] = f"signed-in request answered {code}, not measured"
                continue
            subprocess.run(["wrk", "-t2", "-c8", "-d2s", "-H", f"Cookie: {cookie}", url], capture_output=True)  # warm
            busy = _busy_ms()
            out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "--latency", "-H",
                                  f"Cookie: {cookie}", url], capture_output=True, text=True).stdout
            row = parse_wrk(out)
            row["cpu_ms"] = (_busy_ms() - busy) / row["requests"] if row["requests"] else None
            results[label] = row
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def helpdesk(size: dict) -> dict:
    """django-helpdesk in its own virtual environment, on a database of its own on the same server."""
    venv = ROOT / "var" / "bench" / "helpdesk-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"peer: installing django-helpdesk {HELPDESK_VERSION} into {venv.relative_to(ROOT)}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        f"django-helpdesk=={HELPDESK_VERSION}", "psycopg[binary]>=3.2"], check=True)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/helpdesk_bench"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'helpdesk_bench'")
        if not cursor.fetchone():
            cursor.execute("CREATE DATABASE helpdesk_bench")
    out = subprocess.run([str(python), str(ROOT / "bench" / "peer_helpdesk.py"), "--database-url", url,
                          "--tickets", str(size["tickets"]), "--due", str(size["due"]), "--runs", str(size["runs"])],
                         capture_output=True, text=True)
    sys.stderr.write(out.stderr[-4000:])
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"error": f"django-helpdesk run failed ({out.returncode})"}
    return json.loads(lines[-1])


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def table(size_name: str, size: dict, ours: dict, peer: dict, loaded: dict) -> str:
    lines = [f"`make bench SIZE={size_name}`: {size['tickets']:,} tickets over 3 years, {size['due']:,} due, "
             f"{size['call_lines']:,} queue_log lines; PostgreSQL {connection.pg_version // 10000}, "
             f"{os.cpu_count()} cores, {timezone.now():%Y-%m-%d}. Server time in ms, {size['runs']} runs.", "",
             "| measure | median | min | max | queries | rows read | django-helpdesk median | ratio |",
             "|---|---|---|---|---|---|---|---|"]
    pairs = {"sweep": "escalate_tickets", "ticket API, 25 rows, director": "ticket list JSON",
             "SLA dashboard, director": "dashboard"}
    for label, row in ours.items():
        theirs = peer.get(pairs.get(label, ""), {}) if "error" not in peer else {}
        ratio = f"{theirs['median'] / row['median']:.0f}×" if theirs else ""
        their_cell = f"{theirs['median']:.1f} ({theirs['queries']} q)" if theirs else ""
        name = f"{label} ({size['due']:,} due)" if label == "sweep" else label
        read = f"{row['rows read']:,}" if "rows read" in row else ""
        lines.append(f"| {name} | {row['median']:.1f} | {row['min']:.1f} | {row['max']:.1f} | {row['queries']} | "
                     f"{read} | {their_cell} | {ratio} |")
    if "error" in peer:
        lines.append(f"\ndjango-helpdesk: {peer['error']}")
    if "sweep, hand-written SQL" in ours and "sweep with its e-mails" in ours:
        swept, hand, mailed = ours["sweep"], ours["sweep, hand-written SQL"], ours["sweep with its e-mails"]
        lines.append(f"\nThe sweep takes {swept['median'] / hand['median']:.2f}× the hand-written SQL for the same "
                     f"work; with its e-mails ({mailed['status']:,} sent) {mailed['median'] / size['due']:.2f} ms "
                     f"per due ticket.")
    lines += ["", "| load (wrk -t2 -c8, gunicorn production settings, 2 × cores + 1 workers) | requests/s "
                  "| p50 ms | p99 ms | CPU ms per request | share of the DRF floor | requests | errors |",
              "|---|---|---|---|---|---|---|---|"]
    floor = loaded.get("floor: DRF, fixed JSON, signed in")
    for label, row in loaded.items():
        if isinstance(row, dict) and "rps" in row:
            share = f"{row['rps'] / floor['rps']:.2f}" if isinstance(floor, dict) and floor.get("rps") else ""
            cells = [f"{row['rps']:.0f}", _cell(row["p50"]), _cell(row["p99"]), _cell(row.get("cpu_ms")), share,
                     f"{row['requests']:,}", str(row["errors"])]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        else:
            lines.append(f"| {label} | {row} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default=os.environ.get("SIZE", "small"))
    parser.add_argument("--no-peer", action="store_true", help="skip django-helpdesk")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: make bench starts one.")
    size = SIZES[args.size]
    now = timezone.now()
    generate(size["tickets"], size["due"], now)
    log("measuring ours …")
    ours = measure_ours(size, now)
    log("load …")
    loaded = load(size["load_seconds"])
    peer = {"error": "skipped"} if args.no_peer else helpdesk(size)
    result = table(args.size, size, ours, peer, loaded)
    out = ROOT / "var" / "bench" / f"results-{args.size}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(result + "\n", encoding="utf-8")
    log("\n" + result + f"\n\n(saved to {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
