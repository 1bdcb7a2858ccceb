"""Quality reviews (质检) of handled tickets, by the people above their holders."""


from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.access import scope_for
from surveys.models import (
    ErrorCategory,
    QualityReview,
)
from surveys.services.errors import SurveyConflict, SurveyError, SurveyForbidden
from tickets.models import Status, Ticket

HANDLED = (Status.RESOLVED, Status.CLOSED)


@transaction.atomic
def quality_review_create(*, ticket_id: int, actor, has_error: bool, score, error_category: str = "",
                          notes: str = "") -> QualityReview:
    """A leader's review of a handled ticket of someone below them; one review per ticket."""
    scope = scope_for(actor)
    if not scope.may_lead:
        raise SurveyForbidden(_("Quality reviews are for team leads, supervisors and the director."),
                              code="forbidden")
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise SurveyError(_("The score is a whole number from 0 to 100."), code="score") from None
    if not 0 <= score <= 100:
        raise SurveyError(_("The score is a whole number from 0 to 100."), code="score")
    if has_error and error_category not in ErrorCategory.values:
        raise SurveyError(_("Choose the category of the error."), code="error_category")
    if not has_error:
        error_category = ""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None or not (scope.sees_all or ticket.assignee_id in scope.staff_ids):
        raise SurveyError(_("No such ticket among your team's work."), code="not_found")
    if scope.staff is not None and ticket.assignee_id == scope.staff.pk:
        raise SurveyForbidden(_("Nobody reviews their own tickets."), code="own_ticket")
    if ticket.status not in HANDLED:
        raise SurveyConflict(_("Only resolved or closed tickets are reviewed."), code="not_handled")
    try:
        with transaction.atomic():
            return QualityReview.objects.create(ticket=ticket, agent_id=ticket.assignee_id, reviewer=scope.staff,
                                                reviewed_at=timezone.now(), has_error=has_error,
                                                error_category=error_category, score=score, notes=notes.strip())
    except IntegrityError:
        raise SurveyConflict(_("This ticket has been reviewed already."), code="reviewed") from None
