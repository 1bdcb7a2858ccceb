"""Faults in messaging, with real workers on the Redis and PostgreSQL that ``make test`` starts and a
real Dovecot: a worker killed with SIGKILL half-way through sending replies, and half-way through
taking a mailbox, then a new worker: nothing lost, nothing doubled."""

import json
import uuid

import pytest
from django.utils import timezone
from imap_tools import AND, MailBoxUnencrypted

from messaging.models import Delivery, InboundMessage
from tests.conftest import SHAPE_A, load_shape, require_service
from tests.integration.conftest import wait_until
from tests.integration.test_faults import producer, worker_env
from tests.messaging.mailserver import Dovecot, fill_inbox, running_dovecot
from tickets.models import Customer, Ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "support-pass"
N = 200


def test_a_send_killed_half_way_sends_each_reply_once(sla_presets, redis_url, start_worker, make_ticket, member,
                                                       tmp_path):
    ticket = make_ticket(assignee=member("agent1"))
    now = timezone.now()
    Delivery.objects.bulk_create([
        Delivery(ticket=ticket, channel="sms", address=f"1390000{n:04d}", text=f"答复 {n}", key=f"reply-test-{n}",
                 created_at=now, send_after=now) for n in range(N)])
    outbox = tmp_path / "outbox.jsonl"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = worker_env(redis_url, queue, MESSAGING_SMS_BACKEND="messaging.backends.FileBackend",
                     MESSAGING_OUTBOX_FILE=outbox, MESSAGING_SEND_BATCH=10)
    first = start_worker(env)
    producer(redis_url, queue).send_task("messaging.send")
    wait_until(lambda: outbox.exists() and outbox.stat().st_size > 0, what="the first message")
    first.kill()
    assert Delivery.objects.filter(state="sent").count() < N
    second = start_worker(env)
    producer(redis_url, queue).send_task("messaging.send")
    wait_until(lambda: not Delivery.objects.filter(state="queued").exists(), timeout=120, every=0.5,
               what=f"the rest to be sent\n{second.output()}")
    by_key: dict[str, list] = {}
    for line in outbox.read_text(encoding="utf-8").splitlines():
        message = json.loads(line)
        by_key.setdefault(message["key"], []).append(message)
    assert Delivery.objects.filter(state="sent").count() == N
    assert len(by_key) == N
    # At most the one message in flight at the kill went out again, with the same key (a gateway drops it).
    assert len([key for key, copies in by_key.items() if len(copies) > 1]) <= 1


def test_a_poll_killed_half_way_takes_each_message_once(sla_presets, redis_url, start_worker):
    require_service(Dovecot.available(), "dovecot (apt-get install dovecot-imapd) and root")
    load_shape(SHAPE_A)
    with running_dovecot({"support": PASSWORD}) as server:
        fill_inbox(server, "support", PASSWORD, N, "fault")
        mailboxes = [{"name": "support", "host": "127.0.0.1", "port": server.port, "security": "none",
                      "user": "support", "password_env": "TEST_SUPPORT_PASSWORD", "kind": "inquiry"}]
        queue = f"test-{uuid.uuid4().hex[:8]}"
        env = worker_env(redis_url, queue, MESSAGING_MAILBOXES=json.dumps(mailboxes), TEST_SUPPORT_PASSWORD=PASSWORD,
                         MESSAGING_POLL_BATCH=N)
        first = start_worker(env)
        producer(redis_url, queue).send_task("messaging.poll")
        wait_until(lambda: InboundMessage.objects.count() >= 5, what="the first messages taken")
        first.kill()
        taken_at_kill = InboundMessage.objects.count()
        assert taken_at_kill < N
        second = start_worker(env)
        producer(redis_url, queue).send_task("messaging.poll")
        wait_until(lambda: InboundMessage.objects.count() == N, timeout=120, every=0.5,
                   what=f"the rest to be taken\n{second.output()}")
        with MailBoxUnencrypted("127.0.0.1", server.port).login("support", PASSWORD) as box:
            wait_until(lambda: not box.uids(AND(seen=False)), what="every message marked seen")
    assert Ticket.objects.count() == N
    assert Customer.objects.count() == N
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(f"咨询 fault {n}" for n in range(N))
