"""The backlog rollup (``sla/backlog.py``) gives the director's dashboard the open tickets' counts the scan
gives: after the services' writes, after random bulk writes through the ORM and raw SQL, and read at any
moment (the ages are counted from the moment, not from midnight)."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from reporting.dashboard import AGEING, dashboard_for, scanned_by_team
from sla import backlog, rollup
from sla.models import BacklogRollup, BacklogRollupChange
from staff.access import scope_for
from staff.models import Unit
from tests.conftest import require_service
from tickets import services
from tickets.models import OPEN_STATUSES, Kind, Status, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def postgresql():
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def scanned(now: datetime) -> list[dict]:
    """The open tickets per team as the dashboard counts them for a scope: one scan."""
    return sorted(scanned_by_team(Ticket.objects.filter(status__in=OPEN_STATUSES), now),
                  key=lambda row: row["team_id"] or 0)


def rolled(now: datetime) -> list[dict]:
    return sorted(backlog.open_by_team(now, AGEING), key=lambda row: row["team_id"] or 0)


def test_a_ticket_is_counted_on_three_keys_and_leaves_them_when_resolved(make_ticket, member, user):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
    ticket.refresh_from_db()
    assert ticket.sla_due_at is not None
    team, due_day = ticket.team_id, ticket.sla_due_at.astimezone(TZ).date()
    # Filed, then its deadline and state set: written as changes, netted per key when folded.
    changes = BacklogRollupChange.objects.count()
    assert changes >= 3
    assert backlog.fold() == changes
    assert BacklogRollupChange.objects.count() == 0
    assert sorted(BacklogRollup.objects.values_list("grain", "team_id", "sla_state", "unassigned", "day",
                                                    "tickets")) == [
        (1, team, "on_track", False, None, 1), (2, team, "", False, date(2026, 11, 2), 1),
        (3, team, "", False, due_day, 1)]
    with time_machine.travel(at("2026-11-02T10:00"), tick=False):
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="已解决")
    changes = BacklogRollupChange.objects.count()
    assert changes >= 3  # each key -1, at least
    assert backlog.fold() == changes
    assert BacklogRollup.objects.count() == 0  # the emptied keys are removed
    assert rollup.differences() == []


class RandomWrites:
    """Writes of every kind the database allows on tickets' counted columns, drawn at random."""

    def __init__(self, rng: random.Random, teams: list, agents: list, now: datetime) -> None:
        self.rng, self.teams, self.agents, self.now = rng, teams, agents, now

    def one(self) -> None:
        writes = [self.status, self.status, self.move, self.assign, self.state, self.state, self.deadline,
                  self.received, self.bulk_state, self.raw_sql, self.insert, self.delete, backlog.fold]
        self.rng.choice(writes)()

    def _some(self, n: int = 1):
        ids = list(Ticket.objects.values_list("pk", flat=True))
        return Ticket.objects.filter(pk__in=self.rng.sample(ids, min(n, len(ids))))

    def _moment(self) -> datetime:
        """Any moment within 40 days either side, often on a bracket's edge to the minute."""
        days = self.rng.choice([0, 1, 3, 7, 30, self.rng.uniform(-3, 40)])
        return self.now - timedelta(days=days, minutes=self.rng.choice([-1, 0, 1, self.rng.randrange(-900, 900)]))

    def status(self):
        self._some(2).update(status=self.rng.choice([*OPEN_STATUSES, Status.RESOLVED, Status.CLOSED]))

    def move(self):
        self._some().update(team=self.rng.choice([None, *self.teams]))

    def assign(self):
        self._some(3).update(assignee=self.rng.choice([None, *self.agents]))

    def state(self):
        self._some().update(sla_state=self.rng.choice(["", "on_track", "at_risk", "breached", "paused", "met"]))

    def deadline(self):
        self._some().update(sla_due_at=self.rng.choice([None, self._moment(), self.now + timedelta(hours=3)]))

    def received(self):
        self._some().update(received_at=self._moment())

    def bulk_state(self):
        """As the sweep does: many tickets marked at once, some of them already so."""
        self._some(15).update(sla_state=self.rng.choice(["at_risk", "breached"]))

    def raw_sql(self):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tickets_ticket SET received_at = received_at - interval '1 day', "
                           "status = CASE WHEN status = 'closed' THEN 'in_progress' ELSE status END "
                           "WHERE mod(id, %s) = 0", [self.rng.randrange(3, 9)])

    def insert(self):
        """Copies of a ticket, in one statement (an import)."""
        with connection.cursor() as cursor:
            cursor.execute("""
INSERT INTO tickets_ticket (reference, kind, channel, status, priority, subject, description, customer_id,
    team_id, assignee_id, received_at, created_at, updated_at, resolution, cancel_reason, pause_reason,
    complaint_category, investigation, remedy, customer_reply, version, sla_state, sla_due_at)
SELECT 'TS-COPY-' || id || '-' || g, kind, channel, status, priority, subject, '', customer_id, team_id, assignee_id,
       received_at - g * interval '5 hours', now(), now(), '', '', '', '', '', '', '', 1, sla_state, sla_due_at
  FROM tickets_ticket CROSS JOIN generate_series(1, 3) AS g WHERE id = (SELECT max(id) FROM tickets_ticket)""")

    def delete(self):
        if Ticket.objects.count() > 30:
            self._some().delete()


