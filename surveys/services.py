"""Every write of the surveys app: scheduling and sending invitations, answers, follow-ups, reviews.

Called explicitly from the ticket services (no signals): ``ticket_resolve`` and ``callback_attempt``
call ``invitation_schedule``. The Celery task ``surveys.send`` calls ``invitations_send``.
"""

import base64
import hashlib
import logging
import re
import secrets
import time as clock
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import override

from servicecenter.errors import ConflictError, DomainError, ForbiddenError
from sla.models import Notification, NotificationKind
from sla.services import working_deadline
from staff.access import scope_for
from staff.models import StaffMember
from staff.selectors import superior_of
from surveys.backends import Message, SendError, backend_for
from surveys.models import (
    UNHAPPY_AT_MOST,
    Channel,
    ErrorCategory,
    FollowUp,
    FollowUpState,
    Invitation,
    InvitationState,
    QualityReview,
    Question,
    QuestionKind,
    Rating,
    Response,
    SkipReason,
    SurveyTemplate,
)
from tickets.events import event_record
from tickets.models import EventKind, Status, Ticket

logger = logging.getLogger(__name__)


class SurveyError(DomainError):
    pass


class SurveyConflict(ConflictError):
    pass


class SurveyForbidden(ForbiddenError):
    pass


class SurveyGone(SurveyError):
    """The link was used or has expired."""

    status_code = 410


MOBILE = re.compile(r"^1\d{10}$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


# --- quiet hours -------------------------------------------------------------------------------------


def quiet_hours() -> tuple[time, time] | None:
    """``SURVEYS_QUIET_HOURS`` as (start, end) in center time, e.g. 21:00–08:00; empty: none."""
    spec = settings.SURVEYS_QUIET_HOURS.strip()
    if not spec:
        return None
    start, end = (time.fromisoformat(part.strip()) for part in spec.split("-"))
    return start, end


def in_quiet_hours(at: datetime) -> bool:
    window = quiet_hours()
    if window is None:
        return False
    start, end = window
    moment = timezone.localtime(at).time()
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def first_send_time(at: datetime) -> datetime:
    """``at``, or the end of the quiet hours it falls in (center time)."""
    if not in_quiet_hours(at):
        return at
    _start, end = quiet_hours()
    local = timezone.localtime(at)
    candidate = datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=local.tzinfo)
    return candidate


# --- scheduling --------------------------------------------------------------------------------------


def _after_callback(kind: str) -> bool:
    return kind in settings.SURVEYS_AFTER_CALLBACK_KINDS and kind in settings.TICKETS_CALLBACK_KINDS


def template_for(kind: str) -> SurveyTemplate | None:
    """The active template for the kind, else the active one for any kind."""
    return (SurveyTemplate.objects.filter(Q(kind=kind) | Q(kind=""), is_active=True)
            .order_by("-kind", "id").first())


def _contact(customer) -> tuple[str, str]:
    for phone in (customer.phone, customer.phone_alt):
        digits = re.sub(r"[\s-]", "", phone or "")
        if MOBILE.match(digits):
            return Channel.SMS, digits
    if customer.email:
        return Channel.EMAIL, customer.email
    return "", ""


def invitation_schedule(*, ticket: Ticket, trigger: str, now: datetime | None = None) -> Invitation | None:
    """Plan the survey of one resolution. ``trigger`` is ``resolved`` or ``callback``: kinds surveyed
    after their callback wait for it. Idempotent: one invitation per ticket and resolution time.

    A customer without a mobile phone or e-mail, or asked within ``SURVEYS_RESURVEY_DAYS``, gets an
    invitation in state *not sent* with the reason, so the figures can say why.
    """
    if ticket.kind not in settings.SURVEYS_KINDS or ticket.customer_id is None or ticket.resolved_at is None:
        return None
    if (trigger == "callback") != _after_callback(ticket.kind):
        return None
    now = now or timezone.now()
    existing = Invitation.objects.filter(ticket=ticket, resolved_at=ticket.resolved_at).first()
    if existing is not None:
        return existing
    customer = ticket.customer
    channel, address = _contact(customer)
    template = template_for(ticket.kind)
    invitation = Invitation(
        ticket=ticket, resolved_at=ticket.resolved_at, customer=customer, agent_id=ticket.assignee_id,
        team_id=ticket.team_id, kind=ticket.kind, template=template, channel=channel, address=address,
        language=customer.language or settings.LANGUAGE_CODE, created_at=now,
        send_after=first_send_time(now + timedelta(minutes=settings.SURVEYS_DELAY_MINUTES)),
        nonce=secrets.token_hex(32),
    )
    recent = Invitation.objects.filter(
        customer=customer, created_at__gte=now - timedelta(days=settings.SURVEYS_RESURVEY_DAYS),
        state__in=[InvitationState.SCHEDULED, InvitationState.SENT, InvitationState.ANSWERED],
    )
    reason = ""
    if not channel:
        reason = SkipReason.NO_CONTACT
    elif template is None:
        reason = SkipReason.NO_TEMPLATE
    elif recent.exists():
        reason = SkipReason.RECENT
    if reason:
        invitation.state = InvitationState.SKIPPED
        invitation.skip_reason = reason
    invitation.save()
    return invitation


# --- tokens and sending ------------------------------------------------------------------------------


