"""A reply written on a ticket reaches the customer: by their preferred channel, once, retried with
backoff when refused, failed after the last attempt with the reason shown on the ticket."""

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings

from messaging import services as messaging
from messaging.backends import LocmemBackend, SendError
from messaging.models import Delivery
from tests.conftest import signed_in
from tickets import services
from tickets.errors import TicketError
from tickets.models import Customer, Kind, TicketEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 18, 10, 0, tzinfo=TZ)


@pytest.fixture
def reply(make_ticket, member, user):
    """``body`` replied by agent1 at ``at`` on a ticket of theirs (made an hour before)."""

    def run(body="您好，已为您查询。", *, ticket=None, at=AT, **customer):
        with time_machine.travel(at - timedelta(hours=1), tick=False):
            if ticket is None:
                ticket = make_ticket(assignee=member("agent1"), **customer)
        with time_machine.travel(at, tick=False):
            services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body=body)
        return ticket

    return run


def test_a_reply_goes_by_sms_to_a_mobile_number_once(reply):
    ticket = reply("您好，已为您查询。", phone="138 0013 8000")
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.state, delivery.channel, delivery.address) == ("queued", "sms", "13800138000")
    assert delivery.event.kind == "reply"
    assert messaging.deliveries_send(now=AT).sent == 1
    assert messaging.deliveries_send(now=AT + timedelta(minutes=5)).sent == 0
    assert [(m.channel, m.to, m.key) for m in LocmemBackend.outbox] == [("sms", "13800138000", delivery.key)]
    assert LocmemBackend.outbox[0].text == f"您好，已为您查询。（工单 {ticket.reference}）"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.sent_at, delivery.attempts) == ("sent", AT, 1)


def test_the_preference_and_what_the_customer_has_choose_the_channel():
    def contact(**fields):
        return messaging.contact_for(Customer(name="x", **fields))

    assert contact(phone="13800138000", email="a@example.com") == ("sms", "13800138000")
    assert contact(phone="010-66668888", phone_alt="139-0000-1111") == ("sms", "13900001111")
    assert contact(phone="010-66668888", email="a@example.com") == ("email", "a@example.com")
    assert contact(phone="13800138000", email="a@example.com", contact_preference="email") == (
        "email", "a@example.com")
    assert contact(phone="13800138000", contact_preference="email") == ("sms", "13800138000")
    assert contact(email="a@example.com", contact_preference="sms") == ("email", "a@example.com")
    assert contact(phone="010-66668888") == ("", "")
    assert messaging.contact_for(None) == ("", "")


def test_a_customer_without_mobile_or_e_mail_is_told_on_the_ticket(reply):
    ticket = reply(phone="010-66668888")
    delivery = Delivery.objects.get(ticket=ticket)
    assert (delivery.state, delivery.channel, delivery.address) == ("not_sent", "", "")
    assert messaging.deliveries_send(now=AT).sent == 0
    assert LocmemBackend.outbox == []
    page = signed_in("agent1").get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-delivery="not_sent"' in page


def test_an_internal_note_is_never_sent(make_ticket, member, user):
    ticket = make_ticket(assignee=member("agent1"))
    services.ticket_note(ticket_id=ticket.pk, actor=user("agent1"), body="客户脾气急，注意语气")
    assert Delivery.objects.filter(ticket=ticket).count() == 0
    assert messaging.deliveries_send().sent == 0


class Refusing:
    calls = 0

    def send(self, message):
        type(self).calls += 1
        raise SendError("gateway answered 503: busy")


@override_settings(MESSAGING_SMS_BACKEND="tests.messaging.test_replies.Refusing", MESSAGING_MAX_ATTEMPTS=3)
def test_a_refused_send_is_retried_with_backoff_then_failed_with_the_reason(reply):
    Refusing.calls = 0
    ticket = reply()
    delivery = Delivery.objects.get(ticket=ticket)
    result = messaging.deliveries_send(now=AT)
    assert (result.sent, result.retried, result.failed) == (0, 1, 0)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.send_after) == ("queued", 1, AT + timedelta(minutes=1))
    assert messaging.deliveries_send(now=AT + timedelta(seconds=59)).retried == 0  # not due yet
    assert messaging.deliveries_send(now=AT + timedelta(minutes=1)).retried == 1
    delivery.refresh_from_db()
    assert delivery.send_after == AT + timedelta(minutes=3)
    assert messaging.deliveries_send(now=AT + timedelta(minutes=3)).failed == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.failed_at, delivery.last_error) == (
        "failed", 3, AT + timedelta(minutes=3), "gateway answered 503: busy")
    assert Refusing.calls == 3
    assert messaging.deliveries_send(now=AT + timedelta(days=1)).failed == 0
    page = signed_in("agent1").get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-delivery="failed"' in page
    assert "gateway answered 503: busy" in page


@override_settings(MESSAGING_EMAIL_BACKEND="messaging.backends.EmailBackend", MESSAGING_MAIL_DOMAIN="sc.example.com",
                   MESSAGING_BASE_URL="https://help.example.com")
