"""The supervisors' SLA dashboard, computed in the database with a fixed number of queries.

Tiles, backlog ageing and the whole center by department are the open tickets in the viewer's scope
counted per team (plus the unit tree for the departments): for the director from the backlog rollup
(``sla/backlog.py``), for a scope by one aggregate; compliance by team, agent and kind comes from
``sla.metrics`` (the rollup, for the director); the at-risk list is one query.
Nothing loops over tickets.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sla import backlog
from sla.metrics import sla_metrics_by
from staff.access import Scope
from staff.models import Unit
from tickets.choices import Kind
from tickets.models import OPEN_STATUSES
from tickets.selectors import ticket_list_for

AGEING = (("0-1d", 0, 1), ("1-3d", 1, 3), ("3-7d", 3, 7), ("7-30d", 7, 30), ("30d+", 30, None))
# How a person reads each age bracket (the keys stay the codes the counts are named by).
AGEING_LABELS = {"0-1d": _("Under 1 day"), "1-3d": _("1–3 days"), "3-7d": _("3–7 days"), "7-30d": _("7–30 days"),
                 "30d+": _("Over 30 days")}


@dataclass
class Dashboard:
    tiles: dict
    ageing: list
    compliance: dict
    departments: list
    at_risk: list
    date_from: date
    date_to: date


def _today(now: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(now)
    start = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
    return start, start + timedelta(days=1)


def dashboard_for(*, scope: Scope, now: datetime | None = None, date_from: date | None = None,
                  date_to: date | None = None) -> Dashboard:
    now = now or timezone.now()
    open_tickets = ticket_list_for(scope=scope, with_clocks=False).filter(status__in=OPEN_STATUSES)
    # The open tickets per team: the tiles and the ageing are its sums, the departments' figures (the
    # director's) its rows rolled up the unit tree. The whole center's from the backlog rollup (a few rows
    # however many are open), a scope's from one scan of its open tickets.
    if scope.sees_all and scope.is_staff_member and backlog.usable():
        per_team = backlog.open_by_team(now, AGEING)
    else:
        per_team = scanned_by_team(open_tickets, now)
    names = [*backlog.FIGURES, *(f"age_{name}" for name, _low, _high in AGEING)]
    totals = {name: sum(row[name] for row in per_team) for name in names}
    tiles = {k: totals[k] for k in backlog.FIGURES}
    ageing = [(str(AGEING_LABELS[name]), totals[f"age_{name}"]) for name, _low, _high in AGEING]

    reports = sla_metrics_by(scope=scope, date_from=date_from, date_to=date_to, groups=("team", "agent", "kind"),
                             now=now)
    compliance = {group: _named(group, report["results"]) for group, report in reports.items()}
    period = reports["team"]
    departments = _by_department(per_team) if scope.sees_all else []
    at_risk = list(alarms(open_tickets))
    return Dashboard(tiles=tiles, ageing=ageing, compliance=compliance, departments=departments, at_risk=at_risk,
                     date_from=date.fromisoformat(period["from"]), date_to=date.fromisoformat(period["to"]))


def scanned_by_team(open_tickets, now: datetime) -> list[dict]:
    """``open_tickets`` counted per team in one scan, as ``backlog.open_by_team`` counts the whole center's:
    ``backlog.FIGURES`` and ``age_<name>`` per bracket of ``AGEING`` (received at least ``low`` and less
    than ``high`` days before ``now``)."""
    start, end = _today(now)
    counts = {
        "open": Count("id"),
        "at_risk": Count("id", filter=Q(sla_state="at_risk")),
        "breached": Count("id", filter=Q(sla_state="breached")),
        "paused": Count("id", filter=Q(sla_state="paused")),
        "due_today": Count("id", filter=Q(sla_due_at__gte=start, sla_due_at__lt=end)),
        "unassigned": Count("id", filter=Q(assignee__isnull=True)),
    }
    for name, low, high in AGEING:
        window = Q(received_at__lte=now - timedelta(days=low))
        if high is not None:
            window &= Q(received_at__gt=now - timedelta(days=high))
        counts[f"age_{name}"] = Count("id", filter=window)
    return list(open_tickets.order_by().values("team_id").annotate(**counts))


def alarms(open_tickets):
    """The 50 open tickets at risk or breached whose deadline comes first (index ``ticket_sla_alarm``), with
    what their row shows: reference, subject, deadline and holder (one join, not the list's five)."""
    return (open_tickets.filter(sla_state__in=["at_risk", "breached"]).select_related(None).select_related("assignee")
            .only("id", "reference", "subject", "sla_state", "sla_due_at", "assignee__name")
            .order_by("sla_due_at", "id")[:50])


def _named(group: str, rows: list[dict]) -> list[dict]:
    """Each row's ``group_name`` as the reader reads it: a kind's label, a team's name in the reader's
    language (the key stays the code or id, for links and exports)."""
    if group == "kind":
        labels = dict(Kind.choices)
        for row in rows:
            row["group_name"] = str(labels.get(row["group_key"], row["group_key"]))
    elif group == "team" and (get_language() or "").startswith("en"):  # (other readers read ``name``)
        units = {u.pk: u for u in Unit.objects.filter(pk__in=[r["group_key"] for r in rows if r["group_key"]])}
        for row in rows:
            unit = units.get(row["group_key"])
            if unit is not None:
                row["group_name"] = unit.display_name
    return rows


def _by_department(per_team: list[dict]) -> list[dict]:
    """Open, at-risk and breached tickets per department (the units of kind department), for the director,
    from the open tickets' counts per team."""
    # The units in the org chart's order (depth first, siblings by their order), each with its nearest
    # department up the tree (itself, if it is one): a walk of a few hundred rows, not a recursive query.
    listed = list(Unit.objects.all())
    by_id = {u.pk: u for u in listed}
    children: dict = defaultdict(list)
    for unit in listed:
        children[unit.parent_id if unit.parent_id in by_id else None].append(unit)
    units, stack = [], list(reversed(children[None]))
    while stack:
        unit = stack.pop()
        units.append(unit)
        stack.extend(reversed(children[unit.pk]))
    department_of = {}
    for unit in units:
        above = unit
        while above is not None and above.kind != Unit.Kind.DEPARTMENT:
            above = by_id.get(above.parent_id)
        department_of[unit.pk] = above
    totals: dict = defaultdict(lambda: {"open": 0, "at_risk": 0, "breached": 0})
    for row in per_team:
        department = department_of.get(row["team_id"])
        key = department.pk if department else None
        for name in ("open", "at_risk", "breached"):
            totals[key][name] += row[name]
    result = [{"unit": unit, **totals.get(unit.pk, {"open": 0, "at_risk": 0, "breached": 0})}
              for unit in units if unit.kind == Unit.Kind.DEPARTMENT]
    if None in totals:
        result.append({"unit": None, **totals[None]})
    return result
