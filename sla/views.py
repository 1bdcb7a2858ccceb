from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from servicecenter.errors import DomainError
from servicecenter.exports import csv_response, xlsx_response
from sla.models import Notification
from staff.access import leader_required
from staff.models import StaffMember


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """My notifications, newest first; POST marks them all read."""
    mine = Notification.objects.filter(recipient=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("sla:notifications")
    page = list(mine.select_related("ticket").order_by("-created_at", "-id")[:100])
    return render(request, "sla/notifications.html", {"notifications": page})


LEADERS_ONLY = gettext_lazy("The dashboard is for team leads, supervisors and the director.")


def _period(request):
    """``?from=&to=``: each a date or absent (the default period); a bad one is named on the page and
    its default used, and ``ok`` is False (the page answers 400)."""
    from servicecenter.numbers import PeriodForm, query_values

    values, ok = query_values(request, PeriodForm(request.GET))
    return values.get("date_from"), values.get("date_to"), ok


@login_required
@require_http_methods(["GET"])
@leader_required(LEADERS_ONLY)
def dashboard(request, scope):
    """The SLA dashboard: tiles that drill down, compliance charts, backlog ageing, at-risk tickets to
    reassign, and the whole center by department for the director. Refreshes itself."""
    from sla.dashboard import dashboard_for

    date_from, date_to, ok = _period(request)
    board = dashboard_for(scope=scope, date_from=date_from, date_to=date_to)
    people = StaffMember.objects.filter(is_active=True).order_by("name")
    if not scope.sees_all:
        people = people.filter(pk__in=scope.staff_ids)
    from sla.calls import service_level

    today = timezone.localdate()
    calls_today = service_level(date_from=today, date_to=today)["results"][0]
    from surveys.metrics import survey_metrics
    from surveys.models import FollowUpState
    from surveys.selectors import follow_up_list_for
    from tickets.selectors import ticket_list_for

    satisfaction = survey_metrics(tickets=ticket_list_for(scope=scope, with_clocks=False), group_by="month")["totals"]
    context = {"board": board, "people": list(people), "now": timezone.now(), "scope": scope,
               "calls_today": calls_today if calls_today["offered"] else None,
               "satisfaction": satisfaction if satisfaction["sent"] else None,
               "follow_ups_open": follow_up_list_for(scope=scope).filter(state=FollowUpState.OPEN).count()}
    template = "sla/partials/_dashboard_body.html" if request.htmx else "sla/dashboard.html"
    return render(request, template, context, status=200 if ok else 400)


@login_required
@require_http_methods(["GET"])
@leader_required(LEADERS_ONLY)
def dashboard_export(request, fmt: str, scope):
    """Compliance by team, agent and kind over the period, as CSV or XLSX."""
    from sla.dashboard import dashboard_for

    if fmt not in ("csv", "xlsx"):
        raise Http404
    from servicecenter.numbers import PeriodForm, bad_request

    period = PeriodForm(request.GET)
    if not period.is_valid():
        return bad_request(period)
    date_from, date_to = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
    board = dashboard_for(scope=scope, date_from=date_from, date_to=date_to)
    header = [_("Group by"), _("Group"), _("Clocks"), _("Completed"), _("Met on time"), _("Breached"),
              _("At risk"), _("Compliance"), _("Response (working h)"), _("Resolution (working h)")]
    rows = []
    for group, results in board.compliance.items():
        for r in results:
            rows.append([group, r["group_name"] or "—", r["clocks"], r["completed"], r["met_on_time"], r["breached"],
                         r["at_risk"], r["compliance"],
                         round(r["response_working_seconds"] / 3600, 2) if r["response_working_seconds"] else None,
                         round(r["resolution_working_seconds"] / 3600, 2) if r["resolution_working_seconds"] else None])
    name = f"sla-{board.date_from}-{board.date_to}"
    if fmt == "csv":
        return csv_response(filename=name, header=header, rows=rows)
    return xlsx_response(filename=name, title="SLA", header=header, rows=rows)


@login_required
@require_http_methods(["POST"])
@leader_required(LEADERS_ONLY)
def dashboard_reassign(request, scope):
    """Reassign several at-risk tickets at once; each goes through the assign service."""
    from servicecenter.errors import DomainError
    from servicecenter.numbers import MAX_ID, BadNumber, parse_int
    from tickets import services
    from tickets.selectors import ticket_list_for

    try:
        assignee_id = parse_int(request.POST.get("assignee") or "0", minimum=0, maximum=MAX_ID)
        ids = [parse_int(i, minimum=1, maximum=MAX_ID) for i in request.POST.getlist("tickets")]
    except BadNumber:
        messages.error(request, _("Choose the tickets and whom to give them to."))
        return redirect("sla:dashboard")
    assignee = StaffMember.objects.select_related("position").filter(pk=assignee_id).first()
    visible = set(ticket_list_for(scope=scope, with_clocks=False).filter(pk__in=ids).values_list("pk", flat=True))
    if assignee is None or not visible:
        messages.error(request, _("Choose the tickets and whom to give them to."))
        return redirect("sla:dashboard")
    done, refused = 0, []
    for ticket_id in sorted(visible):
        try:
            services.ticket_assign(ticket_id=ticket_id, actor=request.user, assignee=assignee)
            done += 1
        except DomainError as error:
            refused.append(error.message)
    if done:
        messages.success(request, ngettext("%(n)d ticket reassigned to %(name)s.",
                                           "%(n)d tickets reassigned to %(name)s.", done)
                         % {"n": done, "name": assignee.name})
    for reason in sorted(set(refused)):
        messages.error(request, reason)
    return redirect("sla:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
@leader_required(LEADERS_ONLY)
def calls(request, scope):
    """The 15-second answer rate: an hour-by-day heat map, agents, upload of call logs, staffing."""
    from datetime import timedelta

    from sla.calls import call_import_create, heat_map, service_level
    from sla.models import CallImport
    from sla.tasks import call_import_task

    if request.method == "POST":
        upload = request.FILES.get("file")
        fmt = request.POST.get("format", "queue_log")
        if upload is None or fmt not in ("queue_log", "csv") or upload.size > 50 * 1024 * 1024:
            messages.error(request, _("Choose a queue_log or CSV file of at most 50 MB."))
            return redirect("sla:calls")
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            messages.error(request, _("The file is not UTF-8 text."))
            return redirect("sla:calls")
        try:
            job = call_import_create(name=upload.name, content=text, fmt=fmt, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("sla:calls")
        from django.db import transaction

        transaction.on_commit(lambda: call_import_task.delay(job.pk))
        return redirect("sla:call-import", pk=job.pk)
    from servicecenter.numbers import query_values
    from sla.forms import CallsQueryForm

    query, ok = query_values(request, CallsQueryForm(request.GET))
    date_to = query.get("date_to") or timezone.localdate()
    date_from = query.get("date_from") or date_to - timedelta(days=13)
    threshold = query.get("threshold")
    threshold = 15 if threshold is None else threshold
    staffing = _staffing(request)
    context = {
        "overall": service_level(date_from=date_from, date_to=date_to, threshold=threshold)["results"][0],
        "agents": service_level(date_from=date_from, date_to=date_to, threshold=threshold,
                                group_by="agent")["results"],
        "heat": heat_map(date_from=date_from, date_to=date_to, threshold=threshold),
        "hours": range(24), "date_from": date_from, "date_to": date_to, "threshold": threshold,
        "imports": list(CallImport.objects.defer("content").order_by("-created_at")[:5]),
        "staffing": staffing,
    }
    return render(request, "sla/calls.html", context, status=200 if ok and staffing["ok"] else 400)


def _staffing(request):
    """The planner: Erlang C for the target, with Erlang A beside it when a patience is given. Its
    numbers are bounded like the API's; a bad one is named on the page and nothing is planned."""
    from servicecenter.numbers import query_values
    from sla.erlang import staffing_plan
    from sla.forms import TOO_MANY_AGENTS, StaffingForm

    query = {"calls": 100, **StaffingForm.DEFAULTS}
    if "calls" not in request.GET:
        return {"query": query, "ok": True}
    values, ok = query_values(request, StaffingForm(request.GET))
    patience_given = request.GET.get("patience_seconds", "").strip() != ""
    query.update({k: v for k, v in values.items() if v is not None})
    if "patience_seconds" in request.GET and not patience_given:
        query["patience_seconds"] = ""  # the field stays empty: Erlang C only
    if not ok:
        return {"query": query, "ok": False}
    try:
        plan = staffing_plan(calls=query["calls"], interval_seconds=query["interval_minutes"] * 60,
                             aht_seconds=query["aht_seconds"], target=query["target"],
                             threshold_seconds=query["target_seconds"], shrinkage=query["shrinkage"],
                             patience_seconds=query["patience_seconds"] or None, below=3, above=4)
    except ValueError:
        messages.error(request, TOO_MANY_AGENTS)
        return {"query": query, "ok": False}
    return {"best": plan.best, "rows": plan.rows, "scheduled": plan.scheduled, "query": query, "ok": True}


@login_required
@require_http_methods(["GET"])
@leader_required(LEADERS_ONLY)
def call_import(request, pk: int, scope):
    """An import's progress; the page polls itself while the worker runs."""
    from sla.models import CallImport

    job = CallImport.objects.defer("content").filter(pk=pk).first()
    if job is None:
        raise Http404
    template = "sla/partials/_call_import.html" if request.htmx else "sla/call_import.html"
    return render(request, template, {"job": job})
