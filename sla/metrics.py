"""SLA figures, computed in the database: compliance, breaches, at risk, response and resolution
times (wall and working) by team, agent, kind or target over a period of receipt."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from sla import rollup
from sla.models import Clock, ClockState
from staff.access import Scope
from staff.models import StaffMember, Unit
from tickets.selectors import ticket_list_for

_ABSENT = object()  # the key of a rollup row for a grouping its grain does not answer
GROUPS = {
    # A clock counts for the team that held its ticket when it breached or was met (``Clock.team``), not
    # for the team that holds the ticket now; a clock still running on time counts for the current team.
    "team": (Coalesce("team_id", "ticket__team_id"), Coalesce("team__name", "ticket__team__name")),
    "agent": ("ticket__assignee_id", "ticket__assignee__name"),
    "kind": ("ticket__kind", "ticket__kind"),
    "target": ("target", "target"),
}


def _bounds(date_from: date | None, date_to: date | None) -> tuple[datetime, datetime]:
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or date_to - timedelta(days=29)
    tz = timezone.get_current_timezone()
    return (datetime.combine(date_from, time(0), tzinfo=tz),
            datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz))


def sla_metrics(*, scope: Scope, date_from: date | None = None, date_to: date | None = None,
                group_by: str = "team", now: datetime | None = None) -> dict:
    """The figures for one grouping, over the clocks of the tickets ``scope`` may see."""
    return sla_metrics_by(scope=scope, date_from=date_from, date_to=date_to, groups=(group_by,), now=now)[group_by]


def sla_metrics_by(*, scope: Scope, date_from: date | None = None, date_to: date | None = None,
                   groups: tuple[str, ...] = ("team",), now: datetime | None = None,
                   use_rollup: bool = True) -> dict[str, dict]:
    """The figures for several groupings over the clocks of the tickets ``scope`` may see, from one scan
    of the clocks: one query grouped by every key at once (a few hundred rows at most), rolled up per
    grouping here. The dashboard asks for three groupings; three queries over the same clocks cost
    three scans.

    For a viewer who sees the whole center (on PostgreSQL) the figures are read from the rollup
    (``sla/rollup.py``) instead, and only the running clocks past their warning are read one by one,
    so the cost follows the work at risk, not the period's volume. ``use_rollup=False`` counts from the
    clocks all the same (what the rollup is checked against)."""
    now = now or timezone.now()
    start, end = _bounds(date_from, date_to)
    rolled = use_rollup and scope.sees_all and rollup.usable()
    tickets = ticket_list_for(scope=scope, with_clocks=False)
    keys = {}
    for group in groups:
        key, label = GROUPS[group]
        keys[f"{group}_key"] = F(key) if isinstance(key, str) else key
        keys[f"{group}_name"] = F(label) if isinstance(label, str) else label
    on_time = Q(state=ClockState.MET, breached_at__isnull=True)
    unmet = Q(state__in=[ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED])
    response = Q(target="first_response", state=ClockState.MET)
    resolution = Q(target="resolution", state=ClockState.MET)
    period = {"from": start.date().isoformat(), "to": (end - timedelta(days=1)).date().isoformat()}
    if rolled:
        rows = _rolled_rows(start.date(), (end - timedelta(days=1)).date(), groups)
        rows += _past_warning_rows(start, end, groups, now, rows)
        return _reports(rows, groups, period)
    rows = list(
        Clock.objects.filter(ticket__in=tickets.values("pk"), started_at__gte=start, started_at__lt=end,
                             callback__isnull=True)
        .exclude(state=ClockState.CANCELLED)
        .values(**keys)
        .annotate(
            clocks=Count("id"),
            met_on_time=Count("id", filter=on_time),
            late_met=Count("id", filter=Q(state=ClockState.MET, breached_at__isnull=False)),  # (Clock.met_late)
            breached=Count("id", filter=Q(breached_at__isnull=False)),
            # Disjoint with met_on_time, met_late and at_risk: now breached (not met), paused, on track.
            breached_unmet=Count("id", filter=unmet & (Q(breached_at__isnull=False)
                                                       | Q(state=ClockState.RUNNING, due_at__lte=now))),
            paused=Count("id", filter=Q(state=ClockState.PAUSED, breached_at__isnull=True)),
            on_track=Count("id", filter=Q(state=ClockState.RUNNING, breached_at__isnull=True, warn_at__gt=now,
                                          due_at__gt=now)),
            at_risk=Count("id", filter=Q(state=ClockState.RUNNING, warn_at__lte=now, due_at__gt=now)),
            running=Count("id", filter=Q(state__in=[ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED])),
            response_n=Count("id", filter=response),
            response_wall=Sum("elapsed_wall", filter=response),
            response_working=Sum("elapsed_working", filter=response),
            resolution_n=Count("id", filter=resolution),
            resolution_wall=Sum("elapsed_wall", filter=resolution),
            resolution_working=Sum("elapsed_working", filter=resolution),
        )
        .order_by()
    )
    return _reports(rows, groups, period)


SUMS = ("clocks", "met_on_time", "late_met", "breached", "breached_unmet", "paused", "on_track", "at_risk", "running",
        "response_n", "response_wall", "response_working", "resolution_n", "resolution_wall", "resolution_working")


def _reports(rows: list[dict], groups: tuple[str, ...], period: dict) -> dict[str, dict]:
    """Rows of figures per combination of keys, summed per grouping."""
    reports = {}
    for group in groups:
        summed: dict = {}
        for row in rows:
            key = row[f"{group}_key"]
            if key is _ABSENT:
                continue
            into = summed.setdefault(key, {"group_key": key, "group_name": row[f"{group}_name"],
                                           **dict.fromkeys(SUMS, 0)})
            for name in SUMS:
                into[name] += row.get(name) or 0
        results = [_finish(summed[key]) for key in sorted(summed, key=lambda k: (k is None, k))]
        reports[group] = {**period, "group_by": group, "results": results}
    return reports


def _rolled_rows(first: date, last: date, groups: tuple[str, ...]) -> list[dict]:
    """The rollup's rows for the period, shaped as the scan's rows: each carries the keys of the groupings
    its grain answers (team, kind and target; or agent). A running clock not breached counts as on track
    here; ``_past_warning_rows`` corrects that for those past their warning."""
    shaped = []
    for row in rollup.rolled(first, last):
        out = {"clocks": row["clocks"], "met_on_time": row["met_on_time"], "late_met": row["met_late"],
               "breached": row["breached"], "breached_unmet": row["breached_unmet"], "paused": row["paused"],
               "on_track": row["running_clean"], "at_risk": 0, "running": row["running"],
               **{name: row[name] for name in SUMS if name.startswith(("response_", "resolution_"))}}
        # A row answers only the groupings of its grain; the others skip it.
        if row["grain"] == rollup.TEAM_KIND:
            team = row["team_id"] or None
            keys = {"team": (team, row["name"]), "kind": (row["kind"] or None, row["kind"] or None),
                    "target": (row["target"], row["target"]), "agent": (_ABSENT, None)}
        else:
            agent = row["assignee_id"] or None
            keys = {"agent": (agent, row["name"]), "team": (_ABSENT, None), "kind": (_ABSENT, None),
                    "target": (_ABSENT, None)}
        for group in groups:
            out[f"{group}_key"], out[f"{group}_name"] = keys[group]
        shaped.append(out)
    return shaped


def _past_warning_rows(start: datetime, end: datetime, groups: tuple[str, ...], now: datetime,
                       rolled: list[dict]) -> list[dict]:
    """What depends on the moment of reading, from the period's running clocks past their warning (index
    ``clock_running_first``: the work at risk or overdue, whatever the period's volume): those at risk;
    those overdue that no sweep has marked breached yet; and, taken off the rollup's on-track count,
    every one of them not breached. Read by key alone: each key's name is the ``rolled`` rows' (the
    rollup counts every clock of the period), looked up only for a clock the rollup did not have yet."""
    clean = Q(breached_at__isnull=True)
    keys = {f"{group}_key": F(GROUPS[group][0]) if isinstance(GROUPS[group][0], str) else GROUPS[group][0]
            for group in groups}
    rows = list(
        # Past the warning or the deadline, whichever is first (a deadline moved before its warning too).
        Clock.objects.alias(first=Least("warn_at", "due_at"))
        .filter(first__lte=now, started_at__gte=start, started_at__lt=end, callback__isnull=True,
                state=ClockState.RUNNING)
        .values(**keys)
        .annotate(at_risk=Count("id", filter=Q(due_at__gt=now)),
                  breached_unmet=Count("id", filter=clean & Q(due_at__lte=now)),
                  past_warning=Count("id", filter=clean))
        .order_by()
    )
    named = {(group, row[f"{group}_key"]): row[f"{group}_name"] for row in rolled for group in groups}
    named |= _names_of({(group, row[f"{group}_key"]) for row in rows for group in groups} - named.keys())
    for row in rows:
        row["on_track"] = -row.pop("past_warning")
        for group in groups:
            row[f"{group}_name"] = named[group, row[f"{group}_key"]]
    return rows


def _names_of(keys: set[tuple[str, object]]) -> dict[tuple[str, object], object]:
    """Keys' names as the scan reads them (``GROUPS``), for keys the rollup did not have: a kind or a
    target is its own name; teams and agents are looked up, one query each at most."""
    names: dict[tuple[str, object], object] = {(group, key): key for group, key in keys
                                               if key is None or group in ("kind", "target")}
    for group, model in (("team", Unit), ("agent", StaffMember)):
        wanted = [key for g, key in keys if g == group and key is not None]
        if wanted:
            found = dict(model.objects.filter(pk__in=wanted).values_list("pk", "name"))
            names |= {(group, key): found.get(key) for key in wanted}
    return names


def _finish(row: dict) -> dict:
    completed = row["met_on_time"] + row["breached"]
    row["met_late"] = row.pop("late_met")
    row["completed"] = completed
    row["compliance"] = round(row["met_on_time"] / completed, 4) if completed else None
    for kind in ("response", "resolution"):
        n = row.pop(f"{kind}_n")
        for axis in ("wall", "working"):
            total = row.pop(f"{kind}_{axis}")
            row[f"{kind}_{axis}_seconds"] = round(total / n, 1) if n and total is not None else None
    return row
