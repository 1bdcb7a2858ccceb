"""The queues: my tickets, my team's, and a search over everything I may see."""


from django.core.paginator import Paginator
from django.db.models import F, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from servicecenter.numbers import query_page, query_values
from staff.access import Scope
from tickets import selectors
from tickets.filters import TicketFilter
from tickets.models import OPEN_STATUSES
from workspace.views.common import _scope, staff_required

QUEUE_PAGE = 50
TABS = ("mine", "team", "all")


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


