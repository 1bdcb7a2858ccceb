"""One ticket's page and the actions on it.

A refused action shows the page again with what the person typed still in its box, what changed on
the ticket since they opened it, and the current version in the forms, so a second press sends it.
"""

from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calls.models import CallRecord
from messaging.attachments import attachments_store, uploads_read
from messaging.selectors import attachments_for, canned_replies_for, deliveries_by_event
from servicecenter.errors import DomainError
from servicecenter.numbers import MAX_ID, BadNumber, parse_int
from sla.models import Clock, Escalation
from staff.models import StaffMember, Unit, open_units
from tickets import selectors, services, workflow
from tickets.errors import TicketError, TicketNotFound
from tickets.forms import BodyForm, CallbackAttemptForm, ComplaintRecordForm, WorkOrderStepForm
from tickets.models import CallbackState, CancelReason, EventKind, Kind, TicketEvent, WorkOrder, WorkOrderStatus
from workspace.presence import presence_report
from workspace.views.common import _after_write, _scope, staff_required

# What each action's form calls the text a person typed; kept and shown again when the action is refused.
TYPED_FIELDS = ("body", "reason", "resolution", "instructions", "comment", "investigation", "remedy",
                "customer_reply", "notes", "duplicate_of")


def _context(request, ticket) -> dict:
    scope = _scope(request)
    allowed = workflow.allowed_actions(ticket)
    sees_customer = ticket.reporter_visible
    history = []
    if sees_customer:
        history = list(selectors.customer_tickets_for(customer=ticket.customer, scope=scope)
                       .exclude(pk=ticket.pk)[:10])
    assignable = []
    if "assign" in allowed and scope.may_lead:
        people = StaffMember.objects.filter(is_active=True).select_related("position")
        if not scope.sees_all:
            people = people.filter(pk__in=scope.staff_ids)
        assignable = list(people.order_by("name"))
    may_work = scope.may_work(ticket)
    work_orders = list(ticket.work_orders.all())
    events = list(selectors.ticket_events(ticket))
    sent = deliveries_by_event(ticket=ticket)
    files: dict[int, list] = {}
    for attachment in attachments_for(ticket=ticket):
        files.setdefault(attachment.event_id, []).append(attachment)
    for event in events:
        event.sent = sent.get(event.pk)
        event.files = files.get(event.pk, [])
    return {
        "ticket": ticket, "allowed": allowed, "sees_customer": sees_customer, "history": history,
        "events": events, "last_event": events[-1].pk if events else 0,
        "clocks": list(Clock.objects.filter(ticket=ticket).exclude(state="cancelled").order_by("due_at")),
        "escalations": list(Escalation.objects.filter(ticket=ticket).select_related("recipient", "clock")
                            .order_by("created_at", "level")),
        "assignable": assignable, "field_teams": services.field_teams_for_dispatch(),
        "cancel_reasons": CancelReason.choices, "may_work": may_work,
        "transfer_teams": open_units().filter(kind=Unit.Kind.TEAM).exclude(pk=ticket.team_id).order_by("sort_order",
                                                                                                       "id"),
        "may_reclassify": scope.leads_holder_of(ticket), "kinds": Kind.choices,
        "may_claim": scope.is_leader or not ticket.is_confidential,
        "reply_form": BodyForm(initial={"version": ticket.version}),
        "canned": canned_replies_for(ticket=ticket, staff=scope.staff) if "reply" in allowed and may_work else [],
        "calls": list(CallRecord.objects.filter(call_id=ticket.call_id).order_by("enqueued_at")) if ticket.call_id
        else [],
        "open_orders": [wo for wo in work_orders if wo.status in (WorkOrderStatus.DISPATCHED, WorkOrderStatus.ON_SITE)
                        and (may_work or scope.sees_all or wo.field_team_id in scope.unit_ids)],
        "step_form": WorkOrderStepForm(),
        "record_form": ComplaintRecordForm(initial={
            "complaint_category": ticket.complaint_category, "responsible_unit": ticket.responsible_unit_id,
            "investigation": ticket.investigation, "remedy": ticket.remedy, "customer_reply": ticket.customer_reply,
            "version": ticket.version}) if ticket.kind == Kind.COMPLAINT else None,
        "may_record": ticket.kind == Kind.COMPLAINT and "edit" in allowed and (
            may_work or (ticket.assignee_id is None and scope.in_queue(ticket))),
        "due_callbacks": [cb for cb in ticket.callbacks.all() if cb.state == CallbackState.DUE],
        "callback_form": CallbackAttemptForm(),
        "merge_candidates": [t for t in history if t.pk != ticket.pk and t.received_at <= ticket.received_at
                             and t.status != "cancelled"][:5],
    }


