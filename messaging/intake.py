"""E-mail in: each message taken from a mailbox becomes a ticket, or lands on the ticket it answers.

Threading, in order (the first that finds a ticket wins):

1. its ``In-Reply-To`` or ``References`` name a reply we sent (``Delivery.gateway_id``, our own
   Message-ID, random and so not guessable) or an earlier message of the ticket's;
2. its subject carries a ticket's reference in brackets (``[TS-20261013-000042]``, as our replies'
   subjects do) and it comes from that ticket's customer's address;
3. it comes from the address of a customer with a ticket opened in the last
   ``MESSAGING_THREAD_DAYS`` days under the same subject (``Re:``/``回复：`` and the like set aside).

Otherwise it opens a ticket (channel e-mail, the mailbox's kind and team, the customer matched by
address). A message on a ticket goes through ``ticket_customer_message``: a ticket waiting on the
customer resumes, a resolved one reopens within its window, a closed one gets a follow-up.

Automatic replies (RFC 3834 ``Auto-Submitted``, ``X-Autoreply``, ``Precedence: auto_reply``) open
nothing. A bounce (a delivery-status report) marks the address it failed for, and the reply it
returns as failed. A message that cannot be read is quarantined whole with the reason.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from imap_tools import MailMessage

from messaging.attachments import attachments_store
from messaging.models import Delivery, DeliveryState, InboundMessage, InboundState
from messaging.services import one_line
from servicecenter.errors import DomainError
from staff.models import Unit
from tickets import services as tickets
from tickets.choices import Channel as TicketChannel
from tickets.models import Customer, EventKind, Ticket, TicketEvent

MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")
REFERENCE = re.compile(r"\[(TS-\d{8}-\d{6})\]")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
# Where a reply's quoted history starts, in the mail programs customers use.
QUOTE_START = re.compile(
    r"^(On .{3,200} wrote:|在 ?.{3,200}写道[:：]|-{2,} ?(Original Message|原始邮件|Forwarded message) ?-{2,}|"
    r"(From|发件人)[:：] .+)\s*$", re.MULTILINE)
MAX_BODY = 20_000
SUBJECT_MAX = Ticket._meta.get_field("subject").max_length
MAX_FILES = 20  # of one e-mail; the rest are listed as not accepted
logger = logging.getLogger("messaging.intake")


@dataclass(frozen=True)
class Mailbox:
    """Where e-mail comes from (``MESSAGING_MAILBOXES``): its name, the kind of ticket it opens, and
    the team that gets them (a unit's code; empty: the routing rules decide)."""

    name: str
    kind: str = "inquiry"
    team: str = ""


def new_part(text: str) -> str:
    """The text the customer wrote this time: the quoted history below it cut off."""
    match = QUOTE_START.search(text)
    kept = text[: match.start()] if match and match.start() > 0 else text
    lines = kept.rstrip().splitlines()
    while lines and lines[-1].lstrip().startswith(">"):
        lines.pop()
    return "\n".join(lines).strip()[:MAX_BODY]


def bare_subject(subject: str) -> str:
    return REPLY_PREFIX.sub("", REFERENCE.sub("", subject or "")).strip().casefold()


def _key(message_id: str, raw: bytes) -> str:
    if message_id and len(message_id) <= 190:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()


def _header(message: MailMessage, name: str) -> str:
    values = message.headers.get(name.lower(), ())
    return " ".join(values).strip()


def _is_auto_reply(message: MailMessage) -> bool:
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    return _header(message, "Precedence").lower() in ("auto_reply", "bulk", "junk")


def _is_bounce(message: MailMessage) -> bool:
    content_type = message.obj.get_content_type()
    if content_type == "multipart/report" and "delivery-status" in (message.obj.get_param("report-type") or ""):
        return True
    sender = (message.from_values.email if message.from_values else "").lower()
    return sender.split("@")[0] in ("mailer-daemon", "postmaster")


def _threaded_ids(message: MailMessage) -> list[str]:
    return MESSAGE_ID.findall(_header(message, "In-Reply-To") + " " + _header(message, "References"))


def thread_of(message: MailMessage, sender: str, now) -> Ticket | None:
    """The ticket ``message`` continues, by the three rules of this module, or None."""
    ids = _threaded_ids(message)
    if ids:
        ours = (Delivery.objects.filter(gateway_id__in=ids).order_by("-pk").values_list("ticket_id", flat=True)
                .first())
        if ours is None:
            ours = (InboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False).order_by("-pk")
                    .values_list("ticket_id", flat=True).first())
        if ours is not None:
            return Ticket.objects.filter(pk=ours).first()
    tagged = REFERENCE.search(message.subject or "")
    if tagged:
        ticket = Ticket.objects.filter(reference=tagged.group(1), customer__email__iexact=sender).first()
        if ticket is not None:
            return ticket
    subject = bare_subject(message.subject)
    if subject:
        since = now - timedelta(days=settings.MESSAGING_THREAD_DAYS)
        for ticket in (Ticket.objects.filter(customer__email__iexact=sender, received_at__gte=since)
                       .order_by("-received_at", "-pk").only("pk", "subject")[:20]):
            if bare_subject(ticket.subject) == subject:
                return ticket
    return None


def _body(message: MailMessage) -> str:
    text = message.text or strip_tags(message.html or "")
    return new_part(text.replace("\r\n", "\n"))


