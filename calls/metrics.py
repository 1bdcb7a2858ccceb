"""The service level and the hour-by-day heat map, computed in the database from the call records.

Service level (``shared/sla.md``): answered within T / (offered - short abandons) by default, with T
= 15 s and a short abandon ≤ 5 s. The ICMI variants are settings, and every report states its
formula. A call that overflows through two queues is offered once: offered counts distinct call ids."""

from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from calls.models import CallRecord

FORMULAS = {
    # name: (numerator adds abandons within T, denominator: what leaves the offered calls)
    "short_abandons_excluded": "answered ≤ T / (offered - abandoned ≤ S)",
    "answered_only": "answered ≤ T / answered",
    "abandons_against": "answered ≤ T / (answered + abandoned)",
    "abandons_for": "(answered ≤ T + abandoned ≤ T) / (answered + abandoned)",
    "late_abandons_against": "answered ≤ T / (answered + abandoned - abandoned ≤ T)",
}


GROUPS = {"queue": F("queue"), "agent": F("agent"), "day": TruncDate("enqueued_at"), "hour": ExtractHour("enqueued_at")}


def service_level(*, date_from: date | None = None, date_to: date | None = None, queue: str = "",
                  threshold: int = 15, short_abandon: int = 5, group_by: str = "",
                  formula: str = "short_abandons_excluded") -> dict:
    """The figures of the period, overall or grouped, in one query."""
    tz = timezone.get_current_timezone()
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to - timedelta(days=6)
    calls = CallRecord.objects.filter(enqueued_at__gte=datetime.combine(date_from, time(0), tzinfo=tz),
                                      enqueued_at__lt=datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz))
    if queue:
        calls = calls.filter(queue=queue)
    answered = Q(outcome__in=["answered", "transferred"])
    abandoned = Q(outcome="abandoned")
    figures = {
        "records": Count("id"),
        "offered": Count("call_id", distinct=True),
        "answered": Count("id", filter=answered),
        "answered_within": Count("id", filter=answered & Q(wait_seconds__lte=threshold)),
        "abandoned": Count("id", filter=abandoned),
        "abandoned_within": Count("id", filter=abandoned & Q(wait_seconds__lte=threshold)),
        "short_abandons": Count("id", filter=abandoned & Q(wait_seconds__lte=short_abandon)),
        "ring_known": Count("id", filter=answered & Q(ring_seconds__isnull=False)),
        "picked_up_within": Count("id", filter=answered & Q(ring_seconds__lte=threshold)),
        "asa_seconds": Avg("wait_seconds", filter=answered),
    }
    if group_by:
        rows = list(calls.annotate(group=GROUPS[group_by]).values("group").annotate(**figures).order_by("group"))
    else:
        rows = [calls.aggregate(**figures)]
    for row in rows:
        _rates(row, formula)
    return {"from": date_from.isoformat(), "to": date_to.isoformat(), "queue": queue, "threshold_seconds": threshold,
            "short_abandon_seconds": short_abandon, "formula": FORMULAS[formula], "group_by": group_by,
            "results": rows}


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _rates(row: dict, formula: str) -> None:
    answered, within = row["answered"], row["answered_within"]
    abandoned, abandoned_within = row["abandoned"], row["abandoned_within"]
    if formula == "answered_only":
        row["service_level"] = _share(within, answered)
    elif formula == "abandons_against":
        row["service_level"] = _share(within, answered + abandoned)
    elif formula == "abandons_for":
        row["service_level"] = _share(within + abandoned_within, answered + abandoned)
    elif formula == "late_abandons_against":
        row["service_level"] = _share(within, answered + abandoned - abandoned_within)
    else:
        row["service_level"] = _share(within, row["offered"] - row["short_abandons"])
    row["answer_rate"] = _share(answered, row["offered"])
    row["abandonment_rate"] = _share(abandoned, row["offered"])
    row["pickup_within_rate"] = _share(row["picked_up_within"], row["ring_known"])
    row["asa_seconds"] = round(row["asa_seconds"], 1) if row["asa_seconds"] is not None else None


def heat_map(*, date_from: date, date_to: date, queue: str = "", threshold: int = 15) -> list[dict]:
    """Answered within the threshold / answered, by local day and hour, in one grouped query."""
    tz = timezone.get_current_timezone()
    calls = CallRecord.objects.filter(enqueued_at__gte=datetime.combine(date_from, time(0), tzinfo=tz),
                                      enqueued_at__lt=datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz),
                                      outcome__in=["answered", "transferred"])
    if queue:
        calls = calls.filter(queue=queue)
    rows = (calls.annotate(day=TruncDate("enqueued_at"), hour=ExtractHour("enqueued_at")).values("day", "hour")
            .annotate(answered=Count("id"), within=Count("id", filter=Q(wait_seconds__lte=threshold)))
            .order_by("day", "hour"))
    days: dict = {}
    for row in rows:
        days.setdefault(row["day"], [None] * 24)[row["hour"]] = (row["within"], row["answered"])
    return [{"day": day, "hours": [(_share(*cell) if cell else None, cell[1] if cell else 0) for cell in hours]}
            for day, hours in sorted(days.items())]
