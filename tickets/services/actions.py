"""The workflow actions on a ticket: claim, assign, reply, note, edit, transfer, reclassify,
pause, resume, resolve, close, reopen, cancel."""


from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.access import Scope, scope_for
from staff.models import StaffMember, Unit
from tickets import hooks, workflow
from tickets.errors import TicketConflict, TicketError, TicketForbidden, TicketNotFound
from tickets.events import event_record
from tickets.models import (
    Callback,
    CallbackState,
    CancelReason,
    EventKind,
    Kind,
    Status,
    Ticket,
    WorkOrderStatus,
)
from tickets.selectors import team_queue_for, ticket_list_for
from tickets.services.base import (
    _label,
    _reopen,
    _require_queue,
    _require_sight,
    _require_work,
    _save,
    _set_status,
    ticket_access_for,
    ticket_for_work,
)
from tickets.services.callbacks import callback_due_at, callback_kinds

# Fields a PATCH may change; each change is an event with the old and new value. Moving a ticket to
# another team is a transfer (``ticket_transfer``), and making a ticket a report or no longer one is a
# reclassification by a leader (``ticket_reclassify``): both are actions with a reason, not edits.
EDITABLE_FIELDS = (
    "subject", "description", "kind", "channel", "priority", "business_line", "complaint_category",
    "responsible_unit", "investigation", "remedy", "customer_reply",
)


def ticket_claim(*, ticket_id: int, actor) -> Ticket:
    """Take an unclaimed ticket: a compare-and-set, so of many at once exactly one wins."""
    scope = scope_for(actor)
    if scope.staff is None:
        raise TicketForbidden(_("Only staff with a post can claim tickets."), code="no_post")
    with transaction.atomic():
        claimable = Ticket.objects.filter(pk=ticket_id, assignee__isnull=True, status=Status.NEW)
        if not scope.is_leader:
            # A report's holder learns who reported, so reports are given out by a leader, not taken.
            claimable = claimable.exclude(kind=Kind.REPORT)
        ticket = Ticket.objects.select_related("assignee").filter(pk=ticket_id).first()
        if ticket is None:
            raise TicketNotFound(_("No such ticket."), code="not_found")
        _require_sight(ticket, scope)
        _require_queue(ticket, scope)
        won = claimable.update(
            assignee=scope.staff, status=Status.ASSIGNED, version=F("version") + 1, updated_at=timezone.now()
        )
        ticket = Ticket.objects.select_related("assignee").get(pk=ticket_id)
        if not won:
            if ticket.kind == Kind.REPORT and ticket.assignee_id is None and not scope.is_leader:
                raise TicketForbidden(_("Reports are given out by a team lead; ask yours to assign it."),
                                      code="report_assigned_by_leader")
            if ticket.assignee_id is not None:
                raise TicketConflict(
                    _("%(name)s has already claimed this ticket.") % {"name": ticket.assignee.name},
                    code="already_claimed",
                )
            workflow.check(ticket, "claim")  # raises with the reason
        event_record(ticket_id=ticket.pk, kind=EventKind.CLAIMED, actor=actor, field="assignee", new=scope.staff.name)
        event_record(ticket_id=ticket.pk, kind=EventKind.STATUS, actor=actor, field="status", old=Status.NEW,
                     new=Status.ASSIGNED)
    return ticket


def ticket_next(*, actor) -> Ticket | None:
    """Claim the most urgent unclaimed ticket of my team; rows others are taking are skipped."""
    scope = scope_for(actor)
    if scope.staff is None:
        raise TicketForbidden(_("Only staff with a post can take tickets."), code="no_post")
    with transaction.atomic():
        queue = team_queue_for(scope.staff)
        if not scope.is_leader:
            queue = queue.exclude(kind=Kind.REPORT)  # given out by a leader (see ``ticket_claim``)
        candidate = queue.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True).first()
        if candidate is None:
            return None
        return ticket_claim(ticket_id=candidate, actor=actor)


