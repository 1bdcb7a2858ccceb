"""E-mail in, through a real Dovecot: a new message opens a ticket; the customer's answer to our reply
lands on the same ticket and resumes its clock; a late one opens a linked ticket; automatic replies
and bounces open nothing; polling twice, or after a poller died between its commit and marking the
message seen, takes each message once; an unreadable one is quarantined whole."""

import imaplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from imap_tools import AND, MailBoxUnencrypted

from messaging import services as messaging
from messaging.mailboxes import mailboxes_poll
from messaging.models import Delivery, InboundMessage
from sla.models import Clock
from tests.conftest import require_service
from tests.messaging.mailserver import Dovecot, running_dovecot
from tickets import services
from tickets.models import Customer, Status, Ticket, TicketEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=TZ)
PASSWORD = "support-pass"


@pytest.fixture(scope="module")
def dovecot():
    require_service(Dovecot.available(), "dovecot (apt-get install dovecot-imapd) and root")
    with running_dovecot({"support": PASSWORD}) as server:
        yield server


@pytest.fixture
def inbox(dovecot, monkeypatch):
    """The support mailbox, emptied, configured as the one polled."""
    monkeypatch.setenv("TEST_SUPPORT_PASSWORD", PASSWORD)
    config = [{"name": "support", "host": "127.0.0.1", "port": dovecot.port, "security": "none",
               "user": "support", "password_env": "TEST_SUPPORT_PASSWORD", "kind": "inquiry",
               "team": "tech-region-1"}]
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login("support", PASSWORD) as box:
        uids = box.uids()
        if uids:
            box.delete(uids)
    with override_settings(MESSAGING_MAILBOXES=config, MESSAGING_EMAIL_BACKEND="messaging.backends.EmailBackend",
                           MESSAGING_MAIL_DOMAIN="sc.example.com"):
        yield dovecot


def deliver(server: Dovecot, message: EmailMessage | bytes) -> None:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    with MailBoxUnencrypted("127.0.0.1", server.port).login("support", PASSWORD) as box:
        box.append(raw, "INBOX")


def unseen(server: Dovecot) -> int:
    with MailBoxUnencrypted("127.0.0.1", server.port).login("support", PASSWORD) as box:
        return len(box.uids(AND(seen=False)))


def email(subject: str, body: str, *, sender="王芳 <wang.fang@example.com>", at=MONDAY, **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "support@sc.example.com", subject
    message["Date"], message["Message-ID"] = format_datetime(at), make_msgid(domain="example.com")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def poll(at):
    with time_machine.travel(at, tick=False):
        return mailboxes_poll()


def test_the_whole_thread(inbox, user):
    # E-mail in: a ticket for a new customer, matched by address.
    deliver(inbox, email("电费异常", "您好，我家这个月电费比上月高很多。"))
    result = poll(MONDAY)
    assert (result.taken, result.by_state) == (1, {"created": 1})
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.kind, ticket.subject, ticket.team.code, ticket.status) == (
        "email", "inquiry", "电费异常", "tech-region-1", "new")
    assert ticket.description == "您好，我家这个月电费比上月高很多。"
    assert (ticket.customer.name, ticket.customer.email) == ("王芳", "wang.fang@example.com")
    assert unseen(inbox) == 0

    # The agent asks for the meter reading: the reply goes by e-mail, the ticket waits on the customer.
    with time_machine.travel(MONDAY + timedelta(minutes=10), tick=False):
        services.ticket_claim(ticket_id=ticket.pk, actor=user("agent1"))
        services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="请提供电表读数。")
        services.ticket_pause(ticket_id=ticket.pk, actor=user("agent1"), reason="等待电表读数")
        messaging.deliveries_send()
    # The acknowledgement went first, threaded under the customer's e-mail; the reply under both.
    ack, sent = mail.outbox
    first_id = InboundMessage.objects.get(ticket=ticket).message_id
    acknowledgement, delivery = Delivery.objects.filter(ticket=ticket).order_by("pk")
    assert (acknowledgement.purpose, delivery.purpose) == ("acknowledgement", "reply")
    assert (ack.extra_headers["In-Reply-To"], ack.extra_headers["References"]) == (first_id, first_id)
    assert sent.extra_headers["Message-ID"] == delivery.gateway_id
    assert sent.extra_headers["In-Reply-To"] == acknowledgement.gateway_id
    assert sent.extra_headers["References"] == f"{first_id} {acknowledgement.gateway_id}"
    assert f"[{ticket.reference}]" in sent.subject
    clock = Clock.objects.get(ticket=ticket, target="resolution")
    assert clock.state == "paused"

    # The customer answers our reply: same ticket, the clock runs again.
    answer = email(f"Re: {sent.subject}", "读数是 12345。\n\n在 2026-11-16 写道：\n> 请提供电表读数。",
                   at=MONDAY + timedelta(hours=2), In_Reply_To=delivery.gateway_id, References=delivery.gateway_id)
    deliver(inbox, answer)
    result = poll(MONDAY + timedelta(hours=2))
    assert (result.taken, result.by_state) == (1, {"resumed": 1})
    assert Ticket.objects.count() == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert TicketEvent.objects.filter(ticket=ticket, kind="customer").values_list("body", flat=True).get() == (
        "读数是 12345。")
    clock.refresh_from_db()
    assert clock.state == "running"

    # Resolved, then the customer writes again within the window: reopened.
    with time_machine.travel(MONDAY + timedelta(hours=3), tick=False):
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="读数核对无误")
    deliver(inbox, email(f"Re: [{ticket.reference}] 电费异常", "还是不明白为什么高。", at=MONDAY + timedelta(days=1)))
    assert poll(MONDAY + timedelta(days=1)).by_state == {"reopened": 1}
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS

    # Resolved again; a message after the window opens a new ticket that follows the old one.
    with time_machine.travel(MONDAY + timedelta(days=1, hours=1), tick=False):
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="已解释阶梯电价")
    late = MONDAY + timedelta(days=9)
    deliver(inbox, email(f"Re: [{ticket.reference}] 电费异常", "下个月又高了。", at=late))
    assert poll(late).by_state == {"follow_up": 1}
    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert (follow_up.follows_id, follow_up.customer_id, follow_up.channel, follow_up.status) == (
        ticket.pk, ticket.customer_id, "email", "new")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert TicketEvent.objects.filter(ticket=ticket, kind="customer", field="follow_up").get().new_value == (
        follow_up.reference)


