"""Messages per second: e-mail taken from a real Dovecot (IMAP) and replies sent, on PostgreSQL, each
beside a floor measured in the same run.

Run by ``make bench-messaging`` (which starts a throwaway PostgreSQL), or against any migrated
PostgreSQL database with ``DATABASE_URL`` set: ``python bench/messaging.py [--messages N]``. Needs
Dovecot (``apt-get install dovecot-imapd``) and root, as the tests do.

- **poll**: N e-mails from N customers in the support mailbox; the floor is imap-tools fetching the
  same N messages and marking them seen, with nothing done with them; the product takes each (its
  key, threading, the customer, the ticket, its clocks and acknowledgement) and marks it seen.
- **send**: N queued replies; the floor is the same sends done by hand (a transaction per message:
  ``SELECT … FOR UPDATE SKIP LOCKED``, the backend, ``UPDATE``); the product is ``deliveries_send``.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecenter.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from imap_tools import AND, MailBoxUnencrypted, MailMessageFlags  # noqa: E402

from messaging import services as messaging  # noqa: E402
from messaging.backends import FileBackend, Message  # noqa: E402
from messaging.mailboxes import mailboxes_poll  # noqa: E402
from messaging.models import Delivery, InboundMessage  # noqa: E402
from staff.models import StaffMember  # noqa: E402
from staff.services import org_import  # noqa: E402
from tests.messaging.mailserver import Dovecot, fill_inbox, running_dovecot  # noqa: E402
from tickets import services as tickets  # noqa: E402
from tickets.models import Ticket  # noqa: E402

PASSWORD = "bench-pass"  # noqa: S105 - a throwaway server's
RUN = int(time.time())  # new senders and subjects each run: none threads onto an earlier run's tickets


def log(message: str) -> None:
    print(message, flush=True)


class Counted:
    """Counts the statements run (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def poll(server: Dovecot, n: int) -> dict:
    fill_inbox(server, "support", PASSWORD, n, f"floor{RUN}")
    started = time.perf_counter()
    with MailBoxUnencrypted("127.0.0.1", server.port).login("support", PASSWORD) as box:
        uids = box.uids(AND(seen=False))
        for message in box.fetch(AND(uid=uids), mark_seen=False, bulk=50):
            box.flag([message.uid], MailMessageFlags.SEEN, True)
    floor = time.perf_counter() - started
    fill_inbox(server, "support", PASSWORD, n, f"product{RUN}")
    os.environ["BENCH_SUPPORT_PASSWORD"] = PASSWORD
    config = [{"name": "support", "host": "127.0.0.1", "port": server.port, "security": "none", "user": "support",
               "password_env": "BENCH_SUPPORT_PASSWORD", "kind": "inquiry"}]
    before = Ticket.objects.count()
    queries = Counted()
    with override_settings(MESSAGING_MAILBOXES=config), connection.execute_wrapper(queries):
        started = time.perf_counter()
        result = mailboxes_poll(limit=n)
        product = time.perf_counter() - started
    assert (result.taken, Ticket.objects.count() - before) == (n, n), result.as_dict()
    return {"n": n, "floor_s": floor, "product_s": product, "queries": queries.count}


def send(n: int) -> dict:
    ticket = Ticket.objects.order_by("pk").first() or tickets.ticket_create(
        actor=None, kind="inquiry", channel="phone", subject="基准",
        customer={"name": "基准客户", "phone": "13900000000"}, public=True)
    Delivery.objects.filter(state="queued").update(state="failed")  # others' (an acknowledgement, an earlier run)
    now = timezone.now()

    def queue(tag: str) -> None:
        Delivery.objects.bulk_create([
            Delivery(ticket=ticket, channel="sms", address=f"1390000{i:04d}", text=f"答复 {i}",
                     key=f"bench-{tag}-{i}-{time.monotonic_ns()}", created_at=now, send_after=now) for i in range(n)])

    backend = FileBackend()
    queue("floor")
    table = Delivery._meta.db_table
    started = time.perf_counter()
    for _ in range(n):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT id, key, address, text FROM {table} WHERE state = 'queued' "
                           "ORDER BY send_after, id LIMIT 1 FOR UPDATE SKIP LOCKED")
            pk, key, address, text = cursor.fetchone()
            backend.send(Message(key=key, channel="sms", to=address, subject="", text=text, language="zh-hans"))
            cursor.execute(f"UPDATE {table} SET state = 'sent', sent_at = now(), attempts = attempts + 1 "
                           "WHERE id = %s", [pk])
    floor = time.perf_counter() - started
    queue("product")
    queries = Counted()
    with connection.execute_wrapper(queries):
        started = time.perf_counter()
        result = messaging.deliveries_send(limit=n)
        product = time.perf_counter() - started
    assert result.sent == n, result.as_dict()
    return {"n": n, "floor_s": floor, "product_s": product, "queries": queries.count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/messaging.py measures PostgreSQL: set DATABASE_URL")
    if not Dovecot.available():
        sys.exit("bench/messaging.py needs Dovecot (apt-get install dovecot-imapd) and root")
    if not StaffMember.objects.exists():
        org_import(data=json.loads((ROOT / "staff/orgdata/shape_a.json").read_text(encoding="utf-8")),
                   password="bench-pass-123")  # noqa: S106 - a throwaway database
    scratch = Path(tempfile.mkdtemp(prefix="servicecenter-bench-"))
    try:
        # Sends first: the tickets the poll makes queue their acknowledgements, which a send would take.
        with override_settings(MESSAGING_SMS_BACKEND="messaging.backends.FileBackend",
                               MESSAGING_OUTBOX_FILE=str(scratch / "outbox.jsonl")):
            sent = send(args.messages)
        with running_dovecot({"support": PASSWORD}) as server:
            polled = poll(server, args.messages)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log(f"\n| messaging, {args.messages:,} messages, PostgreSQL | floor msg/s | product msg/s | product ÷ floor (time) "
        "| queries per message |")
    log("|---|---|---|---|---|")
    for label, row in (("e-mail polled (IMAP, Dovecot) → tickets", polled), ("replies sent (SMS backend: file)", sent)):
        log(f"| {label} | {row['n'] / row['floor_s']:,.0f} | {row['n'] / row['product_s']:,.0f} | "
            f"{row['product_s'] / row['floor_s']:.1f} | {row['queries'] / row['n']:.1f} |")
    log(f"\ninbound kept: {InboundMessage.objects.count():,}; deliveries: {Delivery.objects.count():,}")


if __name__ == "__main__":
    main()
