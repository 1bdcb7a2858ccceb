"""In Chromium: a supervisor sees an at-risk ticket on the SLA dashboard, drills down to it, and
reassigns it from the dashboard; in Chinese and in English."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sla.models import Clock
from tests.conftest import SHAPE_A, load_shape
from tests.e2e.test_agent_workspace import sign_in
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TITLES = {"zh-hans": "时限看板", "en": "SLA dashboard"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_supervisor_drills_down_and_reassigns_an_at_risk_ticket(live_server, page, screenshot, sla_presets,
                                                                  member, user, language):
    load_shape(SHAPE_A)
    ticket = services.ticket_create(
        actor=user("supervisor1"), kind="complaint", channel="phone", subject="营业厅排队时间过长",
        customer={"name": "孙女士", "phone": "13800001111"}, assignee=member("agent5"),
    )
    # Make it at risk now: its resolution deadline is in an hour and its warning has passed.
    now = timezone.now()
    Clock.objects.filter(ticket=ticket, target="resolution").update(due_at=now + timedelta(hours=1),
                                                                    warn_at=now - timedelta(minutes=1))
    Clock.objects.filter(ticket=ticket, target="first_response").update(state="met", met_at=now)
    from sla.sweep import sweep

    sweep(now=now)
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "at_risk"

    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    base = live_server.url
    sign_in(page, base, "supervisor1", language)
    page.goto(f"{base}/dashboard/")
    expect(page.locator("h1")).to_have_text(TITLES[language])
    expect(page.locator("#tile-at-risk")).to_have_text("1")
    expect(page.locator("canvas[data-chart=team]")).to_be_visible()
    screenshot(f"dashboard-{language}")

    with page.expect_navigation():
        page.click("#tile-at-risk")
    expect(page.locator(f"tr[data-ticket='{ticket.pk}']")).to_be_visible()
    expect(page.locator("tbody tr[data-ticket]")).to_have_count(1)
    screenshot(f"drill-down-at-risk-{language}")

    page.goto(f"{base}/dashboard/")
    page.check(f"#reassign input[value='{ticket.pk}']")
    page.select_option("#reassign-to", str(member("agent6").pk))
    with page.expect_navigation():
        page.click("#reassign button[type=submit]")
    expect(page.locator(".messages")).to_contain_text(member("agent6").name)
    assert Ticket.objects.get(pk=ticket.pk).assignee == member("agent6")
    assert violations == []  # the dashboard, its charts and htmx run under the strict CSP
