"""What every ticket action shares: the row lock with its version check, the access checks of
the one scope, the status change with its timeline entry, and the save that bumps the version."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from staff.access import Scope, scope_for
from tickets import hooks, workflow
from tickets.errors import TicketConflict, TicketError, TicketForbidden, TicketNotFound
from tickets.events import event_record
from tickets.models import (
    Callback,
    CallbackState,
    EventKind,
    Status,
    Ticket,
)
from tickets.selectors import ticket_list_for


def _label(value) -> str:
    return "" if value is None else str(value)


def _lock(ticket_id: int, version: int | None) -> Ticket:
    try:
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise TicketError(_("No such ticket."), code="not_found") from None
    _check_version(ticket, version)
    return ticket


def ticket_access_for(*, ticket_id: int, scope: Scope, version: int | None = None) -> Ticket:
    """The ticket, locked for the change, if the caller may see it; else "no such ticket" (404), the
    same answer as for a ticket that does not exist, and before the version is compared, so a stale
    version tells nothing either. Every ticket action starts here, whoever calls: the page, the API
    or a task."""
    try:
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise TicketNotFound(_("No such ticket."), code="not_found") from None
    _require_sight(ticket, scope)
    _check_version(ticket, version)
    return ticket


def ticket_for_work(*, ticket_id: int, actor, action: str, version: int | None = None) -> tuple[Ticket, str, Scope]:
    """The prologue of an action only the holder (or those above them) may do: the ticket locked if the
    actor sees it, the status ``action`` leads to by the state machine, and the actor's scope."""
    scope = scope_for(actor)
    ticket = ticket_access_for(ticket_id=ticket_id, scope=scope, version=version)
    target = workflow.check(ticket, action)
    _require_work(ticket, scope)
    return ticket, target, scope


def _check_version(ticket: Ticket, version: int | None) -> None:
    if version is not None and ticket.version != version:
        raise TicketConflict(
            _("Someone changed this ticket meanwhile (version %(stored)s, yours %(yours)s). Reload it and try again.")
            % {"stored": ticket.version, "yours": version},
            code="stale_version",
        )


def _require_sight(ticket: Ticket, scope: Scope) -> None:
    """A ticket outside the user's sight is not found, whoever calls: the page, the API or a task."""
    if not scope.sees_all and not ticket_list_for(scope=scope, with_clocks=False).filter(pk=ticket.pk).exists():
        raise TicketNotFound(_("No such ticket."), code="not_found")


def _require_queue(ticket: Ticket, scope: Scope) -> None:
    if not scope.in_queue(ticket):
        raise TicketForbidden(_("This ticket waits in another team's queue; it was only passed to yours."),
                              code="not_in_queue")


def _require_work(ticket: Ticket, scope: Scope) -> None:
    if not scope.may_work(ticket):
        raise TicketForbidden(_("Only the person holding this ticket or those above them may do that."),
                              code="not_holder")


def _set_status(ticket: Ticket, target: str, actor, *, comment: str = "", now: datetime) -> list[str]:
    if target == ticket.status:
        return []
    old = ticket.status
    ticket.status = target
    fields = ["status"]
    if target == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif target == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif old in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["resolved_at", "closed_at"]
    event_record(ticket_id=ticket.pk, kind=EventKind.STATUS, actor=actor, field="status", old=old, new=target,
                 body=comment)
    return fields


def _save(ticket: Ticket, fields: list[str]) -> Ticket:
    ticket.version += 1
    ticket.save(update_fields=sorted({*fields, "version", "updated_at"}))
    return ticket


def _reopen(ticket: Ticket, actor, reason: str) -> list[str]:
    target = workflow.check(ticket, "reopen")
    now = timezone.now()
    for callback in Callback.objects.filter(ticket=ticket, state=CallbackState.DUE):
        callback.state = CallbackState.CANCELLED
        callback.save(update_fields=["state"])
        hooks.clocks_cancel(ticket_id=ticket.pk, callback=callback)
    hooks.clocks_reopen(ticket_id=ticket.pk, at=now, actor=actor)
    return _set_status(ticket, target, actor, comment=reason, now=now)
