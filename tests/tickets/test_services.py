from datetime import timedelta

import pytest
from django.utils import timezone

from staff.models import Skill
from tests.tickets.conftest import snapshot
from tickets import services
from tickets.errors import TicketConflict, TicketError, TicketForbidden
from tickets.models import (
    Callback,
    CallbackState,
    Customer,
    EventKind,
    Kind,
    RoutingRule,
    Status,
    Ticket,
    WorkOrderStatus,
)

pytestmark = pytest.mark.django_db


def test_a_new_ticket_gets_a_reference_a_customer_and_a_created_event(make_ticket, user):
    ticket = make_ticket(phone="13912345678", name="王女士")
    today = timezone.localdate()
    assert ticket.reference == f"TS-{today:%Y%m%d}-000001"
    assert make_ticket().reference == f"TS-{today:%Y%m%d}-000002"
    assert ticket.status == Status.NEW
    assert ticket.version == 1
    assert ticket.customer.name == "王女士"
    assert list(ticket.events.values_list("kind", "field", "new_value")) == [(EventKind.CREATED, "status", "new")]
    assert ticket.events.get().actor == user("agent1")


def test_the_customer_is_found_by_phone_or_account_number(make_ticket, user):
    first = make_ticket(phone="13912345678", name="王女士")
    again = make_ticket(phone="13912345678", name="王小姐")
    assert again.customer_id == first.customer_id
    assert again.customer.name == "王女士"  # the stored name is kept
    by_account = services.ticket_create(
        actor=user("agent1"), kind=Kind.INQUIRY, channel="phone", subject="电费",
        customer={"name": "王", "phone": "13700000000", "account_no": "0101"},
    )
    same = services.ticket_create(
        actor=user("agent1"), kind=Kind.INQUIRY, channel="email", subject="电费",
        customer={"name": "王", "email": "w@example.com", "account_no": "0101"},
    )
    assert same.customer_id == by_account.customer_id
    assert Customer.objects.count() == 2
    assert Customer.objects.get(pk=same.customer_id).email == "w@example.com"  # a blank field filled in


def test_received_at_may_be_past_but_never_future(make_ticket):
    past = timezone.now() - timedelta(days=2)
    assert make_ticket(received_at=past).received_at == past
    count = Ticket.objects.count()
    with pytest.raises(TicketError) as refused:
        make_ticket(received_at=timezone.now() + timedelta(minutes=5))
    assert refused.value.code == "received_in_future"
    assert Ticket.objects.count() == count
    assert Customer.objects.count() == count  # no half-written customer either


def test_routing_rules_pick_the_first_matching_team_by_rank(units, make_ticket):
    technical = Skill.objects.get(code="technical")
    RoutingRule.objects.create(rank=10, name="报修到一片区", kind=Kind.REPAIR, team=units["tech-region-1"])
    RoutingRule.objects.create(rank=20, name="技术到二片区", business_line=technical, team=units["tech-region-2"])
    RoutingRule.objects.create(rank=90, name="其余到接待", team=units["reception"])
    assert make_ticket(kind=Kind.REPAIR, team=None).team == units["tech-region-1"]
    assert make_ticket(kind=Kind.INQUIRY, team=None, business_line=technical).team == units["tech-region-2"]
    assert make_ticket(kind=Kind.COMPLAINT, team=None).team == units["reception"]
    RoutingRule.objects.update(is_active=False)
    # No rule matches: the ticket lands in the queue of whoever logged it (agent1: region 1).
    assert make_ticket(kind=Kind.COMPLAINT, team=None).team == units["tech-region-1"]


def test_first_reply_is_the_first_response_and_a_note_is_not(make_ticket, member, user):
    ticket = make_ticket(assignee=member("agent1"))
    services.ticket_note(ticket_id=ticket.pk, actor=user("agent1"), body="客户语气急躁")
    assert Ticket.objects.get(pk=ticket.pk).first_response_at is None
    services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="您好，正在处理")
    first = Ticket.objects.get(pk=ticket.pk).first_response_at
    services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="已处理完毕")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert first is not None
    assert stored.first_response_at == first
    assert stored.status == Status.IN_PROGRESS
    kinds = list(stored.events.filter(kind__in=[EventKind.NOTE, EventKind.REPLY]).values_list("kind", "body"))
    assert kinds == [("note", "客户语气急躁"), ("reply", "您好，正在处理"), ("reply", "已处理完毕")]


