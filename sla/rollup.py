"""Compliance figures for the whole center from rollups, not from a scan of every clock of the period.

Most of what a clock adds to the figures does not depend on the moment they are read: one clock; met on
time or late; breached; paused; not met yet; its response or resolution times once met. Those are summed
per day the clock started and per key, in ``ClockRollup``: grain 1 keys a day's team, kind and target;
grain 2 a day's agent and target. A period's figures are then a few rows a day, however many tickets the
center takes. What does depend on the moment (on track, at risk, overdue before a sweep has marked it) is
read from the period's running clocks past their warning (``sla.metrics``): the work at risk, a small set.

The rollup is kept by PostgreSQL triggers, so that no write can miss it: the services, the sweep's bulk
updates, the admin and a raw UPDATE all change it the same way.
- On ``sla_clock``, every insert, update or delete of a counted clock (not cancelled, not a callback's)
  writes its old contribution with sign -1 and its new one with sign +1: met, reopened, breached,
  paused, cancelled, moved to another team, its times corrected. Updates that change nothing counted
  (the sweep's warnings and escalation levels) fail the trigger's WHEN and cost nothing more.
- On ``tickets_ticket``, a change of team, agent or kind moves the ticket's clocks from the old key to
  the new one, because the figures group a clock by its ticket's agent and kind as they are now (and
  by its ticket's team when the clock has none of its own), as the scan does.
- The clock trigger reads the ticket ``FOR SHARE``: a concurrent change of the ticket's team waits for
  it, and it waits for that change, so neither misses the other.

The triggers only insert into ``ClockRollupChange`` (no shared row is locked while tickets are worked);
the sweep folds those changes into ``ClockRollup`` every minute, and a read adds the changes not folded
yet, so the figures are exact at any moment. SQLite (the embedded mode, small by nature) has no
triggers: its figures come from the scan.

The day a clock started is taken in ``settings.TIME_ZONE``, written into the trigger function when it is
installed; after changing that setting, ``manage.py sla_rollup --rebuild`` installs it again and
recounts. ``manage.py sla_rollup --check`` compares the rollup with the scan it replaces."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.utils import timezone

from sla.models import ClockRollup
from staff.models import StaffMember, Unit

# Each figure a clock adds to its key, as a condition on the clock (``{c}``): a count, or, for the times,
# a condition and the value summed. None of them depends on the moment of reading; what does (on track,
# at risk, overdue not yet swept) is read from the running clocks past their warning (``sla.metrics``).
LIVE = "{c}.state IN ('running', 'paused', 'breached')"
COUNTS = {
    "clocks": "TRUE",
    "met_on_time": "{c}.state = 'met' AND {c}.breached_at IS NULL",
    "met_late": "{c}.state = 'met' AND {c}.breached_at IS NOT NULL",
    "breached": "{c}.breached_at IS NOT NULL",
    "breached_unmet": f"{LIVE} AND {{c}}.breached_at IS NOT NULL",  # and the running ones overdue, read live
    "paused": "{c}.state = 'paused' AND {c}.breached_at IS NULL",
    "running": LIVE,
    "running_clean": "{c}.state = 'running' AND {c}.breached_at IS NULL",  # on track unless past the warning
    "response_n": "{c}.state = 'met' AND {c}.target = 'first_response'",
    "resolution_n": "{c}.state = 'met' AND {c}.target = 'resolution'",
}
TIMES = {f"{kind}_{axis}": (COUNTS[f"{kind}_n"], f"{{c}}.elapsed_{axis}")
         for kind in ("response", "resolution") for axis in ("wall", "working")}
FIGURES = (*COUNTS, *TIMES)
KEYS = ("day", "grain", "team_id", "assignee_id", "kind", "target")
TEAM_KIND, AGENT = 1, 2
FOLD_LOCK = 0x5CA11  # the advisory lock one fold holds (a second fold at the same moment skips)
COUNTED = "{c}.state <> 'cancelled' AND {c}.callback_id IS NULL"  # the clocks the figures count


def _contribution(clock: str, team: str, assignee: str, kind: str, sign: str, zone: str) -> str:
    """The SELECT list of a clock's two rows (both grains), ``g.grain`` being 1 or 2."""
    figures = [f"CASE WHEN {cond.format(c=clock)} THEN {sign} ELSE 0 END" for cond in COUNTS.values()]
    figures += [f"CASE WHEN {cond.format(c=clock)} THEN {sign} * coalesce({value.format(c=clock)}, 0) ELSE 0 END"
                for cond, value in TIMES.values()]
    return f"""({clock}.started_at AT TIME ZONE '{zone}')::date, g.grain,
        CASE g.grain WHEN 1 THEN coalesce({clock}.team_id, {team}, 0) ELSE 0 END,
        CASE g.grain WHEN 2 THEN coalesce({assignee}, 0) ELSE 0 END,
        CASE g.grain WHEN 1 THEN coalesce({kind}, '') ELSE '' END,
        {clock}.target, {", ".join(figures)}"""


