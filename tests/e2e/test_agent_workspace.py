"""In Chromium: an agent logs a phone complaint, sees its deadline counting down, replies, pauses,
resumes and resolves it, with the keyboard where the workspace offers it; in Chinese and in English."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, SHAPE_A, load_shape
from tickets.models import Status, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-hans": {"assigned": "已分派", "in_progress": "处理中", "pending": "待客户补充", "resolved": "已解决",
                "tickets": "工单", "new": "新建工单", "policy": "投诉"},
    "en": {"assigned": "Assigned", "in_progress": "In progress", "pending": "Pending customer",
           "resolved": "Resolved", "tickets": "Tickets", "new": "New ticket", "policy": "投诉"},
}


def sign_in(page, base: str, username: str, language: str) -> None:
    page.goto(f"{base}/login/")
    if language != "zh-hans":
        with page.expect_navigation():
            page.select_option("#language-select", language)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_agent_works_a_phone_complaint_from_intake_to_resolution(live_server, page, screenshot, sla_presets,
                                                                      language):
    load_shape(SHAPE_A)
    words = WORDS[language]
    base = live_server.url
    sign_in(page, base, "agent2", language)
    page.goto(f"{base}/tickets/")
    expect(page.locator("h1")).to_have_text(words["tickets"])
    page.keyboard.press("n")  # the keyboard shortcut for a new ticket
    page.wait_for_url(f"{base}/tickets/new/")
    expect(page.locator("h1")).to_have_text(words["new"])

    page.fill("#id_phone", "13911112222")
    expect(page.locator("#customer-lookup")).not_to_be_empty()
    page.fill("#id_name", "钱先生")
    page.select_option("#id_kind", "complaint")
    expect(page.locator("#route-preview")).to_contain_text(words["policy"])
    page.fill("#id_subject", "抄表员态度差")
    page.fill("#id_description", "客户来电投诉抄表员态度恶劣")
    screenshot(f"new-ticket-{language}")
    with page.expect_navigation():
        page.click("form#new-ticket button[type=submit]")

    ticket = Ticket.objects.get()
    assert page.url == f"{base}/tickets/{ticket.pk}/"
    expect(page.locator("#ticket-status")).to_have_text(words["assigned"])
    countdown = page.locator(".bar .sla .countdown")
    expect(countdown).not_to_have_text("")
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=5_000)  # the countdown runs in the browser (ticks every 1 s)
    due = [t.get_attribute("datetime") for t in page.locator("table.clocks time").all()]
    assert len(due) == 2
    assert all(d.endswith("T17:30:00+08:00") for d in due)  # close of business
    screenshot(f"ticket-{language}")

    page.keyboard.press("r")  # focus the reply box
    page.keyboard.type("您好，您的投诉已受理，我们会在5个工作日内答复。")
    with page.expect_navigation():
        page.click("#reply-form button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text(words["in_progress"])

    page.fill("#pause-reason", "等待客户提供抄表照片")
    with page.expect_navigation():
        page.locator("#pause-reason").press("Enter")
    expect(page.locator("#ticket-status")).to_have_text(words["pending"])
    with page.expect_navigation():
        page.click("#resume")
    expect(page.locator("#ticket-status")).to_have_text(words["in_progress"])

    page.fill("#resolution", "已核实，对抄表员批评教育并向客户致歉。")
    with page.expect_navigation():
        page.click("form[action$='/do/resolve/'] button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text(words["resolved"])
    screenshot(f"ticket-resolved-{language}")

    stored = Ticket.objects.get()
    assert stored.status == Status.RESOLVED
    assert list(stored.events.filter(kind="status").values_list("new_value", flat=True)) == [
        "in_progress", "pending_customer", "in_progress", "resolved"]
    page.goto(f"{base}/tickets/?tab=all")
    expect(page.locator(f"tr[data-ticket='{stored.pk}']")).to_be_visible()
    screenshot(f"queue-{language}")
