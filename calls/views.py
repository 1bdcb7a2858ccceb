"""The calls page (the 15-second answer rate, call-log upload, staffing) and an import's progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from servicecenter.errors import DomainError
from staff.access import leader_required

# The calls page shares the dashboard's audience, and its message.
LEADERS_ONLY = gettext_lazy("The dashboard is for team leads, supervisors and the director.")


@login_required
@require_http_methods(["GET", "POST"])
@leader_required(LEADERS_ONLY)
def calls(request, scope):
    """The 15-second answer rate: an hour-by-day heat map, agents, upload of call logs, staffing."""
    from datetime import timedelta

    from calls.agents import agent_names
    from calls.imports import call_import_create
    from calls.metrics import heat_map, service_level
    from calls.models import CallImport
    from calls.tasks import call_import_task

    if request.method == "POST":
        upload = request.FILES.get("file")
        fmt = request.POST.get("format", "queue_log")
        if upload is None or fmt not in ("queue_log", "csv") or upload.size > 50 * 1024 * 1024:
            messages.error(request, _("Choose a queue_log or CSV file of at most 50 MB."))
            return redirect("calls:index")
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            messages.error(request, _("The file is not UTF-8 text."))
            return redirect("calls:index")
        try:
            job = call_import_create(name=upload.name, content=text, fmt=fmt, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("calls:index")
        from django.db import transaction

        transaction.on_commit(lambda: call_import_task.delay(job.pk))
        return redirect("calls:import", pk=job.pk)
    from calls.forms import CallsQueryForm
    from servicecenter.numbers import query_values

    query, ok = query_values(request, CallsQueryForm(request.GET))
    date_to = query.get("date_to") or timezone.localdate()
    date_from = query.get("date_from") or date_to - timedelta(days=13)
    threshold = query.get("threshold")
    threshold = 15 if threshold is None else threshold
    staffing = _staffing(request)
    agents = service_level(date_from=date_from, date_to=date_to, threshold=threshold, group_by="agent")["results"]
    names = agent_names(r["group"] for r in agents if r["group"])
    for row in agents:
        row["name"] = names.get(row["group"], row["group"])
    context = {
        "overall": service_level(date_from=date_from, date_to=date_to, threshold=threshold)["results"][0],
        "agents": agents,
        "heat": heat_map(date_from=date_from, date_to=date_to, threshold=threshold),
        "hours": range(24), "date_from": date_from, "date_to": date_to, "threshold": threshold,
        "imports": list(CallImport.objects.defer("content").order_by("-created_at")[:5]),
        "staffing": staffing,
    }
    return render(request, "calls/calls.html", context, status=200 if ok and staffing["ok"] else 400)


def _staffing(request):
    """The planner: Erlang C for the target, with Erlang A beside it when a patience is given. Its
    numbers are bounded like the API's; a bad one is named on the page and nothing is planned."""
    from calls.erlang import staffing_plan
    from calls.forms import TOO_MANY_AGENTS, StaffingForm
    from servicecenter.numbers import query_values

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
                             patience_seconds=query["patience_seconds"] or None)
    except ValueError:
        messages.error(request, TOO_MANY_AGENTS)
        return {"query": query, "ok": False}
    return {"best": plan.best, "rows": plan.rows, "scheduled": plan.scheduled, "query": query, "ok": True}


@login_required
@require_http_methods(["GET"])
@leader_required(LEADERS_ONLY)
def call_import(request, pk: int, scope):
    """An import's progress; the page polls itself while the worker runs."""
    from calls.import_errors import import_error_text
    from calls.models import CallImport

    job = CallImport.objects.defer("content").filter(pk=pk).first()
    if job is None:
        raise Http404
    template = "calls/partials/_call_import.html" if request.htmx else "calls/call_import.html"
    errors = [import_error_text(error) for error in (job.errors or [])[:50]]
    return render(request, template, {"job": job, "errors": errors})
