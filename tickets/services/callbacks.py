"""Callbacks (回访): when one is due, and each attempt to reach the customer."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.access import scope_for
from staff.models import StaffMember
from staff.selectors import superior_of
from tickets import hooks
from tickets.errors import TicketConflict, TicketError, TicketForbidden
from tickets.events import event_record
from tickets.models import (
    Callback,
    CallbackAttempt,
    CallbackOutcome,
    CallbackState,
    EventKind,
    Status,
    Ticket,
)
from tickets.services.base import _lock, _reopen, _save, _set_status

MAX_UNREACHABLE_ATTEMPTS = 3


def callback_kinds() -> tuple[str, ...]:
    return tuple(settings.TICKETS_CALLBACK_KINDS)


def callback_due_at(resolved_at: datetime) -> datetime:
    """Close of business on the next working day of the default calendar; a policy with a callback
    target sets the callback's own clock (``sla.services.callback_clock_start``)."""
    return hooks.working_deadline(resolved_at, 1)


@transaction.atomic
def callback_attempt(*, callback_id: int, actor, outcome: str, notes: str = "",
                     unsatisfied_action: str = "reopen") -> Callback:
    """Record one attempt to call the customer back.

    satisfied → done, and a resolved ticket is closed; unsatisfied → done, and the ticket is
    reopened or raised to the holder's superior; unreachable → retried, failed after three attempts;
    wrong number → failed. Each is an event on the ticket.
    """
    if outcome not in CallbackOutcome.values:
        raise TicketError(_("Unknown outcome."), code="outcome")
    if unsatisfied_action not in ("reopen", "raise"):
        raise TicketError(_("An unsatisfied customer's ticket is reopened or raised."), code="unsatisfied_action")
    try:
        callback = Callback.objects.select_for_update(of=("self",)).get(pk=callback_id)
    except Callback.DoesNotExist:
        raise TicketError(_("No such callback."), code="not_found") from None
    ticket = _lock(callback.ticket_id, None)
    scope = scope_for(actor)
    if not (scope.may_work(ticket) or callback.assignee_id in scope.staff_ids):
        raise TicketForbidden(_("Only the person holding this callback or those above them may record it."),
                              code="not_holder")
    if callback.state != CallbackState.DUE:
        raise TicketConflict(_("This callback is already finished."), code="callback_finished")
    now = timezone.now()
    callback.attempt_count += 1
    CallbackAttempt.objects.create(callback=callback, number=callback.attempt_count, outcome=outcome,
                                   notes=notes.strip(), made_by=actor if getattr(actor, "pk", None) else None)
    fields = ["attempt_count"]
    ticket_fields: list[str] = []
    if outcome == CallbackOutcome.UNREACHABLE and callback.attempt_count < MAX_UNREACHABLE_ATTEMPTS:
        callback.due_at = max(callback.due_at, now + timedelta(hours=settings.TICKETS_CALLBACK_RETRY_HOURS))
        fields.append("due_at")
    else:
        callback.outcome = outcome
        callback.completed_at = now
        done = outcome in (CallbackOutcome.SATISFIED, CallbackOutcome.UNSATISFIED)
        callback.state = CallbackState.DONE if done else CallbackState.FAILED
        fields += ["outcome", "completed_at", "state"]
        hooks.clock_meet(ticket_id=ticket.pk, target="callback", at=now, actor=actor, callback=callback)
    event_record(ticket_id=ticket.pk, kind=EventKind.CALLBACK, actor=actor, field="callback",
           new=f"{callback.attempt_count}: {CallbackOutcome(outcome).label}", body=notes.strip())
    if outcome == CallbackOutcome.SATISFIED and ticket.status == Status.RESOLVED:
        ticket_fields += _set_status(ticket, Status.CLOSED, actor, now=now)
    elif outcome == CallbackOutcome.UNSATISFIED and unsatisfied_action == "reopen":
        callback.save(update_fields=fields)  # done first: reopening cancels callbacks still due
        fields = []
        ticket_fields += _reopen(ticket, actor, _("Customer unsatisfied at callback"))
    elif outcome == CallbackOutcome.UNSATISFIED:
        fields.append(_raise(callback, ticket, actor, notes=notes.strip()))
    if fields:
        callback.save(update_fields=fields)
    _save(ticket, ticket_fields)
    if callback.state != CallbackState.DUE and outcome != CallbackOutcome.WRONG_NUMBER:
        hooks.survey_plan(ticket=ticket, trigger="callback", now=now)
    return callback


def _raise(callback: Callback, ticket: Ticket, actor, *, notes: str) -> str:
    """An unsatisfied customer's callback raised to the holder's superior (none above: to nobody, still
    recorded). Returns the field it set."""
    holder = ticket.assignee or callback.assignee
    superior = None
    if holder is not None:
        link = superior_of(holder)
        superior = StaffMember.objects.filter(pk=link.staff_id).first() if link else None
    callback.raised_to = superior
    event_record(ticket_id=ticket.pk, kind=EventKind.RAISED, actor=actor, field="raised_to",
                 new=superior.name if superior else "", body=notes)
    return "raised_to"
