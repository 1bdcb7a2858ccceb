"""The peer side of ``make bench``: django-helpdesk, run by its own virtual environment's Python.

Configures a minimal Django project for it in this process (nothing of helpdesk's is copied here),
migrates its own database, loads N tickets with set-based SQL (one queue that escalates after a
day; ``--due`` open tickets old enough to escalate, the other open ones new, the rest closed), then
measures its ``escalate_tickets`` command, its ticket-list JSON (the view its ticket list page
calls, 25 rows) and its dashboard, in-process through Django's test client as a staff user.
Prints one JSON line.
"""

import argparse
import json
import statistics
import sys
import time
import warnings
from urllib.parse import urlparse

import django
from django.conf import settings

urlpatterns: list = []


def configure(database_url: str) -> None:
    url = urlparse(database_url)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-peer-" + "x" * 40,
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                        "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
                        "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware",
                    "django.middleware.common.CommonMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware",
                    "django.contrib.messages.middleware.MessageMiddleware"],
        ROOT_URLCONF="__main__",
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                       "django.contrib.auth.context_processors.auth",
                                                       "django.contrib.messages.context_processors.messages"]}}],
        DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": url.path.lstrip("/"),
                               "USER": url.username or "", "PASSWORD": url.password or "",
                               "HOST": url.hostname or "127.0.0.1", "PORT": url.port or 5432}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        SITE_ID=1,
        USE_TZ=True,
        TIME_ZONE="Asia/Shanghai",
        STATIC_URL="/static/",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        HELPDESK_TEAMS_MODE_ENABLED=False,
        LOGIN_URL="/login/",
    )
    django.setup()
    from django.urls import include, path

    urlpatterns.append(path("helpdesk/", include("helpdesk.urls")))


def load(tickets: int, due: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from helpdesk.models import Queue, Ticket

    if Ticket.objects.count() >= tickets:
        return
    user_model = get_user_model()
    staff = user_model.objects.filter(username="bench").first() or user_model.objects.create_superuser(
        "bench", "bench@example.com", "bench-pass-123")
    queue, _ = Queue.objects.get_or_create(slug="hotline", defaults={"title": "Hotline", "escalate_days": 1,
                                                                     "email_address": "hotline@example.com"})
    opened = max(due * 2, tickets // 20)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO helpdesk_ticket (title, queue_id, created, modified, submitter_email, assigned_to_id, status,
                on_hold, description, resolution, priority, due_date, last_escalation, secret_key, kbitem_id,
                merged_to_id)
            SELECT '事项 ' || g, %(queue)s,
                   CASE WHEN g <= %(due)s THEN now() - interval '3 days'
                        WHEN g <= %(open)s THEN now()
                        ELSE now() - g * interval '1 minute' END,
                   now(), 'c' || g || '@example.com', %(staff)s,
                   CASE WHEN g <= %(open)s THEN 1 ELSE 4 END, false, '', '', 3, NULL, NULL,
                   md5(g::text), NULL, NULL
              FROM generate_series(1, %(tickets)s) AS g
            """,
            {"queue": queue.pk, "due": due, "open": opened, "staff": staff.pk, "tickets": tickets},
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as for ours: measured after the vacuum a live database gets
    print(f"peer data: {tickets:,} tickets in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


class QueryCounter:
    """Counts statements without keeping them (its escalation runs tens of thousands)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(fn, runs: int, before=None) -> dict:
    from django.db import connection

    times, queries = [], 0
    for _ in range(runs):
        if before:
            before()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = counter.count
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "queries": queries}


def reset_escalations(due: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM helpdesk_ticketchange WHERE followup_id IN "
                       "(SELECT id FROM helpdesk_followup WHERE title = 'Ticket Escalated')")
        cursor.execute("DELETE FROM helpdesk_followup WHERE title = 'Ticket Escalated'")
        cursor.execute("UPDATE helpdesk_ticket SET priority = 3, last_escalation = NULL WHERE last_escalation "
                       "IS NOT NULL")


def main() -> None:
    warnings.simplefilter("ignore", RuntimeWarning)  # its own naive-datetime warnings, not ours to fix
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--due", type=int, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    configure(args.database_url)
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.core.management import call_command
    from django.test import Client
    from helpdesk.models import Ticket
    from helpdesk.query import query_to_base64

    call_command("migrate", verbosity=0)
    load(args.tickets, args.due)
    # Its escalation walks the due tickets one by one (save, e-mail, follow-up); a large run takes
    # minutes, so it is measured fewer times than the pages.
    escalate_runs = 1 if args.due > 2000 else min(args.runs, 3)
    rows = {"escalate_tickets": timed(lambda: call_command("escalate_tickets"), escalate_runs,
                                      before=lambda: (reset_escalations(args.due), setattr(mail, "outbox", [])))}
    escalated = Ticket.objects.filter(last_escalation__isnull=False).count()
    rows["escalate_tickets"]["escalated"] = escalated
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    query = query_to_base64({"filtering": {}, "sorting": "created", "sortreverse": True,
                             "search_string": "", "search_filter_args": []})
    for label, url in (("ticket list JSON", f"/helpdesk/datatables_ticket_list/{query}?draw=1&start=0&length=25"),
                       ("dashboard", "/helpdesk/dashboard/")):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        rows[label] = timed(lambda url=url: client.get(url), args.runs)
    from importlib.metadata import version

    rows["version"] = version("django-helpdesk")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
