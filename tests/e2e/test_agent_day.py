"""In Chromium, the agent's day finished on the pages: a repair from intake to callback, a complaint with
its full record, a reply typed while a lead adds a note (kept, and sent), a refused reply that keeps
its text, and presence of a second user on the ticket; in Chinese and in English."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import SHAPE_A, load_shape
from tests.e2e.test_agent_workspace import sign_in
from tickets import services
from tickets.models import Callback, CallbackState, Status, Ticket, WorkOrder, WorkOrderStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-hans": {"assigned": "已分派", "in_progress": "处理中", "resolved": "已解决", "closed": "已关闭",
                "typing": "刘洋 正在输入", "viewing": "刘洋 正在查看", "refused": "该工单已被他人修改"},
    "en": {"assigned": "Assigned", "in_progress": "In progress", "resolved": "Resolved", "closed": "Closed",
           "typing": "刘洋 is typing", "viewing": "刘洋 is viewing", "refused": "Someone changed this ticket"},
}


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def log_ticket(page, base: str, *, kind: str, phone: str, name: str, subject: str) -> Ticket:
    page.goto(f"{base}/tickets/new/")
    page.fill("#id_phone", phone)
    page.fill("#id_name", name)
    page.select_option("#id_kind", kind)
    page.fill("#id_subject", subject)
    submit(page, "form#new-ticket button[type=submit]")
    ticket = Ticket.objects.get(subject=subject)
    assert page.url == f"{base}/tickets/{ticket.pk}/"
    return ticket


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_repair_from_intake_to_callback_entirely_on_the_pages(live_server, page, screenshot, sla_presets,
                                                                  language):
    load_shape(SHAPE_A)
    words, base = WORDS[language], live_server.url
    sign_in(page, base, "agent1", language)
    ticket = log_ticket(page, base, kind="repair", phone="13966667777", name="孙先生", subject="整栋楼停电")
    expect(page.locator("#ticket-status")).to_have_text(words["assigned"])

    # Dispatch (派单): only field teams are offered.
    options = page.locator("#field-team option").all_inner_texts()
    assert len(options) == 2
    page.select_option("#field-team", index=1)
    page.fill("#instructions", "检查小区配电箱")
    submit(page, "form[action$='/do/dispatch/'] button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text(words["in_progress"])
    order = WorkOrder.objects.get(ticket=ticket)

    # The crew was sent half an hour ago; its arrival is entered after the fact (ten minutes ago, to the
    # minute, as the form takes it), then restoration now, with what was done.
    WorkOrder.objects.filter(pk=order.pk).update(dispatched_at=order.dispatched_at - timedelta(minutes=30))
    arrived = timezone.localtime(timezone=ZoneInfo("Asia/Shanghai")) - timedelta(minutes=10)
    page.fill(f"#arrive-at-{order.pk}", arrived.strftime("%Y-%m-%dT%H:%M"))
    submit(page, f"#work-order-{order.pk} button.arrive")
    page.fill(f"#restore-notes-{order.pk}", "更换熔断器后恢复送电")
    submit(page, f"#work-order-{order.pk} button.restore")
    order.refresh_from_db()
    assert (order.status, timezone.localtime(order.arrived_at, ZoneInfo("Asia/Shanghai")).strftime("%H:%M"),
            order.notes) == (
        WorkOrderStatus.RESTORED, arrived.strftime("%H:%M"), "更换熔断器后恢复送电")
    expect(page.locator(f"#work-order-{order.pk}")).to_have_count(0)  # finished: no more forms for it

    page.fill("#resolution", "已恢复供电")
    submit(page, "form[action$='/do/resolve/'] button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text(words["resolved"])

    # The callback from the ticket page: nothing chosen until the agent chooses.
    callback = Callback.objects.get(ticket=ticket)
    outcome = page.locator(f"#callback-outcome-{callback.pk}")
    assert outcome.input_value() == ""
    outcome.select_option("satisfied")
    submit(page, f"#callback-{callback.pk} button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text(words["closed"])
    assert Callback.objects.get(pk=callback.pk).state == CallbackState.DONE
    screenshot(f"repair-closed-{language}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_complaint_with_its_full_record(live_server, page, screenshot, sla_presets, language):
    load_shape(SHAPE_A)
    words, base = WORDS[language], live_server.url
    sign_in(page, base, "agent2", language)
    ticket = log_ticket(page, base, kind="complaint", phone="13966668888", name="钱女士", subject="抄表员态度差")
    record = page.locator("#complaint-record")
    page.select_option("#id_complaint_category", "service_attitude")
    page.select_option("#id_responsible_unit", index=3)
    page.fill("#id_investigation", "抄表员确有不当言语")
    page.fill("#id_remedy", "批评教育，上门致歉")
    page.fill("#id_customer_reply", "已向您致歉，并加强培训")
    submit(page, "#complaint-record button[type=submit]")
    expect(page.locator("#complaint-facts")).to_contain_text("批评教育，上门致歉")
    assert record.count() == 1
    page.fill("#reply-body", "您好，调查结果已反馈")
    submit(page, "#reply-form button[type=submit]")
    page.fill("#resolution", "已致歉并整改")
    submit(page, "form[action$='/do/resolve/'] button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text(words["resolved"])
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.complaint_category, stored.investigation, stored.remedy, stored.customer_reply) == (
        "service_attitude", "抄表员确有不当言语", "批评教育，上门致歉", "已向您致歉，并加强培训")
    assert stored.responsible_unit is not None
    screenshot(f"complaint-record-{language}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_reply_typed_while_a_lead_adds_a_note_is_kept_and_sent(live_server, browser, page, sla_presets, language):
    load_shape(SHAPE_A)
    words, base = WORDS[language], live_server.url
    sign_in(page, base, "agent1", language)
    ticket = log_ticket(page, base, kind="inquiry", phone="13966669999", name="李先生", subject="电价咨询")
    page.fill("#reply-body", "您好，峰谷电价的时段是……")

    lead_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    lead = lead_context.new_page()
    try:
        sign_in(lead, base, "lead1", language)
        lead.goto(f"{base}/tickets/{ticket.pk}/")
        expect(lead.locator("#presence")).to_contain_text(words["typing"].split(" ")[0], timeout=5_000)
        lead.fill("#note-body", "注意核对客户用电类别")
        submit(lead, "form[action$='/do/note/'] button[type=submit]")
    finally:
        lead_context.close()

    submit(page, "#reply-form button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text(words["in_progress"])
    kinds = list(Ticket.objects.get(pk=ticket.pk).events.values_list("kind", flat=True))
    assert kinds[-3:] == ["note", "reply", "status"]

    # A real change meanwhile (the lead raises the priority): the reply is refused, its text stays in
    # the box with what changed, and a second press sends it.
    page.fill("#reply-body", "补充说明：请提供户号")
    current = Ticket.objects.get(pk=ticket.pk)
    services.ticket_update(ticket_id=ticket.pk, actor=current.assignee.user, version=current.version,
                           changes={"priority": 2})
    submit(page, "#reply-form button[type=submit]")
    expect(page.locator("#refused")).to_contain_text(words["refused"])
    expect(page.locator("#changed li")).to_have_count(1)
    assert page.locator("#reply-body").input_value() == "补充说明：请提供户号"
    submit(page, "#reply-form button[type=submit]")
    assert Ticket.objects.get(pk=ticket.pk).events.filter(kind="reply").count() == 2


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_presence_shows_the_other_person_viewing_then_typing(live_server, browser, page, sla_presets, language):
    load_shape(SHAPE_A)
    words, base = WORDS[language], live_server.url
    sign_in(page, base, "agent1", language)
    ticket = log_ticket(page, base, kind="inquiry", phone="13966660000", name="周先生", subject="缴费渠道")
    other_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    other = other_context.new_page()
    try:
        sign_in(other, base, "lead1", language)
        other.goto(f"{base}/tickets/{ticket.pk}/")
        expect(other.locator("#presence")).to_have_text(words["viewing"], timeout=5_000)
        page.type("#reply-body", "您好")
        expect(other.locator("#presence")).to_have_text(words["typing"], timeout=5_000)
    finally:
        other_context.close()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.ASSIGNED
