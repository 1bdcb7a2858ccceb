"""The open tickets' counts for the director's dashboard from a rollup, not from a scan of every open ticket.

The dashboard's tiles, backlog ageing and departments count the open tickets per team: how many, in
which SLA state, how many held by nobody, due today, and by age. ``BacklogRollup`` keeps those counts
per key, so that they read a few rows however many tickets are open:
- grain 1: a team's open tickets in an SLA state, held or not (the tiles and the departments);
- grain 2: a team's open tickets received on a day (the ageing);
- grain 3: a team's open tickets due on a day (due today).

Days are taken in ``settings.TIME_ZONE``, written into the trigger functions when they are installed, as
the clock rollup does (``sla/rollup.py``). An age is counted from this moment, not from midnight: the
days that hold a bracket's edge (today, one, three, seven and thirty days ago) are read from the open
tickets received on them (index ``ticket_status_received``), every other day of the last thirty from
the rollup, and the oldest bracket is what is left of the open tickets. So the figures are the scan's
exactly; ``tests/sla/test_backlog.py`` compares every one on random writes.

The rollup is kept by statement triggers on ``tickets_ticket`` with transition tables: every insert,
update and delete of a ticket writes the old contribution of the tickets whose counted columns changed
with sign -1 and the new one with +1, netted per key, into ``BacklogRollupChange`` (insert only: no
shared row is locked while tickets are worked). The sweep folds the changes into the rollup every
minute (``rollup.fold``), and a read adds those not folded yet. A ticket's counted columns are all in
its own row, so no other table's change can be missed. Not seen: TRUNCATE. SQLite has no triggers; its
dashboard comes from the scan."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.utils import timezone

from sla.models import BacklogRollup
from tickets.models import OPEN_STATUSES

STATE, RECEIVED, DUE = 1, 2, 3
KEYS = ("grain", "team_id", "sla_state", "unassigned", "day")
COLUMNS = (*KEYS, "tickets")
FIGURES = ("open", "at_risk", "breached", "paused", "due_today", "unassigned")
SLA_STATES = ("at_risk", "breached", "paused")  # the states the tiles count
FOLD_LOCK = 0x5CA12  # one fold at a time (a second at the same moment skips)
OPEN = "({t}.status IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + "))"
# The columns a ticket's contribution is made of (whether it is held, not by whom).
COUNTED = ("{t}.status", "{t}.team_id", "{t}.sla_state", "{t}.assignee_id IS NULL", "{t}.received_at",
           "{t}.sla_due_at")


def _contribution(t: str, sign: str, zone: str) -> str:
    """The three rows an open ticket ``t`` adds (two if it has no deadline), with ``sign``: SELECT and FROM."""
    return f"""SELECT g.grain, coalesce({t}.team_id, 0),
        CASE g.grain WHEN {STATE} THEN {t}.sla_state ELSE '' END,
        g.grain = {STATE} AND {t}.assignee_id IS NULL,
        CASE g.grain WHEN {RECEIVED} THEN ({t}.received_at AT TIME ZONE '{zone}')::date
                     WHEN {DUE} THEN ({t}.sla_due_at AT TIME ZONE '{zone}')::date END,
        {sign}
      FROM {{rows}} {t} CROSS JOIN (VALUES ({STATE}), ({RECEIVED}), ({DUE})) AS g(grain)
     WHERE {OPEN.format(t=t)} AND (g.grain <> {DUE} OR {t}.sla_due_at IS NOT NULL)"""  # noqa: S608 - zone checked


def _netted(contributions: str) -> str:
    """Insert ``contributions`` summed per key, without the keys they leave unchanged (a sweep marking
    10,000 tickets at risk writes a few rows)."""
    keys = ", ".join(KEYS)
    return (f"INSERT INTO sla_backlogrollupchange ({', '.join(COLUMNS)}) "  # noqa: S608 - constant
            f"SELECT {keys}, sum(tickets) FROM ({contributions}) AS x ({', '.join(COLUMNS)}) "
            f"GROUP BY {keys} HAVING sum(tickets) <> 0")


def _function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body};
    RETURN NULL;
END $$"""


