"""Reporting's answer to the job-description page (``staff.hooks.OrgHooks.figure_values``): each holder's
current value of the figures their post's standards name, from the scorecard's own counts."""

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q

from servicecenter.periods import month_bounds, month_start
from staff.hooks import OrgHooks
from staff.models import Figure


def _month_for(today: date) -> date:
    """This month, or last month during the first five days (this month has too little to say)."""
    month = month_start(today)
    return month_start(month - timedelta(days=1)) if today.day <= 5 else month


def figure_values(*, staff_ids: list[int], figures: set[str], today: date) -> dict[int, dict[str, Any]]:
    from reporting.scorecards import kpi_counts
    from tickets.choices import Kind, Status
    from tickets.models import Ticket

    month = _month_for(today)
    values: dict[int, dict[str, Any]] = {pk: {"month": month} for pk in staff_ids}
    if figures - {Figure.COMPLAINTS}:
        for kpi, per_staff in kpi_counts(month, staff_ids=staff_ids).items():
            if kpi in figures:
                for pk, (part, whole) in per_staff.items():
                    if whole:
                        values[pk][kpi] = part / whole
    if Figure.COMPLAINTS in figures:
        start, end = month_bounds(month)
        rows = (Ticket.objects.filter(assignee_id__in=staff_ids, kind=Kind.COMPLAINT, received_at__gte=start,
                                      received_at__lt=end).exclude(status=Status.CANCELLED).values("assignee_id")
                .annotate(n=Count("id"), done=Count("id", filter=Q(status__in=[Status.RESOLVED, Status.CLOSED])))
                .order_by())
        for row in rows:
            values[row["assignee_id"]][Figure.COMPLAINTS] = row["done"] / row["n"]
    return values


class ReportingOrgHooks(OrgHooks):
    def figure_values(self, *, staff_ids, figures, today):  # type: ignore[override]
        return figure_values(staff_ids=list(staff_ids), figures=set(figures), today=today)
