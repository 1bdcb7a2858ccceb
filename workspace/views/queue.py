"""The queues: my tickets, my team's, a search over everything I may see, and a person's saved views
of them (filters, columns, sort); bulk actions on the selected rows."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicecenter import keyset
from servicecenter.errors import DomainError
from servicecenter.numbers import BadNumber, form_errors, parse_int, query_values
from staff.access import Scope
from staff.models import StaffMember
from tickets import selectors
from tickets.filters import TicketFilter
from tickets.models import OPEN_STATUSES, URGENT_FIRST, Priority
from workspace import services
from workspace.forms import BulkForm
from workspace.queuerows import queue_rows
from workspace.services import COLUMN_KEYS, COLUMNS, SORTS, TABS
from workspace.views.common import _scope, staff_required

QUEUE_PAGE = 50


def queue_for(scope: Scope, tab: str):
    """The rows of a queue tab, most urgent deadline first; one query for the rows, one to count."""
    qs = selectors.ticket_list_for(scope=scope, with_clocks=False)
    if tab == "mine":
        qs = qs.filter(assignee_id=getattr(scope.staff, "pk", None), status__in=OPEN_STATUSES)
    elif tab == "team":
        qs = qs.filter(status__in=OPEN_STATUSES)
        if not scope.sees_all:
            qs = qs.filter(Q(team_id__in=scope.unit_ids) | Q(assignee_id__in=scope.staff_ids))
    # A queue row names the holder and nothing else related (``workspace/queuerows.py``).
    return qs.select_related(None).select_related("assignee").order_by(*URGENT_FIRST)


def _active_view(request, views):
    """The saved view ``?view=`` names, from the person's own (someone else's is not found), or None."""
    raw = request.GET.get("view", "")
    if not raw:
        return None
    try:
        pk = parse_int(raw, minimum=1, maximum=2**63 - 1)
    except BadNumber:
        raise Http404 from None
    view = next((v for v in views if v.pk == pk), None)
    if view is None:
        raise Http404
    return view


def _query_of(request, view) -> tuple[QueryDict, list[str]]:
    """The filters, the sort and the columns the queue shows: the saved view's, or the query string's."""
    if view is None:
        data = request.GET
        columns = [c for c in data.getlist("cols") if c in COLUMN_KEYS] or list(COLUMN_KEYS)
        return data, columns
    data = QueryDict(view.query, mutable=True)
    if view.sort:
        data["ordering"] = view.sort
    return data, list(view.columns) or list(COLUMN_KEYS)


@staff_required
@require_GET
def queue(request):
    """My queue, my team's queue, a search over everything I may see, or one of my saved views."""
    scope = _scope(request)
    views = services.saved_views_for(request.user)
    view = _active_view(request, views)
    data, columns = _query_of(request, view)
    tab = data.get("tab") or ("mine" if scope.staff else "all")
    if tab not in TABS:
        tab = "mine"
    filterset = TicketFilter(data, queryset=queue_for(scope, tab), request=request)
    _values, ok = query_values(request, filterset.form)  # a bad filter is named on the page
    rows = filterset.qs if ok else queue_for(scope, tab).none()
    page_ok = True
    try:
        page = keyset.paginate(rows, request.GET.get("cursor"), QUEUE_PAGE)
    except keyset.BadCursor:  # a mangled link: the first page, and why
        page_ok = False
        messages.error(request, str(keyset.BAD_CURSOR))
        page = keyset.paginate(rows, None, QUEUE_PAGE)
    page_query = request.GET.copy()
    for key in ("page", "cursor"):
        page_query.pop(key, None)
    filters = data.copy()
    for key in services.NOT_FILTERS:
        filters.pop(key, None)
    filters["tab"] = tab
    context = {
        "tab": tab, "tabs": TABS, "filter": filterset, "page": page, "rows": queue_rows(page, columns),
        "now": timezone.now(),
        "views": views, "view": view, "columns": columns, "all_columns": COLUMNS, "sorts": SORTS,
        "sort": data.get("ordering", ""), "filters_query": filters.urlencode(),
        "page_query": page_query.urlencode(),
        "assignable": services.assignable_for(scope) if not request.htmx else [],
        "priorities": Priority.choices, "bulk_max": services.BULK_MAX,
    }
    template = "tickets/partials/_queue.html" if request.htmx else "tickets/queue.html"
    return render(request, template, context, status=200 if ok and page_ok else 400)


