"""The escalation sweep: warnings, breaches and next levels, set-based.

One run takes at most ``batch`` clocks per phase, locked with ``FOR UPDATE SKIP LOCKED`` so that
two sweeps at once split the work instead of doubling it, and handles them with a fixed number of
statements whatever the batch holds: read the due clocks (one query per phase) and their tickets'
holders (one query), mark them (one UPDATE), insert the escalations and the ticket events (one INSERT
each), hand the steps to the apps above (``sla.hooks.escalations_recorded``: the notifications app
inserts the notices, one INSERT) and refresh the tickets' SLA state (one UPDATE). The whole run
is one transaction, so a sweep killed at any point leaves nothing behind and the next run does
the work; the unique (clock, level) constraint makes a doubled step impossible even so. E-mail
goes out from the notifications app's task after commit. When a phase fills its batch, the caller
runs the sweep again.

Who is told (``shared/sla.md``): the warning goes to the assignee, or to the team lead while nobody
holds the ticket; level 1 (the breach) to the assignee's direct superior; each later level, after
the target's delay, to the next person up the chain, skipping vacant posts, ending at the director.
For a ticket nobody holds, the team lead stands in the assignee's superior's place at level 1.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone

from sla.hooks import EscalationStep, escalations_recorded
from sla.models import Calendar, Clock, ClockState, Escalation
from sla.selectors import work_calendar
from staff.graph import OrgGraph
from tickets.events import event_build, event_insert_sql, events_record
from tickets.models import EventKind, SlaState, Ticket

logger = logging.getLogger(__name__)


class OrgLadder:
    """Who hears of each step: the org chart in memory (``staff.graph.OrgGraph``, four queries) and the
    sweep's rule of who stands at each level. The impact preview of an org change asks the same."""

    def __init__(self, graph: OrgGraph | None = None) -> None:
        self.graph = graph if graph is not None else OrgGraph.load()
        self.user_of = {pk: person.user_id for pk, person in self.graph.people.items()}
        self.name_of = {pk: person.name for pk, person in self.graph.people.items()}

    def chain(self, staff_id: int) -> list[int]:
        """Everyone above, nearest first, one per level, vacant posts and leave passed over (as ``staff.chain``)."""
        return self.graph.chain(staff_id)

    def lead_of(self, unit_id: int | None) -> int | None:
        """The team lead of a unit: the holder of its leading post, else the superior of its posts."""
        return self.graph.lead_of(unit_id)

    def recipient(self, *, assignee_id: int | None, team_id: int | None, level: int) -> int | None:
        """Who hears of level ``level`` (0 = warning) for a ticket held by ``assignee_id``."""
        if assignee_id is not None and assignee_id in self.user_of:
            ladder = [assignee_id, *self.chain(assignee_id)]
        else:
            lead = self.lead_of(team_id)
            ladder = [lead, lead, *self.chain(lead)] if lead is not None else []
        return ladder[level] if level < len(ladder) else None


@dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0
    raised: int = 0
    notifications: int = 0  # steps with someone to tell
    more: bool = False  # a phase filled its batch: run again

    def as_dict(self) -> dict:
        return {"warned": self.warned, "breached": self.breached, "raised": self.raised,
                "notifications": self.notifications, "more": self.more}


_COLUMNS = ("id", "ticket_id", "target", "calendar_id", "due_at", "warned_at", "breached_at", "escalation_level",
            "next_escalation_at", "escalate_every", "escalate_every_unit", "team_id")


def _due(filters: dict, order: str, batch: int) -> list[dict]:
    """Lock and read one phase's due clocks. The tickets are not joined here: for a large batch the
    planner would hash-join a scan of every ticket; ``_add_holders`` fetches them by key instead."""
    return list(
        Clock.objects.filter(**filters)
        .select_for_update(skip_locked=True)
        .order_by(order)
        .values(*_COLUMNS)[:batch]
    )