@transaction.atomic
def ticket_assign(*, ticket_id: int, actor, assignee: StaffMember, version: int | None = None,
                  comment: str = "") -> Ticket:
    """A lead gives a ticket to someone in their subtree (or to themselves); the team follows the person."""
    scope = scope_for(actor)
    ticket = ticket_access_for(ticket_id=ticket_id, scope=scope, version=version)
    target = workflow.check(ticket, "assign")
    if not scope.may_assign_to(assignee):
        raise TicketForbidden(_("You can only assign to yourself or to people below you."), code="outside_subtree")
    if not scope.may_work(ticket):  # the holder's leaders (or the queue's, while unheld), not any who see it
        raise TicketForbidden(_("Only those above the person holding this ticket may reassign it."),
                              code="not_holders_leader")
    if not assignee.is_active:
        raise TicketError(_("%(name)s is not active.") % {"name": assignee.name}, code="inactive")
    if ticket.assignee_id == assignee.pk:
        raise TicketConflict(_("The ticket is already assigned to %(name)s.") % {"name": assignee.name},
                             code="same_assignee")
    old_name = ticket.assignee.name if ticket.assignee else ""
    ticket.assignee = assignee
    fields = ["assignee"]
    event_record(ticket_id=ticket.pk, kind=EventKind.ASSIGNED, actor=actor, field="assignee", old=old_name,
                 new=assignee.name, body=comment)
    if assignee.position_id and ticket.team_id != assignee.position.unit_id:
        old_team = ticket.team
        ticket.team_id = assignee.position.unit_id
        fields.append("team")
        event_record(ticket_id=ticket.pk, kind=EventKind.CHANGED, actor=actor, field="team", old=_label(old_team),
                     new=_label(assignee.position.unit))
    fields += _set_status(ticket, target, actor, now=timezone.now())
    return _save(ticket, fields)


@transaction.atomic
def ticket_start(*, ticket_id: int, actor, version: int | None = None) -> Ticket:
    ticket, target, _scope = ticket_for_work(ticket_id=ticket_id, actor=actor, action="start", version=version)
    return _save(ticket, _set_status(ticket, target, actor, now=timezone.now()))


@transaction.atomic
def ticket_reply(*, ticket_id: int, actor, body: str, version: int | None = None) -> Ticket:
    """A reply to the customer; the first one is the first response."""
    if not body.strip():
        raise TicketError(_("The reply is empty."), code="empty")
    ticket, target, _scope = ticket_for_work(ticket_id=ticket_id, actor=actor, action="reply", version=version)
    now = timezone.now()
    event = event_record(ticket_id=ticket.pk, kind=EventKind.REPLY, actor=actor, body=body.strip())
    hooks.reply_send(ticket=ticket, event=event, now=now)
    fields = _set_status(ticket, target, actor, now=now)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
        hooks.clock_meet(ticket_id=ticket.pk, target="first_response", at=now, actor=actor)
    return _save(ticket, fields)


@transaction.atomic
def ticket_note(*, ticket_id: int, actor, body: str, version: int | None = None) -> Ticket:
    """An internal note: never shown to the customer, never a response."""
    if not body.strip():
        raise TicketError(_("The note is empty."), code="empty")
    # A note changes nothing an action relies on, so it neither needs nor bumps the version: a lead's
    # note never turns the reply the agent is typing into a stale one. ``version`` is accepted and ignored.
    scope = scope_for(actor)
    ticket = ticket_access_for(ticket_id=ticket_id, scope=scope)
    workflow.check(ticket, "note")
    event_record(ticket_id=ticket.pk, kind=EventKind.NOTE, actor=actor, body=body.strip())
    ticket.save(update_fields=["updated_at"])
    return ticket


