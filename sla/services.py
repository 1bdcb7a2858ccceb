"""Clocks on tickets: start, meet, pause, resume, reopen, recompute; calendar edits.

The ticket services call these inside their own transaction (``tickets.services.ticket_create``
calls :func:`clocks_start`, and so on): no signals. Every recompute is recorded on the ticket.
A ticket carries ``sla_due_at`` and ``sla_state``, kept here, so that queues sort and filter by
deadline with an index.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Case, Exists, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.errors import DomainError
from sla.calendar import OutOfRange
from sla.models import (
    Calendar,
    CalendarDay,
    Clock,
    ClockState,
    DaySource,
    Policy,
    PolicyTarget,
    Target,
    new_version,
)
from sla.selectors import default_calendar, policy_for, work_calendar
from staff.selectors import AnyUser
from tickets.choices import EventKind, Kind, SlaState, Status
from tickets.events import event_build, events_record
from tickets.models import Callback, Ticket, TicketEvent

# Targets started when a ticket is received; the callback clock starts when a callback is created.
STARTED_AT_RECEIPT = (Target.FIRST_RESPONSE, Target.RESOLUTION, Target.DISPATCH, Target.ARRIVAL, Target.RESTORATION)
REPAIR_ONLY = (Target.DISPATCH, Target.ARRIVAL, Target.RESTORATION)
LIVE = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)


class SlaError(DomainError):
    pass



def _fmt(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def compute(clock: Clock, calendar: Calendar | None = None) -> None:
    """Set ``due_at``, ``warn_at`` and ``provisional`` from the clock's start, target and pauses."""
    engine = work_calendar(calendar or clock.calendar)
    try:
        deadline = engine.due(clock.started_at, clock.amount, clock.unit, end_of_day=clock.end_of_day)
        due = engine.shift(deadline.at, clock.paused_seconds, clock.unit)
        warn = engine.fraction(clock.started_at, due, clock.warn_percent / 100, clock.unit)
    except OutOfRange as error:
        raise SlaError(_("The date %(date)s is outside the calendar.") % {"date": error.day}, code="calendar") from None
    clock.due_at, clock.warn_at = due, warn
    clock.provisional = deadline.provisional or engine.touches_provisional(
        timezone.localtime(deadline.at, engine.tz).date(), timezone.localtime(due, engine.tz).date()
    )


