"""The monthly 100-point scorecard of each agent (绩效考核).

KPIs per agent and month, each one grouped aggregate over the whole center (five queries, whatever
the number of agents or tickets):

- SLA compliance: the agent's ticket deadlines that fell due in the month, not breached / all;
- satisfaction rate: survey answers in the month about the agent's tickets, (very) satisfied / all;
- callback completion: the agent's callbacks due in the month, completed (reached or three tries) / all;
- answered within 15 s: calls the agent answered in the month that waited at most 15 s / all answered;
- service error rate: the agent's reviewed tickets in the month with an error / all reviewed.

The weights and targets are ``ScoreWeight`` rows (admins edit them). Where the job description in
effect for an agent's post names a KPI in a performance standard (``PerformanceStandard.figure``),
that standard's target is the agent's target, so a job description and the scorecard never disagree.
A supervisor may adjust a score by up to ``SCORECARD_MAX_ADJUSTMENT`` points with a reason;
recomputing keeps the adjustment.
"""

from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.errors import ConflictError, DomainError, ForbiddenError
from servicecenter.periods import month_bounds, month_start
from staff.models import (
    LOWER_IS_BETTER,
    Band,
    Kpi,
    PerformanceStandard,
    Role,
    Scorecard,
    ScoreWeight,
    StaffMember,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# (lowest score, band), highest first: 95–100 优秀, 90–94 良好, 80–89 称职, 60–79 基本称职, below 60 不称职.
BANDS = ((Decimal(95), Band.EXCELLENT), (Decimal(90), Band.GOOD), (Decimal(80), Band.COMPETENT),
         (Decimal(60), Band.BASIC))
PICKUP_SECONDS = 15


class ScorecardError(DomainError):
    pass


def band_for(total: Decimal) -> str:
    for lowest, band in BANDS:
        if total >= lowest:
            return band
    return Band.NOT_COMPETENT


def kpi_points(kpi: str, value: float, weight: Decimal, target: Decimal) -> Decimal:
    """Points earned: the full weight at or beyond the target, in proportion below it. For the error
    rate, the accuracy (1 - rate) is compared with the accuracy the target allows."""
    value = Decimal(str(value))
    if kpi in LOWER_IS_BETTER:
        # Accuracy (1 - rate) over the accuracy the target allows.
        ratio = Decimal(1) if value <= target else (Decimal(1) - value) / (Decimal(1) - target)
    else:
        ratio = Decimal(1) if value >= target else value / target
    return weight * max(Decimal(0), min(Decimal(1), ratio))


def score(values: dict[str, float | None], weights: dict[str, tuple[Decimal, Decimal]]) -> tuple[Decimal | None, dict]:
    """The 100-point score from KPI values (shares; None = no data). KPIs without data drop out and
    the remaining weights are scaled to 100. Returns the score (None when no KPI has data) and each
    KPI's value and points."""
    earned = Decimal(0)
    counted = Decimal(0)
    detail = {}
    for kpi, (weight, target) in weights.items():
        value = values.get(kpi)
        if value is None or weight == 0:
            detail[kpi] = {"value": value, "points": None, "weight": str(weight)}
            continue
        points = kpi_points(kpi, value, weight, target)
        earned += points
        counted += weight
        detail[kpi] = {"value": value, "points": str(points.quantize(CENT, ROUND_HALF_UP)), "weight": str(weight)}
    if not counted:
        return None, detail
    return two_places(earned / counted * HUNDRED), detail


def two_places(exact: Decimal) -> Decimal:
    """The score as stored and shown: cut (never rounded up) to two decimals, and the band is chosen
    from this figure. So the band always matches the number on the card, and nobody crosses a band's
    threshold by rounding: 94.995 is 94.99, 良好; only 95.00 or more is 优秀."""
    return exact.quantize(CENT, ROUND_DOWN)


def total_for(base: Decimal, adjustment: Decimal) -> Decimal:
    return two_places(max(Decimal(0), min(HUNDRED, base + adjustment)))


def _shares(rows, key: str, part: str, whole: str) -> dict[int, tuple[int, int]]:
    return {row[key]: (row[part], row[whole]) for row in rows if row[key] is not None}


def kpi_counts(month: date, *, now: datetime | None = None,
               staff_ids: list[int] | None = None) -> dict[str, dict[int, tuple[int, int]]]:
    """(part, whole) per KPI and staff id for one month; five grouped queries (for some people only
    when ``staff_ids`` is given)."""
    from calls.models import CallOutcome, CallRecord
    from sla.models import Clock, ClockState
    from surveys.models import SATISFIED_AT_LEAST, QualityReview, Response
    from tickets.models import Callback, CallbackState

    now = now or timezone.now()
    start, end = month_bounds(month)
    due_end = min(end, now)
    sla_rows = (Clock.objects.filter(callback__isnull=True, due_at__gte=start, due_at__lt=due_end)
                .exclude(state=ClockState.CANCELLED).values("ticket__assignee_id")
                .annotate(due=Count("id"), on_time=Count("id", filter=Q(breached_at__isnull=True))).order_by())
    satisfaction_rows = (Response.objects.filter(answered_at__gte=start, answered_at__lt=end)
                         .values("invitation__agent_id")
                         .annotate(answers=Count("id"), happy=Count("id", filter=Q(rating__gte=SATISFIED_AT_LEAST)))
                         .order_by())
    callback_rows = (Callback.objects.filter(due_at__gte=start, due_at__lt=due_end)
                     .exclude(state=CallbackState.CANCELLED).values("assignee_id")
                     .annotate(due=Count("id"), completed=Count("id", filter=Q(state__in=[CallbackState.DONE,
                                                                                         CallbackState.FAILED])))
                     .order_by())
    agents = dict(StaffMember.objects.exclude(agent_no__isnull=True).exclude(agent_no="")
                  .values_list("agent_no", "pk"))
    call_rows = (CallRecord.objects.filter(enqueued_at__gte=start, enqueued_at__lt=end,
                                           outcome=CallOutcome.ANSWERED)
                 .values("agent").annotate(answered=Count("id"),
                                           quick=Count("id", filter=Q(wait_seconds__lte=PICKUP_SECONDS)))
                 .order_by())
    review_rows = (QualityReview.objects.filter(reviewed_at__gte=start, reviewed_at__lt=end).values("agent_id")
                   .annotate(reviewed=Count("id"), errors=Count("id", filter=Q(has_error=True))).order_by())
    if staff_ids is not None:
        sla_rows = sla_rows.filter(ticket__assignee_id__in=staff_ids)
        satisfaction_rows = satisfaction_rows.filter(invitation__agent_id__in=staff_ids)
        callback_rows = callback_rows.filter(assignee_id__in=staff_ids)
        agents = {no: pk for no, pk in agents.items() if pk in staff_ids}
        call_rows = call_rows.filter(agent__in=[f"Agent/{no}" for no in agents] + list(agents))
        review_rows = review_rows.filter(agent_id__in=staff_ids)
    pickup: dict[int, tuple[int, int]] = {}
    for row in call_rows:
        staff_id = agents.get(row["agent"].removeprefix("Agent/"))
        if staff_id is not None:
            quick, answered = pickup.get(staff_id, (0, 0))
            pickup[staff_id] = (quick + row["quick"], answered + row["answered"])
    return {
        Kpi.SLA: _shares(sla_rows, "ticket__assignee_id", "on_time", "due"),
        Kpi.SATISFACTION: _shares(satisfaction_rows, "invitation__agent_id", "happy", "answers"),
        Kpi.CALLBACK: _shares(callback_rows, "assignee_id", "completed", "due"),
        Kpi.PICKUP: pickup,
        Kpi.ERRORS: _shares(review_rows, "agent_id", "errors", "reviewed"),
    }


def weights() -> dict[str, tuple[Decimal, Decimal]]:
    return {w.kpi: (w.weight, w.target) for w in ScoreWeight.objects.order_by("kpi")}


def post_targets() -> dict[int, dict[str, Decimal]]:
    """Each post's own KPI targets (shares) from the performance standards of its job description in
    effect; one query."""
    targets: dict[int, dict[str, Decimal]] = {}
    for position_id, figure, target in PerformanceStandard.objects.filter(figure__in=Kpi.values).values_list(
            "job_description__position_id", "figure", "target"):
        targets.setdefault(position_id, {})[figure] = target / HUNDRED
    return targets


def weights_for(table: dict[str, tuple[Decimal, Decimal]], own: dict[str, Decimal] | None) -> dict[
        str, tuple[Decimal, Decimal]]:
    """The center's weights with the post's own targets in place of the center's."""
    if not own:
        return table
    return {kpi: (weight, own.get(kpi, target)) for kpi, (weight, target) in table.items()}


@transaction.atomic
def scorecards_compute(*, month: date, now: datetime | None = None) -> int:
    """Score every active agent with work to score in the month and store it; adjustments already
    made are kept. Nine queries plus one upsert, whatever the size of the center."""
    now = now or timezone.now()
    month = month_start(month)
    counts = kpi_counts(month, now=now)
    table = weights()
    agents = list(StaffMember.objects.filter(is_active=True, position__role=Role.AGENT)
                  .values_list("pk", "position__unit_id", "position_id"))
    targets = post_targets()
    adjustments = dict(Scorecard.objects.filter(month=month).values_list("staff_id", "adjustment"))
    cards = []
    for staff_id, team_id, position_id in agents:
        values = {}
        for kpi, per_staff in counts.items():
            part, whole = per_staff.get(staff_id, (0, 0))
            values[kpi] = round(part / whole, 4) if whole else None
        base, detail = score(values, weights_for(table, targets.get(position_id)))
        if base is None:  # no work to score this month (leave, training): no card rather than a made-up one
            continue
        for kpi, (part, whole) in ((k, per_staff.get(staff_id, (0, 0))) for k, per_staff in counts.items()):
            detail[kpi].update(part=part, whole=whole)
        adjustment = adjustments.get(staff_id, Decimal(0))
        total = total_for(base, adjustment)
        cards.append(Scorecard(staff_id=staff_id, month=month, team_id=team_id, kpis=detail, base_score=base,
                               adjustment=adjustment, total=total, band=band_for(total), computed_at=now))
    Scorecard.objects.bulk_create(cards, update_conflicts=True, unique_fields=["staff", "month"],
                                  update_fields=["team", "kpis", "base_score", "total", "band", "computed_at"])
    return len(cards)


@transaction.atomic
def scorecard_adjust(*, scorecard_id: int, actor, adjustment, reason: str) -> Scorecard:
    """A supervisor's adjustment with a reason, within ± ``SCORECARD_MAX_ADJUSTMENT``; for leaders
    above the agent (not their own card)."""
    from staff.access import scope_for

    # Who may first, the same answer for a card that does not exist: a stranger learns nothing.
    card = Scorecard.objects.select_for_update(of=("self",)).filter(pk=scorecard_id).first()
    scope = scope_for(actor)
    if card is None or not scope.leads(card.staff_id):
        raise ForbiddenError(_("Only a leader above the agent can adjust this score."), code="forbidden")
    try:
        adjustment = Decimal(str(adjustment)).quantize(CENT, ROUND_HALF_UP)
    except ArithmeticError:
        raise ScorecardError(_("The adjustment is a number of points."), code="adjustment") from None
    limit = Decimal(settings.SCORECARD_MAX_ADJUSTMENT)
    if not adjustment.is_finite() or abs(adjustment) > limit:
        raise ScorecardError(_("An adjustment is at most %(limit)s points either way.") % {"limit": limit},
                             code="adjustment")
    if adjustment and not reason.strip():
        raise ScorecardError(_("Give the reason for the adjustment."), code="reason")
    if card.month > month_start(timezone.localdate()):
        raise ConflictError(_("This month has not begun."), code="future")
    card.adjustment = adjustment
    card.adjustment_reason = reason.strip()
    card.adjusted_by = scope.staff
    card.total = total_for(card.base_score, adjustment)
    card.band = band_for(card.total)
    card.save(update_fields=["adjustment", "adjustment_reason", "adjusted_by", "total", "band"])
    return card


# KPI: (weight, target). The weights add up to 100; an admin changes them in the admin site.
def scorecard_list_for(*, scope, month: date, team_id: int | None = None):
    """The month's scorecards the viewer may see: their own, and everyone's below them (all, for the director)."""
    cards = Scorecard.objects.filter(month=month_start(month)).select_related("staff", "team", "adjusted_by")
    if not scope.sees_all:
        cards = cards.filter(staff_id__in=scope.staff_ids)
    if team_id is not None:
        cards = cards.filter(team_id=team_id)
    return cards.order_by("team__name", "-total", "staff__employee_no")