def _add_holders(rows: list[dict]) -> None:
    """Each clock row gets its ticket's assignee and team (who is told), in one query by primary key."""
    holders = {pk: (assignee, team) for pk, assignee, team in Ticket.objects.filter(
        pk__in={r["ticket_id"] for r in rows}).values_list("pk", "assignee_id", "team_id")}
    for row in rows:
        row["ticket__assignee_id"], row["ticket__team_id"] = holders[row["ticket_id"]]


def _set_rows(rows: list[dict], **fields) -> None:
    """Per-row values for many clocks in one statement (``UPDATE … FROM unnest`` on PostgreSQL)."""
    if not rows:
        return
    names = list(fields)
    if connection.vendor == "postgresql":
        types = {"state": "text", "breached_at": "timestamptz", "escalation_level": "int",
                 "next_escalation_at": "timestamptz", "warned_at": "timestamptz", "team_id": "bigint"}
        assignments = ", ".join(f"{n} = v.{n}" for n in names)
        columns = ", ".join(f"%s::{types[n]}[]" for n in names)
        sql = (f"UPDATE sla_clock AS c SET {assignments} FROM unnest(%s::bigint[], {columns}) "  # noqa: S608
               f"AS v(id, {', '.join(names)}) WHERE c.id = v.id")
        with connection.cursor() as cursor:
            cursor.execute(sql, [[r["id"] for r in rows], *[[fields[n](r) for r in rows] for n in names]])
        return
    clocks = [Clock(pk=r["id"], **{n: fields[n](r) for n in names}) for r in rows]
    Clock.objects.bulk_update(clocks, names)


def sweep(*, now: datetime | None = None, batch: int | None = None) -> SweepResult:
    """One sweep in one transaction; see the module docstring."""
    started = time.monotonic()
    now = now or timezone.now()
    batch = batch or settings.SLA_SWEEP_BATCH
    result = SweepResult()
    with transaction.atomic():
        warnings = _due({"state": ClockState.RUNNING, "warned_at__isnull": True, "warn_at__lte": now}, "warn_at", batch)
        breaches = _due({"state": ClockState.RUNNING, "due_at__lte": now}, "due_at", batch)
        levels = _due({"state": ClockState.BREACHED, "next_escalation_at__lte": now}, "next_escalation_at", batch)
        result.more = batch in (len(warnings), len(breaches), len(levels))
        if not (warnings or breaches or levels):
            return result
        _add_holders(warnings + breaches + levels)
        ladder = OrgLadder()
        calendars = {c.pk: c for c in Calendar.objects.filter(
            pk__in={r["calendar_id"] for r in breaches + levels})} if breaches or levels else {}

        def next_level_at(row, level_from: datetime, level: int):
            if ladder.recipient(assignee_id=row["ticket__assignee_id"], team_id=row["ticket__team_id"],
                                level=level + 1) is None:
                return None  # the ladder ends at the director
            engine = work_calendar(calendars[row["calendar_id"]])
            return engine.shift(level_from, row["escalate_every"] * (86_400 if row["escalate_every_unit"] ==
                                                                     "working_days" else 60),
                                row["escalate_every_unit"])

        steps: list[tuple[dict, int]] = []  # (clock row, level)
        # A clock both warned and breached in one sweep gets both steps, warning first, and is
        # written once, by the breach's UPDATE.
        warned_ids = {r["id"] for r in warnings}
        breached_ids = {r["id"] for r in breaches}
        _set_rows([r for r in warnings if r["id"] not in breached_ids], warned_at=lambda r: now)
        steps += [(r, 0) for r in warnings]

        def warned_at(row):
            return now if row["id"] in warned_ids else row["warned_at"]

        # A clock that breached before, was given a later deadline and missed that too, is breached
        # again without a second level 1: its ladder carries on where it was.
        again = [r for r in breaches if r["breached_at"] is not None]
        breaches = [r for r in breaches if r["breached_at"] is None]
        # A breach records the team that holds the ticket (the figures count the clock for it, even after
        # a transfer); a clock breached again keeps the team of its first breach.
        _set_rows(again, state=lambda r: ClockState.BREACHED, warned_at=warned_at,
                  team_id=lambda r: r["team_id"] or r["ticket__team_id"])
        _set_rows(
            breaches,
            state=lambda r: ClockState.BREACHED,
            warned_at=warned_at,
            breached_at=lambda r: r["due_at"],
            team_id=lambda r: r["ticket__team_id"],
            escalation_level=lambda r: 1,
            next_escalation_at=lambda r: next_level_at(r, r["due_at"], 1),
        )
        steps += [(r, 1) for r in breaches]
        levels = [r for r in levels if r["id"] not in breached_ids]
        _set_rows(
            levels,
            escalation_level=lambda r: r["escalation_level"] + 1,
            next_escalation_at=lambda r: next_level_at(r, r["next_escalation_at"], r["escalation_level"] + 1),
        )
        steps += [(r, r["escalation_level"] + 1) for r in levels]
        result.warned, result.breached, result.raised = len(warnings), len(breaches), len(levels)

        recorded = _record(steps, ladder, now)
        result.notifications = sum(1 for step in recorded if step.recipient_user_id is not None)
        _mark_tickets(at_risk={r["ticket_id"] for r in warnings}, breached={r["ticket_id"] for r in breaches})
        if recorded:
            escalations_recorded(steps=recorded, at=now)
    logger.info("sla.sweep done", extra={**result.as_dict(),
                                         "duration_ms": round((time.monotonic() - started) * 1000, 1)})
    return result