def working_deadline(start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after ``start`` on the default calendar."""
    return work_calendar(default_calendar()).due(start, days, "working_days").at


def _apply_target(clock: Clock, policy: Policy, spec: PolicyTarget, *, fallback: Calendar | None = None) -> None:
    clock.policy = policy
    clock.calendar = policy.calendar or fallback or default_calendar()
    clock.amount, clock.unit, clock.warn_percent = spec.amount, spec.unit, spec.warn_percent
    clock.escalate_every, clock.escalate_every_unit = spec.escalate_every, spec.escalate_every_unit
    clock.end_of_day = policy.end_of_day


def _targets(policy: Policy | None, kind: str) -> dict[str, PolicyTarget]:
    if policy is None:
        return {}
    return {t.target: t for t in policy.targets.all() if kind == Kind.REPAIR or t.target not in REPAIR_ONLY}


def _match(ticket: Ticket) -> Policy | None:
    customer_class, area = ticket.policy_customer()
    return policy_for(kind=ticket.kind, priority=ticket.priority, customer_class=customer_class,
                      channel=ticket.channel, area=area)


def clocks_start(*, ticket: Ticket) -> list[Clock]:
    """Start the clocks of the policy that matches a new ticket, from ``received_at``."""
    policy = _match(ticket)
    clocks: list[Clock] = []
    for name, spec in _targets(policy, ticket.kind).items():
        if policy is None or name not in STARTED_AT_RECEIPT:  # (no policy: no targets, never here)
            continue
        clock = Clock(ticket=ticket, target=name, started_at=ticket.received_at)
        _apply_target(clock, policy, spec)
        compute(clock)
        clocks.append(clock)
    Clock.objects.bulk_create(clocks)
    ticket_sla_refresh(ticket_ids=[ticket.pk])
    return clocks


def callback_clock_start(*, callback: Callback) -> Clock | None:
    ticket = callback.ticket
    policy = _match(ticket)
    spec = _targets(policy, ticket.kind).get(Target.CALLBACK)
    if policy is None or spec is None:
        return None
    clock = Clock(ticket=ticket, callback=callback, target=Target.CALLBACK, started_at=callback.created_at)
    _apply_target(clock, policy, spec)
    compute(clock)
    clock.save()
    callback.due_at = clock.due_at
    callback.save(update_fields=["due_at"])
    return clock


def _live(ticket_id: int, targets: Iterable[str]) -> QuerySet[Clock]:
    return Clock.objects.select_for_update(of=("self",)).select_related("calendar").filter(
        ticket_id=ticket_id, target__in=list(targets), callback__isnull=True
    )


def clock_meet(*, ticket_id: int, target: str, at: datetime, actor: AnyUser | None = None,
               callback: Callback | None = None) -> Clock | None:
    """Stop a clock: met at ``at``; late if past its deadline (the breach stays recorded)."""
    qs = Clock.objects.select_for_update(of=("self",)).select_related("calendar", "ticket").filter(state__in=LIVE)
    qs = qs.filter(callback=callback) if callback is not None else qs.filter(ticket_id=ticket_id, target=target,
                                                                              callback__isnull=True)
    clock = qs.first()
    if clock is None:
        return None
    if clock.state == ClockState.PAUSED and clock.paused_at is not None:
        clock.paused_seconds += work_calendar(clock.calendar).working_seconds(clock.paused_at, at, clock.unit)
        clock.paused_at = None
        compute(clock)
    clock.state = ClockState.MET
    clock.met_at = at
    engine = work_calendar(clock.calendar)
    clock.elapsed_wall = (at - clock.started_at).total_seconds()
    clock.elapsed_working = max(engine.working_seconds(clock.started_at, at, clock.unit) - clock.paused_seconds, 0)
    if at > clock.due_at and clock.breached_at is None:
        clock.breached_at = clock.due_at
    if clock.team_id is None:  # a clock that breached stays counted for the team it breached in
        clock.team_id = clock.ticket.team_id
    clock.next_escalation_at = None
    clock.save()
    ticket_sla_refresh(ticket_ids=[ticket_id])
    return clock


def clocks_pause(*, ticket_id: int, at: datetime) -> int:
    """Waiting on the customer pauses the resolution clock."""
    paused = 0
    for clock in _live(ticket_id, [Target.RESOLUTION]).filter(state__in=[ClockState.RUNNING, ClockState.BREACHED]):
        clock.state, clock.paused_at = ClockState.PAUSED, at
        clock.save(update_fields=["state", "paused_at"])
        paused += 1
    ticket_sla_refresh(ticket_ids=[ticket_id])
    return paused


def _resume(clock: Clock, since: datetime, at: datetime, actor: AnyUser | None, reason: str) -> TicketEvent:
    old_due = clock.due_at
    clock.paused_seconds += work_calendar(clock.calendar).working_seconds(since, at, clock.unit)
    compute(clock)
    clock.paused_at = None
    clock.met_at = None
    if clock.breached_at is None:  # runs again: counted for whichever team holds it when it stops
        clock.team_id = None
    clock.state = ClockState.BREACHED if clock.breached_at is not None and clock.due_at <= at else ClockState.RUNNING
    clock.save()
    return event_build(ticket_id=clock.ticket_id, kind=EventKind.SLA, actor=actor, field=f"sla:{clock.target}",
                       old=_fmt(old_due), new=_fmt(clock.due_at), body=reason)


def _resume_resolution(ticket_id: int, *, stopped: str, at: datetime, actor: AnyUser | None, reason: str) -> int:
    """Restart the resolution clock that is ``stopped`` (paused or met), counting the stop as a pause."""
    since = "paused_at" if stopped == ClockState.PAUSED else "met_at"
    events = [_resume(clock, getattr(clock, since), at, actor, reason)
              for clock in _live(ticket_id, [Target.RESOLUTION]).filter(state=stopped)]
    events_record(events)
    ticket_sla_refresh(ticket_ids=[ticket_id])
    return len(events)


def clocks_resume(*, ticket_id: int, at: datetime, actor: AnyUser | None = None) -> int:
    """The due time moves later by the working time that passed while paused."""
    return _resume_resolution(ticket_id, stopped=ClockState.PAUSED, at=at, actor=actor,
                              reason=_("Resumed after waiting for the customer"))


def clocks_reopen(*, ticket_id: int, at: datetime, actor: AnyUser | None = None) -> int:
    """The resolution clock resumes where it stopped; the time spent resolved counts as a pause."""
    return _resume_resolution(ticket_id, stopped=ClockState.MET, at=at, actor=actor,
                              reason=_("Reopened: the time resolved counts as a pause"))


def clocks_stop_unused(*, ticket_id: int) -> int:
    """A ticket resolved without a dispatch, an arrival or a restoration no longer needs those clocks:
    they are cancelled, so they neither breach nor escalate after the work is done."""
    n = Clock.objects.filter(ticket_id=ticket_id, target__in=REPAIR_ONLY, state__in=LIVE).update(
        state=ClockState.CANCELLED, next_escalation_at=None)
    if n:
        ticket_sla_refresh(ticket_ids=[ticket_id])
    return n


def clocks_cancel(*, ticket_id: int, callback: Callback | None = None) -> int:
    """A cancelled ticket (or callback) stops its clocks; they count neither as met nor as breached."""
    qs = Clock.objects.filter(ticket_id=ticket_id, state__in=LIVE)
    if callback is not None:
        qs = qs.filter(callback=callback)
    n = qs.update(state=ClockState.CANCELLED, next_escalation_at=None)
    ticket_sla_refresh(ticket_ids=[ticket_id])
    return n


def clocks_revive(*, ticket_id: int, at: datetime) -> int:
    """A cancelled ticket taken back into work (a merge undone): the clocks its cancellation stopped run
    again from their original start, as if never stopped, so the time it spent merged counts; a clock
    that had breached goes on escalating from the level it had reached, at the next sweep. Clocks of
    callbacks and clocks already met stay as they are."""
    stopped = Clock.objects.filter(ticket_id=ticket_id, state=ClockState.CANCELLED, met_at__isnull=True,
                                   callback__isnull=True)
    n = stopped.filter(breached_at__isnull=True).update(state=ClockState.RUNNING)
    n += stopped.filter(breached_at__isnull=False).update(state=ClockState.BREACHED, next_escalation_at=at)
    ticket_sla_refresh(ticket_ids=[ticket_id])
    return n


def clocks_recompute(*, ticket: Ticket, actor: AnyUser | None = None, reason: str = "") -> int:
    """The ticket's kind, priority or customer class changed: match the policy again and recompute
    running clocks from their original start with the new targets. A recorded breach stays."""
    policy = _match(ticket)
    specs = _targets(policy, ticket.kind)
    events: list[TicketEvent] = []
    changed: list[Clock] = []
    now = timezone.now()
    for clock in _live(ticket.pk, STARTED_AT_RECEIPT):
        spec = specs.get(clock.target)
        if spec is None or policy is None:  # (no policy: no targets, so spec is None too)
            clock.state, clock.next_escalation_at = ClockState.CANCELLED, None
            events.append(event_build(ticket_id=ticket.pk, kind=EventKind.SLA, actor=actor,
                                      field=f"sla:{clock.target}", old=_fmt(clock.due_at), new="", body=reason))
            changed.append(clock)
            continue
        old_due = clock.due_at
        _apply_target(clock, policy, spec)
        compute(clock)
        if clock.state == ClockState.BREACHED and clock.due_at > now:
            clock.state = ClockState.RUNNING
        if clock.due_at != old_due:
            events.append(event_build(ticket_id=ticket.pk, kind=EventKind.SLA, actor=actor,
                                      field=f"sla:{clock.target}", old=_fmt(old_due), new=_fmt(clock.due_at),
                                      body=reason))
        changed.append(clock)
    Clock.objects.bulk_update(changed, ["policy", "calendar", "amount", "unit", "warn_percent", "escalate_every",
                                        "escalate_every_unit", "end_of_day", "due_at", "warn_at", "provisional",
                                        "state", "next_escalation_at"])
    events_record(events)
    ticket_sla_refresh(ticket_ids=[ticket.pk])
    return len(events)


# --- the ticket's summary ---------------------------------------------------------------------------


def ticket_sla_refresh(*, ticket_ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Recompute ``sla_due_at`` and ``sla_state`` of tickets in one UPDATE (all tickets when None)."""
    now = now or timezone.now()
    clocks = Clock.objects.filter(ticket_id=OuterRef("pk"), callback__isnull=True)
    running = clocks.filter(state__in=[ClockState.RUNNING, ClockState.BREACHED])
    state = Case(
        When(Exists(clocks.filter(Q(state=ClockState.BREACHED) | Q(state=ClockState.RUNNING, due_at__lte=now))),
             then=Value(SlaState.BREACHED)),
        When(Exists(clocks.filter(state=ClockState.PAUSED)), then=Value(SlaState.PAUSED)),
        When(Exists(running.filter(warn_at__lte=now)), then=Value(SlaState.AT_RISK)),
        When(Exists(running), then=Value(SlaState.ON_TRACK)),
        When(Exists(clocks.filter(state=ClockState.MET)), then=Value(SlaState.MET)),
        default=Value(""),
    )
    due = Subquery(running.order_by().values("ticket_id").annotate(first=Min("due_at")).values("first")[:1])
    qs = Ticket.objects.all() if ticket_ids is None else Ticket.objects.filter(pk__in=list(ticket_ids))
    return qs.update(sla_state=state, sla_due_at=due)


# --- calendar edits ---------------------------------------------------------------------------------


@transaction.atomic
def calendar_days_set(*, calendar: Calendar, days: dict[date, tuple[bool, str]], actor: AnyUser | None = None,
                      source: str = DaySource.ADMIN) -> int:
    """Enter or correct working days (date → (is_workday, name)); recompute clocks that span them.

    Set-based: the days are upserted in one statement, the affected clocks are read in one query,
    recomputed in memory and written back in one; one event per changed deadline.
    """
    if not days:
        return 0
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=calendar, date=d, is_workday=w, name=name, source=source)
         for d, (w, name) in days.items()],
        update_conflicts=True, unique_fields=["calendar", "date"], update_fields=["is_workday", "name", "source"],
    )
    calendar.version = new_version()
    calendar.save(update_fields=["version"])
    return clocks_recompute_for_calendar(calendar=calendar, first=min(days), last=max(days), actor=actor)


