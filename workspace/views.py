"""The agents' workspace: queues, logging a ticket, the ticket page with its actions, callbacks.

Views are thin: reads through the access-aware selectors, writes through the services. A refused
action (illegal state, stale version, not the holder) comes back as a message on the ticket page,
and nothing changed. With htmx, the queue and the look-ups return partials.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calls.models import CallRecord
from servicecenter.errors import DomainError
from servicecenter.numbers import MAX_ID, BadNumber, parse_int, query_page, query_values
from sla.models import Clock, Escalation
from sla.selectors import default_calendar as sla_default_calendar
from sla.selectors import policy_for, work_calendar
from staff.access import Scope, request_scope
from staff.models import StaffMember, Unit
from tickets import selectors, services, workflow
from tickets.errors import TicketError, TicketNotFound
from tickets.filters import TicketFilter
from tickets.forms import BodyForm, CallbackAttemptForm, NewTicketForm
from tickets.models import OPEN_STATUSES, CancelReason, Kind, Priority

QUEUE_PAGE = 50
TABS = ("mine", "team", "all")


def _scope(request) -> Scope:
    return request_scope(request)


def staff_required(view):
    """Signed-in staff with a post (or superusers); others get 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not _scope(request).is_staff_member:
            return HttpResponseForbidden(_("Only center staff can use the workspace."))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def queue_for(scope: Scope, tab: str):
    """The rows of a queue tab, most urgent deadline first; one query for the rows, one to count."""
    qs = selectors.ticket_list_for(scope=scope, with_clocks=False)
    if tab == "mine":
        qs = qs.filter(assignee_id=getattr(scope.staff, "pk", None), status__in=OPEN_STATUSES)
    elif tab == "team":
        qs = qs.filter(status__in=OPEN_STATUSES)
        if not scope.sees_all:
            qs = qs.filter(Q(team_id__in=scope.unit_ids) | Q(assignee_id__in=scope.staff_ids))
    return qs.order_by(F("sla_due_at").asc(nulls_last=True), "priority", "received_at", "id")


@staff_required
@require_GET
def queue(request):
    """My queue, my team's queue, or a search over everything I may see."""
    scope = _scope(request)
    tab = request.GET.get("tab") or ("mine" if scope.staff else "all")
    if tab not in TABS:
        tab = "mine"
    filterset = TicketFilter(request.GET, queryset=queue_for(scope, tab), request=request)
    _values, ok = query_values(request, filterset.form)  # a bad filter is named on the page
    rows = filterset.qs if ok else queue_for(scope, tab).none()
    number, page_ok = query_page(request)
    page = Paginator(rows, QUEUE_PAGE).get_page(number)
    context = {"tab": tab, "tabs": TABS, "filter": filterset, "page": page, "now": timezone.now()}
    template = "tickets/partials/_queue.html" if request.htmx else "tickets/queue.html"
    return render(request, template, context, status=200 if ok and page_ok else 400)


def _deadline_preview(*, kind: str, channel: str, customer_class: str, priority: int):
    if kind == Kind.REPORT:
        customer_class = ""  # a report's deadlines never depend on its reporter (``Ticket.policy_customer``)
    policy = policy_for(kind=kind, priority=priority, customer_class=customer_class, channel=channel)
    if policy is None:
        return None, []
    engine = work_calendar(policy.calendar or sla_default_calendar())
    now = timezone.now()
    targets = [(t, engine.due(now, t.amount, t.unit, end_of_day=policy.end_of_day)) for t in policy.targets.all()
               if t.target != "callback"]
    return policy, targets


