"""The demo's day: what the center looks like at the moment it is seeded, whatever that moment is.

A supervisor opening the demo sees a normal day: most open tickets on track, a handful at risk and
a handful late, a director with a few escalations to read, repairs at every stage (a crew on its way,
one on site, power restored), callbacks due today, on the next working day and a few overdue.

Two pieces. :class:`Deadlines` computes in memory the clocks a ticket would get (as
``sla.services.clocks_backfill`` starts them, from the ticket's policy and calendar), so that the
seeder knows, before writing anything, whether an open ticket would be on track, at risk or late at
``now``; :class:`DayBudget` keeps only a handful of the late and at-risk ones (the rest were handled
in time, so the seeder closes them). :func:`scene_specs` then names the few tickets that make every
stage visible at any hour, placed relative to ``now`` from the same deadlines (repairs run on
24×7 minutes, so their stage does not depend on the day of the week).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from sla.models import Clock, Target
from sla.selectors import default_calendar, policy_for, work_calendar
from sla.services import REPAIR_ONLY, STARTED_AT_RECEIPT, compute
from tickets.models import Kind, SlaState, Status, Ticket

OPEN = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER)
LATE_PAUSE = "late_pause"  # paused after its deadline had passed: it would have breached first
LATE_SOON = "late_soon"  # late within SOON
SOON = timedelta(minutes=15)

# How many of the randomly drawn open tickets may stay at risk (or will be within SOON), late, or
# waiting for the customer, and resolved tickets whose callback is overdue; the scene adds one at
# risk, one late and one overdue callback on top.
AT_RISK_MAX = 4
BREACHED_MAX = 3
OVERDUE_CALLBACKS_MAX = 2
PAUSED_MAX = 8
# Waiting for the customer longer than this, a ticket has been closed without the customer's answer.
PAUSED_DAYS_MAX = 3


class Deadlines:
    """Each ticket's warn and due times per target, in memory, from its policy (looked up once per
    kind, priority, customer class, channel and area) and its calendar's arithmetic."""

    def __init__(self) -> None:
        self.calendar = default_calendar()
        self.engine = work_calendar(self.calendar)
        self._policies: dict[tuple, object] = {}

    def _policy(self, ticket: Ticket):
        customer_class, area = ticket.policy_customer()
        key = (ticket.kind, ticket.priority, customer_class, ticket.channel, area)
        if key not in self._policies:
            self._policies[key] = policy_for(kind=ticket.kind, priority=ticket.priority, customer_class=customer_class,
                                             channel=ticket.channel, area=area)
        return self._policies[key]

    def amount(self, ticket: Ticket, target: str) -> int | None:
        """The target's amount in the ticket's policy (minutes for a repair's targets), or None."""
        policy = self._policy(ticket)
        spec = next((t for t in policy.targets.all() if t.target == target), None) if policy else None
        return spec.amount if spec else None

    def clocks(self, ticket: Ticket) -> dict[str, tuple[datetime, datetime]]:
        """target → (warn_at, due_at) of the clocks started at receipt."""
        policy = self._policy(ticket)
        if policy is None:
            return {}
        out = {}
        for spec in policy.targets.all():
            if spec.target not in STARTED_AT_RECEIPT or (ticket.kind != Kind.REPAIR and spec.target in REPAIR_ONLY):
                continue
            clock = Clock(target=spec.target, started_at=ticket.received_at, calendar=policy.calendar or self.calendar,
                          amount=spec.amount, unit=spec.unit, warn_percent=spec.warn_percent,
                          end_of_day=policy.end_of_day)
            compute(clock, clock.calendar)
            out[spec.target] = (clock.warn_at, clock.due_at)
        return out

    def callback_due(self, resolved_at: datetime) -> datetime:
        """As ``tickets.services.callback_due_at``: close of business on the next working day."""
        return self.engine.due(resolved_at, 1, "working_days").at

    def next_workday(self, day):
        return self.engine.nth_workday_after(day, 1)

    @staticmethod
    def _running(warn: datetime, due: datetime, now: datetime) -> str:
        """A running clock's state at ``now``, looking ``SOON`` ahead: the beat's first sweeps must
        not turn a kept ticket late or at risk."""
        if due <= now:
            return SlaState.BREACHED
        if due <= now + SOON:
            return LATE_SOON
        return SlaState.AT_RISK if warn <= now + SOON else SlaState.ON_TRACK

    def state(self, ticket: Ticket, plan: dict, now: datetime) -> str:
        """The open ticket's SLA state at ``now`` with this plan, as ``ticket_sla_refresh`` would say
        (at risk already when it will be within ``SOON``; ``LATE_SOON`` when late within ``SOON``)."""
        base = ticket.received_at
        order = plan["work_order"]
        offset = plan.get("first_response_at")
        stops = {
            Target.FIRST_RESPONSE: base + offset if offset is not None else None,
            Target.RESOLUTION: None,
            Target.DISPATCH: base + order[0] if order else None,
            Target.ARRIVAL: order[1].get("arrived_at") if order else None,
            Target.RESTORATION: order[1].get("restored_at") if order else None,
        }
        states = set()
        for target, (warn, due) in self.clocks(ticket).items():
            if stops[target] is not None:
                continue
            if target == Target.RESOLUTION and plan.get("paused_at") is not None:
                states.add(LATE_PAUSE if base + plan["paused_at"] >= due else SlaState.PAUSED)
            else:
                states.add(self._running(warn, due, now))
        for state in (LATE_PAUSE, LATE_SOON, SlaState.BREACHED, SlaState.PAUSED, SlaState.AT_RISK, SlaState.ON_TRACK):
            if state in states:
                return state
        return SlaState.MET


