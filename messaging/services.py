"""Replies that reach the customer: queued in the reply's own transaction, sent once each by a worker,
retried with backoff, failed after ``MESSAGING_MAX_ATTEMPTS`` with the reason kept; receipts from the
SMS gateway mark them delivered or failed.

Quiet hours do not apply: a reply is the answer the customer is waiting for. Internal notes never
come here (only ``ticket_reply`` calls the hook point that queues a message).
"""

from __future__ import annotations

import logging
import re
import secrets
import time as clock
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from messaging.backends import Backend, Message, SendError
from messaging.models import Attachment, CannedReply, Channel, Delivery, DeliveryState, InboundMessage, Purpose
from servicecenter.errors import ForbiddenError
from sla.models import Clock, ClockState, Target
from tickets.choices import ContactPreference, Kind
from tickets.models import Customer, Ticket, TicketEvent

logger = logging.getLogger("messaging.services")

class CannedRepliesForbidden(ForbiddenError):
    """Canned replies are kept by leads and admins."""


TRACK_SALT = "messaging.track"
MOBILE = re.compile(r"^1\d{10}$")  # a mainland mobile number, as written after spaces and dashes are dropped


def mobile_of(customer: Customer) -> str:
    """The customer's first mainland mobile number (phone, then the other phone), digits only; "" if none."""
    for phone in (customer.phone, customer.phone_alt):
        digits = re.sub(r"[\s-]", "", phone or "")
        if MOBILE.match(digits):
            return digits
    return ""


def contact_for(customer: Customer | None) -> tuple[str, str]:
    """The channel and address a reply to ``customer`` goes to: their preference when they have that
    address, else the other; automatic is SMS to a mobile number, else e-mail. ("", "") when none."""
    if customer is None:
        return "", ""
    mobile = mobile_of(customer)
    email = "" if customer.email_bounced_at else customer.email  # a bounced address waits to be corrected
    order = [Channel.EMAIL, Channel.SMS] if customer.contact_preference == ContactPreference.EMAIL else [
        Channel.SMS, Channel.EMAIL]
    for channel in order:
        address = mobile if channel == Channel.SMS else email
        if address:
            return channel, address
    return "", ""


def one_line(text: str) -> str:
    """``text`` on one line (an e-mail header cannot hold a line break: a subject folded by the customer's
    mail program comes in with one)."""
    return " ".join((text or "").split())


def reply_words(*, ticket: Ticket, body: str, channel: str, language: str) -> tuple[str, str]:
    """A reply's subject and text as the customer receives them, in their language. The subject
    carries the ticket's reference in brackets, which a reply by e-mail is threaded by."""
    with override(language):
        subject = _("Re: [%(reference)s] %(subject)s") % {"reference": ticket.reference,
                                                         "subject": one_line(ticket.subject)}
        if channel == Channel.SMS:
            text = _("%(body)s (ticket %(reference)s)") % {"body": body, "reference": ticket.reference}
        else:
            footer = _("Ticket %(reference)s. Follow it at %(url)s; to add to it, reply to this e-mail.") % {
                "reference": ticket.reference, "url": f"{settings.MESSAGING_BASE_URL.rstrip('/')}/track/"}
            text = f"{body}\n\n--\n{footer}\n"
    return subject[:300], text


def delivery_queue(*, ticket: Ticket, event: TicketEvent, now: datetime | None = None) -> Delivery:
    """Queue the reply ``event`` of ``ticket`` for its customer, sent after the reply's transaction
    commits. A customer without a mobile number or e-mail gets a delivery *not sent*, shown on the
    ticket so the agent knows to call instead."""
    now = now or timezone.now()
    customer = ticket.customer if ticket.customer_id else None
    channel, address = contact_for(customer)
    language = (customer.language if customer else "") or settings.LANGUAGE_CODE
    subject, text = reply_words(ticket=ticket, body=event.body, channel=channel or Channel.SMS, language=language)
    delivery = Delivery.objects.create(
        ticket=ticket, event=event, purpose=Purpose.REPLY, channel=channel, address=address, language=language,
        subject=subject, text=text, state=DeliveryState.QUEUED if channel else DeliveryState.NOT_SENT,
        key=f"reply-{event.pk}-{secrets.token_hex(8)}", created_at=now, send_after=now)
    if channel:
        _send_after_commit()
    return delivery


def track_url(ticket: Ticket) -> str:
    """A link that shows the customer their ticket without asking for anything (``messaging.views.track``):
    the ticket's id signed with the server's key, valid ``MESSAGING_TRACK_DAYS`` days."""
    token = signing.TimestampSigner(salt=TRACK_SALT).sign(str(ticket.pk))
    return f"{settings.MESSAGING_BASE_URL.rstrip('/')}{reverse('messaging:track', args=[token])}"