def _ticket_in_sight(request, pk: int):
    ticket = selectors.ticket_detail_for(scope=_scope(request)).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket


@staff_required
@require_GET
def detail(request, pk: int):
    """One ticket: customer card with history, clocks, escalations, timeline, and the actions allowed now."""
    return render(request, "tickets/detail.html", _context(request, _ticket_in_sight(request, pk)))


def _number(post, name: str, maximum: int = MAX_ID) -> int | None:
    """A posted whole number; absent or empty: None."""
    try:
        return parse_int(post[name], minimum=1, maximum=maximum) if post.get(name, "").strip() else None
    except BadNumber as error:
        raise TicketError(error.message, code=name) from None


def _assign(request, common: dict, version):
    assignee = StaffMember.objects.select_related("position").filter(pk=_number(request.POST, "assignee") or 0).first()
    if assignee is None:
        raise TicketError(_("Choose whom to assign it to."), code="assignee")
    return services.ticket_assign(**common, assignee=assignee, version=version,
                                  comment=request.POST.get("comment", ""))


def _team(request, name: str, message: str) -> Unit:
    team = open_units().filter(pk=_number(request.POST, name) or 0).first()
    if team is None:
        raise TicketError(message, code=name)
    return team


def _work_order_step(request, common: dict, action: str):
    order_id = _number(request.POST, "work_order")
    if order_id is None or not WorkOrder.objects.filter(pk=order_id, ticket_id=common["ticket_id"]).exists():
        raise TicketError(_("Choose the work order."), code="work_order")
    form = WorkOrderStepForm(request.POST)
    if not form.is_valid():
        raise TicketError(" ".join(str(e) for errors in form.errors.values() for e in errors), code="at")
    at = form.cleaned_data["at"]
    if action == "arrive":
        return services.work_order_arrive(work_order_id=order_id, actor=request.user, at=at)
    return services.work_order_restore(work_order_id=order_id, actor=request.user, at=at,
                                       notes=form.cleaned_data["notes"])


def _record(request, common: dict, version):
    form = ComplaintRecordForm(request.POST)
    if not form.is_valid():
        raise TicketError(" ".join(str(e) for errors in form.errors.values() for e in errors), code="record")
    changes = {name: value for name, value in form.cleaned_data.items() if name != "version"}
    changes["complaint_category"] = changes["complaint_category"] or ""
    changes = {name: (value.strip() if isinstance(value, str) else value) for name, value in changes.items()}
    return services.ticket_update(**common, version=version, changes=changes)


def _merge(request, common: dict, version):
    reference = request.POST.get("duplicate_of", "").strip().upper()
    earlier = selectors.ticket_list_for(scope=_scope(request), with_clocks=False).filter(reference=reference).first()
    if earlier is None:
        raise TicketError(_("No ticket %(reference)s that you can see.") % {"reference": reference or "—"},
                          code="duplicate_of")
    return services.ticket_merge(**common, into_id=earlier.pk, version=version)


def _with_files(request, common: dict, kind: str, write):
    """A reply or note with the files attached to it: every file checked before anything is written,
    then the entry and its files in one transaction (a file that cannot be stored undoes the entry)."""
    files = uploads_read(request.FILES.getlist("files"))
    with transaction.atomic():
        result = write()
        if files:
            event = (TicketEvent.objects.filter(ticket_id=common["ticket_id"], kind=kind, actor=request.user)
                     .latest("pk"))
            attachments_store(ticket_id=common["ticket_id"], event_id=event.pk, files=files, from_customer=False)
    return result


