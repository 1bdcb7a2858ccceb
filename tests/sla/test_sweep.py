"""Warnings and escalation along Shape A's chain: agent1 → lead1 (region-1 deputy manager) → director."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification
from sla.models import Calendar, Clock, ClockState, Escalation
from sla.sweep import sweep
from staff.models import StaffMember
from tests.conftest import require_service
from tickets.models import Customer, EventKind, Kind, Ticket

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def ladder(ticket) -> list[tuple[str, int, str]]:
    return list(Escalation.objects.filter(ticket=ticket).order_by("created_at", "clock__target", "level")
                .values_list("clock__target", "level", "recipient__name"))


@pytest.fixture
def complaint(shape_a, make_ticket, member):
    """Received Monday 2026-11-02 09:00: first response due Tue 11-03 17:30, resolution Mon 11-09 17:30."""
    def make(holder="agent1", **extra):
        with time_machine.travel(at("2026-11-02T09:00"), tick=False):
            return make_ticket(kind=Kind.COMPLAINT, assignee=member(holder) if holder else None,
                               received_at=at("2026-11-02T09:00"), **extra)
    return make


@pytest.mark.django_db
def test_warning_breach_and_each_level_up_to_the_director_exactly_once(complaint, member):
    ticket = complaint()
    first = Clock.objects.get(ticket=ticket, target="first_response")
    # 80 % of the 32.5 h of working dates between 11-02 09:00 and 11-03 17:30 is 26 h.
    assert first.warn_at == at("2026-11-03T11:00")
    assert sweep(now=at("2026-11-03T10:59")).as_dict()["warned"] == 0
    assert sweep(now=at("2026-11-03T11:01")).warned == 1
    assert ladder(ticket) == [("first_response", 0, member("agent1").name)]
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "at_risk"
    result = sweep(now=at("2026-11-03T17:31"))
    assert (result.warned, result.breached, result.raised) == (0, 1, 0)
    first.refresh_from_db()
    assert (first.state, first.breached_at, first.escalation_level) == ("breached", at("2026-11-03T17:30"), 1)
    assert first.next_escalation_at == at("2026-11-04T17:30")  # one working day after the breach
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "breached"
    assert sweep(now=at("2026-11-04T17:29")).raised == 0
    assert sweep(now=at("2026-11-04T17:31")).raised == 1
    first.refresh_from_db()
    assert (first.escalation_level, first.next_escalation_at) == (2, None)  # the director ends the ladder
    for later in ("2026-11-05T09:00", "2026-11-20T09:00"):
        sweep(now=at(later))
    assert ladder(ticket)[:3] == [
        ("first_response", 0, member("agent1").name),
        ("first_response", 1, member("lead1").name),
        ("first_response", 2, member("director").name),
    ]
    assert Escalation.objects.filter(clock=first).count() == 3
    assert list(Notification.objects.filter(escalation__clock=first).order_by("level")
                .values_list("recipient__username", "level")) == [("agent1", 0), ("lead1", 1), ("director", 2)]
    assert Ticket.objects.get(pk=ticket.pk).events.filter(kind=EventKind.ESCALATED, field="sla:first_response",
                                                          new_value="1").get().body == member("lead1").name


@pytest.mark.django_db
def test_a_missed_warning_and_its_breach_in_one_sweep_are_both_recorded_and_the_clock_written_once(
        complaint, member):
    ticket = complaint()
    now = at("2026-11-03T17:31")  # past the warning (11:00) and the deadline (17:30); no sweep ran since
    with CaptureQueriesContext(connection) as captured:
        result = sweep(now=now)
    assert (result.warned, result.breached, result.raised) == (1, 1, 0)
    first = Clock.objects.get(ticket=ticket, target="first_response")
    assert (first.state, first.warned_at, first.breached_at, first.escalation_level, first.next_escalation_at) == (
        ClockState.BREACHED, now, at("2026-11-03T17:30"), 1, at("2026-11-04T17:30"))
    assert [(target, level) for target, level, _ in ladder(ticket)] == [("first_response", 0), ("first_response", 1)]
    # PostgreSQL's hand-written UPDATE names the table bare, Django's bulk_update (SQLite) quotes it.
    clock_writes = [q["sql"] for q in captured.captured_queries
                    if q["sql"].replace('"', "").startswith("UPDATE sla_clock")]
    assert len(clock_writes) == 1
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "breached"
    # The next sweep finds nothing: the warning is not sent again.
    assert sweep(now=at("2026-11-03T17:32")).as_dict() == {
        "warned": 0, "breached": 0, "raised": 0, "notifications": 0, "more": False}


@pytest.mark.django_db
def test_a_vacant_superior_is_skipped(complaint, member):
    StaffMember.objects.filter(user__username="lead1").update(is_active=False)
    ticket = complaint()
    sweep(now=at("2026-11-03T17:31"))
    assert [(level, name) for target, level, name in ladder(ticket) if target == "first_response"] == [
        (0, member("agent1").name), (1, member("director").name)]
    assert Clock.objects.get(ticket=ticket, target="first_response").next_escalation_at is None


@pytest.mark.django_db
def test_an_unheld_ticket_warns_and_escalates_through_the_team_lead(complaint, member):
    ticket = complaint(holder=None)
    sweep(now=at("2026-11-03T17:31"))
    sweep(now=at("2026-11-04T17:31"))
    assert [(level, name) for target, level, name in ladder(ticket) if target == "first_response"] == [
        (0, member("lead1").name), (1, member("lead1").name), (2, member("director").name)]


@pytest.mark.django_db
def test_met_and_paused_clocks_do_not_escalate(complaint, user):
    from tickets import services

    ticket = complaint()
    with time_machine.travel(at("2026-11-02T10:00"), tick=False):
        services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="您好")
        services.ticket_pause(ticket_id=ticket.pk, actor=user("agent1"), reason="等待资料")
    result = sweep(now=at("2026-11-20T09:00"))
    assert (result.warned, result.breached, result.raised) == (0, 0, 0)
    assert not Escalation.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_a_sweep_that_dies_half_way_leaves_nothing_and_the_next_does_it_once(complaint, monkeypatch):
    ticket = complaint()

    def die(*args, **kwargs):
        raise RuntimeError("killed")

    with monkeypatch.context() as patched:  # dies after the clocks are marked, before the steps are written
        patched.setattr("sla.sweep._record", die)
        with pytest.raises(RuntimeError):
            sweep(now=at("2026-11-03T17:31"))
    first = Clock.objects.get(ticket=ticket, target="first_response")
    assert (first.state, first.warned_at, first.breached_at) == (ClockState.RUNNING, None, None)
    assert not Escalation.objects.exists()
    sweep(now=at("2026-11-03T17:31"))
    sweep(now=at("2026-11-03T17:32"))
    assert [level for target, level, _ in ladder(ticket) if target == "first_response"] == [0, 1]
    assert Notification.objects.count() == 2


def due_clocks(n: int, now: datetime) -> None:
    """n tickets, each with a running clock already past its deadline (bulk, for scale)."""
    customer = Customer.objects.create(name="批量", phone="13900000000")
    holder = StaffMember.objects.get(user__username="agent1")
    calendar = Calendar.objects.get(is_default=True)
    start = now - timedelta(days=30)
    tickets = Ticket.objects.bulk_create([
        Ticket(reference=f"TS-BULK-{i:06d}", kind=Kind.COMPLAINT, channel="phone", subject="批量", customer=customer,
               assignee=holder, team=holder.position.unit, received_at=start, status="assigned")
        for i in range(n)
    ], batch_size=2000)
    Clock.objects.bulk_create([
        Clock(ticket=t, target="resolution", calendar=calendar, amount=5, unit="working_days", started_at=start,
              due_at=now - timedelta(hours=1), warn_at=now - timedelta(days=1))
        for t in tickets
    ], batch_size=2000)


@pytest.mark.django_db
@pytest.mark.usefixtures("shape_a")
def test_the_sweep_query_count_is_the_same_for_10_and_10000_due_clocks():
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")
    now = timezone.now()
    due_clocks(10, now)
    with CaptureQueriesContext(connection) as small:
        result = sweep(now=now)
    assert (result.warned, result.breached) == (10, 10)
    Clock.objects.all().delete()
    Ticket.objects.all().delete()
    due_clocks(10_000, now)
    with CaptureQueriesContext(connection) as large:
        result = sweep(now=now)
    assert (result.warned, result.breached, result.more) == (10_000, 10_000, True)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert Escalation.objects.count() == 20_000


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_step_exactly_once(sla_presets, shape_a):
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")
    now = timezone.now()
    due_clocks(2_000, now)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(sweep(now=now, batch=700))
            results.append(sweep(now=now, batch=700))
            results.append(sweep(now=now, batch=700))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.breached for r in results) == 2_000
    assert sum(r.warned for r in results) == 2_000
    assert Escalation.objects.count() == 4_000
    assert Escalation.objects.filter(level=1).values("clock").distinct().count() == 2_000
    assert Clock.objects.filter(state=ClockState.BREACHED).count() == 2_000
