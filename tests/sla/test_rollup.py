"""The compliance rollup (``sla/rollup.py``) gives the figures the scan of the clocks gives, after any
writes: through the services, and through the ORM's and raw SQL's bulk updates the triggers also see."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import F

from sla import rollup
from sla.metrics import sla_metrics_by
from sla.models import Clock, ClockRollup, ClockRollupChange, ClockState
from staff.access import scope_for
from staff.models import Unit
from tests.conftest import require_service
from tickets import services
from tickets.models import Kind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")
GROUPS = ("team", "agent", "kind", "target")
AGENTS = ("agent1", "agent3", "agent4", "agent2", "agent5")


@pytest.fixture(autouse=True)
def postgresql():
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def both(user, *, now: datetime, first: date, last: date) -> tuple[dict, dict]:
    """The director's figures from the rollup and from the scan it replaces."""
    kwargs = {"scope": scope_for(user), "date_from": first, "date_to": last, "groups": GROUPS, "now": now}
    return sla_metrics_by(**kwargs), sla_metrics_by(**kwargs, use_rollup=False)


def assert_same(rolled: dict, scanned: dict) -> None:
    """Every figure equal; average times within a tenth of a second (floats summed in another order)."""
    assert rolled.keys() == scanned.keys()
    for group in GROUPS:
        assert [r["group_key"] for r in rolled[group]["results"]] == [
            r["group_key"] for r in scanned[group]["results"]], group
        for mine, theirs in zip(rolled[group]["results"], scanned[group]["results"], strict=True):
            for name, value in theirs.items():
                if name.endswith("_seconds") and value is not None:
                    assert mine[name] == pytest.approx(value, abs=0.1), (group, name)
                else:
                    assert mine[name] == value, (group, theirs["group_key"], name)


def test_a_ticket_is_written_as_changes_then_folded(make_ticket, member, user):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
    assert ClockRollupChange.objects.count() == 4  # two clocks, each on both grains
    with time_machine.travel(at("2026-11-02T11:00"), tick=False):
        services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="您好")
    assert ClockRollupChange.objects.count() == 6  # the first response's clock: -1 running +1 met, per grain
    assert rollup.fold() == 6
    assert ClockRollupChange.objects.count() == 0
    fields = ("grain", "team_id", "assignee_id", "kind", "target", "clocks", "met_on_time", "running",
              "running_clean", "response_n", "response_wall")
    agent, team = member("agent1").pk, ticket.team_id
    assert set(ClockRollup.objects.values_list("day", flat=True)) == {date(2026, 11, 2)}
    assert sorted(ClockRollup.objects.values_list(*fields)) == [
        (1, team, 0, "complaint", "first_response", 1, 1, 0, 0, 1, 7200.0),
        (1, team, 0, "complaint", "resolution", 1, 0, 1, 1, 0, 0.0),
        (2, 0, agent, "", "first_response", 1, 1, 0, 0, 1, 7200.0),
        (2, 0, agent, "", "resolution", 1, 0, 1, 1, 0, 0.0),
    ]
    assert rollup.fold() == 0
    # Reassigned: the clocks leave agent1's key for agent3's; the emptied keys are removed at the fold.
    Ticket.objects.filter(pk=ticket.pk).update(assignee=member("agent3"))
    assert rollup.fold() == 4  # -1 and +1 per clock on the agent grain; the team grain's cancel out unwritten
    assert sorted(ClockRollup.objects.filter(grain=2).values_list("assignee_id", "target", "clocks")) == [
        (member("agent3").pk, "first_response", 1), (member("agent3").pk, "resolution", 1)]
    assert rollup.differences() == []