def _act(action: str, request, ticket_id: int):
    """Call the service for ``action`` with what the form posted."""
    post = request.POST
    version = _number(post, "version", maximum=2**31 - 1)
    common = {"ticket_id": ticket_id, "actor": request.user}
    text = post.get("body") or post.get("reason") or post.get("resolution") or ""
    actions = {
        "claim": lambda: services.ticket_claim(**common),
        "assign": lambda: _assign(request, common, version),
        "start": lambda: services.ticket_start(**common, version=version),
        "reply": lambda: _with_files(request, common, EventKind.REPLY,
                                     lambda: services.ticket_reply(**common, body=text, version=version)),
        "note": lambda: _with_files(request, common, EventKind.NOTE,
                                    lambda: services.ticket_note(**common, body=text)),
        "pause": lambda: services.ticket_pause(**common, reason=text, version=version),
        "resume": lambda: services.ticket_resume(**common, version=version),
        "resolve": lambda: services.ticket_resolve(**common, resolution=text, version=version),
        "close": lambda: services.ticket_close(**common, version=version),
        "reopen": lambda: services.ticket_reopen(**common, reason=text, version=version),
        "cancel": lambda: services.ticket_cancel(**common, reason=post.get("cancel_reason", ""), version=version,
                                                 comment=post.get("comment", "")),
        "dispatch": lambda: services.ticket_dispatch(
            **common, field_team=_team(request, "field_team", _("Choose the field team.")),
            instructions=post.get("instructions", ""), version=version),
        "transfer": lambda: services.ticket_transfer(
            **common, team=_team(request, "team", _("Choose the team.")), reason=post.get("reason", ""),
            version=version),
        "reclassify": lambda: services.ticket_reclassify(**common, kind=post.get("kind", ""),
                                                         reason=post.get("reason", ""), version=version),
        "arrive": lambda: _work_order_step(request, common, "arrive"),
        "restore": lambda: _work_order_step(request, common, "restore"),
        "record": lambda: _record(request, common, version),
        "merge": lambda: _merge(request, common, version),
        "unmerge": lambda: services.ticket_unmerge(**common, reason=post.get("reason", ""), version=version),
    }
    if action not in actions:
        raise Http404
    return actions[action]()


def _refused(request, pk: int, action: str, error: DomainError):
    """The page again, as it is now, with the refusal, the typed text in its box and what changed meanwhile."""
    ticket = _ticket_in_sight(request, pk)
    context = _context(request, ticket)
    try:
        seen = parse_int(request.POST.get("seen", "") or "0", minimum=0, maximum=2**63 - 1)
    except BadNumber:
        seen = 0
    context.update({
        "refused": error.message, "failed": action,
        "typed": {name: request.POST.get(name, "") for name in TYPED_FIELDS},
        "changed": [event for event in context["events"] if seen and event.pk > seen],
    })
    if action == "record" and context["record_form"] is not None:
        context["record_form"] = ComplaintRecordForm(request.POST)
    return render(request, "tickets/detail.html", context, status=error.status_code if error.status_code != 404
                  else 409)


@staff_required
@require_POST
def act(request, pk: int, action: str):
    """Do one action on a ticket from its page, then show the page again."""
    # Out of sight: 404 before the form is read, as the API's lookup answers; the services decide the
    # same again (a ticket that leaves the user's sight meanwhile is "not found" there too).
    if not selectors.ticket_list_for(scope=_scope(request), with_clocks=False).filter(pk=pk).exists():
        raise Http404
    try:
        _act(action, request, pk)
    except TicketNotFound:
        raise Http404 from None
    except DomainError as error:
        return _refused(request, pk, action, error)
    return _after_write(request, pk, _("Done: %(action)s.") % {"action": workflow.ACTION_PAST.get(action, action)})


@staff_required
@require_POST
def presence(request, pk: int):
    """This person is on the ticket (``state``: viewing or typing); the answer lists the others on it now.
    Every open ticket page asks every few seconds, so this reads no more than whether the ticket is in sight."""
    scope = _scope(request)
    if not selectors.ticket_list_for(scope=scope, with_clocks=False).filter(pk=pk).exists():
        raise Http404
    name = scope.staff.name if scope.staff else request.user.get_username()
    others = presence_report(ticket_id=pk, user_id=request.user.pk, name=name,
                             state=request.POST.get("state", "viewing"))
    return render(request, "tickets/partials/_presence.html", {"others": others})
