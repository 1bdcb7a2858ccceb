"""Flows that finish on the page: work orders (from the ticket and from the field team's list), the
complaint record, callbacks from the ticket page and for any day, merging a repeat call, presence, and
a refused submit that keeps what was typed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from tests.conftest import signed_in
from tests.tickets.conftest import snapshot
from tickets import services
from tickets.models import Callback, CallbackState, Kind, Status, Ticket, WorkOrder, WorkOrderStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def _dispatched(make_ticket, member, user, units, team="tech-region-2"):
    ticket = make_ticket(kind=Kind.REPAIR, assignee=member("agent1"))
    order = services.ticket_dispatch(ticket_id=ticket.pk, actor=user("agent1"), field_team=units[team],
                                     instructions="更换熔断器")
    return Ticket.objects.get(pk=ticket.pk), order


def test_the_dispatch_list_offers_field_teams_only_and_the_service_refuses_another(frozen, make_ticket, member,
                                                                                   user, units):
    ticket = make_ticket(kind=Kind.REPAIR, assignee=member("agent1"))
    page = signed_in("agent1").get(f"/tickets/{ticket.pk}/")
    assert [team.code for team in page.context["field_teams"]] == ["tech-region-1", "tech-region-2"]
    before = snapshot(ticket.pk)
    refused = signed_in("agent1").post(f"/tickets/{ticket.pk}/do/dispatch/", {
        "field_team": units["reception"].pk, "instructions": "去现场", "version": ticket.version})
    assert (refused.status_code, refused.context["refused"]) == (400, "接待服务组不是抢修班组。")
    assert snapshot(ticket.pk) == before
    assert "去现场" in refused.content.decode()  # the instructions typed are still there


def test_a_repair_is_worked_from_dispatch_to_resolution_on_the_ticket_page(frozen, make_ticket, member, user,
                                                                           units):
    ticket, order = _dispatched(make_ticket, member, user, units)
    client = signed_in("agent1")
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'id="work-order-{order.pk}"' in page
    frozen.shift(timedelta(minutes=40))
    arrived = client.post(f"/tickets/{ticket.pk}/do/arrive/", {"work_order": order.pk, "at": "2026-11-16T10:30"})
    assert arrived.status_code == 302
    frozen.shift(timedelta(minutes=60))
    restored = client.post(f"/tickets/{ticket.pk}/do/restore/", {"work_order": order.pk, "at": "",
                                                                  "notes": "更换熔断器后送电"})
    assert restored.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.arrived_at, order.restored_at, order.notes) == (
        WorkOrderStatus.RESTORED, datetime(2026, 11, 16, 10, 30, tzinfo=TZ), MONDAY + timedelta(minutes=100),
        "更换熔断器后送电")
    version = Ticket.objects.get(pk=ticket.pk).version
    resolved = client.post(f"/tickets/{ticket.pk}/do/resolve/", {"resolution": "已恢复供电", "version": version})
    assert resolved.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_a_time_in_the_future_or_before_dispatch_is_refused_and_changes_nothing(frozen, make_ticket, member, user,
                                                                                units):
    ticket, order = _dispatched(make_ticket, member, user, units)
    client = signed_in("agent1")
    for at, message in (("2026-11-16T11:00", "该时间晚于当前时间。"), ("2026-11-16T09:00", "该时间早于上一步骤。")):
        refused = client.post(f"/tickets/{ticket.pk}/do/restore/", {"work_order": order.pk, "at": at,
                                                                     "notes": "已处理"})
        assert (refused.status_code, refused.context["refused"]) == (400, message)
        assert WorkOrder.objects.get(pk=order.pk).status == WorkOrderStatus.DISPATCHED


def test_the_field_team_records_its_work_from_its_list_and_others_cannot(frozen, make_ticket, member, user, units):
    ticket, order = _dispatched(make_ticket, member, user, units, team="tech-region-2")
    field = signed_in("agent4")  # tech-region-2 does not see the ticket itself, only its work order
    listing = field.get("/work-orders/")
    assert [wo.pk for wo in listing.context["page"]] == [order.pk]
    assert field.get(f"/tickets/{ticket.pk}/").status_code == 404
    outsider = signed_in("agent2")  # reception sees neither
    assert list(outsider.get("/work-orders/").context["page"]) == []
    assert outsider.post(f"/work-orders/{order.pk}/arrive/", {"at": ""}).status_code == 404
    assert WorkOrder.objects.get(pk=order.pk).status == WorkOrderStatus.DISPATCHED
    frozen.shift(timedelta(minutes=5))
    assert field.post(f"/work-orders/{order.pk}/arrive/", {"at": ""}).status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).arrived_at == MONDAY + timedelta(minutes=5)
    done = field.get("/work-orders/?show=done")
    assert list(done.context["page"]) == []


def test_the_complaint_record_is_filled_in_on_the_page(frozen, make_ticket, member, units):
    ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"))
    client = signed_in("agent1")
    assert 'id="complaint-record"' in client.get(f"/tickets/{ticket.pk}/").content.decode()
    saved = client.post(f"/tickets/{ticket.pk}/do/record/", {
        "complaint_category": "service_attitude", "responsible_unit": units["tech-region-2"].pk,
        "investigation": "抄表员确有不当言语", "remedy": "批评教育并上门致歉", "customer_reply": "已向您致歉",
        "version": ticket.version})
    assert saved.status_code == 302
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.complaint_category, stored.responsible_unit, stored.investigation, stored.remedy,
            stored.customer_reply) == ("service_attitude", units["tech-region-2"], "抄表员确有不当言语",
                                       "批评教育并上门致歉", "已向您致歉")
    assert sorted(stored.events.filter(kind="changed").values_list("field", flat=True)) == [
        "complaint_category", "customer_reply", "investigation", "remedy", "responsible_unit"]
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "批评教育并上门致歉" in page


def test_a_stale_complaint_record_keeps_what_was_typed_and_names_the_change(frozen, make_ticket, member, user):
    ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"))
    client = signed_in("agent1")
    seen = ticket.events.order_by("-id").first().pk
    services.ticket_update(ticket_id=ticket.pk, actor=user("lead1"), version=ticket.version,
                           changes={"priority": 2})
    before = snapshot(ticket.pk)
    refused = client.post(f"/tickets/{ticket.pk}/do/record/", {
        "investigation": "调查结果很长的一段话", "remedy": "", "customer_reply": "", "complaint_category": "",
        "version": ticket.version, "seen": seen})
    assert refused.status_code == 409
    assert snapshot(ticket.pk) == before
    assert [event.field for event in refused.context["changed"]] == ["priority"]
    assert "调查结果很长的一段话</textarea>" in refused.content.decode()


def test_a_note_by_the_lead_does_not_refuse_the_agents_reply(frozen, make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"))
    assert signed_in("lead1").post(f"/tickets/{ticket.pk}/do/note/", {"body": "注意安抚"}).status_code == 302
    reply = signed_in("agent1").post(f"/tickets/{ticket.pk}/do/reply/", {"body": "您好", "version": ticket.version})
    assert reply.status_code == 302
    assert list(Ticket.objects.get(pk=ticket.pk).events.values_list("kind", flat=True)) == [
        "created", "assigned", "note", "reply", "status"]


def _resolved_with_callback(make_ticket, member, user):
    ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"))
    services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="已致歉")
    return Ticket.objects.get(pk=ticket.pk), Callback.objects.get(ticket=ticket)


def test_a_callback_is_recorded_from_the_ticket_page_with_no_outcome_chosen_for_the_agent(frozen, make_ticket,
                                                                                         member, user):
    ticket, callback = _resolved_with_callback(make_ticket, member, user)
    client = signed_in("agent1")
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    select = page[page.index(f'id="callback-outcome-{callback.pk}"'):]
    assert select[select.index("<option"):].startswith('<option value="">')
    assert " selected" not in select[:select.index("</select>")]
    empty = client.post(f"/callbacks/{callback.pk}/attempt/", {"outcome": "", "next": "ticket"})
    assert (empty.status_code, empty["Location"]) == (302, f"/tickets/{ticket.pk}/")
    assert Callback.objects.get(pk=callback.pk).attempts.count() == 0
    done = client.post(f"/callbacks/{callback.pk}/attempt/", {"outcome": "satisfied", "next": "ticket",
                                                               "unsatisfied_action": "reopen"})
    assert (done.status_code, done["Location"]) == (302, f"/tickets/{ticket.pk}/")
    assert (Callback.objects.get(pk=callback.pk).state, Ticket.objects.get(pk=ticket.pk).status) == (
        CallbackState.DONE, Status.CLOSED)


def test_callbacks_due_on_later_days_are_listed_and_can_be_made_early(frozen, make_ticket, member, user):
    _ticket, callback = _resolved_with_callback(make_ticket, member, user)
    Callback.objects.filter(pk=callback.pk).update(due_at=MONDAY + timedelta(days=3))
    page = signed_in("agent1").get("/callbacks/")
    groups = {name: [c.pk for c in page.context[name]] for name in ("overdue", "today", "upcoming", "later")}
    assert groups == {"overdue": [], "today": [], "upcoming": [callback.pk], "later": []}
    made = signed_in("agent1").post(f"/callbacks/{callback.pk}/attempt/", {"outcome": "unreachable"})
    assert made.status_code == 302
    assert Callback.objects.get(pk=callback.pk).attempts.count() == 1


def test_a_repeat_call_is_merged_into_the_earlier_ticket_keeping_both_timelines(frozen, make_ticket, member):
    earlier = make_ticket(assignee=member("agent1"), phone="13900001111")
    frozen.shift(timedelta(hours=1))
    repeat = make_ticket(assignee=member("agent1"), phone="13900001111")
    client = signed_in("agent1")
    page = client.get(f"/tickets/{repeat.pk}/")
    assert [t.pk for t in page.context["merge_candidates"]] == [earlier.pk]
    merged = client.post(f"/tickets/{repeat.pk}/do/merge/", {"duplicate_of": earlier.reference.lower(),
                                                              "version": repeat.version})
    assert merged.status_code == 302
    stored = Ticket.objects.get(pk=repeat.pk)
    assert (stored.status, stored.cancel_reason, stored.duplicate_of_id) == (Status.CANCELLED, "duplicate", earlier.pk)
    assert list(stored.events.values_list("kind", flat=True)) == ["created", "assigned", "status"]
    assert list(Ticket.objects.get(pk=earlier.pk).events.values_list("kind", flat=True)) == [
        "created", "assigned", "merged"]
    assert Ticket.objects.get(pk=earlier.pk).events.get(kind="merged").new_value == repeat.reference


def test_merging_into_a_ticket_out_of_sight_is_refused_and_changes_nothing(frozen, make_ticket, member):
    hidden = make_ticket(team="reception", by="agent2", assignee=member("agent2"))
    repeat = make_ticket(assignee=member("agent1"))
    before = snapshot(repeat.pk)
    refused = signed_in("agent1").post(f"/tickets/{repeat.pk}/do/merge/", {"duplicate_of": hidden.reference,
                                                                            "version": repeat.version})
    assert (refused.status_code, refused.context["refused"]) == (400, f"看不到工单 {hidden.reference}。")
    assert snapshot(repeat.pk) == before


def test_presence_shows_who_else_is_on_the_ticket_and_whether_they_type(frozen, make_ticket, member):
    cache.clear()
    ticket = make_ticket(assignee=member("agent1"))
    lead, agent = signed_in("lead1"), signed_in("agent1")
    assert lead.post(f"/tickets/{ticket.pk}/presence/", {"state": "typing"}).content.decode().strip() == ""
    seen = agent.post(f"/tickets/{ticket.pk}/presence/", {"state": "viewing"}).content.decode()
    assert "张伟 正在输入" in seen
    frozen.shift(timedelta(seconds=11))
    assert agent.post(f"/tickets/{ticket.pk}/presence/", {"state": "viewing"}).content.decode().strip() == ""
    assert signed_in("agent2").post(f"/tickets/{ticket.pk}/presence/", {"state": "viewing"}).status_code == 404


def test_a_merge_made_by_mistake_is_undone_and_the_clocks_run_again(frozen, make_ticket, member):
    from sla.models import Clock

    earlier = make_ticket(assignee=member("agent1"), phone="13900002222")
    repeat = make_ticket(assignee=member("agent1"), phone="13900002222")
    running = sorted(Clock.objects.filter(ticket=repeat).values_list("target", "due_at"))
    client = signed_in("agent1")
    client.post(f"/tickets/{repeat.pk}/do/merge/", {"duplicate_of": earlier.reference, "version": repeat.version})
    assert set(Clock.objects.filter(ticket=repeat).values_list("state", flat=True)) == {"cancelled"}
    frozen.shift(timedelta(hours=2))
    merged = Ticket.objects.get(pk=repeat.pk)
    assert 'id="unmerge"' in client.get(f"/tickets/{repeat.pk}/").content.decode()
    undone = client.post(f"/tickets/{repeat.pk}/do/unmerge/", {"reason": "客户说是另一处房产",
                                                                "version": merged.version})
    assert undone.status_code == 302
    stored = Ticket.objects.get(pk=repeat.pk)
    assert (stored.status, stored.cancel_reason, stored.duplicate_of_id) == (Status.ASSIGNED, "", None)
    assert sorted(Clock.objects.filter(ticket=repeat).values_list("target", "due_at")) == running
    assert set(Clock.objects.filter(ticket=repeat).values_list("state", flat=True)) == {"running"}
    assert list(Ticket.objects.get(pk=earlier.pk).events.values_list("kind", "field")) == [
        ("created", "status"), ("assigned", "assignee"), ("merged", "merged"), ("merged", "unmerged")]


def test_only_a_merged_ticket_can_be_taken_back_out(frozen, make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"))
    before = snapshot(ticket.pk)
    refused = signed_in("agent1").post(f"/tickets/{ticket.pk}/do/unmerge/", {"reason": "试试",
                                                                              "version": ticket.version})
    assert (refused.status_code, refused.context["refused"]) == (409, "只有已合并到其他工单的工单才能拆分出来。")
    assert snapshot(ticket.pk) == before


def test_a_presence_report_costs_a_fixed_handful_of_queries(frozen, make_ticket, member, django_assert_num_queries):
    ticket = make_ticket(assignee=member("agent1"))
    client = signed_in("agent1")
    client.post(f"/tickets/{ticket.pk}/presence/", {"state": "viewing"})
    with django_assert_num_queries(4):  # session, user, their record (the scope is kept), the ticket in sight
        client.post(f"/tickets/{ticket.pk}/presence/", {"state": "typing"})