@transaction.atomic
def ticket_update(*, ticket_id: int, actor, version: int, changes: dict) -> Ticket:
    """Edit fields; the version must be the one the editor read. Each changed field is an event."""
    scope = scope_for(actor)
    ticket = ticket_access_for(ticket_id=ticket_id, scope=scope, version=version)
    workflow.check(ticket, "edit")
    if ticket.assignee_id is not None:
        _require_work(ticket, scope)
    else:
        _require_queue(ticket, scope)
    if "team" in changes:
        raise TicketError(_("Moving a ticket to another team is a transfer, with a reason."), code="use_transfer")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TicketError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
                          code="not_editable")
    if "kind" in changes and changes["kind"] != ticket.kind and Kind.REPORT in (ticket.kind, changes["kind"]):
        raise TicketForbidden(_("Making a ticket a report, or no longer one, is a reclassification by a leader "
                                "above the holder."), code="use_reclassify")
    if "subject" in changes and not str(changes["subject"]).strip():
        raise TicketError(_("A subject is required."), code="subject")
    fields = []
    for name, value in changes.items():
        old = getattr(ticket, name)
        if old == value:
            continue
        setattr(ticket, name, value)
        fields.append(name)
        event_record(ticket_id=ticket.pk, kind=EventKind.CHANGED, actor=actor, field=name, old=_label(old),
                     new=_label(value))
    if not fields:
        return ticket
    _save(ticket, fields)
    if {"kind", "priority", "channel"} & set(fields):
        hooks.clocks_recompute(ticket=ticket, actor=actor, reason=_("The ticket's %(fields)s changed")
                             % {"fields": ", ".join(f for f in fields if f in ("kind", "priority", "channel"))})
    return ticket


@transaction.atomic
def ticket_transfer(*, ticket_id: int, actor, team: Unit, reason: str, version: int | None = None) -> Ticket:
    """Transfer (转派) a ticket to another team's queue, with a reason: for the holder and those above
    them (a leader, while nobody holds it). Nobody there holds it yet; its deadlines run on."""
    if not reason.strip():
        raise TicketError(_("Say why the ticket goes to another team."), code="empty")
    ticket, target, _scope = ticket_for_work(ticket_id=ticket_id, actor=actor, action="transfer", version=version)
    if team.pk == ticket.team_id:
        raise TicketConflict(_("The ticket is already in %(team)s's queue.") % {"team": team}, code="same_team")
    old_team = ticket.team
    ticket.team = team
    fields = ["team"]
    event_record(ticket_id=ticket.pk, kind=EventKind.TRANSFERRED, actor=actor, field="team", old=_label(old_team),
                 new=_label(team),
           body=reason.strip())
    if ticket.assignee_id is not None:
        event_record(ticket_id=ticket.pk, kind=EventKind.ASSIGNED, actor=actor, field="assignee",
                     old=ticket.assignee.name, new="")
        ticket.assignee = None
        fields.append("assignee")
    fields += _set_status(ticket, target, actor, now=timezone.now())
    return _save(ticket, fields)


def reclassify_access(*, ticket: Ticket, scope: Scope) -> None:
    """Refuse (403) a reclassification by anyone but a leader above the holder; callers may ask before
    they validate the input."""
    if not scope.leads_holder_of(ticket):
        raise TicketForbidden(_("Only a leader above the person holding this ticket may reclassify it."),
                              code="not_leader")


@transaction.atomic
def ticket_reclassify(*, ticket_id: int, actor, kind: str, reason: str, version: int | None = None) -> Ticket:
    """Change a ticket's kind as a recorded decision of a leader above the holder. This is the only way
    a ticket becomes a report (举报), whose reporter is then hidden, or stops being one, which shows the
    reporter to everyone who sees the ticket."""
    if kind not in Kind.values:
        raise TicketError(_("Unknown kind."), code="kind")
    if not reason.strip():
        raise TicketError(_("Say why the ticket is reclassified."), code="empty")
    scope = scope_for(actor)
    ticket = ticket_access_for(ticket_id=ticket_id, scope=scope, version=version)
    workflow.check(ticket, "reclassify")
    reclassify_access(ticket=ticket, scope=scope)
    if kind == ticket.kind:
        raise TicketConflict(_("The ticket is already of that kind."), code="same_kind")
    old = ticket.kind
    ticket.kind = kind
    event_record(ticket_id=ticket.pk, kind=EventKind.RECLASSIFIED, actor=actor, field="kind", old=old, new=kind,
                 body=reason.strip())
    _save(ticket, ["kind"])
    hooks.clocks_recompute(ticket=ticket, actor=actor, reason=_("The ticket was reclassified"))
    return ticket