@dataclass
class DayBudget:
    """Which drawn tickets stay as drawn: every open ticket on track or paused in time, at most a
    handful at risk, late, or resolved with an overdue callback; the others are closed instead."""

    deadlines: Deadlines
    now: datetime
    left: dict[str, int] = field(default_factory=lambda: {
        SlaState.AT_RISK: AT_RISK_MAX, SlaState.BREACHED: BREACHED_MAX, SlaState.PAUSED: PAUSED_MAX,
        "overdue_callback": OVERDUE_CALLBACKS_MAX})

    def keeps(self, ticket: Ticket, plan: dict) -> bool:
        if ticket.status in OPEN:
            state = self.deadlines.state(ticket, plan, self.now)
        elif ticket.status == Status.RESOLVED and plan["callback"] and plan.get("resolved_at") is not None:
            due = self.deadlines.callback_due(ticket.received_at + plan["resolved_at"])
            state = "overdue_callback" if due <= self.now else SlaState.ON_TRACK
        else:
            return True
        waited_too_long = state == SlaState.PAUSED and (
            self.now - ticket.received_at - plan["paused_at"] > timedelta(days=PAUSED_DAYS_MAX))
        if state in (LATE_PAUSE, LATE_SOON) or waited_too_long:
            return False  # late (or about to be), or waiting so long that it was closed without an answer
        if state not in self.left:
            return True
        if self.left[state] <= 0:
            return False
        self.left[state] -= 1
        return True


@dataclass
class SceneSpec:
    """One ticket of the scene: its kind, status and receipt, the repair's stage, the callback's due."""

    name: str
    kind: str
    status: str
    received_at: datetime
    stage: str = ""  # a repair's work order: dispatched, on_site or restored
    resolved_at: datetime | None = None
    callback_due: datetime | None = None  # a callback rescheduled after an unreachable attempt
    callback_attempt_at: datetime | None = None
    paused_at: datetime | None = None  # waiting for the customer since


def _end_of_today(now: datetime) -> datetime:
    today = timezone.localdate(now)
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))


def _start_of_today(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))


def _resolved_with_callback_due_before(deadlines: Deadlines, now: datetime, before: datetime) -> datetime:
    """A resolution time, a few days back from ``now``, whose callback fell due before ``before``."""
    for days in range(2, 40):
        resolved = now - timedelta(days=days, hours=2)
        if deadlines.callback_due(resolved) < before:
            return resolved
    return now - timedelta(days=40)


def scene_specs(deadlines: Deadlines, repair: Ticket, now: datetime) -> list[SceneSpec]:
    """The scene's tickets relative to ``now``. ``repair`` is an unsaved repair ticket of the demo's
    commonest area, for its policy's arrival and restoration targets (minutes, 24×7)."""
    arrival = deadlines.amount(repair, Target.ARRIVAL) or 45
    restoration = deadlines.amount(repair, Target.RESTORATION) or 180
    today_start, today_end = _start_of_today(now), _end_of_today(now)
    # Restored earlier today (before now, never before midnight): its callback is due on the next working day.
    restored_today = now - min(timedelta(minutes=25), (now - today_start) / 2)
    # A callback the agent could not get through on, rescheduled two hours on to later today.
    due_later_today = now + min(timedelta(minutes=60), (today_end - now) / 2)
    attempt = due_later_today - timedelta(hours=2)
    resolved_before_attempt = _resolved_with_callback_due_before(deadlines, attempt, attempt)
    resolved_overdue = _resolved_with_callback_due_before(deadlines, now, today_start)
    minutes = timedelta(minutes=1)
    return [
        SceneSpec("new", Kind.INQUIRY, Status.NEW, now - 4 * minutes),
        SceneSpec("claimed", Kind.COMPLAINT, Status.ASSIGNED, now - 25 * minutes),
        SceneSpec("waiting for the customer", Kind.INQUIRY, Status.PENDING_CUSTOMER, now - 50 * minutes,
                  paused_at=now - 20 * minutes),
        SceneSpec("crew on its way", Kind.REPAIR, Status.IN_PROGRESS, now - min(12, arrival // 3) * minutes,
                  stage="dispatched"),
        SceneSpec("crew on site", Kind.REPAIR, Status.IN_PROGRESS, now - restoration * 0.4 * minutes, stage="on_site"),
        SceneSpec("restoration at risk", Kind.REPAIR, Status.IN_PROGRESS, now - restoration * 0.9 * minutes,
                  stage="on_site"),
        SceneSpec("restoration late", Kind.REPAIR, Status.IN_PROGRESS, now - (restoration + 75) * minutes,
                  stage="on_site"),
        SceneSpec("restored today", Kind.REPAIR, Status.RESOLVED, restored_today - 105 * minutes, stage="restored",
                  resolved_at=restored_today),
        SceneSpec("callback later today", Kind.COMPLAINT, Status.RESOLVED, resolved_before_attempt - timedelta(days=2),
                  resolved_at=resolved_before_attempt, callback_due=due_later_today, callback_attempt_at=attempt),
        SceneSpec("callback overdue", Kind.COMPLAINT, Status.RESOLVED, resolved_overdue - timedelta(days=3),
                  resolved_at=resolved_overdue),
    ]
