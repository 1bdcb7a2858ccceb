"""In Chromium: an admin moves a team under another deputy manager from the 1st of next month, sees the
impact (names and the ticket count) before confirming, and on that day (time moved) the next escalation of
an overdue ticket goes to the new superior. A manager drafts, submits, approves and publishes a job
description change; the agent reads the new version and the comparison."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from sla.models import Clock, ClockState, Escalation
from staff.models import OrgChange, Position, StaffMember, Unit
from tests.conftest import SHAPE_A, load_shape
from tests.e2e.test_agent_workspace import sign_in
from tickets import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def first_of_next_month():
    today = timezone.localdate()
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def overdue_ticket_of_agent1(effective):
    """A complaint held by agent1, breached, its next step (level 2: now the director) due on ``effective``."""
    from django.contrib.auth import get_user_model

    agent1 = StaffMember.objects.get(user__username="agent1")
    ticket = services.ticket_create(actor=get_user_model().objects.get(username="agent1"), kind="complaint",
                                    channel="phone", subject="抄表错误投诉", customer={"name": "王女士",
                                                                                 "phone": "13900001234"},
                                    team=Unit.objects.get(code="tech-region-1"), assignee=agent1)
    start = timezone.make_aware(datetime.combine(effective, time(8, 0)))
    clock = Clock.objects.filter(ticket=ticket).order_by("pk").first()
    Clock.objects.filter(pk=clock.pk).update(state=ClockState.BREACHED, escalation_level=1, next_escalation_at=start)
    Clock.objects.filter(ticket=ticket).exclude(pk=clock.pk).update(state=ClockState.PAUSED)
    return clock


def test_an_admin_moves_a_team_from_next_month_and_escalation_follows_on_that_day(live_server, page, screenshot,
                                                                                   sla_presets):
    load_shape(SHAPE_A)
    effective = first_of_next_month()
    clock = overdue_ticket_of_agent1(effective)
    names = {u: StaffMember.objects.get(user__username=u).name for u in ("lead1", "director", "supervisor1")}
    base = live_server.url
    sign_in(page, base, "admin", "zh-hans")
    page.goto(f"{base}/org/")
    row = page.locator("#unit-tech-region-1")
    row.locator("a.row-edit").focus()
    page.keyboard.press("Enter")  # the menu opens below the row, from the keyboard
    page.locator("tr.edit-row").get_by_role("link", name="移动").click()
    form = page.locator("tr.edit-row form")  # in place, right below the unit's row
    expect(form).to_be_visible()
    form.locator("select[name=reports_to]").select_option(str(Position.objects.get(code="reception-dm").pk))
    form.get_by_role("button", name="查看影响").click()

    expect(page.get_by_role("heading", name="确认变更")).to_be_visible()
    superiors = page.locator("table.impact-superiors tbody tr")
    expect(superiors).to_have_count(1)
    expect(superiors.first).to_contain_text(names["lead1"])
    expect(superiors.first.locator("td").nth(1)).to_have_text(names["director"])
    expect(superiors.first.locator("td").nth(2)).to_have_text(names["supervisor1"])
    expect(page.locator(".impact-tickets")).to_contain_text("1")
    screenshot("org-move-impact-zh-hans")
    page.fill("#effective_on", effective.isoformat())
    page.fill("#reason", "片区调整：一片区划归接待服务副经理")
    page.get_by_role("button", name="确认变更").click()
    page.wait_for_url(f"{base}/org/")
    expect(page.locator(".messages")).to_contain_text(effective.isoformat())
    expect(page.locator(".org-pending")).to_contain_text(effective.isoformat())
    change = OrgChange.objects.get()
    assert (change.state, change.effective_on, change.impact["tickets"]) == ("scheduled", effective, 1)
    assert Position.objects.get(code="tech-dm-1").reports_to.code == "director"

    from sla.tasks import sla_sweep_task

    with time_machine.travel(timezone.make_aware(datetime.combine(effective, time(9, 0))), tick=False):
        sla_sweep_task()
    assert Position.objects.get(code="tech-dm-1").reports_to.code == "reception-dm"
    step = Escalation.objects.get(clock=clock, level=2)
    assert step.recipient.name == names["supervisor1"]


def test_a_manager_publishes_a_job_description_change_and_the_agent_reads_it(live_server, page, screenshot,
                                                                              sla_presets):
    load_shape(SHAPE_A)
    base = live_server.url
    sign_in(page, base, "supervisor1", "en")
    page.goto(f"{base}/org/positions/receptionist/")
    page.get_by_role("button", name="Start a new version").click()
    expect(page.locator("h1")).to_contain_text("v2")
    page.fill("#f-purpose", "Answer the hotline within 15 seconds and solve the caller's issue on the first call.")
    page.fill("#note", "First-call resolution added")
    page.get_by_role("button", name="Save and submit for approval").click()
    expect(page.locator(".messages")).to_contain_text("Submitted for approval.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("Approved.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published.")
    expect(page.locator(".jd-version")).to_contain_text("v2")
    expect(page.locator(".jd-version")).to_contain_text("in effect")

    page.context.clear_cookies()
    sign_in(page, base, "agent2", "en")
    page.goto(f"{base}/org/positions/receptionist/")
    expect(page.locator("article.jd")).to_contain_text("solve the caller's issue on the first call")
    expect(page.locator(".jd-version")).to_contain_text("v2")
    page.get_by_role("link", name="Compare versions").click()
    changed = page.locator("table.compare tr.changed")
    expect(changed.first.locator("ins")).to_contain_text("solve the caller")
    screenshot("jd-compare-en")
    expect(page.get_by_role("link", name="Edit the draft")).to_have_count(0)