@transaction.atomic
def ticket_pause(*, ticket_id: int, actor, reason: str, version: int | None = None) -> Ticket:
    """Wait for the customer (待客户补充); the resolution clock pauses."""
    if not reason.strip():
        raise TicketError(_("Say what the customer is to provide."), code="empty")
    ticket, target, _scope = ticket_for_work(ticket_id=ticket_id, actor=actor, action="pause", version=version)
    ticket.pause_reason = reason.strip()
    now = timezone.now()
    hooks.clocks_pause(ticket_id=ticket.pk, at=now)
    return _save(ticket, ["pause_reason", *_set_status(ticket, target, actor, comment=reason.strip(), now=now)])


@transaction.atomic
def ticket_resume(*, ticket_id: int, actor, version: int | None = None, comment: str = "") -> Ticket:
    ticket, target, _scope = ticket_for_work(ticket_id=ticket_id, actor=actor, action="resume", version=version)
    ticket.pause_reason = ""
    now = timezone.now()
    hooks.clocks_resume(ticket_id=ticket.pk, at=now, actor=actor)
    return _save(ticket, ["pause_reason", *_set_status(ticket, target, actor, comment=comment, now=now)])


@transaction.atomic
def ticket_resolve(*, ticket_id: int, actor, resolution: str, version: int | None = None) -> Ticket:
    """Resolve with what was done; kinds that need a callback (回访) get one, due the next working day."""
    if not resolution.strip():
        raise TicketError(_("Say how the ticket was resolved."), code="empty")
    ticket, target, _scope = ticket_for_work(ticket_id=ticket_id, actor=actor, action="resolve", version=version)
    if ticket.work_orders.filter(status__in=[WorkOrderStatus.DISPATCHED, WorkOrderStatus.ON_SITE]).exists():
        raise TicketConflict(_("The field team has not restored the fault yet."), code="work_order_open")
    now = timezone.now()
    ticket.resolution = resolution.strip()
    fields = ["resolution", *_set_status(ticket, target, actor, comment=resolution.strip(), now=now)]
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
        hooks.clock_meet(ticket_id=ticket.pk, target="first_response", at=now, actor=actor)
    hooks.clock_meet(ticket_id=ticket.pk, target="resolution", at=now, actor=actor)
    hooks.clocks_stop_unused(ticket_id=ticket.pk)
    if ticket.kind in callback_kinds():
        callback = Callback.objects.create(ticket=ticket, assignee=ticket.assignee, due_at=callback_due_at(now))
        hooks.callback_clock_start(callback=callback)
        event_record(ticket_id=ticket.pk, kind=EventKind.CALLBACK, actor=actor, field="callback", new=CallbackState.DUE,
               body=timezone.localtime(callback.due_at).strftime("%Y-%m-%d %H:%M"))
    _save(ticket, fields)
    hooks.survey_plan(ticket=ticket, trigger="resolved", now=now)
    return ticket


@transaction.atomic
def ticket_close(*, ticket_id: int, actor, version: int | None = None) -> Ticket:
    ticket, target, _scope = ticket_for_work(ticket_id=ticket_id, actor=actor, action="close", version=version)
    if ticket.callbacks.filter(state=CallbackState.DUE).exists():
        raise TicketConflict(_("A callback is still due; record it first."), code="callback_due")
    return _save(ticket, _set_status(ticket, target, actor, now=timezone.now()))


@transaction.atomic
def ticket_reopen(*, ticket_id: int, actor, reason: str, version: int | None = None) -> Ticket:
    if not reason.strip():
        raise TicketError(_("Say why the ticket is reopened."), code="empty")
    scope = scope_for(actor)
    ticket = ticket_access_for(ticket_id=ticket_id, scope=scope, version=version)
    workflow.check(ticket, "reopen")
    _require_queue(ticket, scope)
    return _save(ticket, _reopen(ticket, actor, reason.strip()))