@staff_required
def new_ticket(request):
    """Log a call (or a visit, a letter): customer look-up as you type, routing and deadline shown first."""
    form = NewTicketForm(request.POST or None, initial={"call_id": request.GET.get("call_id", ""),
                                                        "phone": request.GET.get("phone", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = _scope(request)
        try:
            ticket = services.ticket_create(
                actor=request.user, kind=data["kind"], channel=data["channel"], subject=data["subject"],
                description=data["description"], priority=data["priority"],
                received_at=data["received_at"] or None, complaint_category=data["complaint_category"] or "",
                call_id=data["call_id"],
                assignee=scope.staff if data["take_it"] and scope.staff else None,
                customer={"name": data["name"], "phone": data["phone"], "email": data["email"],
                          "account_no": data["account_no"], "customer_class": data["customer_class"]},
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _after_write(request, ticket.pk,
                                _("Ticket %(reference)s logged.") % {"reference": ticket.reference})
    return render(request, "tickets/new.html", {"form": form}, status=400 if form.errors else 200)


def _after_write(request, ticket_id: int, message: str):
    """Back to the ticket after a write or, when the write took it out of the user's sight (routed or
    transferred to another team), to the queue, saying where it went."""
    if selectors.ticket_list_for(scope=_scope(request), with_clocks=False).filter(pk=ticket_id).exists():
        messages.success(request, message)
        return redirect("workspace:detail", pk=ticket_id)
    receipt = selectors.ticket_receipt(ticket_id)
    messages.success(request, " ".join([message, _("%(reference)s is now in the queue of %(team)s.") % {
        "reference": receipt["reference"], "team": receipt["team_name"] or "—"}]))
    return redirect("workspace:queue")


@staff_required
@require_GET
def customer_lookup(request):
    """Customers whose phone starts with what the agent typed (3 digits at least), with their latest tickets."""
    phone = "".join(ch for ch in request.GET.get("phone", "") if ch.isdigit() or ch == "+")
    customers = []
    if len(phone) >= 3:
        customers = list(selectors.customer_list_for(scope=_scope(request))
                         .filter(Q(phone__startswith=phone) | Q(phone_alt__startswith=phone))[:5])
    history = {}
    if customers:
        visible = selectors.ticket_list_for(scope=_scope(request), with_clocks=False).filter(
            customer__in=customers, reporter_visible=True).order_by("-received_at")[:30]
        for ticket in visible:
            history.setdefault(ticket.customer_id, []).append(ticket)
    rows = [(c, history.get(c.pk, [])[:3]) for c in customers]
    return render(request, "tickets/partials/_customer_lookup.html", {"rows": rows, "phone": phone})


@staff_required
@require_GET
def route_preview(request):
    """Where a ticket would go and when it would be due, before it is saved."""
    kind, channel = request.GET.get("kind", ""), request.GET.get("channel", "")
    customer_class = request.GET.get("customer_class", "residential")
    try:
        priority = parse_int(request.GET.get("priority") or "3", minimum=min(Priority.values),
                             maximum=max(Priority.values))
    except BadNumber as error:
        return HttpResponseBadRequest(error.message)
    team_id = services.route(kind=kind, channel=channel, customer_class=customer_class, business_line_id=None)
    team = Unit.objects.filter(pk=team_id).first() if team_id else None
    policy, targets = _deadline_preview(kind=kind, channel=channel, customer_class=customer_class, priority=priority)
    return render(request, "tickets/partials/_route_preview.html", {"team": team, "policy": policy, "targets": targets})


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


@staff_required
@require_GET
def callbacks(request):
    """Callbacks due today and overdue, mine first, with a form to record each attempt."""
    scope = _scope(request)
    end_of_today = timezone.localtime().replace(hour=23, minute=59, second=59)
    due = selectors.due_callbacks(selectors.callback_list_for(scope=scope)).filter(due_at__lte=end_of_today)
    now = timezone.now()
    rows = list(due.order_by("due_at", "id")[:200])
    context = {"overdue": [c for c in rows if c.due_at < now], "today": [c for c in rows if c.due_at >= now],
               "form": CallbackAttemptForm(), "scope": scope, "later": now + timedelta(days=1)}
    return render(request, "tickets/callbacks.html", context)


@staff_required
@require_POST
def callback_attempt(request, pk: int):
    scope = _scope(request)
    callback = selectors.callback_list_for(scope=scope).filter(pk=pk).first()
    if callback is None:
        raise Http404
    form = CallbackAttemptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the outcome of the call."))
        return redirect("workspace:callbacks")
    try:
        services.callback_attempt(callback_id=pk, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Callback recorded."))
    return redirect("workspace:callbacks")
