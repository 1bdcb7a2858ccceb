"""Work orders (工单派发): dispatch to a field team, arrival on site, restoration."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.access import Scope, scope_for
from staff.models import Unit, open_units
from tickets import hooks
from tickets.errors import TicketConflict, TicketError, TicketForbidden, TicketNotFound
from tickets.events import event_record
from tickets.models import (
    EventKind,
    WorkOrder,
    WorkOrderStatus,
)
from tickets.selectors import work_order_list_for
from tickets.services.base import _save, _set_status, ticket_for_work


def field_teams_for_dispatch(exclude: int | None = None) -> list[Unit]:
    """The teams repairs go to: those marked as field teams; in an org that marks none, every team."""
    teams = open_units().filter(kind=Unit.Kind.TEAM)
    if teams.filter(field_team=True).exists():
        teams = teams.filter(field_team=True)
    if exclude is not None:
        teams = teams.exclude(pk=exclude)
    return list(teams.order_by("sort_order", "id"))


@transaction.atomic
def ticket_dispatch(*, ticket_id: int, actor, field_team: Unit, instructions: str,
                    version: int | None = None) -> WorkOrder:
    """Dispatch a repair work order (派单) to a field team."""
    if not instructions.strip():
        raise TicketError(_("Instructions for the field team are required."), code="empty")
    ticket, target, _scope = ticket_for_work(ticket_id=ticket_id, actor=actor, action="dispatch", version=version)
    if field_team.kind != Unit.Kind.TEAM or (
            not field_team.field_team and Unit.objects.filter(kind=Unit.Kind.TEAM, field_team=True).exists()):
        raise TicketError(_("%(unit)s is not a field team.") % {"unit": field_team.display_name}, code="field_team")
    if ticket.work_orders.filter(status__in=[WorkOrderStatus.DISPATCHED, WorkOrderStatus.ON_SITE]).exists():
        raise TicketConflict(_("A work order for this ticket is still open."), code="work_order_open")
    now = timezone.now()
    order = WorkOrder.objects.create(
        ticket=ticket, field_team=field_team, instructions=instructions.strip(), dispatched_at=now,
        dispatched_by=actor if getattr(actor, "pk", None) else None,
    )
    event_record(ticket_id=ticket.pk, kind=EventKind.DISPATCHED, actor=actor, field="work_order",
                 new=f"WO-{order.pk} → {field_team}",
           body=instructions.strip())
    hooks.clock_meet(ticket_id=ticket.pk, target="dispatch", at=now, actor=actor)
    _save(ticket, _set_status(ticket, target, actor, now=now))
    return order


def _work_order_time(at: datetime | None, earliest: datetime, now: datetime) -> datetime:
    at = at or now
    if at > now:
        raise TicketError(_("That time is in the future."), code="in_future")
    if at < earliest:
        raise TicketError(_("That time is before the previous step."), code="out_of_order")
    return at


def _order_for_field_work(work_order_id: int, actor) -> WorkOrder:
    """The work order, locked, if the actor may record its progress: its field team (anyone holding a post
    in it or above it) or whoever may work the ticket. Out of sight it is "no such work order" (404),
    as for one that does not exist; in sight but not theirs to record, 403."""
    scope: Scope = scope_for(actor)
    order = (work_order_list_for(scope=scope).select_for_update(of=("self",)).select_related(None)
             .select_related("ticket", "ticket__assignee", "field_team").filter(pk=work_order_id).first())
    if order is None:
        raise TicketNotFound(_("No such work order."), code="not_found")
    if not (scope.sees_all or order.field_team_id in scope.unit_ids or scope.may_work(order.ticket)):
        raise TicketForbidden(_("Only the field team or whoever handles the ticket records the work."),
                              code="not_field_team")
    return order


@transaction.atomic
def work_order_arrive(*, work_order_id: int, actor, at: datetime | None = None) -> WorkOrder:
    order = _order_for_field_work(work_order_id, actor)
    if order.status != WorkOrderStatus.DISPATCHED:
        raise TicketConflict(_("Only a dispatched work order can record arrival."), code="illegal_transition")
    order.arrived_at = _work_order_time(at, order.dispatched_at, timezone.now())
    order.status = WorkOrderStatus.ON_SITE
    order.save(update_fields=["arrived_at", "status"])
    hooks.clock_meet(ticket_id=order.ticket_id, target="arrival", at=order.arrived_at, actor=actor)
    event_record(ticket_id=order.ticket.pk, kind=EventKind.WORK_ORDER, actor=actor, field="arrived_at",
                 new=order.arrived_at.isoformat())
    return order


@transaction.atomic
def work_order_restore(*, work_order_id: int, actor, at: datetime | None = None, notes: str = "") -> WorkOrder:
    order = _order_for_field_work(work_order_id, actor)
    if order.status not in (WorkOrderStatus.DISPATCHED, WorkOrderStatus.ON_SITE):
        raise TicketConflict(_("This work order is already finished."), code="illegal_transition")
    order.restored_at = _work_order_time(at, order.arrived_at or order.dispatched_at, timezone.now())
    if order.arrived_at is None:
        order.arrived_at = order.restored_at
    order.status = WorkOrderStatus.RESTORED
    order.notes = notes.strip()
    order.save(update_fields=["arrived_at", "restored_at", "status", "notes"])
    hooks.clock_meet(ticket_id=order.ticket_id, target="arrival", at=order.arrived_at, actor=actor)
    hooks.clock_meet(ticket_id=order.ticket_id, target="restoration", at=order.restored_at, actor=actor)
    event_record(ticket_id=order.ticket.pk, kind=EventKind.WORK_ORDER, actor=actor, field="restored_at",
                 new=order.restored_at.isoformat(),
           body=order.notes)
    return order