def token_for(invitation: Invitation) -> str:
    """32 bytes, URL-safe: HMAC-SHA256 of the invitation's random nonce under the server's key."""
    digest = salted_hmac("surveys.invitation", f"{invitation.pk}:{invitation.nonce}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(token: str) -> str:
    return f"{settings.SURVEYS_BASE_URL.rstrip('/')}/s/{token}/"


def _message(invitation: Invitation, token: str) -> Message:
    with override(invitation.language):
        subject = _("How did we do? Ticket %(reference)s") % {"reference": invitation.ticket.reference}
        text = _("Your request %(reference)s has been handled. Please tell us how satisfied you are "
                 "(one minute, valid for %(days)s days): %(url)s") % {
            "reference": invitation.ticket.reference, "days": settings.SURVEYS_TOKEN_DAYS, "url": survey_url(token)}
    return Message(key=f"survey-invitation-{invitation.pk}-{invitation.nonce[:12]}", channel=invitation.channel,
                   to=invitation.address, subject=subject, text=text, language=invitation.language)


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    quiet: bool = False
    more: bool = False

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed, "quiet": self.quiet,
                "more": self.more}


def invitations_send(*, now: datetime | None = None, limit: int | None = None) -> SendResult:
    """Send the invitations that are due, each exactly once.

    Nothing goes out in quiet hours. Each invitation is taken in its own short transaction with
    ``FOR UPDATE SKIP LOCKED`` and marked sent in the same transaction as the send, so a second job
    running at the same time skips it and a job that dies before its commit leaves it scheduled
    (retried with the same link and message key). Two queries per message, whatever the backlog.
    """
    started = clock.monotonic()
    now = now or timezone.now()
    limit = limit or settings.SURVEYS_SEND_BATCH
    result = SendResult()
    if in_quiet_hours(now):
        result.quiet = True
        return result
    due = list(Invitation.objects.filter(state=InvitationState.SCHEDULED, send_after__lte=now)
               .order_by("send_after", "id").values_list("pk", flat=True)[: limit + 1])
    result.more = len(due) > limit
    for pk in due[:limit]:
        with transaction.atomic():
            invitation = (Invitation.objects.select_for_update(skip_locked=True, of=("self",))
                          .select_related("ticket").filter(pk=pk, state=InvitationState.SCHEDULED).first())
            if invitation is None:
                continue
            token = token_for(invitation)
            invitation.attempts += 1
            try:
                backend_for(invitation.channel).send(_message(invitation, token))
            except SendError as error:
                invitation.last_error = str(error)[:300]
                if invitation.attempts >= settings.SURVEYS_MAX_ATTEMPTS:
                    invitation.state = InvitationState.FAILED
                    result.failed += 1
                else:
                    invitation.send_after = first_send_time(now + timedelta(minutes=5 * 2 ** invitation.attempts))
                    result.retried += 1
                invitation.save(update_fields=["attempts", "last_error", "state", "send_after"])
                continue
            invitation.state = InvitationState.SENT
            invitation.sent_at = now
            invitation.expires_at = now + timedelta(days=settings.SURVEYS_TOKEN_DAYS)
            invitation.token_hash = token_hash(token)
            invitation.save(update_fields=["attempts", "state", "sent_at", "expires_at", "token_hash"])
            result.sent += 1
    logger.info("surveys.send done", extra={**result.as_dict(), "due": min(len(due), limit),
                                             "duration_ms": round((clock.monotonic() - started) * 1000, 1)})
    return result


# --- answering ---------------------------------------------------------------------------------------


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link belongs to, or None. Malformed tokens do not reach the database."""
    if not TOKEN.match(token or ""):
        return None
    return (Invitation.objects.select_related("ticket", "template", "agent")
            .filter(token_hash=token_hash(token)).first())


def invitation_is_open(invitation: Invitation, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return invitation.state == InvitationState.SENT and invitation.expires_at is not None and invitation.expires_at > now


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


def _clean_answers(questions: list[Question], raw: dict) -> tuple[bool | None, int | None, str, dict]:
    solved = attitude = None
    comment = ""
    others: dict = {}
    for question in questions:
        value = raw.get(question.code)
        if question.kind == QuestionKind.RATING:
            cleaned = _rating(value, field=question.code, required=question.is_required)
        elif question.kind == QuestionKind.YES_NO:
            if value in (None, ""):
                if question.is_required:
                    raise SurveyError(_("Answer yes or no."), code=question.code)
                cleaned = None
            elif str(value).lower() in ("yes", "true", "1"):
                cleaned = True
            elif str(value).lower() in ("no", "false", "0"):
                cleaned = False
            else:
                raise SurveyError(_("Answer yes or no."), code=question.code)
        else:
            cleaned = str(value or "").strip()
            if len(cleaned) > 2000:
                raise SurveyError(_("Please keep the comment under 2,000 characters."), code=question.code)
            if question.is_required and not cleaned:
                raise SurveyError(_("Please write a few words."), code=question.code)
        if question.code == "solved":
            solved = cleaned
        elif question.code == "attitude":
            attitude = cleaned
        elif question.code == "comment":
            comment = cleaned or ""
        elif cleaned not in (None, ""):
            others[question.code] = cleaned
    return solved, attitude, comment, others


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


# --- follow-ups of unhappy answers -------------------------------------------------------------------


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
        notification = Notification.objects.create(
            recipient=supervisor.user, ticket_id=invitation.ticket_id, kind=NotificationKind.FOLLOW_UP,
            created_at=now, due_at=follow_up.due_at)
        from sla.tasks import sla_notify_task

        transaction.on_commit(lambda: sla_notify_task.delay([notification.pk]))
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


# --- quality reviews ---------------------------------------------------------------------------------


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