def _bounce(message: MailMessage, raw: bytes, now) -> str:
    """A bounce counts only when it returns one of our own e-mails (its Message-ID, random, is in it):
    that e-mail is failed, and its address marked bounced on its customer. Anyone can write "from
    postmaster" naming someone's address; nobody else knows our Message-IDs. The reason to keep."""
    returned = MESSAGE_ID.findall(raw.decode("latin-1"))
    ours = list(Delivery.objects.filter(gateway_id__in=returned, channel="email",
                                        state__in=[DeliveryState.SENT, DeliveryState.DELIVERED])
                .values_list("pk", "ticket__customer_id", "address"))
    if not ours:
        return _("Not one of our e-mails: nothing marked.")
    Delivery.objects.filter(pk__in=[pk for pk, _customer, _address in ours]).update(
        state=DeliveryState.FAILED, failed_at=now, last_error=_("The e-mail bounced."))
    for _pk, customer_id, address in ours:
        Customer.objects.filter(pk=customer_id, email__iexact=address, email_bounced_at__isnull=True).update(
            email_bounced_at=now)
    return ", ".join(sorted({address for _pk, _customer, address in ours}))[:300]


def _team(mailbox: Mailbox) -> Unit | None:
    return Unit.objects.filter(code=mailbox.team).first() if mailbox.team else None


def message_receive(*, mailbox: Mailbox, raw: bytes) -> InboundMessage | None:
    """Take one message (its bytes as received); None when it was taken before (the same key)."""
    now = timezone.now()
    try:
        message = MailMessage.from_bytes(raw)
        message_id = (MESSAGE_ID.findall(_header(message, "Message-ID")) or [""])[0]
        sender = (message.from_values.email if message.from_values else "").strip().lower()
        subject = one_line(message.subject)[:SUBJECT_MAX]  # as long as a ticket's
    except Exception as error:  # anything unreadable is quarantined, never lost
        return _quarantine(mailbox, raw, now, _("Cannot be read: %(error)s") % {"error": error})
    if len(sender) > 254:
        return _quarantine(mailbox, raw, now, _("The sender's address is too long."))
    key = _key(message_id, raw)
    if InboundMessage.objects.filter(key=key).exists():
        return None
    record = InboundMessage(mailbox=mailbox.name, key=key, message_id=message_id[:998], from_address=sender[:254],
                            subject=subject[:300], received_at=now)
    try:
        with transaction.atomic():
            _take(record, message, raw, mailbox, sender, subject, now)
    except IntegrityError:  # another poller took it first
        if InboundMessage.objects.filter(key=key).exists():
            return None
        raise
    except (OperationalError, InterfaceError):
        raise  # the database is away: left unseen, taken on a later poll
    except Exception as error:  # a message we cannot take is kept with the reason, never lost
        if not isinstance(error, DomainError):
            logger.exception("messaging.intake message quarantined", extra={"key": key})
        return _quarantine(mailbox, raw, now, str(error) or type(error).__name__, record=record)
    return record


def _take(record: InboundMessage, message: MailMessage, raw: bytes, mailbox: Mailbox, sender: str, subject: str,
          now) -> None:
    if _is_bounce(message):
        record.state, record.reason = InboundState.BOUNCE, _bounce(message, raw, now)
        record.save()
        return
    if _is_auto_reply(message):
        record.state = InboundState.AUTO_REPLY
        record.save()
        return
    if not sender:
        raise DomainError(_("The message names no sender."), code="no_sender")
    record.save()  # the key is claimed first: a second poller waits here, then finds it taken
    body = _body(message)
    ticket = thread_of(message, sender, now)
    if ticket is None:
        name = (message.from_values.name if message.from_values else "").strip() or sender.split("@")[0]
        created = tickets.ticket_create(
            actor=None, kind=mailbox.kind, channel=TicketChannel.EMAIL, subject=subject or _("(no subject)"),
            customer={"name": name[:100], "email": sender}, description=body, team=_team(mailbox), public=True)
        record.state, record.ticket = InboundState.CREATED, created
        record.event = TicketEvent.objects.filter(ticket=created, kind=EventKind.CREATED).order_by("pk").first()
    else:
        result = tickets.ticket_customer_message(ticket_id=ticket.pk, body=body, channel=TicketChannel.EMAIL,
                                                 subject=subject)
        record.state = {"added": InboundState.ADDED, "resumed": InboundState.RESUMED,
                        "reopened": InboundState.REOPENED, "follow_up": InboundState.FOLLOW_UP}[result.outcome]
        record.ticket, record.event = result.ticket, result.event
    files = [(part.filename, part.payload) for part in message.attachments if part.payload]
    if len(files) > MAX_FILES:
        files = files[:MAX_FILES] + [(name, b"") for name, _data in files[MAX_FILES:]]  # listed, refused
    if files:
        refused = [a.refused for a in attachments_store(ticket_id=record.ticket.pk, event_id=record.event_id,
                                                        files=files, from_customer=True, now=now) if a.refused]
        record.reason = " ".join(refused)[:300]
    record.save(update_fields=["state", "ticket", "event", "reason"])


def _quarantine(mailbox: Mailbox, raw: bytes, now, reason: str, record: InboundMessage | None = None
                ) -> InboundMessage | None:
    key = record.key if record is not None else "sha256:" + hashlib.sha256(raw).hexdigest()
    found = InboundMessage.objects.filter(key=key).first()
    if found is not None:
        return None
    quarantined = InboundMessage(mailbox=mailbox.name, key=key, received_at=now, state=InboundState.QUARANTINED,
                                 reason=reason[:300], raw=raw,
                                 message_id=record.message_id if record else "",
                                 from_address=record.from_address if record else "",
                                 subject=record.subject if record else "")
    try:
        with transaction.atomic():
            quarantined.save()
    except IntegrityError:
        return None
    return quarantined
