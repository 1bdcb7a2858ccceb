"""Logging a call (or a visit, a letter): the form, the customer look-up and the routing preview."""


from django.db.models import Q
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from servicecenter.errors import DomainError
from sla.selectors import default_calendar as sla_default_calendar
from sla.selectors import policy_for, work_calendar
from staff.models import open_units
from tickets import selectors, services
from tickets.forms import NewTicketForm
from tickets.models import Kind, Priority
from workspace.views.common import _after_write, _scope, staff_required


def _deadline_preview(*, kind: str, channel: str, customer_class: str, area: str, priority: int, received_at):
    """The policy a ticket with these facts would get and when each target would fall due, counted from
    the time it was received (as its clocks will be)."""
    if kind == Kind.REPORT:
        customer_class, area = "", ""  # a report's deadlines never depend on its reporter (``Ticket.policy_customer``)
    policy = policy_for(kind=kind, priority=priority, customer_class=customer_class, channel=channel, area=area)
    if policy is None:
        return None, []
    engine = work_calendar(policy.calendar or sla_default_calendar())
    targets = [(t, engine.due(received_at, t.amount, t.unit, end_of_day=policy.end_of_day))
               for t in policy.targets.all() if t.target != "callback"]
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
                team=data["team"], business_line=data["business_line"],
                customer={"name": data["name"], "phone": data["phone"], "email": data["email"],
                          "account_no": data["account_no"], "customer_class": data["customer_class"],
                          "area": data["area"]},
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _after_write(request, ticket.pk,
                                _("Ticket %(reference)s logged.") % {"reference": ticket.reference})
    return render(request, "tickets/new.html", {"form": form}, status=400 if form.errors else 200)


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
    """Where a ticket would go and when it would be due, before it is saved: the customer it would be
    filed for (a known one keeps their class and area), the team chosen or the routing rule that
    matches (with the business line), and the deadlines counted from the time received."""
    form = NewTicketForm(request.GET)
    form.is_valid()  # the preview uses whichever fields are valid so far; a malformed choice is a 400
    bad = [str(e) for name in ("priority", "received_at", "team", "business_line", "area")
           if request.GET.get(name, "").strip() for e in form.errors.get(name, [])]
    if bad:
        return HttpResponseBadRequest(" ".join(bad))
    data = form.cleaned_data
    kind, channel = data.get("kind", ""), data.get("channel", "")
    priority = data.get("priority") or Priority.NORMAL
    customer_class, area = data.get("customer_class") or "residential", data.get("area") or "urban"
    known = services.customer_match(phone=data.get("phone", ""), account_no=data.get("account_no", ""))
    if known is not None and not selectors.customer_list_for(scope=_scope(request)).filter(pk=known.pk).exists():
        known = None  # a customer known only as a hidden reporter is, to this user, no customer at all
    if known is not None:
        customer_class, area = known.customer_class, known.area
    received_at = data.get("received_at") or timezone.now()
    if received_at > timezone.now():
        received_at = timezone.now()
    team, rule_team = data.get("team"), None
    if team is None:
        business_line = data.get("business_line")
        team_id = services.route(kind=kind, channel=channel, customer_class=customer_class,
                                 business_line_id=business_line.pk if business_line else None)
        team = rule_team = open_units().filter(pk=team_id).first() if team_id else None
    policy, targets = _deadline_preview(kind=kind, channel=channel, customer_class=customer_class, area=area,
                                        priority=priority, received_at=received_at)
    return render(request, "tickets/partials/_route_preview.html", {
        "team": team, "by_rule": rule_team is not None, "policy": policy, "targets": targets, "known": known,
        "received_at": received_at})
