import pytest
from django.contrib.auth import get_user_model

from staff.models import Unit
from tickets import services
from tickets.models import Kind, Ticket


@pytest.fixture
def units(shape_a):
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def user():
    def get(username: str):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def make_ticket(units, user):
    """A ticket filed through the intake service by ``by`` (an agent), queued for ``team``."""
    counter = iter(range(1, 10_000))

    def make(*, kind=Kind.INQUIRY, team="tech-region-1", by="agent1", phone=None, name=None, **extra) -> Ticket:
        n = next(counter)
        customer = {"name": name or f"客户{n}", "phone": phone or f"1380000{n:04d}"}
        return services.ticket_create(
            actor=user(by), kind=kind, channel="phone", subject=f"事项{n}", customer=customer,
            team=units[team] if team else None, **extra,
        )

    return make


def snapshot(ticket_id: int) -> dict:
    """Everything stored about a ticket, to assert that a refused action changed nothing."""
    ticket = Ticket.objects.filter(pk=ticket_id).values().get()
    ticket["events"] = list(Ticket.objects.get(pk=ticket_id).events.values_list("id", flat=True))
    ticket["callbacks"] = list(Ticket.objects.get(pk=ticket_id).callbacks.values("id", "state", "attempt_count"))
    ticket["work_orders"] = list(Ticket.objects.get(pk=ticket_id).work_orders.values("id", "status"))
    return ticket