def clocks_recompute_for_calendar(*, calendar: Calendar, first: date, last: date,
                                  actor: AnyUser | None = None) -> int:
    engine = work_calendar(calendar)
    start = datetime(last.year, last.month, last.day, tzinfo=engine.tz)
    end = datetime(first.year, first.month, first.day, tzinfo=engine.tz)
    # Clocks whose window [started_at, due_at] touches [first, last]. A pause may stretch the window,
    # so a paused clock is taken when it started before the change.
    affected = list(
        Clock.objects.filter(calendar=calendar, state__in=LIVE, started_at__lt=start + timedelta(days=1))
        .filter(Q(due_at__gte=end) | Q(state=ClockState.PAUSED))
        .select_related("calendar")
    )
    events: list[TicketEvent] = []
    changed: list[Clock] = []
    for clock in affected:
        old_due, old_provisional = clock.due_at, clock.provisional
        clock.calendar = calendar
        compute(clock, calendar)
        if clock.due_at != old_due or clock.provisional != old_provisional:
            events.append(event_build(ticket_id=clock.ticket_id, kind=EventKind.SLA, actor=actor,
                                      field=f"sla:{clock.target}", old=_fmt(old_due), new=_fmt(clock.due_at),
                                      body=_("The calendar changed")))
        changed.append(clock)
    Clock.objects.bulk_update(changed, ["due_at", "warn_at", "provisional"], batch_size=2000)
    events_record(events)
    ticket_sla_refresh(ticket_ids={c.ticket_id for c in changed})
    return len(events)