def tracked_ticket_id(token: str) -> int | None:
    try:
        value = signing.TimestampSigner(salt=TRACK_SALT).unsign(token, max_age=timedelta(
            days=settings.MESSAGING_TRACK_DAYS))
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def deadline_words(moment: datetime) -> str:
    """A deadline as a customer reads it, in the active language: 2026年10月13日（星期二）17:30."""
    return formats.date_format(timezone.localtime(moment), pgettext("a deadline in words", "l, j F Y, H:i"))


def acknowledgement_words(*, ticket: Ticket, channel: str, language: str) -> tuple[str, str]:
    """An acknowledgement's subject and text: the reference, the real deadline on the working-day
    calendar (said to be provisional while next year's holidays are not published), and, except for
    a report, the tracking link."""
    clock = (Clock.objects.filter(ticket=ticket, target=Target.RESOLUTION, callback__isnull=True)
             .exclude(state=ClockState.CANCELLED).order_by("due_at").first())
    with override(language):
        subject = _("We have received your request [%(reference)s]") % {"reference": ticket.reference}
        lines = [_("We have received your request. Its reference is %(reference)s.") % {
            "reference": ticket.reference}]
        if clock is not None and clock.due_at is not None:
            lines.append(_("We will answer you by %(deadline)s.") % {"deadline": deadline_words(clock.due_at)})
            if clock.provisional:
                lines.append(_("(Provisional: next year's public holidays are not published yet.)"))
        if ticket.kind != Kind.REPORT:
            lines.append(_("Follow it here: %(url)s") % {"url": track_url(ticket)})
        if channel == Channel.EMAIL:
            lines.append(_("To add to it, reply to this e-mail."))
    return subject[:300], ("\n" if channel == Channel.EMAIL else " ").join(lines) + (
        "\n" if channel == Channel.EMAIL else "")


def acknowledgement_queue(*, ticket: Ticket, now: datetime | None = None) -> Delivery | None:
    """Queue the acknowledgement of a ticket the customer filed themselves; None when they left no
    mobile number or e-mail (nobody to tell)."""
    now = now or timezone.now()
    customer = ticket.customer if ticket.customer_id else None
    channel, address = contact_for(customer)
    if not channel:
        return None
    language = (customer.language if customer else "") or settings.LANGUAGE_CODE
    subject, text = acknowledgement_words(ticket=ticket, channel=channel, language=language)
    delivery = Delivery.objects.create(
        ticket=ticket, purpose=Purpose.ACKNOWLEDGEMENT, channel=channel, address=address, language=language,
        subject=subject, text=text, key=f"ack-{ticket.pk}-{secrets.token_hex(8)}", created_at=now, send_after=now)
    _send_after_commit()
    return delivery


def _send_after_commit() -> None:
    from messaging.tasks import deliveries_send_task

    transaction.on_commit(lambda: deliveries_send_task.delay())


def backend_for(channel: str) -> Backend:
    path = settings.MESSAGING_SMS_BACKEND if channel == Channel.SMS else settings.MESSAGING_EMAIL_BACKEND
    return import_string(path)()


def _thread_headers(delivery: Delivery) -> dict[str, str]:
    """E-mail headers that thread a message under the ticket's conversation so far, the customer's
    e-mails and ours in the order they were written (their mail program shows one conversation; their
    answer names what it answers)."""
    if delivery.channel != Channel.EMAIL:
        return {}
    ours = Delivery.objects.filter(ticket_id=delivery.ticket_id, channel=Channel.EMAIL, gateway_id__gt="",
                                   pk__lt=delivery.pk).values_list("created_at", "gateway_id")
    theirs = InboundMessage.objects.filter(ticket_id=delivery.ticket_id, message_id__gt="").values_list(
        "received_at", "message_id")
    # In the order written; at the same moment the customer's comes first (ours answer theirs).
    earlier = [message_id for _at, _ours, message_id in sorted(
        [(at, 1, message_id) for at, message_id in ours] + [(at, 0, message_id) for at, message_id in theirs])]
    if not earlier:
        return {}
    return {"In-Reply-To": earlier[-1], "References": " ".join(earlier[-10:])}


def _files(delivery: Delivery) -> tuple[tuple[str, bytes, str], ...]:
    """The files of the reply an e-mail carries (an SMS carries none)."""
    if delivery.channel != Channel.EMAIL or delivery.event_id is None:
        return ()
    files = []
    for attachment in Attachment.objects.filter(event_id=delivery.event_id, refused="").order_by("pk"):
        with attachment.file.open("rb") as handle:
            files.append((attachment.name, handle.read(), attachment.content_type))
    return tuple(files)


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    more: bool = False

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed, "more": self.more}


