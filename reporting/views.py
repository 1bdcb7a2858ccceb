"""The leaders' pages that read every app: the SLA dashboard (tiles, compliance, the whole center,
at-risk tickets to reassign, calls and satisfaction today) and the monthly scorecards."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from reporting.scorecards import scorecard_adjust as scorecard_adjust_service
from reporting.scorecards import scorecard_list_for
from reporting.scorecards import scorecards_compute as scorecards_compute_service
from servicecenter.errors import DomainError, ForbiddenError
from servicecenter.exports import csv_response, xlsx_response
from servicecenter.numbers import IdField, MonthForm, bad_request, query_values
from servicecenter.periods import parse_month
from servicecenter.replica import reads_from_replica
from staff.access import leader_required, scope_for
from staff.models import Kpi, Role, StaffMember, Unit

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
@reads_from_replica  # under the access check: the session and the scope come from the primary
def dashboard(request, scope):
    """The SLA dashboard: tiles that drill down, compliance charts, backlog ageing, at-risk tickets to
    reassign, and the whole center by department for the director. Refreshes itself."""
    from reporting.dashboard import dashboard_for

    date_from, date_to, ok = _period(request)
    board = dashboard_for(scope=scope, date_from=date_from, date_to=date_to)
    people = StaffMember.objects.filter(is_active=True).order_by("name")
    if not scope.sees_all:
        people = people.filter(pk__in=scope.staff_ids)
    from calls.metrics import service_level

    today = timezone.localdate()
    calls_today = service_level(date_from=today, date_to=today)["results"][0]
    from surveys.metrics import survey_metrics
    from surveys.models import FollowUpState
    from surveys.selectors import follow_up_list_for
    from tickets.selectors import ticket_list_for

    # The tile shows this month's satisfaction: the surveys alone, not the complaint and review figures.
    satisfaction = survey_metrics(tickets=ticket_list_for(scope=scope, with_clocks=False), group_by="month",
                                  parts=("surveys",))["totals"]
    context = {"board": board, "people": list(people), "now": timezone.now(), "scope": scope,
               "calls_today": calls_today if calls_today["offered"] else None,
               "satisfaction": satisfaction if satisfaction["sent"] else None,
               "follow_ups_open": follow_up_list_for(scope=scope).filter(state=FollowUpState.OPEN).count()}
    template = "sla/partials/_dashboard_body.html" if request.htmx else "sla/dashboard.html"
    return render(request, template, context, status=200 if ok else 400)


@login_required
@require_http_methods(["GET"])
@leader_required(LEADERS_ONLY)
@reads_from_replica
def dashboard_export(request, fmt: str, scope):
    """Compliance by team, agent and kind over the period, as CSV or XLSX."""
    from reporting.dashboard import dashboard_for

    if fmt not in ("csv", "xlsx"):
        raise Http404
    from servicecenter.numbers import PeriodForm, bad_request

    period = PeriodForm(request.GET)
    if not period.is_valid():
        return bad_request(period)
    date_from, date_to = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
    board = dashboard_for(scope=scope, date_from=date_from, date_to=date_to)
    # The clocks by state: completed = met on time + breached, and breached = met late + breached, not yet met;
    # the rest are paused, at risk or on track.
    header = [_("Group by"), _("Group"), _("Clocks"), _("Completed"), _("Met on time"), _("Breached"), _("Met late"),
              _("Breached, not yet met"), _("Paused"), _("At risk"), _("On track"), _("Compliance"),
              _("Response (working h)"), _("Resolution (working h)")]
    groups = {"team": _("Team"), "agent": _("Agent"), "kind": _("Kind")}
    rows = [[groups.get(group, group), r["group_name"] or "—", r["clocks"], r["completed"], r["met_on_time"],
             r["breached"], r["met_late"], r["breached_unmet"], r["paused"], r["at_risk"], r["on_track"],
             r["compliance"],
             round(r["response_working_seconds"] / 3600, 2) if r["response_working_seconds"] else None,
             round(r["resolution_working_seconds"] / 3600, 2) if r["resolution_working_seconds"] else None]
            for group, results in board.compliance.items() for r in results]
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
    from tickets.models import Ticket
    from tickets.selectors import ticket_list_for

    try:
        assignee_id = parse_int(request.POST.get("assignee") or "0", minimum=0, maximum=MAX_ID)
        ids = [parse_int(i, minimum=1, maximum=MAX_ID) for i in request.POST.getlist("tickets")]
    except BadNumber:
        messages.error(request, _("Choose the tickets and whom to give them to."))
        return redirect("reporting:dashboard")
    assignee = StaffMember.objects.select_related("position").filter(pk=assignee_id).first()
    visible = set(ticket_list_for(scope=scope, with_clocks=False).filter(pk__in=ids).values_list("pk", flat=True))
    if assignee is None or not visible:
        messages.error(request, _("Choose the tickets and whom to give them to."))
        return redirect("reporting:dashboard")
    references = dict(Ticket.objects.filter(pk__in=visible).values_list("pk", "reference"))
    done, refused = [], []
    for ticket_id in sorted(visible):
        try:
            services.ticket_assign(ticket_id=ticket_id, actor=request.user, assignee=assignee)
            done.append(references[ticket_id])
        except DomainError as error:
            refused.append((references[ticket_id], error.message))
    if done:
        messages.success(request, ngettext("%(references)s reassigned to %(name)s.",
                                           "%(n)d tickets reassigned to %(name)s: %(references)s.", len(done))
                         % {"n": len(done), "name": assignee.name, "references": ", ".join(done)})
    for reference, reason in refused:
        messages.error(request, _("%(reference)s: %(reason)s") % {"reference": reference, "reason": reason})
    return redirect("reporting:dashboard")


def _scorecard_scope(request):
    scope = scope_for(request.user)
    return scope if scope.is_staff_member else None


class ScorecardQuery(MonthForm):
    team = IdField(label=gettext_lazy("Team"), required=False)


def _scorecard_rows(values: dict, scope):
    month = values.get("month") or previous_or_current_month()
    team = values.get("team")
    cards = list(scorecard_list_for(scope=scope, month=month, team_id=team))
    return month, "" if team is None else str(team), cards


def previous_or_current_month():
    return timezone.localdate().replace(day=1)


KPI_ORDER = ("sla", "satisfaction", "callback", "pickup", "errors")


@login_required
@require_http_methods(["GET"])
def scorecards(request):
    """A team's monthly 100-point scores: each agent's KPIs, points, adjustment and band."""
    scope = _scorecard_scope(request)
    if scope is None:
        return HttpResponseForbidden(_("Scorecards are for center staff."))
    values, ok = query_values(request, ScorecardQuery(request.GET))
    month, team, cards = _scorecard_rows(values, scope)
    teams = Unit.objects.filter(positions__role=Role.AGENT).distinct().order_by("name")
    if not scope.sees_all:
        teams = teams.filter(pk__in=scope.unit_ids)
    return render(request, "staff/scorecards.html", {
        "month": month, "team": team, "teams": list(teams), "cards": cards, "scope": scope,
        "kpis": [(k, Kpi(k).label) for k in KPI_ORDER], "max_adjustment": settings.SCORECARD_MAX_ADJUSTMENT,
        "may_lead": scope.may_lead,
    }, status=200 if ok else 400)


@login_required
@require_http_methods(["POST"])
def scorecard_adjust(request, pk: int):
    try:
        card = scorecard_adjust_service(scorecard_id=pk, actor=request.user, adjustment=request.POST.get("adjustment",
                                                                                                         ""),
                      reason=request.POST.get("reason", ""))
    except ForbiddenError as error:
        return HttpResponseForbidden(error.message)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("reporting:scorecards")
    messages.success(request, _("Score adjusted."))
    return redirect(f"{reverse('reporting:scorecards')}?month={card.month:%Y-%m}&team={card.team_id or ''}")


@login_required
@require_http_methods(["POST"])
def scorecards_compute(request):
    scope = scope_for(request.user)
    if not scope.may_lead:
        return HttpResponseForbidden(_("Scorecards are computed by leaders."))
    month = parse_month(request.POST.get("month"))
    if month is None or month > previous_or_current_month():
        messages.error(request, _("Choose a month that has begun."))
        return redirect("reporting:scorecards")
    count = scorecards_compute_service(month=month)
    messages.success(request, ngettext("%(n)s scorecard computed.", "%(n)s scorecards computed.", count)
                     % {"n": count})
    return redirect(f"{reverse('reporting:scorecards')}?month={month:%Y-%m}&team={request.POST.get('team', '')}")


@login_required
@require_http_methods(["GET"])
def scorecards_export(request):
    scope = _scorecard_scope(request)
    if scope is None:
        return HttpResponseForbidden(_("Scorecards are for center staff."))
    query = ScorecardQuery(request.GET)
    if not query.is_valid():
        return bad_request(query)
    month, _team, cards = _scorecard_rows(query.cleaned_data, scope)
    header = [_("Employee number"), _("Name"), _("Team")]
    for kpi in KPI_ORDER:
        header += [str(Kpi(kpi).label), _("Points")]
    header += [_("Score from KPIs"), _("Adjustment"), _("Reason"), _("Score"), _("Band")]
    rows = []
    for card in cards:
        row = [card.staff.employee_no, card.staff.name, card.team.display_name if card.team else ""]
        for kpi in KPI_ORDER:
            item = card.kpis.get(kpi, {})
            row += [item.get("value"), float(item["points"]) if item.get("points") is not None else None]
        row += [float(card.base_score), float(card.adjustment), card.adjustment_reason, float(card.total),
                str(card.get_band_display())]
        rows.append(row)
    return xlsx_response(filename=f"scorecards-{month:%Y-%m}", title=f"{month:%Y-%m}", header=header, rows=rows)