def _columns() -> str:
    return ", ".join(KEYS + FIGURES)


WATCHED = ("ticket_id", "callback_id", "state", "target", "team_id", "started_at", "breached_at", "elapsed_wall",
           "elapsed_working")  # the clock's columns its contribution is made of


def _clock_function(name: str, rows: str, zone: str) -> str:
    """A statement trigger's function on ``sla_clock``: ``rows`` selects the statement's clocks whose
    contribution changes, each with its sign; their tickets are read FOR SHARE, in id order."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH rows AS ({rows}),
         t AS (SELECT id, team_id, assignee_id, kind FROM tickets_ticket
                WHERE id IN (SELECT ticket_id FROM rows) ORDER BY id FOR SHARE)
    INSERT INTO sla_clockrollupchange ({_columns()})
    SELECT {_contribution('r', 't.team_id', 't.assignee_id', 't.kind', 'r.sign', zone)}
      FROM rows r LEFT JOIN t ON t.id = r.ticket_id CROSS JOIN (VALUES (1), (2)) AS g(grain);
    RETURN NULL;
END $$"""  # noqa: S608 - the zone is checked by the caller; the rest is constant


def _install_sql(zone: str) -> list[str]:
    """Statement triggers with transition tables: a statement that changes 10,000 clocks (a sweep's
    breaches) writes its changes in one INSERT, not 10,000 function calls."""
    if "'" in zone:
        raise ValueError(f"not a time zone name: {zone!r}")
    counted = COUNTED.replace("{c}", "{0}")
    changed = " IS DISTINCT FROM ".join(f"({', '.join(f'{side}.{c}' for c in WATCHED)})" for side in ("o", "n"))
    updated = (f"SELECT o.*, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id "  # noqa: S608 - constant
               f"WHERE {counted.format('o')} AND {changed} "
               f"UNION ALL SELECT n.*, 1 AS sign FROM new_rows n JOIN old_rows o ON o.id = n.id "
               f"WHERE {counted.format('n')} AND {changed}")
    moved = ("(o.team_id, o.assignee_id, o.kind) IS DISTINCT FROM (n.team_id, n.assignee_id, n.kind)")
    grains = "CROSS JOIN (VALUES (1), (2)) AS g(grain)"
    on_ticket = f"""
CREATE OR REPLACE FUNCTION sla_rollup_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH moved AS (SELECT o.id, o.team_id AS old_team, o.assignee_id AS old_assignee, o.kind AS old_kind,
                          n.team_id AS new_team, n.assignee_id AS new_assignee, n.kind AS new_kind
                     FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {moved})
    INSERT INTO sla_clockrollupchange ({_columns()})
    SELECT {_contribution('c', 'm.old_team', 'm.old_assignee', 'm.old_kind', '-1', zone)}
      FROM moved m JOIN sla_clock c ON c.ticket_id = m.id {grains} WHERE {counted.format('c')}
    UNION ALL
    SELECT {_contribution('c', 'm.new_team', 'm.new_assignee', 'm.new_kind', '1', zone)}
      FROM moved m JOIN sla_clock c ON c.ticket_id = m.id {grains} WHERE {counted.format('c')};
    RETURN NULL;
END $$"""  # noqa: S608 - the zone is checked above; the rest is constant
    return [
        _clock_function("sla_rollup_clocks_inserted",
                        f"SELECT n.*, 1 AS sign FROM new_rows n WHERE {counted.format('n')}", zone),  # noqa: S608
        _clock_function("sla_rollup_clocks_updated", updated, zone),
        _clock_function("sla_rollup_clocks_deleted",
                        f"SELECT o.*, -1 AS sign FROM old_rows o WHERE {counted.format('o')}", zone),  # noqa: S608
        on_ticket,
        "CREATE OR REPLACE TRIGGER sla_clock_rollup_insert AFTER INSERT ON sla_clock REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION sla_rollup_clocks_inserted()",
        # The sweep's warnings (warned_at only) change no contribution: the join finds no row to write.
        "CREATE OR REPLACE TRIGGER sla_clock_rollup_update AFTER UPDATE ON sla_clock "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION sla_rollup_clocks_updated()",
        "CREATE OR REPLACE TRIGGER sla_clock_rollup_delete AFTER DELETE ON sla_clock REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION sla_rollup_clocks_deleted()",
        "CREATE OR REPLACE TRIGGER tickets_ticket_rollup AFTER UPDATE ON tickets_ticket "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION sla_rollup_tickets()",
    ]


