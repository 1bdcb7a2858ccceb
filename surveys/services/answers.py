"""A customer's answer through the link, and the follow-up an unhappy answer opens for the
holder's superior."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notification_follow_up
from sla.services import working_deadline
from staff.access import scope_for
from staff.models import StaffMember
from staff.selectors import superior_of
from surveys.models import (
    UNHAPPY_AT_MOST,
    FollowUp,
    FollowUpState,
    Invitation,
    InvitationState,
    Question,
    QuestionKind,
    Rating,
    Response,
)
from surveys.services.errors import SurveyConflict, SurveyError, SurveyForbidden, SurveyGone
from surveys.services.sending import TOKEN, token_hash
from tickets.events import event_record
from tickets.models import EventKind


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link belongs to, or None. Malformed tokens do not reach the database."""
    if not TOKEN.match(token or ""):
        return None
    return (Invitation.objects.select_related("ticket", "template", "agent")
            .filter(token_hash=token_hash(token)).first())


def invitation_is_open(invitation: Invitation, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    expires_at = invitation.expires_at
    return invitation.state == InvitationState.SENT and expires_at is not None and expires_at > now


def _rating(value, *, field: str, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise SurveyError(_("Choose one of the five answers."), code=field)
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SurveyError(_("Choose one of the five answers."), code=field) from None
    if number not in Rating.values:
        raise SurveyError(_("Choose one of the five answers."), code=field)
    return number


def _yes_no(value, *, field: str, required: bool) -> bool | None:
    if value in (None, ""):
        if required:
            raise SurveyError(_("Answer yes or no."), code=field)
        return None
    if str(value).lower() in ("yes", "true", "1"):
        return True
    if str(value).lower() in ("no", "false", "0"):
        return False
    raise SurveyError(_("Answer yes or no."), code=field)


def _text(value, *, field: str, required: bool) -> str:
    cleaned = str(value or "").strip()
    if len(cleaned) > 2000:
        raise SurveyError(_("Please keep the comment under 2,000 characters."), code=field)
    if required and not cleaned:
        raise SurveyError(_("Please write a few words."), code=field)
    return cleaned


_CLEANERS = {QuestionKind.RATING: _rating, QuestionKind.YES_NO: _yes_no}


def _clean_answers(questions: list[Question], raw: dict) -> tuple[bool | None, int | None, str, dict]:
    """Each question's answer checked by its kind: the two fixed questions, the comment, and the rest."""
    answers: dict = {}
    for question in questions:
        clean = _CLEANERS.get(question.kind, _text)
        answers[question.code] = clean(raw.get(question.code), field=question.code, required=question.is_required)
    others = {code: value for code, value in answers.items()
              if code not in ("solved", "attitude", "comment") and value not in (None, "")}
    return answers.get("solved"), answers.get("attitude"), answers.get("comment") or "", others


@transaction.atomic
def survey_answer(*, token: str, rating, answers: dict, now: datetime | None = None) -> Response:
    """Record a customer's answer. The link is single-use: the invitation is marked answered by a
    compare-and-set, so of two posts at once one records and the other gets ``SurveyGone``.

    Bad input raises ``SurveyError`` before anything is written. An unhappy rating creates the
    follow-up for the agent's supervisor.
    """
    now = now or timezone.now()
    invitation = invitation_for_token(token)
    if invitation is None:
        raise SurveyError(_("This survey link is not valid."), code="not_found")
    overall = _rating(rating, field="rating", required=True)
    questions = list(invitation.template.questions.all()) if invitation.template_id else []
    solved, attitude, comment, others = _clean_answers(questions, answers)
    taken = Invitation.objects.filter(pk=invitation.pk, state=InvitationState.SENT, expires_at__gt=now).update(
        state=InvitationState.ANSWERED, answered_at=now)
    if not taken:
        raise SurveyGone(_("This survey has already been answered or has expired."), code="gone")
    response = Response.objects.create(invitation=invitation, rating=overall, solved=solved, attitude=attitude,
                                       comment=comment, answers=others, answered_at=now)
    event_record(ticket_id=invitation.ticket_id, kind=EventKind.SURVEY, field="rating", new=overall, body=comment)
    if overall <= UNHAPPY_AT_MOST:
        follow_up_create(response=response, invitation=invitation, now=now)
    return response


def follow_up_create(*, response: Response, invitation: Invitation, now: datetime) -> FollowUp:
    """For the agent's supervisor (the nearest holder of a post above the agent's), due by close of
    business on the next working day, with a notification in the bell and by e-mail."""
    agent = invitation.agent
    supervisor = None
    if agent is not None:
        link = superior_of(agent)
        supervisor = StaffMember.objects.select_related("user").filter(pk=link.staff_id).first() if link else None
    follow_up = FollowUp.objects.create(response=response, ticket_id=invitation.ticket_id, agent=agent,
                                        supervisor=supervisor, created_at=now, due_at=working_deadline(now, 1))
    if supervisor is not None:
        notification_follow_up(recipient_id=supervisor.user_id, ticket_id=invitation.ticket_id,
                               due_at=follow_up.due_at, at=now)
    return follow_up


@transaction.atomic
def follow_up_close(*, follow_up_id: int, actor, outcome: str) -> FollowUp:
    """Record what was done for the unhappy customer. For the supervisor and those above the agent."""
    if not outcome.strip():
        raise SurveyError(_("Say what was done for the customer."), code="empty")
    follow_up = FollowUp.objects.select_for_update(of=("self",)).filter(pk=follow_up_id).first()
    if follow_up is None:
        raise SurveyError(_("No such follow-up."), code="not_found")
    scope = scope_for(actor)
    is_supervisor = scope.staff is not None and follow_up.supervisor_id == scope.staff.pk
    if not (is_supervisor or scope.leads(follow_up.agent_id)):
        raise SurveyForbidden(_("Only the agent's supervisor or those above can close this follow-up."),
                              code="forbidden")
    if follow_up.state != FollowUpState.OPEN:
        raise SurveyConflict(_("This follow-up is already closed."), code="closed")
    follow_up.state = FollowUpState.DONE
    follow_up.closed_at = timezone.now()
    follow_up.closed_by = actor
    follow_up.outcome = outcome.strip()
    follow_up.save(update_fields=["state", "closed_at", "closed_by", "outcome"])
    event_record(ticket_id=follow_up.ticket_id, kind=EventKind.SURVEY, actor=actor, field="follow_up",
                 new=FollowUpState.DONE, body=follow_up.outcome)
    return follow_up
