"""Clocks on tickets with exact expected datetimes (Asia/Shanghai), time frozen with time-machine."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sla import services as sla
from sla.models import Clock, ClockState, DaySource, Policy, PolicyTarget
from sla.selectors import default_calendar
from tickets import services
from tickets.models import EventKind, Kind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def clocks(ticket) -> dict[str, Clock]:
    return {c.target: c for c in Clock.objects.filter(ticket=ticket, callback__isnull=True)}


def complaint(make_ticket, member, received: str, **extra):
    with time_machine.travel(at(received), tick=False):
        return make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at(received), **extra)


def test_a_complaint_starts_its_clocks_at_receipt_with_a_snapshot(make_ticket, member):
    ticket = complaint(make_ticket, member, "2026-09-30T10:00")
    running = clocks(ticket)
    assert set(running) == {"first_response", "resolution"}
    resolution = running["resolution"]
    assert (resolution.started_at, resolution.due_at) == (at("2026-09-30T10:00"), at("2026-10-13T17:30"))
    assert (resolution.amount, resolution.unit, resolution.policy.name) == (5, "working_days", "投诉")
    assert running["first_response"].due_at == at("2026-10-08T17:30")
    # Warned at 80 % of the working time: 5 working dates (plus the rest of 09-30) → 4.x working days in.
    assert at("2026-10-10T00:00") < resolution.warn_at < resolution.due_at
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.sla_state, stored.sla_due_at) == ("on_track", at("2026-10-08T17:30"))


def test_a_repair_gets_minute_targets_by_area(make_ticket, member):
    with time_machine.travel(at("2026-11-21T22:00"), tick=False):  # a Saturday night: 24×7 targets
        ticket = make_ticket(kind=Kind.REPAIR, assignee=member("agent1"))
    running = clocks(ticket)
    assert {k: c.due_at for k, c in running.items()} == {
        "dispatch": at("2026-11-21T22:10"), "arrival": at("2026-11-21T22:45"), "restoration": at("2026-11-22T01:00")}


def test_the_first_reply_meets_the_first_response_and_a_note_does_not(make_ticket, member, user):
    ticket = complaint(make_ticket, member, "2026-11-02T09:00")
    with time_machine.travel(at("2026-11-02T10:00"), tick=False):
        services.ticket_note(ticket_id=ticket.pk, actor=user("agent1"), body="内部")
    assert clocks(ticket)["first_response"].state == ClockState.RUNNING
    with time_machine.travel(at("2026-11-02T11:00"), tick=False):
        services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="您好")
    first = clocks(ticket)["first_response"]
    assert (first.state, first.met_at, first.breached_at) == (ClockState.MET, at("2026-11-02T11:00"), None)


def test_pause_moves_the_deadline_by_the_working_time_paused(make_ticket, member, user):
    ticket = complaint(make_ticket, member, "2026-11-02T09:00")  # Monday; 5 working days → Mon 11-09
    assert clocks(ticket)["resolution"].due_at == at("2026-11-09T17:30")
    with time_machine.travel(at("2026-11-02T10:00"), tick=False):
        services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="请提供照片")
    with time_machine.travel(at("2026-11-06T10:00"), tick=False):  # Friday
        services.ticket_pause(ticket_id=ticket.pk, actor=user("agent1"), reason="等待客户提供照片")
    assert clocks(ticket)["resolution"].state == ClockState.PAUSED
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "paused"
    with time_machine.travel(at("2026-11-09T10:00"), tick=False):  # Monday: 14 h of Friday + 10 h of Monday
        services.ticket_resume(ticket_id=ticket.pk, actor=user("agent1"))
    resolution = clocks(ticket)["resolution"]
    assert (resolution.state, resolution.paused_seconds) == (ClockState.RUNNING, 24 * 3600)
    assert resolution.due_at == at("2026-11-10T17:30")
    event = Ticket.objects.get(pk=ticket.pk).events.get(kind=EventKind.SLA)
    assert (event.field, event.old_value, event.new_value) == ("sla:resolution", "2026-11-09 17:30",
                                                               "2026-11-10 17:30")


def test_reopen_resumes_where_it_stopped_and_counts_the_resolved_time_as_a_pause(make_ticket, member, user):
    ticket = complaint(make_ticket, member, "2026-11-02T09:00")
    with time_machine.travel(at("2026-11-03T09:00"), tick=False):
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="已处理")
    with time_machine.travel(at("2026-11-05T09:00"), tick=False):  # two working days later
        services.ticket_reopen(ticket_id=ticket.pk, actor=user("agent1"), reason="客户说没解决")
    resolution = clocks(ticket)["resolution"]
    assert (resolution.state, resolution.met_at, resolution.due_at) == (
        ClockState.RUNNING, None, at("2026-11-11T17:30"))
    assert clocks(ticket)["first_response"].state == ClockState.MET  # not re-armed


def test_a_priority_change_recomputes_from_the_original_start(make_ticket, member, user):
    urgent = Policy.objects.create(rank=5, name="紧急投诉", kind=Kind.COMPLAINT, priority=1)
    PolicyTarget.objects.create(policy=urgent, target="resolution", amount=1, unit="working_days")
    ticket = complaint(make_ticket, member, "2026-11-02T09:00")
    with time_machine.travel(at("2026-11-02T12:00"), tick=False):
        services.ticket_update(ticket_id=ticket.pk, actor=user("agent1"), version=1, changes={"priority": 1})
    running = clocks(ticket)
    assert running["resolution"].due_at == at("2026-11-03T17:30")
    assert running["resolution"].policy == urgent
    assert running["first_response"].state == ClockState.CANCELLED  # the urgent policy has no such target
    changes = list(Ticket.objects.get(pk=ticket.pk).events.filter(kind=EventKind.SLA)
                   .values_list("field", "old_value", "new_value"))
    assert ("sla:resolution", "2026-11-09 17:30", "2026-11-03 17:30") in changes


def test_a_recorded_breach_stays_when_the_new_deadline_is_later(make_ticket, member, user):
    from sla.sweep import sweep

    ticket = complaint(make_ticket, member, "2026-11-02T09:00")
    sweep(now=at("2026-11-10T09:00"))
    assert clocks(ticket)["resolution"].breached_at == at("2026-11-09T17:30")
    relaxed = Policy.objects.create(rank=5, name="低优先级投诉", kind=Kind.COMPLAINT, priority=4)
    PolicyTarget.objects.create(policy=relaxed, target="resolution", amount=10, unit="working_days")
    with time_machine.travel(at("2026-11-10T09:30"), tick=False):
        services.ticket_update(ticket_id=ticket.pk, actor=user("agent1"), version=1, changes={"priority": 4})
    resolution = clocks(ticket)["resolution"]
    assert (resolution.due_at, resolution.breached_at) == (at("2026-11-16T17:30"), at("2026-11-09T17:30"))
    assert resolution.escalations.filter(level=1).count() == 1
    # Missing the later deadline too breaches it again, keeping the first breach and its ladder.
    sweep(now=at("2026-11-17T09:00"))
    resolution.refresh_from_db()
    assert (resolution.state, resolution.breached_at) == (ClockState.BREACHED, at("2026-11-09T17:30"))
    assert list(resolution.escalations.order_by("level").values_list("level", flat=True)) == [0, 1]
    sweep(now=at("2026-11-17T09:01"))  # the ladder carries on: level 2 was due since 11-10 17:30
    assert list(resolution.escalations.order_by("level").values_list("level", flat=True)) == [0, 1, 2]


def test_a_calendar_change_recomputes_running_clocks_that_span_it(make_ticket, member):
    ticket = complaint(make_ticket, member, "2026-11-02T09:00")
    other = complaint(make_ticket, member, "2026-12-01T09:00")
    sla.calendar_days_set(calendar=default_calendar(), days={date(2026, 11, 4): (False, "临时停工")})
    assert clocks(ticket)["resolution"].due_at == at("2026-11-10T17:30")
    assert clocks(other)["resolution"].due_at == at("2026-12-08T17:30")  # untouched
    event = Ticket.objects.get(pk=ticket.pk).events.filter(kind=EventKind.SLA).get(field="sla:resolution")
    assert (event.old_value, event.new_value) == ("2026-11-09 17:30", "2026-11-10 17:30")
    assert not Ticket.objects.get(pk=other.pk).events.filter(kind=EventKind.SLA).exists()


def test_a_provisional_2027_deadline_is_recomputed_when_the_official_days_arrive(make_ticket, member):
    ticket = complaint(make_ticket, member, "2026-12-28T10:00")
    resolution = clocks(ticket)["resolution"]
    assert (resolution.due_at, resolution.provisional) == (at("2027-01-05T17:30"), True)
    # Say the State Council gives 01-01 to 01-03 off with Monday 01-04 also a holiday.
    official = {date(2027, 1, d): (False, "元旦") for d in (1, 2, 3, 4)}
    official.update({date(2027, 1, d): (True, "") for d in range(5, 32) if date(2027, 1, d).weekday() < 5})
    official.update({date(2027, 1, d): (False, "") for d in range(5, 32) if date(2027, 1, d).weekday() >= 5})
    sla.calendar_days_set(calendar=default_calendar(), days=official, source=DaySource.OFFICIAL)
    resolution = clocks(ticket)["resolution"]
    assert (resolution.due_at, resolution.provisional) == (at("2027-01-06T17:30"), False)


def test_a_new_customer_class_recomputes_the_open_tickets(make_ticket, member, api, shape_a):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        ticket = make_ticket(kind=Kind.APPLICATION, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
    assert clocks(ticket)["resolution"].due_at == at("2026-11-05T17:30")  # residential: 3 working days
    response = api("agent1").patch(f"/api/v1/customers/{ticket.customer_id}/", {"customer_class": "hv_single"},
                                   format="json")
    assert (response.status_code, response.json()["customer_class"]) == (200, "hv_single")
    assert clocks(ticket)["resolution"].due_at == at("2026-11-23T17:30")  # high voltage, single source: 15
    event = Ticket.objects.get(pk=ticket.pk).events.get(kind=EventKind.SLA)
    assert (event.old_value, event.new_value) == ("2026-11-05 17:30", "2026-11-23 17:30")
    bad = api("agent1").patch(f"/api/v1/customers/{ticket.customer_id}/", {"customer_class": "castle"},
                              format="json")
    assert bad.status_code == 400
    assert clocks(ticket)["resolution"].due_at == at("2026-11-23T17:30")


def test_a_repair_resolved_without_a_dispatch_stops_its_repair_clocks(make_ticket, member, user):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        ticket = make_ticket(kind=Kind.REPAIR, assignee=member("agent1"))
    with time_machine.travel(at("2026-11-02T09:05"), tick=False):
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="电话指导客户合上总闸，已恢复")
    states = {c.target: c.state for c in Clock.objects.filter(ticket=ticket, callback__isnull=True)}
    assert states == {"dispatch": "cancelled", "arrival": "cancelled", "restoration": "cancelled"}
    from sla.sweep import sweep

    sweep(now=at("2026-11-20T09:00"))  # only the callback, never made, breaches
    assert list(Clock.objects.filter(ticket=ticket, state="breached").values_list("target", flat=True)) == ["callback"]