def _install_sql(zone: str) -> list[str]:
    if "'" in zone:
        raise ValueError(f"not a time zone name: {zone!r}")
    old, new = (", ".join(c.format(t=side) for c in COUNTED) for side in ("o", "n"))
    changed = f"({old}) IS DISTINCT FROM ({new}) AND ({OPEN.format(t='o')} OR {OPEN.format(t='n')})"
    updated = (f"{_contribution('o', '-1', zone).format(rows='old_rows')} AND EXISTS (SELECT FROM new_rows n "  # noqa: S608
               f"WHERE n.id = o.id AND {changed}) "
               f"UNION ALL {_contribution('n', '1', zone).format(rows='new_rows')} AND EXISTS (SELECT FROM "
               f"old_rows o WHERE o.id = n.id AND {changed})")
    return [
        _function("sla_backlog_inserted", _netted(_contribution("n", "1", zone).format(rows="new_rows"))),
        _function("sla_backlog_updated", _netted(updated)),
        _function("sla_backlog_deleted", _netted(_contribution("o", "-1", zone).format(rows="old_rows"))),
        "CREATE OR REPLACE TRIGGER tickets_ticket_backlog_insert AFTER INSERT ON tickets_ticket "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sla_backlog_inserted()",
        "CREATE OR REPLACE TRIGGER tickets_ticket_backlog_update AFTER UPDATE ON tickets_ticket "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION sla_backlog_updated()",
        "CREATE OR REPLACE TRIGGER tickets_ticket_backlog_delete AFTER DELETE ON tickets_ticket "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sla_backlog_deleted()",
    ]


TRIGGERS = ("tickets_ticket_backlog_insert", "tickets_ticket_backlog_update", "tickets_ticket_backlog_delete")


def uninstall_sql() -> list[str]:
    return [*(f"DROP TRIGGER IF EXISTS {name} ON tickets_ticket" for name in TRIGGERS),
            *(f"DROP FUNCTION IF EXISTS sla_backlog_{event}()" for event in ("inserted", "updated", "deleted"))]


def _count_sql(zone: str) -> str:
    """Every open ticket's contribution, summed per key: what the rollup holds when it is right."""
    keys = ", ".join(KEYS)
    return (f"SELECT {keys}, sum(tickets) FROM ({_contribution('t', '1', zone).format(rows='tickets_ticket')}) "  # noqa: S608
            f"AS x ({', '.join(COLUMNS)}) GROUP BY {keys}")


def rebuild(cursor) -> int:
    """Install the triggers for ``settings.TIME_ZONE`` and recount, inside the caller's transaction with
    ``tickets_ticket`` locked against writes (``rollup.rebuild``). Returns the rows written."""
    for statement in _install_sql(settings.TIME_ZONE):
        cursor.execute(statement)
    cursor.execute("TRUNCATE sla_backlogrollupchange, sla_backlogrollup")
    cursor.execute(f"INSERT INTO sla_backlogrollup ({', '.join(COLUMNS)}) {_count_sql(settings.TIME_ZONE)}")
    return cursor.rowcount