def _mark_tickets(*, at_risk: set[int], breached: set[int]) -> None:
    """The tickets' summary after a sweep, in two UPDATEs. A warning moves an on-track ticket to at
    risk (paused and breached outrank it); a breach makes it breached. Deadlines do not move, so
    ``sla_due_at`` stays; this equals ``ticket_sla_refresh`` for these tickets, at a fraction of the cost."""
    if breached:
        Ticket.objects.filter(pk__in=list(breached)).exclude(sla_state=SlaState.BREACHED).update(
            sla_state=SlaState.BREACHED)
    at_risk -= breached
    if at_risk:
        Ticket.objects.filter(pk__in=list(at_risk), sla_state__in=[SlaState.ON_TRACK, ""]).update(
            sla_state=SlaState.AT_RISK)


_RECORD_SQL = f"""
WITH steps AS (
    SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[], %s::bigint[], %s::text[])
        AS s(clock_id, ticket_id, level, recipient_id, target)
), escalations AS (
    INSERT INTO sla_escalation (clock_id, ticket_id, level, recipient_id, created_at)
    SELECT clock_id, ticket_id, level, recipient_id, %s FROM steps
    ON CONFLICT (clock_id, level) DO NOTHING
    RETURNING id, clock_id, ticket_id, level, recipient_id
), people AS (
    SELECT * FROM unnest(%s::bigint[], %s::text[]) AS p(staff_id, name)
), events AS (
    {event_insert_sql(ticket="e.ticket_id", kind="%s", created_at="%s", field="'sla:' || s.target",
                      new_value="e.level::text", body="COALESCE(p.name, '')")}
      FROM escalations e
      JOIN steps s ON s.clock_id = e.clock_id AND s.level = e.level
      LEFT JOIN people p ON p.staff_id = e.recipient_id
)
SELECT e.id, e.ticket_id, e.level, s.target, e.recipient_id
  FROM escalations e
  JOIN steps s ON s.clock_id = e.clock_id AND s.level = e.level
 ORDER BY e.id
"""  # noqa: S608 - the one interpolated fragment is built from the model's columns, not from input