def deliveries_send(*, now: datetime | None = None, limit: int | None = None) -> SendResult:
    """Send the queued messages that are due, each exactly once.

    Each is taken in its own short transaction with ``FOR UPDATE SKIP LOCKED`` and marked in the same
    transaction as the send: a second sender running at the same time skips it, and a sender that dies
    before its commit leaves it queued, sent again later with the same key. A refused send is tried
    again after 1, 2, 4 … minutes, and fails for good after ``MESSAGING_MAX_ATTEMPTS``.
    """
    started = clock.monotonic()
    now = now or timezone.now()
    limit = limit or settings.MESSAGING_SEND_BATCH
    result = SendResult()
    due = list(Delivery.objects.filter(state=DeliveryState.QUEUED, send_after__lte=now)
               .order_by("send_after", "id").values_list("pk", flat=True)[: limit + 1])
    result.more = len(due) > limit
    for pk in due[:limit]:
        with transaction.atomic():
            delivery = (Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                        .filter(pk=pk, state=DeliveryState.QUEUED).first())
            if delivery is None:
                continue
            delivery.attempts += 1
            try:
                message = Message(key=delivery.key, channel=delivery.channel, to=delivery.address,
                                  subject=one_line(delivery.subject), text=delivery.text, language=delivery.language,
                                  headers=_thread_headers(delivery), attachments=_files(delivery))
                gateway_id = backend_for(delivery.channel).send(message)
            except Exception as error:
                if not isinstance(error, SendError):
                    logger.exception("messaging.send message failed", extra={"delivery": delivery.pk})
                delivery.last_error = str(error)[:300] or type(error).__name__
                if delivery.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
                    delivery.state, delivery.failed_at = DeliveryState.FAILED, now
                    result.failed += 1
                else:
                    delivery.send_after = now + timedelta(minutes=2 ** (delivery.attempts - 1))
                    result.retried += 1
                delivery.save(update_fields=["attempts", "last_error", "state", "send_after", "failed_at"])
                continue
            delivery.state, delivery.sent_at = DeliveryState.SENT, now
            delivery.gateway_id = (gateway_id or "")[:200]
            delivery.last_error = ""
            delivery.save(update_fields=["attempts", "state", "sent_at", "gateway_id", "last_error"])
            result.sent += 1
    logger.info("messaging.send done", extra={**result.as_dict(), "due": min(len(due), limit),
                                               "duration_ms": round((clock.monotonic() - started) * 1000, 1)})
    return result


RECEIPT_STATES = {"delivered": DeliveryState.DELIVERED, "failed": DeliveryState.FAILED}


@transaction.atomic
def delivery_receipt(*, gateway_id: str = "", key: str = "", status: str, error: str = "",
                     now: datetime | None = None) -> Delivery | None:
    """Record the SMS gateway's receipt for a message it was sent (named by its id, or by our key).
    A receipt for a message not known, or one already final, changes nothing; returns the delivery
    changed, or None."""
    state = RECEIPT_STATES.get(status)
    if state is None or not (gateway_id or key):
        return None
    found = Delivery.objects.select_for_update(of=("self",)).filter(state=DeliveryState.SENT)
    found = found.filter(gateway_id=gateway_id) if gateway_id else found.filter(key=key)
    delivery = found.order_by("pk").first()
    if delivery is None:
        return None
    now = now or timezone.now()
    delivery.state = state
    if state == DeliveryState.DELIVERED:
        delivery.delivered_at = now
    else:
        delivery.failed_at, delivery.last_error = now, (error or _("The gateway could not deliver it."))[:300]
    delivery.save(update_fields=["state", "delivered_at", "failed_at", "last_error"])
    return delivery


CANNED_FIELDS = ("title", "body", "kind", "business_line", "language", "is_active", "sort_order")


def canned_replies_access(*, scope) -> None:
    """Canned replies are kept by leads (team leads, supervisors, the director) and admins."""
    if not scope.may_lead:
        raise CannedRepliesForbidden(_("Only leads and admins keep the canned replies."), code="not_a_lead")


@transaction.atomic
def canned_reply_save(*, scope, reply: CannedReply | None, data: dict) -> CannedReply:
    """Add a canned reply, or change ``reply``, from validated ``data`` (``CANNED_FIELDS``)."""
    canned_replies_access(scope=scope)
    reply = reply or CannedReply()
    for name in CANNED_FIELDS:
        setattr(reply, name, data[name])
    reply.save()
    return reply
