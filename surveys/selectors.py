"""Reads shared by the survey pages, the API and the tasks; each applies row-level access."""

from datetime import date

from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import MD5, Cast, Concat

from servicecenter.periods import month_bounds
from staff.access import Scope
from surveys.models import FollowUp, QualityReview
from tickets.choices import Status
from tickets.models import Ticket


def _people(scope: Scope, field: str) -> Q:
    return Q() if scope.sees_all else Q(**{f"{field}__in": scope.staff_ids})


def follow_up_list_for(*, scope: Scope) -> QuerySet[FollowUp]:
    """Follow-ups of unhappy answers about the work of people in the viewer's subtree, or addressed to them."""
    if not scope.may_lead:
        return FollowUp.objects.none()
    follow_ups = FollowUp.objects.select_related("ticket", "agent", "supervisor", "response")
    if scope.sees_all:
        return follow_ups
    mine = Q(supervisor=scope.staff) if scope.staff is not None else Q(pk__in=[])
    return follow_ups.filter(Q(agent__in=scope.staff_ids) | mine)


def review_list_for(*, scope: Scope) -> QuerySet[QualityReview]:
    if not scope.may_lead:
        return QualityReview.objects.none()
    return QualityReview.objects.filter(_people(scope, "agent")).select_related("ticket", "agent", "reviewer")


def review_sample_for(*, scope: Scope, month: date, size: int = 10) -> list[Ticket]:
    """A fair sample of the month's handled tickets of people below the viewer, not yet reviewed.

    The order is MD5 of the ticket id and month: stable within the month (the page does not
    reshuffle as reviews are made), unrelated to who handled what or when.
    """
    if not scope.may_lead:
        return []
    start, end = month_bounds(month)
    people = _people(scope, "assignee")
    if scope.staff is not None:
        people &= ~Q(assignee=scope.staff)
    salt = Value(month.strftime("%Y-%m"))
    return list(
        Ticket.objects.filter(people, status__in=[Status.RESOLVED, Status.CLOSED], resolved_at__gte=start,
                              resolved_at__lt=end, quality_review__isnull=True, assignee__isnull=False)
        .select_related("assignee", "team")
        .annotate(draw=MD5(Concat(Cast("id", CharField()), salt)))
        .order_by("draw")[:size]
    )
