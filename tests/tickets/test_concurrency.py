"""Races on the real PostgreSQL: many agents claiming one ticket, many desks filing at once, many
agents taking "next ticket" together. Each thread has its own database connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from tests.conftest import require_service
from tests.factories import PositionFactory, StaffMemberFactory, UnitFactory
from tickets import services
from tickets.errors import TicketConflict
from tickets.models import Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")


@pytest.fixture
def team():
    """One team with 20 agents."""
    unit = UnitFactory(code="race-team")
    position = PositionFactory(unit=unit, headcount=20)
    return unit, [StaffMemberFactory(position=position).user for _ in range(20)]


def race(n, fn):
    """Run ``fn(i)`` in n threads released together; return each result or the exception raised."""
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait()
            return fn(i)
        except Exception as error:  # collected and asserted on by the caller
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def new_ticket(unit, n=0):
    return services.ticket_create(actor=None, kind="inquiry", channel="phone", subject=f"并发{n}",
                                  customer={"name": "客户", "phone": f"1390000{n:04d}"}, team=unit)


def test_twenty_claims_of_one_ticket_have_exactly_one_winner(postgres, team):
    unit, users = team
    ticket = new_ticket(unit)
    results = race(20, lambda i: services.ticket_claim(ticket_id=ticket.pk, actor=users[i]))
    winners = [r for r in results if isinstance(r, Ticket)]
    losers = [r for r in results if isinstance(r, TicketConflict)]
    assert (len(winners), len(losers)) == (1, 19)
    assert {error.code for error in losers} == {"already_claimed"}
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.assignee.user_id == winners[0].assignee.user_id
    assert (stored.status, stored.version) == (Status.ASSIGNED, 2)
    assert TicketEvent.objects.filter(ticket=ticket, kind="claimed").count() == 1


def test_references_stay_unique_when_twenty_desks_file_at_once(postgres, team):
    unit, _ = team
    results = race(20, lambda i: new_ticket(unit, i).reference)
    assert all(isinstance(r, str) for r in results), results
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in results)
    assert numbers == list(range(1, 21))


def test_next_ticket_gives_each_agent_a_different_ticket(postgres, team):
    unit, users = team
    tickets = [new_ticket(unit, i) for i in range(10)]
    results = race(12, lambda i: services.ticket_next(actor=users[i]))
    taken = [r.pk for r in results if isinstance(r, Ticket)]
    assert sorted(taken) == sorted(t.pk for t in tickets)
    assert results.count(None) == 2
    assert Ticket.objects.filter(assignee__isnull=True).count() == 0
    assert get_user_model().objects.filter(staff_member__tickets__isnull=False).distinct().count() == 10


def test_ten_intakes_at_once_from_one_new_number_make_one_customer(postgres, team):
    """Ten at once used to make ten customers; one after another reuse one, and so must ten at once."""
    from tickets.models import Customer

    unit, _ = team

    def intake(i):
        return services.ticket_create(actor=None, kind="inquiry", channel="phone", subject=f"同号来电{i}",
                                      customer={"name": f"来电人{i}", "phone": "13912345678"}, team=unit)

    results = race(10, intake)
    assert all(isinstance(r, Ticket) for r in results), results
    assert Customer.objects.filter(phone="13912345678").count() == 1
    assert len({r.customer_id for r in results}) == 1
    # With account numbers: at once gives what one after another gives.
    def by_account(phone):
        return lambda i: services.customer_match_or_create(name="户主", phone=phone, account_no=f"ACC-{phone}-{i % 2}")

    for i in range(6):
        by_account("13900000001")(i)
    at_once = race(6, by_account("13900000002"))
    assert all(isinstance(r, Customer) for r in at_once), at_once

    def count(phone):
        return Customer.objects.filter(phone=phone).count()

    # One after another, the first account found takes the phone and the rest match it by phone; at
    # once, whichever comes first does, and the count is the same.
    assert count("13900000002") == count("13900000001") == 1
    # Nothing forbids two accounts on one phone (a family, a landlord): admins may still record them.
    Customer.objects.create(name="租户", phone="13900000001", account_no="ACC-extra")
    assert count("13900000001") == 2
