"""Quality figures, computed in the database: survey response and satisfaction rates, complaint
resolution and timeliness, and the service error rate from quality reviews.

Each family is one grouped aggregate (three queries in all, whatever the number of tickets); the rows
are merged by group. Rates are shares in [0, 1], ``None`` where nothing was counted.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language

from sla.models import Clock, ClockState
from surveys.models import (
    SATISFIED_AT_LEAST,
    UNHAPPY_AT_MOST,
    Invitation,
    InvitationState,
    QualityReview,
    Rating,
)
from tickets.models import Kind, Status, Ticket

GROUPS = ("team", "agent", "kind", "month")


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def satisfaction_rate(counts: dict[int, int]) -> float | None:
    """(very satisfied + satisfied) / all answers, from counts per rating (5 … 1)."""
    answers = sum(counts.values())
    return share(sum(n for rating, n in counts.items() if rating >= SATISFIED_AT_LEAST), answers)


def period_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime, datetime]:
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or date_to.replace(day=1)
    tz = timezone.get_current_timezone()
    return (datetime.combine(date_from, time(0), tzinfo=tz),
            datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz))


def _keys(group_by: str, *, team: str, agent: str, kind: str, moment: str) -> dict:
    if group_by == "team":  # the team's English name on English pages, where it has one
        name = F(f"{team}__name")
        if (get_language() or "").startswith("en"):
            name = Coalesce(NullIf(F(f"{team}__name_en"), Value("")), F(f"{team}__name"))
        return {"group_key": F(f"{team}_id"), "group_name": name}
    if group_by == "agent":
        return {"group_key": F(f"{agent}_id"), "group_name": F(f"{agent}__name")}
    if group_by == "kind":
        return {"group_key": F(kind), "group_name": F(kind)}
    month = TruncMonth(moment, tzinfo=timezone.get_current_timezone())
    return {"group_key": month, "group_name": month}


PARTS = ("surveys", "complaints", "timely", "reviews")


def survey_metrics(*, tickets, date_from: date | None = None, date_to: date | None = None,
                   group_by: str = "team", parts: tuple[str, ...] = PARTS) -> dict:
    """Figures over ``tickets`` (an access-filtered QuerySet) for a period (default: this month).

    Surveys count the invitations sent in the period and the answers to them; complaints count
    those received in the period; complaint timeliness counts resolution deadlines that fell due in
    it; the error rate counts reviews made in it. ``parts`` names those to count (one query each);
    the others' figures are 0.
    """
    start, end = period_bounds(date_from, date_to)
    ids = tickets.values("pk")
    ratings = {f"r{value}": Count("id", filter=Q(response__rating=value)) for value in Rating.values}

    def surveys() -> QuerySet:
        return (
            Invitation.objects.filter(ticket__in=ids, sent_at__gte=start, sent_at__lt=end)
            .values(**_keys(group_by, team="team", agent="agent", kind="kind", moment="sent_at"))
            .annotate(sent=Count("id"), responses=Count("id", filter=Q(state=InvitationState.ANSWERED)), **ratings)
        )

    def complaints() -> QuerySet:
        return (
            Ticket.objects.filter(pk__in=ids, kind=Kind.COMPLAINT, received_at__gte=start, received_at__lt=end)
            .exclude(status=Status.CANCELLED)
            .values(**_keys(group_by, team="team", agent="assignee", kind="kind", moment="received_at"))
            .annotate(complaints=Count("id"),
                      complaints_resolved=Count("id", filter=Q(status__in=[Status.RESOLVED, Status.CLOSED])))
        )

    def timely() -> QuerySet:
        return (
            Clock.objects.filter(ticket__in=ids, ticket__kind=Kind.COMPLAINT, target="resolution",
                                 callback__isnull=True, due_at__gte=start, due_at__lt=min(end, timezone.now()))
            .exclude(state=ClockState.CANCELLED)
            .values(**_keys(group_by, team="ticket__team", agent="ticket__assignee", kind="ticket__kind",
                            moment="due_at"))
            .annotate(complaints_due=Count("id"), complaints_on_time=Count("id", filter=Q(breached_at__isnull=True)))
        )

    def reviews() -> QuerySet:
        return (
            QualityReview.objects.filter(ticket__in=ids, reviewed_at__gte=start, reviewed_at__lt=end)
            .values(**_keys(group_by, team="ticket__team", agent="agent", kind="ticket__kind", moment="reviewed_at"))
            .annotate(reviewed=Count("id"), with_error=Count("id", filter=Q(has_error=True)))
        )

    rows: dict = defaultdict(dict)
    # Only the parts asked for are built (building a query costs as much as running a small one).
    queries = {"surveys": surveys, "complaints": complaints, "timely": timely, "reviews": reviews}
    for query in (queries[part]() for part in parts):
        for row in query.order_by():
            key = row["group_key"]
            if isinstance(key, datetime):
                key = timezone.localtime(key).strftime("%Y-%m")
                row["group_name"] = key
            rows[key].update(row, group_key=key)
    results = [_rates(rows[key]) for key in sorted(rows, key=lambda k: (k is None, str(k)))]
    totals = _rates({name: sum(r[name] for r in results) for name in COUNTS} | {"group_key": None,
                                                                               "group_name": None})
    return {"from": start.date().isoformat(), "to": (end - timedelta(days=1)).date().isoformat(),
            "group_by": group_by, "results": results, "totals": totals}


COUNTS = ("sent", "responses", "r5", "r4", "r3", "r2", "r1", "complaints", "complaints_resolved",
          "complaints_due", "complaints_on_time", "reviewed", "with_error")


def _rates(row: dict) -> dict:
    for name in COUNTS:
        row.setdefault(name, 0)
    counts = {value: row[f"r{value}"] for value in Rating.values}
    row["satisfied"] = sum(n for value, n in counts.items() if value >= SATISFIED_AT_LEAST)
    row["unhappy"] = sum(n for value, n in counts.items() if value <= UNHAPPY_AT_MOST)
    row["response_rate"] = share(row["responses"], row["sent"])
    row["satisfaction_rate"] = satisfaction_rate(counts)
    row["complaint_resolution_rate"] = share(row["complaints_resolved"], row["complaints"])
    row["complaint_timeliness"] = share(row["complaints_on_time"], row["complaints_due"])
    row["error_rate"] = share(row["with_error"], row["reviewed"])
    return row
