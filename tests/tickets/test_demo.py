import io
import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from sla.models import Clock, Escalation
from staff.models import Role
from tickets import services
from tickets.demo import seed_tickets
from tickets.models import (
    Callback,
    CallbackAttempt,
    CallbackState,
    CancelReason,
    Channel,
    Customer,
    EventKind,
    Kind,
    ReferenceCounter,
    RoutingRule,
    Status,
    Ticket,
    TicketEvent,
    WorkOrder,
    WorkOrderStatus,
)

pytestmark = pytest.mark.django_db

COUNT = 300
WORKED = (Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER, Status.RESOLVED, Status.CLOSED)
AGENTS = {"tech-region-1": {"agent1", "agent3"}, "tech-region-2": {"agent4"},
          "reception": {"agent2", "agent5", "agent6"}}


@pytest.fixture
def seeded(shape_a):
    started = timezone.now()
    assert seed_tickets(count=COUNT, days=60) == COUNT
    return started


def _tickets():
    return list(Ticket.objects.select_related("assignee__user", "assignee__position__unit", "team", "customer"))


def _workflow_events():
    """Each ticket's events in order, without those the SLA sweep adds as it runs."""
    events = defaultdict(list)
    for event in TicketEvent.objects.exclude(kind__in=[EventKind.ESCALATED, EventKind.SLA]).order_by("created_at", "id"):
        events[event.ticket_id].append(event)
    return events


def test_the_demo_has_every_status_kind_and_channel(seeded):
    tickets = _tickets()
    assert len(tickets) == COUNT
    assert {t.status for t in tickets} == set(Status.values)
    assert {t.kind for t in tickets} == set(Kind.values)
    assert {t.channel for t in tickets} == set(Channel.values)
    kinds = Counter(t.kind for t in tickets)
    assert 1 <= kinds[Kind.REPORT] <= COUNT * 0.05  # reports are rare
    assert kinds[Kind.INQUIRY] > kinds[Kind.REPORT] and kinds[Kind.REPAIR] > kinds[Kind.PRAISE]
    # Received within the last 60 days; the older half mostly finished.
    assert all(seeded - timedelta(days=60) < t.received_at < seeded for t in tickets)
    old = [t for t in tickets if t.received_at < seeded - timedelta(days=30)]
    assert sum(t.status in (Status.CLOSED, Status.CANCELLED) for t in old) > 0.8 * len(old)


def test_customers_are_varied_and_valid(seeded):
    customers = list(Customer.objects.all())
    assert len(customers) == 90  # 30 % of the tickets, each of whom got in touch
    assert Ticket.objects.values("customer").distinct().count() == 90
    assert all(re.fullmatch(r"1[358]\d{9}", c.phone) for c in customers)
    assert len({c.phone for c in customers}) == 90
    accounts = [c.account_no for c in customers if c.account_no]
    assert 0 < len(accounts) < 90 and len(set(accounts)) == len(accounts)
    classes = Counter(c.customer_class for c in customers)
    assert classes.most_common(1)[0][0] == "residential" and len(classes) > 1
    assert all(re.search(r"[\u4e00-\u9fff]", c.name) for c in customers)
    first_contact = {}
    for ticket in Ticket.objects.order_by("received_at"):
        first_contact.setdefault(ticket.customer_id, ticket.received_at)
    assert all(c.created_at == first_contact[c.pk] for c in customers)