@transaction.atomic
def ticket_cancel(*, ticket_id: int, actor, reason: str, duplicate_of_id: int | None = None,
                  comment: str = "", version: int | None = None) -> Ticket:
    """Cancel a duplicate, spam or withdrawn ticket; a duplicate names the ticket it repeats, which the
    actor must be able to see (else it is not found, whoever asks: the page, the API or a task)."""
    if reason not in CancelReason.values:
        raise TicketError(_("Choose why the ticket is cancelled."), code="cancel_reason")
    if reason == CancelReason.DUPLICATE and duplicate_of_id is None:
        raise TicketError(_("Name the ticket this one duplicates."), code="duplicate_of")
    ticket, target, scope = ticket_for_work(ticket_id=ticket_id, actor=actor, action="cancel", version=version)
    duplicate_of = None
    if duplicate_of_id is not None:
        if duplicate_of_id == ticket.pk:
            raise TicketError(_("A ticket cannot duplicate itself."), code="duplicate_of")
        duplicate_of = ticket_list_for(scope=scope, with_clocks=False).filter(pk=duplicate_of_id).first()
        if duplicate_of is None:
            raise TicketError(_("No ticket %(id)s that you can see.") % {"id": duplicate_of_id}, code="duplicate_of")
    ticket.cancel_reason = reason
    ticket.duplicate_of = duplicate_of
    label = str(CancelReason(reason).label)
    if duplicate_of is not None:
        label = f"{label}: {duplicate_of.reference}"
    fields = ["cancel_reason", "duplicate_of", *_set_status(ticket, target, actor, comment=comment or label,
                                                            now=timezone.now())]
    hooks.clocks_cancel(ticket_id=ticket.pk)
    return _save(ticket, fields)


@transaction.atomic
def ticket_merge(*, ticket_id: int, actor, into_id: int, version: int | None = None) -> Ticket:
    """Merge a repeat call into the ticket it repeats: this one is cancelled as its duplicate (its clocks
    stop, counting neither met nor breached) and both timelines keep their entries, the earlier one
    gaining a line that names this one."""
    ticket = ticket_cancel(ticket_id=ticket_id, actor=actor, reason=CancelReason.DUPLICATE, duplicate_of_id=into_id,
                           version=version)
    event_record(ticket_id=into_id, kind=EventKind.MERGED, actor=actor, field="merged", new=ticket.reference)
    return ticket


@transaction.atomic
def ticket_unmerge(*, ticket_id: int, actor, reason: str, version: int | None = None) -> Ticket:
    """Take a ticket merged by mistake back out: it returns to work (held by whoever held it, else to its
    team's queue), its clocks run again from where they started, and both timelines say so."""
    if not reason.strip():
        raise TicketError(_("Say why the two calls are separate matters after all."), code="empty")
    scope = scope_for(actor)
    ticket = ticket_access_for(ticket_id=ticket_id, scope=scope, version=version)
    if not (ticket.status == Status.CANCELLED and ticket.cancel_reason == CancelReason.DUPLICATE
            and ticket.duplicate_of_id is not None):
        raise TicketConflict(_("Only a ticket merged into another can be taken out again."), code="not_merged")
    _require_work(ticket, scope)
    earlier_id, now = ticket.duplicate_of_id, timezone.now()
    ticket.cancel_reason, ticket.duplicate_of = "", None
    target = Status.ASSIGNED if ticket.assignee_id else Status.NEW
    fields = ["cancel_reason", "duplicate_of", *_set_status(ticket, target, actor, comment=reason.strip(), now=now)]
    hooks.clocks_revive(ticket_id=ticket.pk, at=now)
    event_record(ticket_id=earlier_id, kind=EventKind.MERGED, actor=actor, field="unmerged", old=ticket.reference,
                 body=reason.strip())
    return _save(ticket, fields)