def test_polling_again_or_after_a_crash_takes_each_message_once(inbox):
    deliver(inbox, email("停电咨询", "我们小区停电了。"))
    deliver(inbox, email("停电咨询", "补充：已经两个小时了。", sender="li@example.com"))
    assert poll(MONDAY).taken == 2
    assert poll(MONDAY + timedelta(minutes=1)).taken == 0
    # A poller that died after its commit, before marking the message seen: the next poll finds it
    # unseen, knows it, and only marks it.
    with MailBoxUnencrypted("127.0.0.1", inbox.port).login("support", PASSWORD) as box:
        box.flag(box.uids(), "\\Seen", False)
    result = poll(MONDAY + timedelta(minutes=2))
    assert (result.taken, result.again) == (0, 2)
    assert (Ticket.objects.count(), InboundMessage.objects.count(), unseen(inbox)) == (2, 2, 0)


def test_the_same_subject_from_the_same_customer_within_days_is_one_ticket(inbox):
    deliver(inbox, email("路灯不亮", "门口路灯坏了。"))
    poll(MONDAY)
    deliver(inbox, email("回复：路灯不亮", "是 3 号楼门口。", at=MONDAY + timedelta(days=2)))
    deliver(inbox, email("路灯不亮", "我家的也不亮。", sender="other@example.com", at=MONDAY + timedelta(days=2)))
    assert poll(MONDAY + timedelta(days=2)).by_state == {"added": 1, "created": 1}
    assert Ticket.objects.count() == 2


def test_a_reference_in_the_subject_from_a_stranger_is_a_new_ticket(inbox):
    deliver(inbox, email("电费异常", "第一封。"))
    poll(MONDAY)
    ticket = Ticket.objects.get()
    deliver(inbox, email(f"Re: [{ticket.reference}] 电费异常", "我不是这个客户。", sender="mallory@example.com"))
    assert poll(MONDAY + timedelta(minutes=5)).by_state == {"created": 1}
    assert TicketEvent.objects.filter(ticket=ticket, kind="customer").count() == 0


def test_automatic_replies_and_bounces_open_nothing_and_a_bounce_marks_the_address(inbox, make_ticket, user,
                                                                                    member, english):
    deliver(inbox, email("自动回复：电费异常", "我正在休假。", Auto_Submitted="auto-replied"))
    deliver(inbox, email("Out of office", "Away.", X_Autoreply="yes", sender="x@example.com"))
    with time_machine.travel(MONDAY - timedelta(hours=1), tick=False):
        ticket = make_ticket(assignee=member("agent1"), phone="010-66668888")
    Customer.objects.filter(pk=ticket.customer_id).update(email="gone@example.com")
    with time_machine.travel(MONDAY - timedelta(minutes=30), tick=False):
        services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="已受理")
        messaging.deliveries_send()
    delivery = Delivery.objects.get(ticket=ticket)
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: support@sc.example.com\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx.example.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {delivery.gateway_id}\r\n--B--\r\n"
    ).encode()
    deliver(inbox, bounce)
    assert poll(MONDAY).by_state == {"auto_reply": 2, "bounce": 1}
    assert Ticket.objects.count() == 1
    customer = Customer.objects.get(pk=ticket.customer_id)
    assert customer.email_bounced_at == MONDAY
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == ("failed", "The e-mail bounced.")
    assert messaging.contact_for(customer) == ("", "")  # a landline and a bounced address: call them


