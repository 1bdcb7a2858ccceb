"""A customer writes again about a ticket (by e-mail now; any channel that carries their words).

What their message does depends on where the ticket stands, by the state machine:

- open: it is added to the timeline; a ticket waiting on the customer (待客户补充) resumes, and its
  resolution clock with it;
- resolved within ``TICKETS_REOPEN_DAYS``: the ticket is reopened, the time it spent resolved
  counting as a pause of its resolution clock (``clocks_reopen``);
- resolved longer ago, closed or cancelled: a new ticket is opened for the same customer, kind and
  team, following the old one (``Ticket.follows``), and the old one's timeline says so.

No staff member acts: the entries carry no actor. One transaction with the ticket locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import hooks, workflow
from tickets.events import event_record
from tickets.models import EventKind, Status, Ticket, TicketEvent
from tickets.services.base import _lock, _reopen, _save, _set_status
from tickets.services.intake import ticket_create

ADDED, RESUMED, REOPENED, FOLLOW_UP = "added", "resumed", "reopened", "follow_up"


@dataclass(frozen=True)
class CustomerMessage:
    """Where a customer's message went: ``ticket`` holds it (the new one, for a follow-up)."""

    ticket: Ticket
    event: TicketEvent
    outcome: str


def _too_late(ticket: Ticket, now) -> bool:
    if ticket.status in (Status.CLOSED, Status.CANCELLED):
        return True
    window = timedelta(days=settings.TICKETS_REOPEN_DAYS)
    return ticket.status == Status.RESOLVED and ticket.resolved_at is not None and ticket.resolved_at < now - window


@transaction.atomic
def ticket_customer_message(*, ticket_id: int, body: str, channel: str, subject: str = "") -> CustomerMessage:
    """Record the customer's message ``body`` on ticket ``ticket_id`` and do what it means (above)."""
    ticket = _lock(ticket_id, None)
    now = timezone.now()
    body = body.strip() or _("(the message has no text)")
    if _too_late(ticket, now):
        follow_up = ticket_create(
            actor=None, kind=ticket.kind, channel=channel,
            subject=" ".join(subject.split())[:Ticket._meta.get_field("subject").max_length] or ticket.subject,
            customer=ticket.customer, description=body, team=ticket.team, business_line=ticket.business_line,
            public=True, follows=ticket)
        event = event_record(ticket_id=follow_up.pk, kind=EventKind.CUSTOMER, actor=None, field="follows",
                             old=ticket.reference, body=body)
        event_record(ticket_id=ticket.pk, kind=EventKind.CUSTOMER, actor=None, field="follow_up",
                     new=follow_up.reference)
        _save(ticket, [])
        return CustomerMessage(follow_up, event, FOLLOW_UP)
    event = event_record(ticket_id=ticket.pk, kind=EventKind.CUSTOMER, actor=None, body=body)
    outcome, fields = ADDED, []
    if ticket.status == Status.RESOLVED:
        fields = _reopen(ticket, None, _("The customer wrote again."))
        outcome = REOPENED
    elif ticket.status == Status.PENDING_CUSTOMER and "resume" in workflow.allowed_actions(ticket):
        target = workflow.check(ticket, "resume")
        ticket.pause_reason = ""
        hooks.clocks_resume(ticket_id=ticket.pk, at=now, actor=None)
        fields = ["pause_reason", *_set_status(ticket, target, None, comment=_("The customer answered."), now=now)]
        outcome = RESUMED
    _save(ticket, fields)
    return CustomerMessage(ticket, event, outcome)