def fold() -> int:
    """Fold the changes written since the last fold into the rollup, and remove the keys left with no
    ticket. Returns the changes folded."""
    if connection.vendor != "postgresql":
        return 0
    keys = ", ".join(KEYS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(f"""
WITH moved AS (DELETE FROM sla_backlogrollupchange RETURNING {keys}, tickets),
     summed AS (SELECT {keys}, sum(tickets) AS tickets, count(*) AS changes FROM moved GROUP BY {keys}),
     folded AS (INSERT INTO sla_backlogrollup ({keys}, tickets) SELECT {keys}, tickets FROM summed
                ON CONFLICT ON CONSTRAINT backlog_rollup_key
                DO UPDATE SET tickets = sla_backlogrollup.tickets + EXCLUDED.tickets
                RETURNING id, tickets)
SELECT (SELECT coalesce(sum(changes), 0) FROM summed), array(SELECT id FROM folded WHERE tickets = 0)""")  # noqa: S608
        changes, emptied = cursor.fetchone()
        if emptied:
            cursor.execute("DELETE FROM sla_backlogrollup WHERE id = ANY(%s) AND tickets = 0", [list(emptied)])
        return int(changes)


def differences(cursor) -> list[dict]:
    """The keys where the rollup (with the changes not folded) differs from a count of the open tickets."""
    keys = ", ".join(KEYS)
    cursor.execute(f"""
WITH counted AS ({_count_sql(settings.TIME_ZONE)}),
     kept AS (SELECT {keys}, sum(tickets) FROM (SELECT {keys}, tickets FROM sla_backlogrollup
                                                UNION ALL SELECT {keys}, tickets FROM sla_backlogrollupchange) AS x
               GROUP BY {keys} HAVING sum(tickets) <> 0)
SELECT true, * FROM counted UNION ALL SELECT false, * FROM kept""")  # noqa: S608 - constant
    counted: dict = {}
    kept: dict = {}
    for row in cursor.fetchall():
        (counted if row[0] else kept)[tuple(row[1:-1])] = row[-1]
    return [{"key": dict(zip(KEYS, key, strict=True)), "counted": counted.get(key), "kept": kept.get(key)}
            for key in sorted(set(counted) | set(kept), key=str) if counted.get(key) != kept.get(key)]


def _reader():
    return connections[router.db_for_read(BacklogRollup) or "default"]


def usable() -> bool:
    """Whether the counts may come from the rollup: PostgreSQL, days taken in the reader's zone."""
    return _reader().vendor == "postgresql" and timezone.get_current_timezone_name() == settings.TIME_ZONE


def _start(day: date, zone) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def open_by_team(now: datetime, ages: Sequence[tuple[str, int, int | None]]) -> list[dict]:
    """The open tickets per team as ``reporting.dashboard`` counts them: ``FIGURES`` and ``age_<name>``
    for each bracket of ``ages`` (``name``, received at least ``low`` and less than ``high`` days ago;
    contiguous from 0, the last without ``high``). One query. A row's ``team_id`` is None for no team."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now)
    edges = sorted({0, *(days for _name, low, high in ages for days in (low, high) if days is not None)})
    edge_days = sorted({timezone.localdate(now - timedelta(days=days)) for days in edges})
    oldest = edge_days[0]
    # On the days that hold an edge, each ticket's bracket from its own moment: '' if received after now,
    # NULL in the oldest bracket (what is left of the open tickets).
    bracket = " ".join(f"WHEN t.received_at > %s THEN '{name}'" for name, _low, high in ages if high is not None)
    bracket_params = [now - timedelta(days=high) for _name, _low, high in ages if high is not None]
    on_edge_days = " OR ".join("(t.received_at >= %s AND t.received_at < %s)" for _day in edge_days)
    edge_params = [moment for day in edge_days for moment in (_start(day, zone), _start(day + timedelta(days=1), zone))]
    part = (f"SELECT {', '.join(COLUMNS)} FROM {{}} WHERE grain = {STATE} OR (grain = {RECEIVED} AND day >= %s) "  # noqa: S608
            f"OR (grain = {DUE} AND day = %s)")
    sql = f"""
SELECT grain, team_id, sla_state, unassigned, day, sum(tickets)
  FROM ({part.format('sla_backlogrollup')} UNION ALL {part.format('sla_backlogrollupchange')}) AS r
 GROUP BY grain, team_id, sla_state, unassigned, day HAVING sum(tickets) <> 0
UNION ALL
SELECT 0, coalesce(t.team_id, 0), CASE WHEN t.received_at > %s THEN '' {bracket} END, false, NULL, count(*)
  FROM tickets_ticket t
 WHERE {OPEN.format(t='t')} AND ({on_edge_days})
 GROUP BY 2, 3"""  # noqa: S608 - constant but the brackets' names, which are the caller's constants
    params = [oldest, today, oldest, today, now, *bracket_params, *edge_params]
    with _reader().cursor() as cursor:
        cursor.execute(sql, params)
        return _per_team(cursor.fetchall(), now, ages, edge_days)


def _day_bracket(day: date, now: datetime, ages: Sequence[tuple[str, int, int | None]],
                 edge_days: list[date]) -> str | None:
    """The bracket of every ticket received on ``day``, a day of the rollup: '' after today; None on an
    edge day (its tickets are read one by one). A day between two edges lies whole in one bracket: the
    one its first moment is in."""
    if day in edge_days:
        return None
    if day > timezone.localdate(now):
        return ""
    first = _start(day, timezone.get_current_timezone())
    return next(name for name, _low, high in ages if high is not None and first > now - timedelta(days=high))


def _per_team(rows: list[tuple], now: datetime, ages: Sequence[tuple[str, int, int | None]],
              edge_days: list[date]) -> list[dict]:
    """:func:`open_by_team`'s rows summed per team: grains 1 to 3 from the rollup, 0 from the edge days'
    tickets (their bracket's name; '' if received after ``now``)."""
    names = [*FIGURES, *(f"age_{name}" for name, _low, _high in ages)]
    teams: dict[int, dict] = {}
    future: dict[int, int] = {}

    def team(key: int) -> dict:
        if key not in teams:
            teams[key] = {"team_id": key or None, **dict.fromkeys(names, 0)}
        return teams[key]

    for grain, team_id, state, unassigned, day, tickets in rows:
        into = team(team_id)
        if grain == STATE:
            into["open"] += tickets
            if state in SLA_STATES:
                into[state] += tickets
            if unassigned:
                into["unassigned"] += tickets
        elif grain == DUE:
            into["due_today"] += tickets
        else:
            name = state if grain == 0 else _day_bracket(day, now, ages, edge_days)
            if name == "":
                future[team_id] = future.get(team_id, 0) + tickets
            elif name is not None:
                into[f"age_{name}"] += tickets
    last = f"age_{ages[-1][0]}"
    for key, into in teams.items():
        into[last] = into["open"] - future.get(key, 0) - sum(into[f"age_{name}"] for name, _low, _high in ages[:-1])
    return [into for into in teams.values() if into["open"]]
