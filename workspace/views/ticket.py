"""One ticket's page and the actions on it."""


from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calls.models import CallRecord
from servicecenter.errors import DomainError
from servicecenter.numbers import MAX_ID, BadNumber, parse_int
from sla.models import Clock, Escalation
from staff.models import StaffMember, Unit
from tickets import selectors, services, workflow
from tickets.errors import TicketError, TicketNotFound
from tickets.forms import BodyForm
from tickets.models import CancelReason, Kind
from workspace.views.common import _after_write, _scope, staff_required


@staff_required
@require_GET
def detail(request, pk: int):
    """One ticket: customer card with history, clocks, escalations, timeline, and the actions allowed now."""
    scope = _scope(request)
    ticket = selectors.ticket_detail_for(scope=scope).filter(pk=pk).first()
    if ticket is None:
        raise Http404
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
    context = {
        "ticket": ticket, "allowed": allowed, "sees_customer": sees_customer, "history": history,
        "events": list(selectors.ticket_events(ticket)),
        "clocks": list(Clock.objects.filter(ticket=ticket).exclude(state="cancelled").order_by("due_at")),
        "escalations": list(Escalation.objects.filter(ticket=ticket).select_related("recipient", "clock")
                            .order_by("created_at", "level")),
        "assignable": assignable, "field_teams": Unit.objects.filter(kind=Unit.Kind.TEAM).order_by("sort_order", "id"),
        "cancel_reasons": CancelReason.choices, "may_work": scope.may_work(ticket),
        "transfer_teams": Unit.objects.filter(kind=Unit.Kind.TEAM).exclude(pk=ticket.team_id).order_by("sort_order",
                                                                                                       "id"),
        "may_reclassify": scope.leads_holder_of(ticket), "kinds": Kind.choices,
        "may_claim": scope.is_leader or not ticket.is_confidential,
        "reply_form": BodyForm(initial={"version": ticket.version}),
        "calls": list(CallRecord.objects.filter(call_id=ticket.call_id).order_by("enqueued_at")) if ticket.call_id
        else [],
    }
    return render(request, "tickets/detail.html", context)


def _act(action: str, request, ticket_id: int):
    """Call the service for ``action`` with what the form posted."""
    post = request.POST

    def number(name, maximum=MAX_ID):  # absent or empty: None
        try:
            return parse_int(post[name], minimum=1, maximum=maximum) if post.get(name, "").strip() else None
        except BadNumber as error:
            raise TicketError(error.message, code=name) from None

    version = number("version", maximum=2**31 - 1)
    common = {"ticket_id": ticket_id, "actor": request.user}
    if action == "claim":
        return services.ticket_claim(**common)
    if action == "assign":
        assignee = StaffMember.objects.select_related("position").filter(pk=number("assignee") or 0).first()
        if assignee is None:
            raise TicketError(_("Choose whom to assign it to."), code="assignee")
        return services.ticket_assign(**common, assignee=assignee, version=version, comment=post.get("comment", ""))
    text = post.get("body") or post.get("reason") or post.get("resolution") or ""
    simple = {
        "start": lambda: services.ticket_start(**common, version=version),
        "reply": lambda: services.ticket_reply(**common, body=text, version=version),
        "note": lambda: services.ticket_note(**common, body=text, version=version),
        "pause": lambda: services.ticket_pause(**common, reason=text, version=version),
        "resume": lambda: services.ticket_resume(**common, version=version),
        "resolve": lambda: services.ticket_resolve(**common, resolution=text, version=version),
        "close": lambda: services.ticket_close(**common, version=version),
        "reopen": lambda: services.ticket_reopen(**common, reason=text, version=version),
        "cancel": lambda: services.ticket_cancel(**common, reason=post.get("cancel_reason", ""), version=version,
                                                 comment=post.get("comment", "")),
    }
    if action == "dispatch":
        team = Unit.objects.filter(pk=number("field_team") or 0).first()
        if team is None:
            raise TicketError(_("Choose the field team."), code="field_team")
        return services.ticket_dispatch(**common, field_team=team, instructions=post.get("instructions", ""),
                                        version=version)
    if action == "transfer":
        team = Unit.objects.filter(pk=number("team") or 0).first()
        if team is None:
            raise TicketError(_("Choose the team."), code="team")
        return services.ticket_transfer(**common, team=team, reason=post.get("reason", ""), version=version)
    if action == "reclassify":
        return services.ticket_reclassify(**common, kind=post.get("kind", ""), reason=post.get("reason", ""),
                                          version=version)
    if action not in simple:
        raise Http404
    return simple[action]()


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
        messages.error(request, error.message)
    else:
        return _after_write(request, pk, _("Done: %(action)s.") % {"action": workflow.ACTION_PAST.get(action, action)})
    return redirect("workspace:detail", pk=pk)


