"""Dated, reasoned org changes (staff/changes.py): checked, their impact shown, applied now or on their day.

Shape A: agent1 and agent3 (tech-staff-1) → lead1 (tech-dm-1) → director; agent2/5/6 (receptionist) →
supervisor1 (reception-dm) → director.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicecenter.errors import ForbiddenError
from sla.models import Clock, ClockState, Escalation
from staff.changes import ChangeError, change_check, change_impact, org_change_submit, org_changes_apply_due
from staff.graph import OrgGraph
from staff.models import OrgChange, Position, StaffMember, Unit
from tickets.models import Kind, Ticket

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=TZ)  # a Tuesday
NEXT_MONTH = date(2026, 12, 1)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def move_region_1(units) -> dict:
    """Put region 1 under the reception deputy manager: its deputy manager reports to her from now on."""
    return {"unit": units["tech-region-1"].pk, "parent": units["cs-dept"].pk,
            "reports_to": Position.objects.get(code="reception-dm").pk}


def org_state() -> tuple:
    return (list(Position.objects.order_by("pk").values_list("pk", "reports_to_id", "headcount", "closed_at")),
            list(Unit.objects.order_by("pk").values_list("pk", "parent_id", "name", "closed_at")),
            list(StaffMember.objects.order_by("pk").values_list("pk", "position_id", "on_leave")),
            OrgChange.objects.count())


@pytest.fixture
def tickets_of(make_ticket, member):
    """Open complaints held by a person, their clocks set to the given state and level."""
    def make(holder: str, *, state=ClockState.RUNNING, level=0, warned=False, team="tech-region-1") -> Ticket:
        with time_machine.travel(NOW, tick=False):
            ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member(holder) if holder else None, team=team,
                                 received_at=NOW)
        Clock.objects.filter(ticket=ticket).update(state=state, escalation_level=level,
                                                   warned_at=NOW if warned else None)
        return ticket
    return make


def test_moving_a_team_shows_whose_superior_changes_and_which_tickets_escalate_elsewhere(
        shape_a, units, member, tickets_of):
    breached = tickets_of("agent1", state=ClockState.BREACHED, level=1)  # next: level 2, the director → supervisor1
    tickets_of("agent1")  # next: the warning to agent1 herself, unchanged
    tickets_of("agent1", warned=True)  # next: the breach to lead1, unchanged
    tickets_of("agent4", state=ClockState.BREACHED, level=1, team="tech-region-2")  # region 2: unchanged
    unheld = tickets_of(None, state=ClockState.BREACHED, level=1)  # nobody holds it: lead1 → (level 2) director
    before = org_state()
    impact = change_impact(change_check(kind="unit_move", data=move_region_1(units)))
    assert impact.superiors == [{"staff": member("lead1").pk, "name": member("lead1").name,
                                 "before": member("director").name, "after": member("supervisor1").name}]
    assert impact.tickets == 2
    assert (impact.vacant, impact.over, impact.leads) == ([], [], [])
    assert org_state() == before  # a preview writes nothing
    # The two that change: agent1's breached ticket (level 2) and the one nobody holds in her team.
    assert change_impact(change_check(kind="unit_move", data=move_region_1(units))).tickets == 2
    Ticket.objects.filter(pk__in=[breached.pk, unheld.pk]).update(status="resolved")
    Clock.objects.filter(ticket__in=[breached.pk, unheld.pk]).update(state=ClockState.MET)
    assert change_impact(change_check(kind="unit_move", data=move_region_1(units))).tickets == 0


def test_a_change_dated_next_month_waits_then_applies_once_and_escalation_follows_it(
        shape_a, units, member, tickets_of, user):
    ticket = tickets_of("agent1", state=ClockState.BREACHED, level=1)
    clock = Clock.objects.filter(ticket=ticket).order_by("pk").first()
    Clock.objects.filter(pk=clock.pk).update(next_escalation_at=at("2026-12-01T08:00"))
    Clock.objects.filter(ticket=ticket).exclude(pk=clock.pk).update(state=ClockState.RUNNING, escalation_level=0,
                                                                     due_at=at("2027-01-29T17:30"),
                                                                     warn_at=at("2027-01-28T17:30"))
    with time_machine.travel(NOW, tick=False):
        change = org_change_submit(user=user("admin"), kind="unit_move", data=move_region_1(units),
                                   reason="片区调整：一片区划归接待服务副经理管理", effective_on=NEXT_MONTH)
    assert (change.state, change.effective_on, change.impact["tickets"]) == ("scheduled", NEXT_MONTH, 1)
    dm1 = Position.objects.get(code="tech-dm-1")
    assert dm1.reports_to.code == "director"  # until then the org reads as before
    assert org_changes_apply_due(now=at("2026-11-30T23:59")) == 0
    from sla.tasks import sla_sweep_task

    with time_machine.travel(at("2026-12-01T09:00"), tick=False):
        sla_sweep_task()  # applies what is due first, then escalates by the org of the moment
    change.refresh_from_db()
    assert (change.state, change.applied_at) == ("applied", at("2026-12-01T09:00"))
    dm1.refresh_from_db()
    assert dm1.reports_to.code == "reception-dm"
    step = Escalation.objects.get(clock=clock, level=2)
    assert step.recipient_id == member("supervisor1").pk
    latest = dm1.history.latest("history_id")  # the import may carry a later date than the travelled clock
    assert (latest.history_user.username, latest.history_change_reason) == (
        "admin", "片区调整：一片区划归接待服务副经理管理")
    assert org_changes_apply_due(now=at("2026-12-01T10:00")) == 0  # applying again applies nothing
    assert dm1.history.count() == 2


def test_a_scheduled_change_that_no_longer_fits_fails_with_its_reason_and_writes_nothing(shape_a, units, user,
                                                                                           member):
    with time_machine.travel(NOW, tick=False):
        post = org_change_submit(user=user("admin"), kind="position_add", reason="新增质检岗",
                                 data={"unit": units["reception"].pk, "code": "qa", "title": "质检专员",
                                       "role": "agent", "headcount": "1",
                                       "reports_to": Position.objects.get(code="reception-dm").pk}).position
        closing = org_change_submit(user=user("admin"), kind="position_close", data={"position": post.pk},
                                    reason="岗位撤销", effective_on=NEXT_MONTH)
        org_change_submit(user=user("admin"), kind="staff_assign", data={"staff": member("agent2").pk,
                                                                         "position": post.pk}, reason="轮岗")
    assert org_changes_apply_due(now=at("2026-12-01T00:05")) == 0
    closing.refresh_from_db()
    assert closing.state == "failed"
    assert closing.failure == "1 people hold this post; move them or end their concurrent posts first."
    assert Position.objects.get(pk=post.pk).closed_at is None


@pytest.mark.parametrize(("kind", "data", "field", "message"), [
    ("position_update", lambda: {"position": Position.objects.get(code="director").pk, "title": "中心主任",
                                 "headcount": "1", "reports_to": Position.objects.get(code="tech-staff-1").pk},
     "reports_to", "A position cannot report to itself or to its own subordinate."),
    ("position_update", lambda: {"position": Position.objects.get(code="receptionist").pk, "title": "接待专员",
                                 "headcount": "2"},
     "headcount", "The headcount cannot be below the 3 people who hold the post now; move them first."),
    ("position_close", lambda: {"position": Position.objects.get(code="receptionist").pk},
     "position", "3 people hold this post; move them or end their concurrent posts first."),
    ("unit_close", lambda: {"unit": Unit.objects.get(code="reception").pk},
     "unit", "This unit still has open posts; close or move them first."),
    ("unit_move", lambda: {"unit": Unit.objects.get(code="cs-dept").pk,
                           "parent": Unit.objects.get(code="reception").pk},
     "parent", "A unit cannot be placed under itself or one of its own sub-units."),
    ("concurrent_add", lambda: {"staff": StaffMember.objects.get(user__username="agent1").pk,
                                "position": Position.objects.get(code="receptionist").pk},
     "position", "This post may not be held concurrently."),
    ("position_add", lambda: {"unit": Unit.objects.get(code="reception").pk, "code": "director", "title": "x",
                              "headcount": "x"}, "code", "A post with this code exists already."),
])
def test_a_refused_change_names_the_field_and_changes_nothing(shape_a, user, kind, data, field, message):
    before = org_state()
    with pytest.raises(ChangeError) as refused:
        org_change_submit(user=user("admin"), kind=kind, data=data(), reason="调整")
    assert refused.value.errors[field] == message
    assert org_state() == before


def test_a_unit_with_open_tickets_cannot_be_closed(shape_a, units, user, make_ticket):
    with time_machine.travel(NOW, tick=False):
        unit = org_change_submit(user=user("admin"), kind="unit_add", reason="临时专班",
                                 data={"parent": units["cs-dept"].pk, "code": "task-force", "name": "专班"}).unit
        make_ticket(team=None)
    Ticket.objects.update(team=unit)
    before = org_state()
    with pytest.raises(ChangeError) as refused:
        org_change_submit(user=user("admin"), kind="unit_close", data={"unit": unit.pk}, reason="撤销")
    assert refused.value.errors == {"unit": "1 open tickets are in this unit's queue; transfer them first."}
    assert org_state() == before


def test_reason_is_required_and_a_date_cannot_be_past(shape_a, units, user):
    before = org_state()
    with time_machine.travel(NOW, tick=False), pytest.raises(ChangeError) as refused:
        org_change_submit(user=user("admin"), kind="unit_move", data=move_region_1(units), reason="  ",
                          effective_on="2026-11-09")
    assert refused.value.errors == {"reason": "Give the reason for the change; it is kept with it.",
                                    "effective_on": "A change cannot take effect in the past."}
    assert org_state() == before


def test_only_org_admins_change_the_org(shape_a, units, user):
    before = org_state()
    for name in ("director", "agent1"):
        with pytest.raises(ForbiddenError):
            org_change_submit(user=user(name), kind="unit_move", data=move_region_1(units), reason="调整")
    assert org_state() == before


def test_leave_passes_escalation_over_the_person_and_back(shape_a, member, user):
    lead1 = member("lead1")
    impact = change_impact(change_check(kind="leave", data={"staff": lead1.pk, "on_leave": True}))
    assert [(r["name"], r["before"], r["after"]) for r in impact.superiors] == [
        (member("agent1").name, lead1.name, member("director").name),
        (member("agent3").name, lead1.name, member("director").name)]
    assert impact.leads == [{"unit": lead1.position.unit_id, "name": "技术服务一片区", "before": lead1.name,
                             "after": member("director").name}]
    org_change_submit(user=user("admin"), kind="leave", data={"staff": lead1.pk, "on_leave": True}, reason="年假")
    graph = OrgGraph.load()
    assert graph.chain(member("agent1").pk) == [member("director").pk]
    org_change_submit(user=user("admin"), kind="leave", data={"staff": lead1.pk, "on_leave": False}, reason="销假")
    assert OrgGraph.load().chain(member("agent1").pk) == [lead1.pk, member("director").pk]


def test_moving_a_person_shows_the_vacancy_and_the_post_over_headcount(shape_a, member, user):
    agent4 = member("agent4")
    change = change_check(kind="staff_assign", data={"staff": agent4.pk,
                                                     "position": Position.objects.get(code="tech-dm-1").pk})
    impact = change_impact(change)
    assert impact.vacant == [{"position": agent4.position_id, "title": "技术服务专员（二片区）", "headcount": 2,
                              "filled": 0}]
    assert impact.over == [{"position": Position.objects.get(code="tech-dm-1").pk, "title": "技术服务副经理（一片区）",
                            "headcount": 1, "filled": 2}]
    record = org_change_submit(user=user("admin"), kind="staff_assign", data=change.payload, reason="借调")
    assert record.state == "applied"
    assert member("agent4").position.code == "tech-dm-1"
    assert set(member("agent4").user.groups.values_list("name", flat=True)) == {"role:team_lead"}


def test_cancelling_a_scheduled_change(shape_a, units, user):
    with time_machine.travel(NOW, tick=False):
        change = org_change_submit(user=user("admin"), kind="unit_move", data=move_region_1(units),
                                   reason="调整", effective_on=NEXT_MONTH)
    from staff.changes import org_change_cancel

    org_change_cancel(user=user("admin"), change=change)
    assert org_changes_apply_due(now=at("2026-12-02T00:00")) == 0
    change.refresh_from_db()
    assert change.state == "cancelled"
    assert Position.objects.get(code="tech-dm-1").reports_to.code == "director"