def test_every_ticket_is_coherent_with_its_status(seeded):
    events = _workflow_events()
    callback_kinds = set(settings.TICKETS_CALLBACK_KINDS)
    for t in _tickets():
        history = events[t.pk]
        created = [e for e in history if e.kind == EventKind.CREATED]
        assert len(created) == 1 and history[0] == created[0], t.reference
        assert t.created_at == t.received_at == created[0].created_at
        assert all(t.received_at <= e.created_at <= seeded for e in history)
        assert t.updated_at == history[-1].created_at
        # The status events chain from the status the ticket was created in to the one it is in.
        path = [created[0].new_value] + [e.new_value for e in history if e.kind == EventKind.STATUS]
        olds = [e.old_value for e in history if e.kind == EventKind.STATUS]
        assert olds == path[:-1] and path[-1] == t.status, t.reference
        # The holder: an agent of the ticket's team, and how they came to hold it.
        taken = [e for e in history if e.kind in (EventKind.CLAIMED, EventKind.ASSIGNED)]
        if t.status == Status.NEW or (t.status == Status.CANCELLED and t.assignee is None):
            assert t.assignee is None and not taken
        else:
            assert t.status in (*WORKED, Status.CANCELLED) and t.assignee is not None
            assert t.assignee.user.username in AGENTS[t.team.code]
            assert t.assignee.position.role == Role.AGENT and t.assignee.position.unit == t.team
            assert len(taken) == 1 and taken[0].new_value == t.assignee.name
        # Replies and the first response.
        replies = [e.created_at for e in history if e.kind == EventKind.REPLY]
        if replies:
            assert t.first_response_at == replies[0]
        elif t.status in (Status.RESOLVED, Status.CLOSED):
            assert t.first_response_at == t.resolved_at
        else:
            assert t.first_response_at is None
        # The fields each status carries, and only then.
        assert (t.resolved_at is not None) == (t.status in (Status.RESOLVED, Status.CLOSED)), t.reference
        assert (t.closed_at is not None) == (t.status == Status.CLOSED)
        assert (t.pause_reason != "") == (t.status == Status.PENDING_CUSTOMER)
        assert (t.cancel_reason != "") == (t.status == Status.CANCELLED)
        assert (t.resolution != "") == (t.status in (Status.RESOLVED, Status.CLOSED))
        if t.status == Status.CLOSED:
            assert t.first_response_at <= t.resolved_at <= t.closed_at
        if t.status == Status.CANCELLED:
            assert t.cancel_reason in CancelReason.values
            assert (t.duplicate_of_id is not None) == (t.cancel_reason == CancelReason.DUPLICATE)
            if t.duplicate_of_id:
                original = Ticket.objects.get(pk=t.duplicate_of_id)
                assert original.customer_id == t.customer_id and original.received_at < t.received_at
                assert any(original.reference in e.body for e in history if e.kind == EventKind.STATUS)
        else:
            assert t.duplicate_of_id is None
        if t.kind == Kind.COMPLAINT:
            assert t.complaint_category
        else:
            assert not t.complaint_category and t.responsible_unit is None
        if t.kind in callback_kinds and t.status in (Status.RESOLVED, Status.CLOSED):
            assert t.callbacks.count() == 1
        else:
            assert not t.callbacks.exists()
    assert Ticket.objects.filter(kind=Kind.COMPLAINT, responsible_unit__isnull=False).exists()


def test_work_orders_follow_the_repairs(seeded):
    tech = {"tech-region-1", "tech-region-2"}
    for order in WorkOrder.objects.select_related("ticket__team", "field_team"):
        ticket = order.ticket
        assert ticket.kind == Kind.REPAIR and order.field_team.code in tech and order.field_team == ticket.team
        times = [order.dispatched_at, order.arrived_at, order.restored_at]
        present = [t for t in times if t is not None]
        assert present == times[:len(present)] == sorted(present)  # in order, none skipped
        assert ticket.received_at <= order.dispatched_at <= seeded
        expected = {1: WorkOrderStatus.DISPATCHED, 2: WorkOrderStatus.ON_SITE, 3: WorkOrderStatus.RESTORED}
        assert order.status == expected[len(present)]
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            assert order.status == WorkOrderStatus.RESTORED and order.restored_at <= ticket.resolved_at
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.DISPATCHED,
                                          new_value__startswith=f"WO-{order.pk} ").count() == 1
    worked_repairs = Ticket.objects.filter(kind=Kind.REPAIR).exclude(status__in=[Status.NEW, Status.ASSIGNED,
                                                                                 Status.CANCELLED])
    assert worked_repairs.exists()
    assert WorkOrder.objects.count() == worked_repairs.count()
    assert not worked_repairs.filter(work_orders__isnull=True).exists()


def test_callbacks_follow_resolution(seeded):
    callbacks = list(Callback.objects.select_related("ticket").prefetch_related("attempts"))
    assert callbacks
    for callback in callbacks:
        ticket = callback.ticket
        attempts = sorted(callback.attempts.all(), key=lambda a: a.number)
        assert callback.assignee_id == ticket.assignee_id
        assert callback.created_at == ticket.resolved_at
        assert [a.number for a in attempts] == list(range(1, callback.attempt_count + 1))
        assert all(callback.created_at < a.made_at <= seeded for a in attempts)
        assert [a.made_at for a in attempts] == sorted(a.made_at for a in attempts)
        if ticket.status == Status.RESOLVED:
            assert callback.state == CallbackState.DUE and callback.completed_at is None
            assert all(a.outcome == "unreachable" for a in attempts)
            assert callback.due_at > callback.created_at
        else:
            assert callback.state in (CallbackState.DONE, CallbackState.FAILED) and attempts
            assert callback.completed_at == attempts[-1].made_at <= ticket.closed_at
            assert callback.outcome == attempts[-1].outcome
            if callback.outcome == "unsatisfied":
                assert callback.raised_to is not None
    states = Counter(c.state for c in callbacks)
    assert states[CallbackState.DUE] == Ticket.objects.filter(
        status=Status.RESOLVED, kind__in=settings.TICKETS_CALLBACK_KINDS).count() > 0
    assert states[CallbackState.DONE] > states[CallbackState.FAILED]
    assert CallbackAttempt.objects.count() >= len(callbacks) - states[CallbackState.DUE]