def _back(request) -> str:
    """Where the bulk result page leads back to: the queue the person came from (only a queue of ours)."""
    target = request.POST.get("next", "")
    if target.startswith(reverse("workspace:queue")) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("workspace:queue")


@staff_required
@require_POST
def bulk(request):
    """Claim, assign or set the priority of the selected tickets, each through its own service call, and
    show what was done and what was refused, ticket by ticket."""
    form = BulkForm(request.POST)
    context = {"back": _back(request), "outcomes": [], "errors": []}
    if not form.is_valid():
        context["errors"] = form_errors(form)
        return render(request, "workspace/bulk_result.html", context, status=400)
    data = form.cleaned_data
    assignee = None
    if data["action"] == "assign":
        # Whom one may assign to is the service's rule (a leader's subtree); an id of nobody is refused here.
        assignee = StaffMember.objects.select_related("position").filter(pk=data["assignee"]).first()
        if assignee is None:
            context["errors"] = [_("Choose whom to assign them to.")]
            return render(request, "workspace/bulk_result.html", context, status=400)
    try:
        outcomes = services.tickets_bulk(actor=request.user, action=data["action"], selection=data["ticket"],
                                         assignee=assignee, priority=data["priority"])
    except DomainError as error:
        context["errors"] = [error.message]
        return render(request, "workspace/bulk_result.html", context, status=error.status_code)
    context.update({
        "action": data["action"], "outcomes": outcomes, "assignee": assignee,
        "priority": Priority(data["priority"]).label if data["priority"] else "",
        "done": [o for o in outcomes if o.done], "refused": [o for o in outcomes if not o.done],
    })
    return render(request, "workspace/bulk_result.html", context)


TAB_LABELS = {"mine": gettext_lazy("My queue"), "team": gettext_lazy("Team queue"), "all": gettext_lazy("Search")}


def _described(view) -> list[tuple[str, str]]:
    """A view's filters as the page names them: (the filter's label, its values' labels)."""
    data = QueryDict(view.query)
    fields = TicketFilter(data, queryset=None).form.fields
    described = [(_("Queue"), str(TAB_LABELS.get(data.get("tab", "mine"), data.get("tab"))))]
    for key in data:
        if key == "tab" or key not in fields:
            continue
        choices = {str(value): str(label) for value, label in getattr(fields[key], "choices", ())}
        described.append((str(fields[key].label or key), "、".join(choices.get(v, v) for v in data.getlist(key))))
    return described


def _views_page(request, *, status: int = 200, error: str = ""):
    if error:
        messages.error(request, error)
    views = [(view, _described(view)) for view in services.saved_views_for(request.user)]
    return render(request, "workspace/saved_views.html",
                  {"views": views, "columns": dict(COLUMNS), "sorts": dict(SORTS), "name_max": services.NAME_MAX},
                  status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def saved_views(request):
    """My saved views (GET), or save the queue's current filters, columns and sort as a new one (POST)."""
    if request.method == "GET":
        return _views_page(request)
    try:
        view = services.saved_view_create(
            owner=request.user, name=request.POST.get("name", ""), query=request.POST.get("query", ""),
            columns=request.POST.getlist("cols"), sort=request.POST.get("ordering", ""))
    except DomainError as error:
        return _views_page(request, status=error.status_code, error=error.message)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{reverse('workspace:queue')}?{urlencode({'view': view.pk})}")


@staff_required
@require_POST
def saved_view_rename(request, pk: int):
    try:
        view = services.saved_view_rename(view_id=pk, owner=request.user, name=request.POST.get("name", ""))
    except services.SavedViewNotFound:
        raise Http404 from None
    except DomainError as error:
        return _views_page(request, status=error.status_code, error=error.message)
    messages.success(request, _("View renamed to “%(name)s”.") % {"name": view.name})
    return redirect("workspace:views")


@staff_required
@require_POST
def saved_view_delete(request, pk: int):
    try:
        name = services.saved_view_delete(view_id=pk, owner=request.user)
    except services.SavedViewNotFound:
        raise Http404 from None
    messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
    return redirect("workspace:views")