# --- backfill ---------------------------------------------------------------------------------------


def _matches(policy: Policy, ticket: Ticket) -> bool:
    customer_class, area = ticket.policy_customer()
    return ((not policy.kind or policy.kind == ticket.kind)
            and (policy.priority is None or policy.priority == ticket.priority)
            and (not policy.customer_class or policy.customer_class == customer_class)
            and (not policy.channel or policy.channel == ticket.channel) and (not policy.area or policy.area == area))


def clocks_backfill(*, ticket_ids: Iterable[int]) -> int:
    """Clocks for tickets that have none (imports, demo data), from what the tickets record:
    replies, resolution, work-order times, pauses, callbacks. A fixed number of queries; the
    policies are matched in memory."""
    from tickets.models import WorkOrder

    ids = list(ticket_ids)
    policies = list(Policy.objects.filter(is_active=True).select_related("calendar").prefetch_related("targets")
                    .order_by("rank", "id"))
    fallback_calendar = default_calendar()
    tickets = list(Ticket.objects.filter(pk__in=ids).exclude(clocks__isnull=False).select_related("customer"))
    orders = {o.ticket_id: o for o in WorkOrder.objects.filter(ticket_id__in=ids).order_by("dispatched_at")}
    callbacks: defaultdict[int, list[Callback]] = defaultdict(list)
    for made in Callback.objects.filter(ticket_id__in=ids):
        callbacks[made.ticket_id].append(made)
    paused = dict(TicketEvent.objects.filter(ticket_id__in=ids, kind=EventKind.STATUS,
                                             new_value=Status.PENDING_CUSTOMER)
                  .order_by("created_at").values_list("ticket_id", "created_at"))
    clocks: list[Clock] = []
    for ticket in tickets:
        policy = next((p for p in policies if _matches(p, ticket)), None)
        if policy is None:  # no targets, so no clocks
            continue
        specs = {t.target: t for t in policy.targets.all()}
        order = orders.get(ticket.pk)
        stops = {
            Target.FIRST_RESPONSE: ticket.first_response_at,
            Target.RESOLUTION: ticket.resolved_at,
            Target.DISPATCH: order.dispatched_at if order else None,
            Target.ARRIVAL: order.arrived_at if order else None,
            Target.RESTORATION: order.restored_at if order else None,
        }
        starts: list[tuple[str, datetime, datetime | None, Callback | None]] = [
            (name, ticket.received_at, stops[name], None) for name in STARTED_AT_RECEIPT
            if name in specs and (ticket.kind == Kind.REPAIR or name not in REPAIR_ONLY)]
        if Target.CALLBACK in specs:
            starts += [(Target.CALLBACK, c.created_at, c.completed_at, c) for c in callbacks[ticket.pk]]
        for name, started, stopped, callback in starts:
            clock = Clock(ticket=ticket, callback=callback, target=name, started_at=started)
            _apply_target(clock, policy, specs[name], fallback=fallback_calendar)
            compute(clock, clock.calendar)
            if ticket.status == Status.CANCELLED:
                clock.state = ClockState.CANCELLED
            elif stopped is not None:
                engine = work_calendar(clock.calendar)
                clock.state, clock.met_at, clock.team_id = ClockState.MET, stopped, ticket.team_id
                clock.elapsed_wall = (stopped - started).total_seconds()
                clock.elapsed_working = engine.working_seconds(started, stopped, clock.unit)
                if stopped > clock.due_at:
                    clock.breached_at = clock.due_at
            elif name == Target.RESOLUTION and ticket.pk in paused and ticket.status == Status.PENDING_CUSTOMER:
                clock.state, clock.paused_at = ClockState.PAUSED, paused[ticket.pk]
            clocks.append(clock)
    Clock.objects.bulk_create(clocks, batch_size=1000)
    ticket_sla_refresh(ticket_ids=ids)
    return len(clocks)