def test_random_writes_keep_the_backlog_and_the_scan_equal(make_ticket, member):
    """40 tickets over six weeks, then 390 random writes (status opened and closed, moved, reassigned,
    SLA state, deadline moved or removed, received at another moment, bulk marks, raw SQL, bulk inserts,
    deletes), with folds at random moments. After every batch, every team's every count, read at moments
    that put each bracket's edge on a ticket's day, equals the scan's; and the rollup equals a recount."""
    rng = random.Random(1129)
    agents = [member(name) for name in ("agent1", "agent3", "agent4")]
    now = at("2026-11-06T12:00")
    for _ in range(40):
        received = now - timedelta(hours=rng.randrange(0, 24 * 42))
        with time_machine.travel(received, tick=False):
            make_ticket(kind=rng.choice([Kind.INQUIRY, Kind.COMPLAINT, Kind.REPAIR]), assignee=rng.choice(agents),
                        received_at=received)
    teams = list(Unit.objects.filter(code__in=["tech-region-1", "tech-region-2", "reception"]))
    writes = RandomWrites(rng, teams, agents, now)
    for batch in range(13):
        for _ in range(30):
            writes.one()
        assert rollup.differences() == [], batch
        for moment in (now, now - timedelta(hours=11, minutes=30), now + timedelta(days=2, hours=13)):
            assert rolled(moment) == scanned(moment), (batch, moment)
    counted = scanned(now)
    assert sum(row["open"] for row in counted) > 20  # the writes left something to count
    assert {name for row in counted for name, n in row.items() if n and name.startswith("age_")} == {
        f"age_{name}" for name, _low, _high in AGEING}  # and in every bracket
    assert sum(row["due_today"] for row in counted) > 0
    backlog.fold()
    kept = sorted(BacklogRollup.objects.values_list("grain", "team_id", "sla_state", "unassigned", "day", "tickets"))
    rollup.rebuild()
    assert sorted(BacklogRollup.objects.values_list("grain", "team_id", "sla_state", "unassigned", "day",
                                                    "tickets")) == kept


def test_the_directors_dashboard_reads_the_rollup_and_a_leads_the_scan(make_ticket, member, user):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
    now = at("2026-11-03T09:00")
    with time_machine.travel(now, tick=False):  # the compliance period is this month's
        before = dashboard_for(scope=scope_for(user("director")), now=now).tiles
        # A change the triggers did not write: only a reader of the rollup sees it.
        BacklogRollupChange.objects.create(grain=backlog.STATE, team_id=ticket.team_id, sla_state="breached",
                                           tickets=7)
        director = dashboard_for(scope=scope_for(user("director")), now=now)
        lead = dashboard_for(scope=scope_for(user("lead1")), now=now)
    assert before["open"] == 1
    assert (director.tiles["open"], director.tiles["breached"]) == (8, 7)
    # The planted tickets have no day received: the oldest bracket is what is left of the open ones.
    assert [n for _label, n in director.ageing] == [0, 1, 0, 0, 7]  # (received a day before: 1–3 days)
    assert (lead.tiles["open"], lead.tiles["breached"]) == (1, 0)
