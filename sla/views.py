from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from sla.models import Notification
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


def _leader_scope(request):
    from tickets.selectors import ticket_scope

    scope = ticket_scope(request.user)
    return scope if (scope.is_leader or scope.sees_all) else None


def _period(request):
    from datetime import date

    def parse(name):
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return parse("from"), parse("to")


@login_required
@require_http_methods(["GET"])
def dashboard(request):
    """The SLA dashboard: tiles that drill down, compliance charts, backlog ageing, at-risk tickets to
    reassign, and the whole center by department for the director. Refreshes itself."""
    from sla.dashboard import dashboard_for

    scope = _leader_scope(request)
    if scope is None:
        return HttpResponseForbidden(_("The dashboard is for team leads, supervisors and the director."))
    date_from, date_to = _period(request)
    board = dashboard_for(scope=scope, date_from=date_from, date_to=date_to)
    people = StaffMember.objects.filter(is_active=True).order_by("name")
    if not scope.sees_all:
        people = people.filter(pk__in=scope.staff_ids)
    context = {"board": board, "people": list(people), "now": timezone.now(), "scope": scope}
    template = "sla/partials/_dashboard_body.html" if request.htmx else "sla/dashboard.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET"])
def dashboard_export(request, fmt: str):
    """Compliance by team, agent and kind over the period, as CSV or XLSX."""
    from sla.dashboard import dashboard_for

    if fmt not in ("csv", "xlsx"):
        raise Http404
    scope = _leader_scope(request)
    if scope is None:
        return HttpResponseForbidden(_("The dashboard is for team leads, supervisors and the director."))
    date_from, date_to = _period(request)
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
        import csv

        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 with a BOM
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(rows)
        return response
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "SLA"
    sheet.append([str(h) for h in header])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
@require_http_methods(["POST"])
def dashboard_reassign(request):
    """Reassign several at-risk tickets at once; each goes through the assign service."""
    from servicecenter.errors import DomainError
    from tickets import services
    from tickets.selectors import ticket_list_for

    scope = _leader_scope(request)
    if scope is None:
        return HttpResponseForbidden(_("The dashboard is for team leads, supervisors and the director."))
    assignee = StaffMember.objects.select_related("position").filter(pk=request.POST.get("assignee") or 0).first()
    ids = [int(i) for i in request.POST.getlist("tickets") if i.isdigit()]
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