def test_the_services_keep_the_rollup_right(make_ticket, member, user, units):
    director = user("director")
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        quick = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
        slow = make_ticket(kind=Kind.INQUIRY, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
        other = make_ticket(kind=Kind.REPAIR, assignee=member("agent4"), team="tech-region-2",
                            received_at=at("2026-11-02T08:30"))
    steps = [
        ("2026-11-02T11:00", lambda: services.ticket_reply(ticket_id=quick.pk, actor=user("agent1"), body="您好")),
        ("2026-11-02T11:05", lambda: services.ticket_resolve(ticket_id=quick.pk, actor=user("agent1"),
                                                             resolution="已解决")),
        ("2026-11-03T10:00", lambda: services.ticket_reply(ticket_id=other.pk, actor=user("agent4"), body="收到")),
        ("2026-11-04T10:00", lambda: services.ticket_reopen(ticket_id=quick.pk, actor=user("agent1"),
                                                            reason="客户不满意")),
        ("2026-11-04T10:30", lambda: services.ticket_reclassify(ticket_id=other.pk, actor=user("lead2"),
                                                                kind=Kind.COMPLAINT, reason="实为投诉")),
        ("2026-11-05T09:00", lambda: services.ticket_assign(ticket_id=quick.pk, actor=user("lead1"),
                                                            assignee=member("agent3"))),
        ("2026-11-05T09:10", lambda: services.ticket_transfer(ticket_id=other.pk, actor=user("lead2"),
                                                              team=units["tech-region-1"], reason="转一组")),
        ("2026-11-10T09:00", lambda: services.ticket_resolve(ticket_id=slow.pk, actor=user("agent1"),
                                                             resolution="晚了")),
        ("2026-11-10T09:30", lambda: services.ticket_resolve(ticket_id=quick.pk, actor=user("agent3"),
                                                             resolution="再次解决")),
    ]
    for moment, step in steps:
        with time_machine.travel(at(moment), tick=False):
            step()
            assert rollup.differences() == [], moment
            rolled, scanned = both(director, now=at(moment), first=date(2026, 11, 1), last=date(2026, 11, 30))
            assert_same(rolled, scanned)
    by_kind = {r["group_key"]: r for r in rolled["kind"]["results"]}
    assert (by_kind["inquiry"]["clocks"], by_kind["inquiry"]["met_late"]) == (2, 2)
    assert rollup.fold() > 0
    with time_machine.travel(at("2026-11-10T09:30"), tick=False):
        assert_same(*both(director, now=at("2026-11-10T09:30"), first=date(2026, 11, 1), last=date(2026, 11, 30)))


def folded_rows() -> list[tuple]:
    """The rollup's rows, times to the millisecond (sums of floats in another order)."""
    keys = ("day", "grain", "team_id", "assignee_id", "kind", "target")
    figures = [f.name for f in ClockRollup._meta.get_fields() if f.name not in ("id", *keys)]
    return sorted((*row[:len(keys)], *(round(v, 3) for v in row[len(keys):]))
                  for row in ClockRollup.objects.values_list(*keys, *figures))


class RandomWrites:
    """Writes of every kind the database allows on clocks and tickets, drawn at random."""

    def __init__(self, rng: random.Random, tickets: list[int], teams: list, agents: list, now: datetime) -> None:
        self.rng, self.tickets, self.teams, self.agents, self.now = rng, tickets, teams, agents, now
        self.kinds = [Kind.INQUIRY, Kind.COMPLAINT, Kind.REPAIR, Kind.APPLICATION]

    def one(self) -> None:
        writes = [self.meet] * 6 + [self.reopen, self.breach, self.pause, self.move_deadline, self.cancel,
                                    self.reassign, self.move, self.reclassify, self.restart, self.correct_times,
                                    self.raw_update, self.empty_team, self.delete, rollup.fold]
        self.rng.choice(writes)()

    def _clock(self, **filters):
        ids = list(Clock.objects.filter(callback__isnull=True, **filters).values_list("pk", flat=True))
        return Clock.objects.filter(pk=self.rng.choice(ids or [0]))

    def meet(self):
        wall = round(self.rng.uniform(60, 400_000), 3)
        self._clock(state__in=[ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED]).update(
            state=ClockState.MET, met_at=self.now, elapsed_wall=wall, elapsed_working=wall / 3,
            team_id=self.rng.choice([None, *[t.pk for t in self.teams]]))

    def reopen(self):
        self._clock(state=ClockState.MET).update(state=self.rng.choice([ClockState.RUNNING, ClockState.BREACHED]))

    def breach(self):
        self._clock().update(breached_at=self.rng.choice([None, self.now]))

    def move_deadline(self):
        """Edited by hand: a deadline moved before its warning, or both ahead."""
        hours = self.rng.choice([-30, -2, 3, 50])
        self._clock(state=ClockState.RUNNING).update(due_at=self.now + timedelta(hours=hours),
                                                     warn_at=self.now + timedelta(hours=hours + 2))

    def pause(self):
        self._clock(state=ClockState.RUNNING).update(state=ClockState.PAUSED, paused_at=self.now)

    def cancel(self):
        self._clock().update(state=ClockState.CANCELLED)

    def reassign(self):
        Ticket.objects.filter(pk=self.rng.choice(self.tickets)).update(assignee=self.rng.choice([None, *self.agents]))

    def move(self):
        Ticket.objects.filter(pk=self.rng.choice(self.tickets)).update(team=self.rng.choice([None, *self.teams]))

    def reclassify(self):
        Ticket.objects.filter(pk__in=self.rng.sample(self.tickets, 3)).update(kind=self.rng.choice(self.kinds))

    def restart(self):
        self._clock().update(started_at=F("started_at") - timedelta(days=self.rng.randrange(1, 5)))

    def correct_times(self):
        Clock.objects.filter(ticket_id__in=self.rng.sample(self.tickets, 8), state=ClockState.MET).update(
            elapsed_wall=F("elapsed_wall") + 1.5, elapsed_working=F("elapsed_working") + 0.5)

    def raw_update(self):
        """A met clock's target swapped by hand, on a ticket with no other clock of its own."""
        with connection.cursor() as cursor:
            cursor.execute("UPDATE sla_clock SET target = CASE target WHEN 'resolution' THEN 'first_response' "
                           "ELSE 'resolution' END WHERE id = (SELECT min(id) FROM sla_clock WHERE state = 'met' "
                           "AND ticket_id = %s) AND NOT EXISTS (SELECT 1 FROM sla_clock o WHERE o.ticket_id = %s "
                           "AND o.id <> sla_clock.id AND o.callback_id IS NULL)", [self.rng.choice(self.tickets)] * 2)

    def empty_team(self):
        Clock.objects.filter(team=self.rng.choice(self.teams)).update(team=None)

    def delete(self):
        if len(self.tickets) > 30:
            Ticket.objects.get(pk=self.tickets.pop(self.rng.randrange(len(self.tickets)))).delete()


def test_random_writes_keep_rollup_and_scan_equal(make_ticket, member, user):
    """Tickets over ten days, then 400 random writes of every kind the database allows (met, reopened,
    breached, paused, deadline moved (before its warning too), cancelled, reassigned, moved to another
    team, reclassified, started on another day, times corrected in bulk, a team emptied, tickets
    deleted), with folds at random moments. After every batch, every figure of every grouping over
    three periods, read at three moments, equals the scan's."""
    rng = random.Random(18)
    agents = [member(name) for name in AGENTS]
    start = at("2026-10-26T08:00")
    for _ in range(40):
        received = start + timedelta(hours=rng.randrange(0, 240))
        with time_machine.travel(received, tick=False):
            make_ticket(kind=rng.choice([Kind.INQUIRY, Kind.COMPLAINT, Kind.REPAIR]), assignee=rng.choice(agents[:3]),
                        received_at=received)
    now = at("2026-11-06T12:00")
    writes = RandomWrites(rng, list(Ticket.objects.values_list("pk", flat=True)),
                          list(Unit.objects.filter(code__in=["tech-region-1", "tech-region-2", "reception"])),
                          agents, now)
    periods = [(date(2026, 10, 20), date(2026, 11, 18)), (date(2026, 10, 29), date(2026, 10, 31)),
               (date(2026, 11, 5), date(2026, 11, 5))]
    director = user("director")
    for batch in range(8):
        for _ in range(50):
            writes.one()
        assert rollup.differences() == [], batch
        for first, last in periods:
            for moment in (now - timedelta(hours=40), now, now + timedelta(hours=4)):  # what is due moves
                assert_same(*both(director, now=moment, first=first, last=last))
    assert Clock.objects.filter(state=ClockState.MET).count() > 20  # the writes left something to count
    # What 400 writes and their folds kept is what a recount from scratch gives.
    rollup.fold()
    kept = folded_rows()
    assert rollup.rebuild() == len(kept)
    assert folded_rows() == kept


def test_a_viewer_who_does_not_see_everything_gets_the_scan(make_ticket, member, user):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
        services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="您好")
    ClockRollup.objects.all().delete()
    ClockRollupChange.objects.all().delete()  # the rollup now says there are no clocks
    kwargs = {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30), "now": at("2026-11-03T09:00")}
    lead = scope_for(user("lead1"))
    seen = sla_metrics_by(scope=lead, **kwargs)
    assert [(r["clocks"], r["met_on_time"]) for r in seen["team"]["results"]] == [(2, 1)]
    director = scope_for(user("director"))
    told = sla_metrics_by(scope=director, **kwargs)
    assert told["team"]["results"] == []  # read from the rollup (the running clock is not past its warning)


def test_a_clock_past_its_warning_that_the_rollup_has_not_yet_is_named_all_the_same(make_ticket, member, user):
    """The clocks past their warning are read by key alone and named from the rollup's rows; one the
    rollup does not have (written between the two reads) is named by a lookup of its own."""
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
    ClockRollup.objects.all().delete()
    ClockRollupChange.objects.all().delete()
    late = at("2026-12-20T09:00")  # past every deadline of the ticket: overdue, not yet swept
    with time_machine.travel(late, tick=False):
        told = sla_metrics_by(scope=scope_for(user("director")), date_from=date(2026, 11, 1),
                              date_to=date(2026, 11, 30), groups=GROUPS, now=late)
    team = Unit.objects.get(pk=ticket.team_id)
    assert [(r["group_key"], r["group_name"], r["breached_unmet"]) for r in told["team"]["results"]] == [
        (team.pk, team.name, 2)]
    assert [(r["group_key"], r["group_name"]) for r in told["agent"]["results"]] == [
        (member("agent1").pk, member("agent1").name)]
    assert [(r["group_key"], r["group_name"]) for r in told["kind"]["results"]] == [("complaint", "complaint")]
