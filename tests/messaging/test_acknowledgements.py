"""A ticket the customer filed themselves is acknowledged: its reference, the real deadline in words on
the working-day calendar, and a link that shows them their ticket without asking for anything."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import translation

from messaging import services as messaging
from messaging.backends import LocmemBackend
from messaging.models import Delivery
from sla.models import Clock
from tickets.models import Kind, Ticket

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=TZ)
FORM = {"kind": "inquiry", "name": "孙先生", "phone": "139 0000 1111", "subject": "电费怎么交",
        "description": "想问问线上交费的办法", "website": ""}


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", "2026年10月13日（星期二）17:30"),
    ("en", "Tuesday, 13 October 2026, 17:30"),
])
def test_a_deadline_in_words(language, words):
    with translation.override(language):
        assert messaging.deadline_words(datetime(2026, 10, 13, 9, 30, tzinfo=ZoneInfo("UTC"))) == words


@override_settings(MESSAGING_BASE_URL="https://help.example.com")
def test_the_public_form_is_acknowledged_by_sms_with_the_deadline_and_a_tracking_link():
    with time_machine.travel(MONDAY, tick=False):
        assert Client().post("/submit/", FORM).status_code == 200
    ticket = Ticket.objects.get()
    delivery = Delivery.objects.get(ticket=ticket)
    clock = Clock.objects.get(ticket=ticket, target="resolution")
    assert (delivery.purpose, delivery.channel, delivery.address, delivery.state) == (
        "acknowledgement", "sms", "13900001111", "queued")
    with translation.override("zh-hans"):
        deadline = messaging.deadline_words(clock.due_at)
    with time_machine.travel(MONDAY, tick=False):
        link = messaging.track_url(ticket)  # signed with the moment: the same as the one sent
    assert link.startswith("https://help.example.com/t/")
    assert delivery.text == (f"我们已收到您的诉求，工单号 {ticket.reference}。 我们将于{deadline}前答复您。 "
                             f"查询进度：{link}")
    assert messaging.deliveries_send(now=MONDAY).sent == 1
    assert LocmemBackend.outbox[0].text == delivery.text
    page = Client().get(link.removeprefix("https://help.example.com"))
    assert page.status_code == 200
    assert page.context["ticket"].pk == ticket.pk
    assert "电费怎么交" in page.content.decode()


def test_a_provisional_deadline_is_said_to_be(english):
    with time_machine.travel(MONDAY, tick=False):
        Client().post("/submit/", {**FORM, "email": "sun@example.com", "phone": "010-66668888"})
    ticket = Ticket.objects.get()
    Clock.objects.filter(ticket=ticket).update(provisional=True)
    _subject, text = messaging.acknowledgement_words(ticket=ticket, channel="email", language="en")
    assert "(Provisional: next year's public holidays are not published yet.)" in text
    assert text.endswith("To add to it, reply to this e-mail.\n")
    assert Delivery.objects.get(ticket=ticket).channel == "email"


def test_a_bad_or_expired_link_or_a_reports_shows_nothing(make_ticket, member, shape_a):
    with time_machine.travel(MONDAY, tick=False):
        Client().post("/submit/", FORM)
        link = urlsplit(messaging.track_url(Ticket.objects.get())).path
    assert Client().get(link[:-3] + "xx/").status_code == 404
    with time_machine.travel(MONDAY + timedelta(days=179), tick=False):
        assert Client().get(link).status_code == 200
    with time_machine.travel(MONDAY + timedelta(days=181), tick=False):
        assert Client().get(link).status_code == 404
    report = make_ticket(kind=Kind.REPORT, assignee=member("agent3"))
    assert Client().get(urlsplit(messaging.track_url(report)).path).status_code == 404
    _subject, words = messaging.acknowledgement_words(ticket=report, channel="sms", language="zh-hans")
    assert "/t/" not in words


def test_staff_intake_is_not_acknowledged(make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"))
    assert Delivery.objects.filter(ticket=ticket).count() == 0


def test_a_customer_with_no_mobile_or_e_mail_is_not_acknowledged():
    with time_machine.travel(MONDAY, tick=False):
        Client().post("/submit/", {**FORM, "phone": "010-66668888"})
    assert (Ticket.objects.count(), Delivery.objects.count()) == (1, 0)
