"""Invitations: when one is due (a delay, quiet hours, the template of the kind), the signed link,
and sending them once each, whatever runs at the same time."""

import base64
import hashlib
import logging
import re
import secrets
import time as clock
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import override

from messaging.services import mobile_of
from surveys.backends import Message, SendError, backend_for
from surveys.models import (
    Channel,
    Invitation,
    InvitationState,
    SkipReason,
    SurveyTemplate,
)
from tickets.models import Ticket

# The name the log settings know (``LOGGING``), unchanged since this was one module.
logger = logging.getLogger("surveys.services")

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


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


def _after_callback(kind: str) -> bool:
    return kind in settings.SURVEYS_AFTER_CALLBACK_KINDS and kind in settings.TICKETS_CALLBACK_KINDS


def template_for(kind: str) -> SurveyTemplate | None:
    """The active template for the kind, else the active one for any kind."""
    return (SurveyTemplate.objects.filter(Q(kind=kind) | Q(kind=""), is_active=True)
            .order_by("-kind", "id").first())


def _contact(customer) -> tuple[str, str]:
    mobile = mobile_of(customer)
    if mobile:
        return Channel.SMS, mobile
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