def test_a_stale_version_is_refused_and_nothing_is_lost(make_ticket, member, user):
    ticket = make_ticket(assignee=member("agent1"))
    services.ticket_update(ticket_id=ticket.pk, actor=user("agent1"), version=1, changes={"subject": "停电"})
    before = snapshot(ticket.pk)
    with pytest.raises(TicketConflict) as refused:
        services.ticket_update(ticket_id=ticket.pk, actor=user("lead1"), version=1, changes={"subject": "复电"})
    assert refused.value.code == "stale_version"
    assert snapshot(ticket.pk) == before
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.subject, stored.version) == ("停电", 2)
    change = stored.events.get(kind=EventKind.CHANGED)
    assert (change.field, change.old_value, change.new_value) == ("subject", ticket.subject, "停电")


def test_assign_stays_inside_the_subtree(make_ticket, member, user):
    ticket = make_ticket()
    before = snapshot(ticket.pk)
    with pytest.raises(TicketForbidden):
        services.ticket_assign(ticket_id=ticket.pk, actor=user("lead1"), assignee=member("agent4"))
    with pytest.raises(TicketForbidden):
        services.ticket_assign(ticket_id=ticket.pk, actor=user("agent1"), assignee=member("agent3"))
    assert snapshot(ticket.pk) == before
    services.ticket_assign(ticket_id=ticket.pk, actor=user("director"), assignee=member("agent4"))
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.assignee.name, stored.team.code, stored.status) == (member("agent4").name, "tech-region-2",
                                                                       Status.ASSIGNED)


def test_claim_is_refused_when_someone_has_it(make_ticket, user, member):
    ticket = make_ticket()
    services.ticket_claim(ticket_id=ticket.pk, actor=user("agent1"))
    before = snapshot(ticket.pk)
    with pytest.raises(TicketConflict) as refused:
        services.ticket_claim(ticket_id=ticket.pk, actor=user("agent3"))
    assert refused.value.code == "already_claimed"
    assert member("agent1").name in refused.value.message
    assert snapshot(ticket.pk) == before


def test_next_ticket_takes_the_most_urgent_then_oldest_of_my_team(make_ticket, user, member):
    now = timezone.now()
    old_normal = make_ticket(received_at=now - timedelta(hours=5))
    urgent = make_ticket(priority=1, received_at=now - timedelta(hours=1))
    make_ticket(team="tech-region-2", priority=1, received_at=now - timedelta(hours=9))  # another team
    assert services.ticket_next(actor=user("agent1")).pk == urgent.pk
    assert services.ticket_next(actor=user("agent3")).pk == old_normal.pk
    assert services.ticket_next(actor=user("agent1")) is None
    assert Ticket.objects.get(pk=urgent.pk).assignee == member("agent1")


def test_repair_work_order_records_dispatch_arrival_and_restoration(make_ticket, member, user, units):
    ticket = make_ticket(kind=Kind.REPAIR, assignee=member("agent1"))
    order = services.ticket_dispatch(ticket_id=ticket.pk, actor=user("agent1"), field_team=units["tech-region-2"],
                                     instructions="检查10kV线路")
    with pytest.raises(TicketConflict):
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="已复电")
    with pytest.raises(TicketError):
        services.work_order_arrive(work_order_id=order.pk, actor=user("agent1"),
                                   at=order.dispatched_at - timedelta(minutes=1))
    arrived = services.work_order_arrive(work_order_id=order.pk, actor=user("agent1"))
    restored = services.work_order_restore(work_order_id=order.pk, actor=user("agent1"), notes="更换熔断器")
    assert arrived.arrived_at >= order.dispatched_at
    assert (restored.status, restored.notes) == (WorkOrderStatus.RESTORED, "更换熔断器")
    with pytest.raises(TicketConflict):
        services.work_order_restore(work_order_id=order.pk, actor=user("agent1"))
    services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="已复电")
    fields = list(Ticket.objects.get(pk=ticket.pk).events.filter(
        kind__in=[EventKind.DISPATCHED, EventKind.WORK_ORDER]).values_list("field", flat=True))
    assert fields == ["work_order", "arrived_at", "restored_at"]


def resolved_complaint(make_ticket, member, user):
    ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"))
    services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="已道歉并退费")
    return ticket, Callback.objects.get(ticket=ticket)


