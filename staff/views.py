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

from servicecenter.errors import DomainError, ForbiddenError
from servicecenter.exports import xlsx_response
from servicecenter.numbers import IdField, MonthForm, bad_request, query_values
from staff import selectors
from staff.access import scope_for
from staff.models import Kpi, Role, Unit
from staff.scorecards import parse_month, scorecard_list_for
from staff.scorecards import scorecard_adjust as scorecard_adjust_service
from staff.scorecards import scorecards_compute as scorecards_compute_service


@login_required
def org_chart(request):
    nodes = selectors.org_tree()
    return render(request, "staff/org_chart.html", {"nodes": nodes, "root": nodes[0] if nodes else None})


@login_required
def job_description(request, code: str):
    position = selectors.position_list().filter(code=code).first()
    if position is None:
        raise Http404
    return render(
        request,
        "staff/job_description.html",
        {
            "position": position,
            "jd": getattr(position, "job_description", None),
            "subordinates": list(position.direct_reports.select_related("unit")),
            "holders": list(position.holders.filter(is_active=True)),
        },
    )


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
        card = scorecard_adjust_service(scorecard_id=pk, actor=request.user, adjustment=request.POST.get("adjustment", ""),
                      reason=request.POST.get("reason", ""))
    except ForbiddenError as error:
        return HttpResponseForbidden(error.message)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("staff:scorecards")
    messages.success(request, _("Score adjusted."))
    return redirect(f"{reverse('staff:scorecards')}?month={card.month:%Y-%m}&team={card.team_id or ''}")


@login_required
@require_http_methods(["POST"])
def scorecards_compute(request):
    scope = scope_for(request.user)
    if not scope.may_lead:
        return HttpResponseForbidden(_("Scorecards are computed by leaders."))
    month = parse_month(request.POST.get("month"))
    if month is None or month > previous_or_current_month():
        messages.error(request, _("Choose a month that has begun."))
        return redirect("staff:scorecards")
    count = scorecards_compute_service(month=month)
    messages.success(request, ngettext("%(n)s scorecard computed.", "%(n)s scorecards computed.", count)
                     % {"n": count})
    return redirect(f"{reverse('staff:scorecards')}?month={month:%Y-%m}&team={request.POST.get('team', '')}")


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
        row = [card.staff.employee_no, card.staff.name, card.team.name if card.team else ""]
        for kpi in KPI_ORDER:
            item = card.kpis.get(kpi, {})
            row += [item.get("value"), float(item["points"]) if item.get("points") is not None else None]
        row += [float(card.base_score), float(card.adjustment), card.adjustment_reason, float(card.total),
                str(card.get_band_display())]
        rows.append(row)
    return xlsx_response(filename=f"scorecards-{month:%Y-%m}", title=f"{month:%Y-%m}", header=header, rows=rows)