def _record(steps: list[tuple[dict, int]], ladder: OrgLadder, now: datetime) -> list[EscalationStep]:
    """Escalations and their ticket events: one statement on PostgreSQL, a check and two bulk inserts
    elsewhere. A step already recorded is skipped, never doubled (the unique clock and level), so one
    bad row cannot wedge every later sweep. Returns the steps recorded, for the apps above."""
    rows = [(row, level, ladder.recipient(assignee_id=row["ticket__assignee_id"], team_id=row["ticket__team_id"],
                                          level=level)) for row, level in steps]
    if not rows:
        return []
    if connection.vendor == "postgresql":
        people = list(ladder.user_of)
        with connection.cursor() as cursor:
            cursor.execute(_RECORD_SQL, [
                [r["id"] for r, _, _ in rows], [r["ticket_id"] for r, _, _ in rows], [lv for _, lv, _ in rows],
                [p for _, _, p in rows], [r["target"] for r, _, _ in rows], now,
                people, [ladder.name_of[p] for p in people], EventKind.ESCALATED, now,
            ])
            return [EscalationStep(escalation_id=pk, ticket_id=ticket_id, level=level, target=target,
                                   recipient_user_id=ladder.user_of.get(person))
                    for pk, ticket_id, level, target, person in cursor.fetchall()]
    taken = set(Escalation.objects.filter(clock_id__in={r["id"] for r, _, _ in rows}).values_list("clock_id", "level"))
    rows = [(row, level, person) for row, level, person in rows if (row["id"], level) not in taken]
    escalations = Escalation.objects.bulk_create([
        Escalation(clock_id=row["id"], ticket_id=row["ticket_id"], level=level, recipient_id=person, created_at=now)
        for row, level, person in rows
    ])
    events_record(
        event_build(ticket_id=row["ticket_id"], kind=EventKind.ESCALATED, field=f"sla:{row['target']}",
                    new=level, body=ladder.name_of.get(person, ""), created_at=now)
        for row, level, person in rows
    )
    return [EscalationStep(escalation_id=e.pk, ticket_id=e.ticket_id, level=e.level, target=row["target"],
                           recipient_user_id=ladder.user_of.get(e.recipient_id))
            for e, (row, _, _) in zip(escalations, rows, strict=True)]


def _next_level() -> Case:
    """The level a clock's next step reaches: a warning (0) while unwarned, the breach (1), or one up."""
    return Case(
        When(state=ClockState.RUNNING, warned_at__isnull=True, then=Value(0)),
        When(state=ClockState.RUNNING, then=Value(1)),
        default=F("escalation_level") + 1,
        output_field=IntegerField(),
    )


def tickets_rerouted(*, before: OrgGraph, after: OrgGraph) -> int:
    """How many open tickets' next escalation step would reach a different person in ``after``.

    Two queries whatever the number of tickets: the live clocks grouped by who holds their ticket and
    the level they reach next (a few rows per person), each group's recipient asked of both ladders,
    then the distinct tickets of the groups that differ.
    """
    live = Clock.objects.filter(state__in=[ClockState.RUNNING, ClockState.BREACHED]).annotate(level=_next_level())
    groups = live.order_by().values_list("ticket__assignee_id", "ticket__team_id", "level").distinct()
    old, new = OrgLadder(before), OrgLadder(after)
    changed = [(assignee, team, level) for assignee, team, level in groups
               if old.recipient(assignee_id=assignee, team_id=team, level=level)
               != new.recipient(assignee_id=assignee, team_id=team, level=level)]
    if not changed:
        return 0
    match = Q()
    for assignee, team, level in changed:
        match |= Q(ticket__assignee_id=assignee, ticket__team_id=team, level=level)
    # The holders first, so the count reads their tickets by index rather than every live clock again.
    held = {a for a, _t, _l in changed if a is not None}
    unheld = {t for a, t, _l in changed if a is None}
    holders = Q(ticket__assignee_id__in=held) | Q(ticket__assignee_id__isnull=True, ticket__team_id__in=unheld)
    return live.filter(holders).filter(match).aggregate(n=Count("ticket_id", distinct=True))["n"]