def test_references_are_unique_per_day_and_later_tickets_never_collide(seeded, user):
    references = list(Ticket.objects.order_by("received_at", "id").values_list("reference", "received_at"))
    assert len({r for r, _ in references}) == COUNT
    numbers = defaultdict(list)  # local day of receipt → the numbers of that day's references
    for reference, received in references:
        day = timezone.localdate(received)
        match = re.fullmatch(r"TS-(\d{8})-(\d{6})", reference)
        assert match and match[1] == f"{day:%Y%m%d}"
        numbers[day].append(int(match[2]))
    for of_day in numbers.values():  # 1, 2, 3 … in order of receipt
        assert of_day == list(range(1, len(of_day) + 1))
    assert dict(ReferenceCounter.objects.values_list("day", "last")) == {d: len(n) for d, n in numbers.items()}
    # A ticket numbered later on any of those days gets the next number …
    busiest = max(numbers, key=lambda d: len(numbers[d]))
    assert services.next_reference(busiest) == f"TS-{busiest:%Y%m%d}-{len(numbers[busiest]) + 1:06d}"
    # … and so does a new ticket today.
    ticket = services.ticket_create(actor=user("agent2"), kind="inquiry", channel="phone", subject="新来电",
                                    customer={"name": "新客户", "phone": "13000000000"})
    today = timezone.localdate()
    assert ticket.reference == f"TS-{today:%Y%m%d}-{len(numbers.get(today, [])) + 1:06d}"
    assert Ticket.objects.filter(reference=ticket.reference).count() == 1


def test_routing_rules_send_repairs_to_the_regions_and_the_rest_to_reception(seeded):
    for ticket in Ticket.objects.select_related("customer", "team"):
        team_id = services.route(kind=ticket.kind, channel=ticket.channel,
                                 customer_class=ticket.customer.customer_class,
                                 business_line_id=ticket.business_line_id)
        assert team_id == ticket.team_id, ticket.reference
    assert RoutingRule.objects.count() == 3


def test_seeding_again_adds_nothing(seeded):
    counts = [m.objects.count() for m in (Ticket, TicketEvent, Customer, WorkOrder, Callback, CallbackAttempt,
                                          RoutingRule, Clock, Escalation)]
    out = io.StringIO()
    assert seed_tickets(count=COUNT, days=60, stdout=out) == 0
    assert "already exist" in out.getvalue()
    assert [m.objects.count() for m in (Ticket, TicketEvent, Customer, WorkOrder, Callback, CallbackAttempt,
                                        RoutingRule, Clock, Escalation)] == counts


def test_the_same_seed_gives_the_same_center(shape_a):
    now = timezone.now()

    def snapshot():
        return [(t.reference, t.kind, t.status, t.subject, t.description, t.customer.phone, t.received_at,
                 t.resolved_at, t.assignee_id) for t in Ticket.objects.select_related("customer").order_by("reference")]

    seed_tickets(count=120, days=20, now=now)
    first = snapshot()
    Ticket.objects.all().delete()
    Customer.objects.all().delete()
    seed_tickets(count=120, days=20, now=now)
    assert snapshot() == first
    Ticket.objects.all().delete()
    Customer.objects.all().delete()
    seed_tickets(count=120, days=20, now=now, seed=7)
    assert snapshot() != first


def test_seed_demo_loads_the_org_chart_then_the_tickets_once(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Ticket.objects.count(), TicketEvent.objects.count(), Clock.objects.count(), Escalation.objects.count())
    assert counts[0] == 2000 and Customer.objects.count() == 600
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert (Ticket.objects.count(), TicketEvent.objects.count(), Clock.objects.count(),
            Escalation.objects.count()) == counts
