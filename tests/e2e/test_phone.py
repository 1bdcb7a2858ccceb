"""In Chromium on a phone-sized window (390×844): an agent works from the queue, a ticket, the new-ticket
form and the callbacks. No page is wider than the screen, the header folds into a menu that opens by
keyboard, and the queue's rows are cards; in Chinese and in English."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import SHAPE_A, load_shape
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_agent_workspace import sign_in
from tickets import services
from tickets.models import Callback, Kind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
WORDS = {
    "zh-hans": {"tickets": "工单", "new": "新建工单", "callbacks": "回访", "kind": "类型", "status": "状态"},
    "en": {"tickets": "Tickets", "new": "New ticket", "callbacks": "Callbacks", "kind": "Kind", "status": "Status"},
}


@pytest.fixture
def tickets(sla_presets, member, user):
    """Two open tickets of agent2 (one with a long subject) and a complaint resolved 20 days ago, whose
    callback is overdue."""
    load_shape(SHAPE_A)
    agent = member("agent2")

    def create(kind, subject, phone):
        return services.ticket_create(actor=user("agent2"), kind=kind, channel="phone", subject=subject,
                                      customer={"name": "周先生", "phone": phone}, assignee=agent)

    long_one = create(Kind.COMPLAINT, "客户反映抄表员连续三个月未上门抄表而按估算电量收费，要求核实并退还多收的电费",
                      "13912345678")
    short_one = create(Kind.INQUIRY, "电费账单疑问", "13912345679")
    with time_machine.travel(timezone.now() - timedelta(days=20)):
        resolved = create(Kind.COMPLAINT, "抄表员态度差", "13912345670")
        services.ticket_resolve(ticket_id=resolved.pk, actor=user("agent2"), resolution="已向客户道歉")
    assert Callback.objects.get(ticket=resolved).due_at < timezone.now()
    return {"long": long_one, "short": short_one, "resolved": resolved}


def fits(page, name: str, language: str) -> None:
    """The page is no wider than the phone; a full-page screenshot is kept for a person to look at."""
    width = page.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}-{language}.png"), full_page=True)
    assert width <= PHONE["width"], f"{name}: the page is {width} px wide on a {PHONE['width']} px screen"


def widths(page, form: str) -> list[bool]:
    """Whether the form's submit button, and every field of it, fill the width inside the form."""
    return page.locator(form).evaluate("""f => {
        const style = getComputedStyle(f);
        const inner = Math.round(f.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
        const button = f.querySelector("button[type=submit]");
        const fields = [...f.querySelectorAll("textarea, select, input:not([type=hidden]):not([type=checkbox])")]
          .filter(e => e.parentElement.closest("fieldset") === null && e.offsetParent !== null);
        return [Math.round(button.getBoundingClientRect().width) === inner,
                fields.every(e => Math.round(e.getBoundingClientRect().width) === inner)];
    }""")


def same_line(a: dict, b: dict) -> bool:
    return a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_agent_works_on_a_phone(live_server, browser, tickets, language):
    words = WORDS[language]
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{base}/login/")
        # Each language is offered in its own name.
        assert page.locator("#language-select option").all_inner_texts() == ["简体中文", "English"]
        fits(page, "login", language)
        sign_in(page, base, "agent2", language)

        # The queue: every row a card, its fields named.
        page.goto(f"{base}/tickets/")
        expect(page.locator("h1")).to_have_text(words["tickets"])
        row = page.locator(f"#queue tr[data-ticket='{tickets['long'].pk}']")
        expect(row).to_be_visible()
        expect(page.locator(f"#queue tr[data-ticket='{tickets['short'].pk}']")).to_be_visible()
        assert row.evaluate("r => getComputedStyle(r).display") == "flex"
        assert page.locator("#queue table.queue thead").evaluate("h => getComputedStyle(h).display") == "none"
        kind_cell = row.locator("td[data-label]").filter(has_text="投诉" if language == "zh-hans" else "Complaint")
        assert kind_cell.evaluate("td => getComputedStyle(td, '::before').content") == f'"{words["kind"]}"'
        assert row.locator("td.reference").evaluate("td => getComputedStyle(td, '::before').content") == "none"
        card, subject = row.bounding_box(), row.locator("td.subject").bounding_box()
        assert card["x"] <= subject["x"]
        assert subject["x"] + subject["width"] <= card["x"] + card["width"]
        fits(page, "queue", language)

        # The header: brand, bell and the menu button on one line; the links behind the button.
        button = page.locator("summary.menu-button")
        links = page.locator("#main-nav a")
        expect(links.first).to_be_hidden()
        brand, bell = page.locator(".topbar .brand").bounding_box(), page.locator(".topbar .bell").bounding_box()
        menu = button.bounding_box()
        assert same_line(brand, menu)
        assert same_line(bell, menu)
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(button).to_have_attribute("aria-controls", "main-nav")

        # The menu opens by keyboard: Tab to the button, Enter; the links are a vertical list.
        for _ in range(5):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('summary.menu-button')"):
                break
        expect(button).to_be_focused()
        page.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(links.filter(has_text=words["callbacks"])).to_be_visible()
        first, second = links.nth(0).bounding_box(), links.nth(1).bounding_box()
        assert first["x"] == second["x"]
        assert second["y"] >= first["y"] + first["height"]
        fits(page, "menu", language)
        page.keyboard.press("Tab")
        expect(links.first).to_be_focused()
        expect(links.first).to_have_text(words["tickets"])
        page.keyboard.press("Escape")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(button).to_be_focused()
        expect(links.first).to_be_hidden()

        # A ticket: one column, the reply's button as wide as its form.
        page.goto(f"{base}/tickets/{tickets['long'].pk}/")
        expect(page.locator("#ticket-status")).to_be_visible()
        details = page.locator(".detail-grid > div").bounding_box()
        aside = page.locator(".detail-grid > aside").bounding_box()
        assert aside["x"] == details["x"]
        assert aside["y"] >= details["y"] + details["height"]
        assert widths(page, "#reply-form") == [True, True]
        fits(page, "ticket", language)

        page.goto(f"{base}/tickets/new/")
        expect(page.locator("h1")).to_have_text(words["new"])
        assert widths(page, "#new-ticket") == [True, True]
        fits(page, "new-ticket", language)

        # Callbacks: the overdue one is a card, its form the card's width.
        page.goto(f"{base}/callbacks/")
        expect(page.locator("h1")).to_have_text(words["callbacks"])
        callback_row = page.locator("main table.queue tr", has=page.get_by_role(
            "link", name=tickets["resolved"].reference))
        expect(callback_row).to_be_visible()
        assert callback_row.evaluate("r => getComputedStyle(r).display") == "flex"
        fits(page, "callbacks", language)

        icon = page.locator("link[rel=icon]").get_attribute("href")
        response = page.request.get(f"{base}{icon}")
        assert (response.status, response.headers["content-type"]) == (200, "image/svg+xml")
    finally:
        context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_leader_reads_the_notices_the_org_chart_and_the_dashboard_on_a_phone(live_server, browser, tickets,
                                                                                 language):
    """The director has notices, the whole org chart and the dashboard; none is wider than the phone."""
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, base, "director", language)
        for name, path, selector in (("notifications", "/notifications/", "main h1"),
                                     ("org-chart", "/org/", "table.org"),
                                     ("dashboard", "/dashboard/", "#by-department")):
            page.goto(f"{base}{path}")
            expect(page.locator(selector)).to_be_visible()
            fits(page, name, language)
    finally:
        context.close()