def test_e_mail_replies_are_threaded_under_the_ticket(reply, make_ticket, member):
    with time_machine.travel(AT - timedelta(hours=2), tick=False):
        ticket = make_ticket(assignee=member("agent1"), phone="010-66668888")
    Customer.objects.filter(pk=ticket.customer_id).update(email="lin@example.com", language="en")
    ticket.refresh_from_db()
    reply("第一次答复", ticket=ticket)
    messaging.deliveries_send(now=AT)
    reply("第二次答复", ticket=ticket, at=AT + timedelta(hours=1))
    messaging.deliveries_send(now=AT + timedelta(hours=1))
    first, second = Delivery.objects.filter(ticket=ticket).order_by("pk")
    assert [m.to for m in mail.outbox] == [["lin@example.com"], ["lin@example.com"]]
    assert mail.outbox[0].subject == f"Re: [{ticket.reference}] {ticket.subject}"
    assert mail.outbox[0].extra_headers["Message-ID"] == first.gateway_id == f"<{first.key}@sc.example.com>"
    assert "In-Reply-To" not in mail.outbox[0].extra_headers
    assert mail.outbox[1].extra_headers["In-Reply-To"] == first.gateway_id
    assert mail.outbox[1].extra_headers["References"] == first.gateway_id
    assert mail.outbox[1].body.startswith("第二次答复\n\n--\n")
    assert "https://help.example.com/track/" in mail.outbox[1].body
    assert second.state == "sent"


SECRET = "s3cret"


def _signed(body: bytes, secret: str = SECRET) -> dict:
    return {"HTTP_X_SIGNATURE": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


@override_settings(SMS_RECEIPT_SECRET="s3cret")
def test_a_signed_receipt_marks_the_message_delivered_or_failed(reply):
    first, second = reply(), reply()
    messaging.deliveries_send(now=AT)
    Delivery.objects.filter(ticket=first).update(gateway_id="g-1")
    one, two = Delivery.objects.get(ticket=first), Delivery.objects.get(ticket=second)
    body = json.dumps([{"id": "g-1", "status": "delivered"},
                       {"client_id": two.key, "status": "failed", "error": "号码停机"},
                       {"id": "g-unknown", "status": "delivered"}]).encode()
    with time_machine.travel(AT + timedelta(minutes=1), tick=False):
        answer = Client().post("/hooks/sms/receipt/", body, content_type="application/json", **_signed(body))
    assert (answer.status_code, answer.json()) == (200, {"received": 3, "updated": 2})
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.state, one.delivered_at) == ("delivered", AT + timedelta(minutes=1))
    assert (two.state, two.last_error) == ("failed", "号码停机")
    again = Client().post("/hooks/sms/receipt/", body, content_type="application/json", **_signed(body))
    assert again.json() == {"received": 3, "updated": 0}  # final states stay


@override_settings(SMS_RECEIPT_SECRET="s3cret")
def test_an_unsigned_or_malformed_receipt_changes_nothing(reply):
    ticket = reply()
    messaging.deliveries_send(now=AT)
    delivery = Delivery.objects.get(ticket=ticket)
    body = json.dumps({"client_id": delivery.key, "status": "delivered"}).encode()
    client = Client()
    assert client.post("/hooks/sms/receipt/", body, content_type="application/json").status_code == 403
    wrong = _signed(body, "guess")
    assert client.post("/hooks/sms/receipt/", body, content_type="application/json", **wrong).status_code == 403
    for bad in (b"not json", json.dumps([{"id": "g"}]).encode(), json.dumps(["x"]).encode()):
        answer = client.post("/hooks/sms/receipt/", bad, content_type="application/json", **_signed(bad))
        assert answer.status_code == 400
        assert answer.json()["detail"]
    assert client.get("/hooks/sms/receipt/").status_code == 405
    assert Delivery.objects.get(pk=delivery.pk).state == "sent"


def test_the_receipt_hook_does_not_exist_without_a_secret():
    body = b'{"id": "g", "status": "delivered"}'
    assert Client().post("/hooks/sms/receipt/", body, content_type="application/json",
                         **_signed(body, "")).status_code == 404


def test_a_reports_reply_address_is_hidden_from_those_who_may_not_see_the_reporter(make_ticket, member, user):
    report = make_ticket(kind=Kind.REPORT, assignee=member("agent3"), phone="13500000000", name="秦某某")
    services.ticket_reply(ticket_id=report.pk, actor=user("agent3"), body="已受理")
    messaging.deliveries_send()
    hidden = signed_in("agent1").get(f"/tickets/{report.pk}/").content.decode()
    assert 'data-delivery="sent"' in hidden
    assert "13500000000" not in hidden
    shown = signed_in("agent3").get(f"/tickets/{report.pk}/").content.decode()
    assert "13500000000" in shown


def test_the_delivery_is_written_with_the_reply_or_not_at_all(make_ticket, member, user):
    ticket = make_ticket(assignee=member("agent1"))
    before = (TicketEvent.objects.filter(ticket=ticket).count(), Delivery.objects.count())
    with pytest.raises(TicketError):
        services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="   ")
    assert (TicketEvent.objects.filter(ticket=ticket).count(), Delivery.objects.count()) == before