def _drop_triggers_sql() -> list[str]:
    return ["DROP TRIGGER IF EXISTS sla_clock_rollup_insert ON sla_clock",
            "DROP TRIGGER IF EXISTS sla_clock_rollup_update ON sla_clock",
            "DROP TRIGGER IF EXISTS sla_clock_rollup_delete ON sla_clock",
            "DROP TRIGGER IF EXISTS tickets_ticket_rollup ON tickets_ticket"]


def uninstall_sql() -> list[str]:
    return [*_drop_triggers_sql(), *(f"DROP FUNCTION IF EXISTS {name}()" for name in (
        "sla_rollup_tickets", "sla_rollup_clocks_inserted", "sla_rollup_clocks_updated", "sla_rollup_clocks_deleted"))]


def _count_sql(zone: str) -> str:
    """Every counted clock's contribution, summed per key: what the rollup holds when it is right."""
    sums = ", ".join(f"sum({name}) AS {name}" for name in FIGURES)
    return f"""
SELECT day, grain, team_id, assignee_id, kind, target, {sums}
  FROM (SELECT {_contribution('c', 't.team_id', 't.assignee_id', 't.kind', '1', zone)}
          FROM sla_clock c JOIN tickets_ticket t ON t.id = c.ticket_id CROSS JOIN (VALUES (1), (2)) AS g(grain)
         WHERE {COUNTED.format(c='c')}) AS x ({_columns()})
 GROUP BY day, grain, team_id, assignee_id, kind, target"""  # noqa: S608 - constant but the zone


def rebuild(*, using=None) -> int:
    """Install the triggers for ``settings.TIME_ZONE`` and recount the rollup from the clocks, with the
    clocks and tickets locked against writes meanwhile (their reads go on; the figures wait for the
    recount). Returns the rows written."""
    conn = connection if using is None else using
    if conn.vendor != "postgresql":
        return 0
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute("LOCK TABLE sla_clock, tickets_ticket IN SHARE MODE")
        for statement in _install_sql(settings.TIME_ZONE):
            cursor.execute(statement)
        cursor.execute("TRUNCATE sla_clockrollupchange, sla_clockrollup")
        cursor.execute(f"INSERT INTO sla_clockrollup ({_columns()}) {_count_sql(settings.TIME_ZONE)}")
        return cursor.rowcount


@contextmanager
def recounted_after() -> Iterator[None]:
    """For bulk loads of clocks (the benches' millions of rows): the insert trigger is off while they go
    in, and the rollup is recounted once after, as the migration counts an existing database."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE sla_clock DISABLE TRIGGER sla_clock_rollup_insert")
        try:
            yield
        finally:
            cursor.execute("ALTER TABLE sla_clock ENABLE TRIGGER sla_clock_rollup_insert")
    rebuild()


def fold() -> int:
    """Fold the changes written since the last fold into the rollup: one statement moves them, summed
    per key; a second removes the keys left with no clock. Returns the changes folded."""
    if connection.vendor != "postgresql":
        return 0
    sums = ", ".join(f"sum({name}) AS {name}" for name in FIGURES)
    added = ", ".join(f"{name} = sla_clockrollup.{name} + EXCLUDED.{name}" for name in FIGURES)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(f"""
