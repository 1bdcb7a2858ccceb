"""SLA figures, computed in the database: compliance, breaches, at risk, response and resolution
times (wall and working) by team, agent, kind or target over a period of receipt."""

from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from sla.models import Clock, ClockState

GROUPS = {
    "team": ("ticket__team_id", "ticket__team__name"),
    "agent": ("ticket__assignee_id", "ticket__assignee__name"),
    "kind": ("ticket__kind", "ticket__kind"),
    "target": ("target", "target"),
}


def _bounds(date_from: date | None, date_to: date | None) -> tuple[datetime, datetime]:
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or date_to - timedelta(days=29)
    tz = timezone.get_current_timezone()
    return (datetime.combine(date_from, time(0), tzinfo=tz),
            datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz))


def sla_metrics(*, tickets, date_from: date | None = None, date_to: date | None = None, group_by: str = "team",
                now: datetime | None = None) -> dict:
    """One grouped aggregate over the clocks of ``tickets`` (a QuerySet, already access-filtered)."""
    now = now or timezone.now()
    start, end = _bounds(date_from, date_to)
    key, label = GROUPS[group_by]
    on_time = Q(state=ClockState.MET, breached_at__isnull=True)
    late = Q(breached_at__isnull=False)
    response = Q(target="first_response", state=ClockState.MET)
    resolution = Q(target="resolution", state=ClockState.MET)
    rows = (
        Clock.objects.filter(ticket__in=tickets.values("pk"), started_at__gte=start, started_at__lt=end,
                             callback__isnull=True)
        .exclude(state=ClockState.CANCELLED)
        .values(group_key=F(key), group_name=F(label))
        .annotate(
            clocks=Count("id"),
            met_on_time=Count("id", filter=on_time),
            breached=Count("id", filter=late),
            at_risk=Count("id", filter=Q(state=ClockState.RUNNING, warn_at__lte=now, due_at__gt=now)),
            running=Count("id", filter=Q(state__in=[ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED])),
            response_wall=Avg("elapsed_wall", filter=response),
            response_working=Avg("elapsed_working", filter=response),
            resolution_wall=Avg("elapsed_wall", filter=resolution),
            resolution_working=Avg("elapsed_working", filter=resolution),
        )
        .order_by("group_key")
    )
    results = []
    for row in rows:
        completed = row["met_on_time"] + row["breached"]
        row["completed"] = completed
        row["compliance"] = round(row["met_on_time"] / completed, 4) if completed else None
        for name in ("response_wall", "response_working", "resolution_wall", "resolution_working"):
            row[f"{name}_seconds"] = round(row.pop(name), 1) if row[name] is not None else None
        results.append(row)
    return {"from": start.date().isoformat(), "to": (end - timedelta(days=1)).date().isoformat(),
            "group_by": group_by, "results": results}
