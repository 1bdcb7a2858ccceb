import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.models import HistoricalChanges

from demo.tickets import seed_tickets
from sla.models import Clock, Escalation
from tickets import services
from tickets.models import Callback, Kind, Status, Ticket, TicketEvent, WorkOrder

pytestmark = pytest.mark.django_db


def test_the_demo_center_has_tickets_in_every_state_kind_and_channel(shape_a):
    assert seed_tickets(count=400, days=60) == 400
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert Ticket.objects.values("channel").distinct().count() == 6
    # Coherent with their status.
    assert not Ticket.objects.filter(status=Status.NEW, assignee__isnull=False).exists()
    assert not Ticket.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED], resolved_at__isnull=True).exists()
    assert not Ticket.objects.filter(status=Status.CLOSED, closed_at__isnull=True).exists()
    assert not Ticket.objects.filter(status=Status.PENDING_CUSTOMER, pause_reason="").exists()
    assert not Ticket.objects.filter(status=Status.CANCELLED, cancel_reason="").exists()
    # Events carry their historic times: the created event at receipt, none after the seed ran.
    assert not TicketEvent.objects.filter(kind="created").exclude(created_at=F("ticket__received_at")).exists()
    assert not TicketEvent.objects.filter(created_at__gt=timezone.now()).exists()
    assert TicketEvent.objects.filter(created_at__lt=timezone.now() - timedelta(days=30)).exists()
    created = TicketEvent.objects.filter(kind="created").values("ticket").annotate(n=Count("id"))
    assert {row["n"] for row in created} == {1}
    assert created.count() == 400
    assert not Ticket.objects.filter(first_response_at__lt=F("received_at")).exists()
    for order in WorkOrder.objects.all():
        times = [t for t in (order.dispatched_at, order.arrived_at, order.restored_at) if t]
        assert times == sorted(times)
    assert Callback.objects.filter(state="due").count() == Callback.objects.filter(
        ticket__status=Status.RESOLVED).count() > 0
    references = list(Ticket.objects.values_list("reference", flat=True))
    assert len(set(references)) == 400
    assert all(re.fullmatch(r"TS-\d{8}-\d{6}", r) for r in references)
    # Clocks and what the sweep made of them.
    assert Clock.objects.filter(callback__isnull=True).values("ticket").distinct().count() == 400
    assert Escalation.objects.filter(level=1).count() == Clock.objects.filter(breached_at__isnull=False,
                                                                              state="breached").count()




def test_a_new_ticket_after_the_demo_gets_a_fresh_reference(shape_a, user):
    seed_tickets(count=300, days=2)
    ticket = services.ticket_create(actor=user("agent2"), kind="inquiry", channel="phone", subject="新来电",
                                    customer={"name": "新客户", "phone": "13000000000"})
    assert Ticket.objects.filter(reference=ticket.reference).count() == 1


def test_seed_demo_twice_adds_nothing(db):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Ticket.objects.count(), TicketEvent.objects.count(), Clock.objects.count(), Escalation.objects.count())
    history = {m._meta.label: m.objects.count() for m in apps.get_models() if issubclass(m, HistoricalChanges)}
    with CaptureQueriesContext(connection) as queries:
        call_command("seed_demo", stdout=io.StringIO())
    assert counts[0] == 2000
    assert (Ticket.objects.count(), TicketEvent.objects.count(), Clock.objects.count(),
            Escalation.objects.count()) == counts
    # The second run writes nothing at all, so no history version of the org chart either.
    assert [q["sql"] for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))] == []
    assert {m._meta.label: m.objects.count() for m in apps.get_models() if issubclass(m, HistoricalChanges)} == history
