"""In Chromium: an agent selects two rows of the team queue with the keyboard (j to move, x to tick;
shift+x ticks every row and again none), goes to the bulk bar with b and claims both at once; in Chinese
and in English. The third ticket, not selected, stays unclaimed. On a phone the bar fits the screen."""

import pytest
from playwright.sync_api import expect

from tests.conftest import SHAPE_A, load_shape
from tests.e2e.test_agent_workspace import sign_in
from tickets import services
from tickets.models import EventKind, Status, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DONE = {"zh-hans": "已完成", "en": "Done"}


def unclaimed(n: int) -> list[Ticket]:
    from django.contrib.auth import get_user_model

    from staff.models import Unit

    agent = get_user_model().objects.get(username="agent1")
    team = Unit.objects.get(code="tech-region-1")
    return [services.ticket_create(actor=agent, kind="inquiry", channel="phone", subject=f"停电咨询{i}",
                                   customer={"name": f"客户{i}", "phone": f"1390000{i:04d}"}, team=team)
            for i in range(n)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_agent_ticks_two_rows_with_x_and_claims_both_from_the_bulk_bar(live_server, page, screenshot, sla_presets,
                                                                          language):
    load_shape(SHAPE_A)
    tickets = unclaimed(3)
    assert {t.status for t in tickets} == {Status.NEW}
    base = live_server.url
    sign_in(page, base, "agent1", language)
    page.goto(f"{base}/tickets/?tab=team")
    rows = page.locator("#queue tbody tr[data-ticket]")
    expect(rows).to_have_count(3)
    order = [int(rows.nth(i).get_attribute("data-ticket")) for i in range(3)]
    bar = page.locator("[data-bulk-bar]")
    expect(bar).to_be_hidden()

    page.keyboard.press("Shift+X")  # every row on the page
    expect(page.locator("#queue [data-select-row]:checked")).to_have_count(3)
    expect(page.locator("[data-bulk-count]")).to_have_text("3")
    page.keyboard.press("Shift+X")  # and none
    expect(page.locator("#queue [data-select-row]:checked")).to_have_count(0)
    expect(bar).to_be_hidden()

    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(bar).to_be_visible()
    expect(page.locator("[data-bulk-count]")).to_have_text("2")
    expect(page.locator("#queue tr.checked")).to_have_count(2)
    screenshot(f"queue-bulk-{language}")
    page.keyboard.press("b")  # to the bulk bar; its first button claims
    expect(page.locator("[data-bulk-claim]")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator(".bulk-outcomes tr.bulk-done")).to_have_count(2)
    expect(page.locator(".bulk-outcomes tbody")).to_contain_text(DONE[language])
    screenshot(f"queue-bulk-result-{language}")
    claimed = {t.pk: t for t in Ticket.objects.filter(pk__in=order).select_related("assignee")}
    for pk in order[:2]:
        assert (claimed[pk].status, claimed[pk].assignee.user.username) == (Status.ASSIGNED, "agent1")
        assert claimed[pk].events.filter(kind=EventKind.CLAIMED).count() == 1
    assert (claimed[order[2]].status, claimed[order[2]].assignee_id) == (Status.NEW, None)

    expect(page.locator("#back-to-queue")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/tickets/?tab=team"

    # On a phone the bar spans the screen's width at its bottom, never wider.
    page.set_viewport_size({"width": 390, "height": 844})
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert (box["x"], box["width"]) == (0, 390)
    screenshot(f"queue-bulk-phone-{language}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_agent_saves_the_filtered_queue_as_a_view_renames_it_and_deletes_it(live_server, page, screenshot,
                                                                               sla_presets, language):
    from workspace.models import SavedView

    load_shape(SHAPE_A)
    unclaimed(2)
    base = live_server.url
    sign_in(page, base, "agent1", language)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/tickets/?tab=team&kind=inquiry&cols=subject&ordering=-received_at")
    expect(page.locator("#queue tbody tr[data-ticket]")).to_have_count(2)
    page.locator(".save-view summary").click()
    page.fill("#id_view_name", "咨询")
    with page.expect_navigation():
        page.press("#id_view_name", "Enter")
    view = SavedView.objects.get()
    assert page.url == f"{base}/tickets/?view={view.pk}"
    expect(page.locator(".tabs a[aria-current=page]")).to_have_text("咨询")
    expect(page.locator("#queue thead th")).to_have_count(4)  # the box, deadline, reference, subject
    screenshot(f"queue-view-phone-{language}")

    with page.expect_navigation():
        page.locator(".tabs a.manage-views").click()
    page.fill(f"#rename-{view.pk}", "停电咨询")
    with page.expect_navigation():
        page.press(f"#rename-{view.pk}", "Enter")
    expect(page.locator(f"tr[data-view='{view.pk}'] td").first).to_have_text("停电咨询")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(f"saved-views-phone-{language}")
    with page.expect_navigation():
        page.locator(f"tr[data-view='{view.pk}'] form[action$='/delete/'] button").click()
    assert SavedView.objects.count() == 0