def test_resolving_a_complaint_creates_a_callback_and_an_inquiry_does_not(make_ticket, member, user):
    ticket, callback = resolved_complaint(make_ticket, member, user)
    assert (callback.state, callback.assignee, callback.attempt_count) == ("due", member("agent1"), 0)
    assert callback.due_at > Ticket.objects.get(pk=ticket.pk).resolved_at
    assert timezone.localtime(callback.due_at).weekday() < 5
    inquiry = make_ticket(assignee=member("agent1"))
    services.ticket_resolve(ticket_id=inquiry.pk, actor=user("agent1"), resolution="已答复")
    assert not Callback.objects.filter(ticket=inquiry).exists()
    with pytest.raises(TicketConflict) as refused:
        services.ticket_close(ticket_id=ticket.pk, actor=user("agent1"))
    assert refused.value.code == "callback_due"


def test_a_satisfied_callback_closes_the_ticket(make_ticket, member, user):
    ticket, callback = resolved_complaint(make_ticket, member, user)
    services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="satisfied", notes="满意")
    callback.refresh_from_db()
    assert (callback.state, callback.outcome, callback.attempt_count) == ("done", "satisfied", 1)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_unreachable_is_retried_and_fails_after_three_attempts(make_ticket, member, user):
    ticket, callback = resolved_complaint(make_ticket, member, user)
    for attempt in (1, 2):
        services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="unreachable")
        callback.refresh_from_db()
        assert (callback.state, callback.attempt_count) == ("due", attempt)
    services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="unreachable")
    callback.refresh_from_db()
    assert (callback.state, callback.outcome, callback.attempt_count) == ("failed", "unreachable", 3)
    assert list(callback.attempts.values_list("number", "outcome")) == [(n, "unreachable") for n in (1, 2, 3)]
    with pytest.raises(TicketConflict):
        services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="satisfied")
    assert callback.attempts.count() == 3
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_a_wrong_number_fails_at_once(make_ticket, member, user):
    _, callback = resolved_complaint(make_ticket, member, user)
    services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="wrong_number")
    callback.refresh_from_db()
    assert (callback.state, callback.outcome) == ("failed", "wrong_number")


def test_unsatisfied_reopens_the_ticket(make_ticket, member, user):
    ticket, callback = resolved_complaint(make_ticket, member, user)
    services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="unsatisfied", notes="仍未退费")
    callback.refresh_from_db()
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (callback.state, callback.outcome) == ("done", "unsatisfied")
    assert (stored.status, stored.resolved_at) == (Status.IN_PROGRESS, None)
    status_event = stored.events.filter(kind=EventKind.STATUS).last()
    assert (status_event.old_value, status_event.new_value) == ("resolved", "in_progress")


def test_unsatisfied_can_be_raised_to_the_holders_superior(make_ticket, member, user):
    ticket, callback = resolved_complaint(make_ticket, member, user)
    services.callback_attempt(callback_id=callback.pk, actor=user("agent1"), outcome="unsatisfied",
                              unsatisfied_action="raise", notes="要求主管处理")
    callback.refresh_from_db()
    assert callback.raised_to == member("lead1")
    raised = Ticket.objects.get(pk=ticket.pk).events.get(kind=EventKind.RAISED)
    assert (raised.new_value, raised.body) == (member("lead1").name, "要求主管处理")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_reopening_cancels_a_callback_still_due(make_ticket, member, user):
    ticket, callback = resolved_complaint(make_ticket, member, user)
    services.ticket_reopen(ticket_id=ticket.pk, actor=user("agent1"), reason="客户来电仍有问题")
    callback.refresh_from_db()
    assert callback.state == CallbackState.CANCELLED
    services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="再次处理")
    assert Callback.objects.filter(ticket=ticket, state=CallbackState.DUE).count() == 1


def test_cancel_as_duplicate_names_the_original(make_ticket, member, user):
    original = make_ticket()
    copy = make_ticket()
    with pytest.raises(TicketError):
        services.ticket_cancel(ticket_id=copy.pk, actor=user("lead1"), reason="duplicate")
    services.ticket_cancel(ticket_id=copy.pk, actor=user("lead1"), reason="duplicate", duplicate_of_id=original.pk)
    stored = Ticket.objects.get(pk=copy.pk)
    assert (stored.status, stored.cancel_reason, stored.duplicate_of_id) == ("cancelled", "duplicate", original.pk)
    assert original.reference in stored.events.get(kind=EventKind.STATUS).body


def test_an_agent_cannot_work_a_teammates_ticket(make_ticket, member, user):
    ticket = make_ticket(assignee=member("agent1"))
    before = snapshot(ticket.pk)
    with pytest.raises(TicketForbidden):
        services.ticket_reply(ticket_id=ticket.pk, actor=user("agent3"), body="我来回复")
    with pytest.raises(TicketForbidden):
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent3"), resolution="x")
    assert snapshot(ticket.pk) == before
