"""In Chromium: the director, after a sweep raised a missed first response up to them, rings the bell,
sees the digest and the escalation, opens it and lands on the ticket; the notice is then read; in
Chinese and in English, and on a 390 px wide phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Notification
from sla.models import Clock
from sla.sweep import sweep
from tests.conftest import SHAPE_A, load_shape
from tests.e2e.test_agent_workspace import sign_in
from tickets import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TITLES = {"zh-hans": "通知", "en": "Notifications"}


def escalate_to_the_director(user, member):
    """agent1's complaint misses its first response (level 1: lead1), and a level later reaches the director."""
    ticket = services.ticket_create(
        actor=user("agent1"), kind="complaint", channel="phone", subject="停电三天无人处理",
        customer={"name": "钱先生", "phone": "13800002222"}, assignee=member("agent1"),
    )
    now = timezone.now()
    first = Clock.objects.filter(ticket=ticket, target="first_response")
    first.update(warn_at=now - timedelta(hours=2), due_at=now - timedelta(hours=1))
    sweep(now=now)
    first.update(next_escalation_at=now - timedelta(minutes=1))
    sweep(now=now)
    return ticket, Notification.objects.get(recipient__username="director")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_director_opens_an_escalation_from_the_bell(live_server, page, screenshot, sla_presets, member, user,
                                                        language):
    load_shape(SHAPE_A)
    ticket, notice = escalate_to_the_director(user, member)
    assert (notice.level, notice.target, notice.read_at) == (2, "first_response", None)

    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    base = live_server.url
    sign_in(page, base, "director", language)
    expect(page.locator("#unread-count")).to_have_text("1")
    with page.expect_navigation():
        page.click("a.bell")
    assert page.url == f"{base}/notifications/"
    expect(page.locator("h1")).to_have_text(TITLES[language])
    expect(page.locator("#digest tfoot td").last).to_have_text("1")
    row = page.locator(f"#notice-groups li[data-ticket='{ticket.pk}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(ticket.reference)
    screenshot(f"bell-director-{language}")

    row.locator("button.open-notice").focus()  # by keyboard
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/tickets/{ticket.pk}/"
    expect(page.locator("h1 .reference")).to_have_text(ticket.reference)
    notice.refresh_from_db()
    assert notice.read_at is not None
    expect(page.locator("#unread-count")).to_have_count(0)

    page.goto(f"{base}/notifications/")
    expect(page.locator(f"#notice-groups li[data-ticket='{ticket.pk}']")).to_have_class("read level-2")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(f"bell-director-phone-{language}")
    assert violations == []