def test_an_unreadable_message_is_quarantined_whole(inbox, english):
    deliver(inbox, b"Subject: no sender at all\r\nMessage-ID: <q-1@example.com>\r\n\r\nwho am I?\r\n")
    result = poll(MONDAY)
    assert (result.taken, result.quarantined) == (1, 1)
    record = InboundMessage.objects.get()
    assert (record.state, record.reason, record.ticket_id) == ("quarantined", "The message names no sender.", None)
    assert bytes(record.raw).startswith(b"Subject: no sender at all")
    assert Ticket.objects.count() == 0
    assert unseen(inbox) == 0


def test_a_server_restarted_in_the_middle_of_a_poll_loses_and_doubles_nothing(inbox, monkeypatch):
    from messaging import mailboxes

    for n in range(12):
        deliver(inbox, email(f"水压低 {n}", "楼上水压很低。", sender=f"zhao{n}@example.com"))
    real = mailboxes.message_receive
    taken = []

    def restart_after_the_fifth(*, mailbox, raw):
        record = real(mailbox=mailbox, raw=raw)
        taken.append(record)
        if len(taken) == 5:
            inbox.restart()  # after the fifth is committed, before it is marked seen
        return record

    monkeypatch.setattr(mailboxes, "message_receive", restart_after_the_fifth)
    with pytest.raises(imaplib.IMAP4.abort):
        poll(MONDAY)
    # Four marked seen; the fifth committed but not marked when the connection went.
    assert (Ticket.objects.count(), unseen(inbox)) == (5, 8)
    monkeypatch.setattr(mailboxes, "message_receive", real)
    result = poll(MONDAY + timedelta(minutes=1))
    assert (result.taken, result.again) == (7, 1)
    assert (Ticket.objects.count(), InboundMessage.objects.count(), unseen(inbox)) == (12, 12, 0)


def test_the_demo_takes_e_mail_from_a_maildir_folder(tmp_path, capsys):
    from django.core.management import call_command

    folder = tmp_path / "mail" / "support"
    with override_settings(MESSAGING_MAILBOXES=[{"name": "demo", "maildir": str(folder), "kind": "complaint",
                                                 "team": "reception"}]):
        call_command("mail_in", "--from", "周敏 <zhou@example.com>", "--subject", "抄表员态度差", "--body", "请处理。")
        assert "Delivered to" in capsys.readouterr().out
        assert poll(MONDAY).by_state == {"created": 1}
        assert poll(MONDAY).taken == 0  # marked seen (cur/, flag S): not taken twice
    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.channel, ticket.subject, ticket.team.code, ticket.customer.email) == (
        "complaint", "email", "抄表员态度差", "reception", "zhou@example.com")
    assert [p.parent.name for p in folder.glob("*/*")] == ["cur"]


def test_a_message_that_fails_for_an_error_of_ours_is_left_unseen_and_does_not_hold_up_the_rest(tmp_path,
                                                                                              monkeypatch):
    from django.core.management import call_command

    from messaging import mailboxes

    folder = tmp_path / "support"
    real = mailboxes.message_receive

    def failing_once(*, mailbox, raw):
        if b"first" in raw and not failing_once.failed:
            failing_once.failed = True
            raise RuntimeError("the database went away")
        return real(mailbox=mailbox, raw=raw)

    failing_once.failed = False
    monkeypatch.setattr(mailboxes, "message_receive", failing_once)
    with override_settings(MESSAGING_MAILBOXES=[{"name": "demo", "maildir": str(folder)}]):
        call_command("mail_in", "--subject", "first", "--body", "first", "--from", "a@example.com")
        call_command("mail_in", "--subject", "second", "--body", "second", "--from", "b@example.com")
        result = poll(MONDAY)
        assert (result.taken, result.failed) == (1, 1)
        assert [p.parent.name for p in sorted(folder.glob("*/*"))] == ["cur", "new"]
        result = poll(MONDAY + timedelta(minutes=1))
        assert (result.taken, result.failed) == (1, 0)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["first", "second"]