WITH moved AS (DELETE FROM sla_clockrollupchange RETURNING {_columns()}),
     summed AS (SELECT {", ".join(KEYS)}, {sums}, count(*) AS changes FROM moved GROUP BY {", ".join(KEYS)}),
     folded AS (INSERT INTO sla_clockrollup ({_columns()}) SELECT {_columns()} FROM summed
                ON CONFLICT ON CONSTRAINT clock_rollup_key DO UPDATE SET {added}
                RETURNING id, clocks)
SELECT (SELECT coalesce(sum(changes), 0) FROM summed), array(SELECT id FROM folded WHERE clocks = 0)""")  # noqa: S608 - constant
        changes, emptied = cursor.fetchone()
        if emptied:
            cursor.execute("DELETE FROM sla_clockrollup WHERE id = ANY(%s) AND clocks = 0", [list(emptied)])
        return int(changes)


def _reader():
    """The connection figures are read from: the read replica inside ``servicecenter.replica.replica_reads``."""
    return connections[router.db_for_read(ClockRollup) or "default"]


def usable() -> bool:
    """Whether the figures may come from the rollup: PostgreSQL, days counted in the zone the reader's
    period is in."""
    return _reader().vendor == "postgresql" and timezone.get_current_timezone_name() == settings.TIME_ZONE


def rolled(first: date, last: date) -> list[dict]:
    """The clocks' figures per key over the days ``first``..``last``, folded or not, with the team's
    or the agent's name: one query."""
    sums = ", ".join(f"sum({name}) AS {name}" for name in FIGURES)
    part = "SELECT {} FROM {} WHERE day >= %s AND day <= %s".format(_columns(), "{}")  # noqa: S608 - constant
    with _reader().cursor() as cursor:
        cursor.execute(f"""
SELECT r.*, CASE r.grain WHEN {TEAM_KIND} THEN u.name ELSE s.name END AS name
  FROM (SELECT grain, team_id, assignee_id, kind, target, {sums}
          FROM ({part.format('sla_clockrollup')} UNION ALL {part.format('sla_clockrollupchange')}) AS x
         GROUP BY grain, team_id, assignee_id, kind, target
        HAVING sum(clocks) <> 0) AS r
  LEFT JOIN {Unit._meta.db_table} u ON r.grain = {TEAM_KIND} AND u.id = r.team_id
  LEFT JOIN {StaffMember._meta.db_table} s ON r.grain = {AGENT} AND s.id = r.assignee_id""",  # noqa: S608
                       [first, last, first, last])
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def differences(*, using=None) -> list[dict]:
    """The keys where the rollup (with the changes not folded) differs from a count of the clocks: empty
    when it is right. Counts must be equal; times within a millisecond (sums of floats in another order)."""
    conn = connection if using is None else using
    if conn.vendor != "postgresql":
        return []
    sums = ", ".join(f"sum({name}) AS {name}" for name in FIGURES)
    with conn.cursor() as cursor:
        cursor.execute(_count_sql(settings.TIME_ZONE))
        counted = {tuple(row[:len(KEYS)]): row[len(KEYS):] for row in cursor.fetchall()}
        cursor.execute(f"""
SELECT {", ".join(KEYS)}, {sums}
  FROM (SELECT {_columns()} FROM sla_clockrollup UNION ALL SELECT {_columns()} FROM sla_clockrollupchange) AS x
 GROUP BY {", ".join(KEYS)} HAVING sum(clocks) <> 0""")  # noqa: S608 - constant
        kept = {tuple(row[:len(KEYS)]): row[len(KEYS):] for row in cursor.fetchall()}
    wrong = []
    for key in sorted(set(counted) | set(kept), key=str):
        want, have = counted.get(key), kept.get(key)
        if want is None or have is None or any(
                abs(a - b) > 1e-3 if isinstance(a, float) or isinstance(b, float) else a != b
                for a, b in zip(want, have, strict=True)):
            wrong.append({"key": dict(zip(KEYS, key, strict=True)),
                          "counted": dict(zip(FIGURES, want, strict=True)) if want else None,
                          "kept": dict(zip(FIGURES, have, strict=True)) if have else None})
    return wrong
