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
  (the sweep's warnings and escalation levels) write nothing.
- On ``tickets_ticket``, a change of team, agent or kind moves the ticket's clocks from the old key to
  the new one, because the figures group a clock by its ticket's agent and kind as they are now (and
  by its ticket's team when the clock has none of its own), as the scan does.
- Neither misses a concurrent change of the other's table. The ticket trigger reads all the ticket's
  clocks ``FOR SHARE``: a clock being changed meanwhile is waited for and read as committed, and a
  clock changed after waits for the ticket's change and then reads the ticket as changed. A new clock
  cannot be waited for (it is not visible yet), so the insert trigger reads its ticket ``FOR SHARE``.
  Each statement reads with a fresh snapshot: this holds under READ COMMITTED, Django's and
  PostgreSQL's default. ``tests/sla/test_rollup_races.py`` races the two in both orders.
- The clock triggers are statement triggers with transition tables: a sweep's 10,000 breaches are one
  INSERT, and an update that changes nothing counted (a warning, an escalation level) writes nothing.
  The ticket trigger fires row by row, only for a changed team, agent or kind.
- Not seen by them: TRUNCATE, and a ticket deleted before its clocks (Django deletes the clocks first).

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

from sla import backlog
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


def _netted(contributions: str) -> str:
    """Insert ``contributions`` summed per key, without the keys they leave unchanged: a sweep's 10,000
    breaches (each -1 running and +1 breached under one key) are a few rows, not 40,000."""
    sums = ", ".join(f"sum({name})" for name in FIGURES)
    changed = " OR ".join(f"sum({name}) <> 0" for name in FIGURES)
    keys = ", ".join(KEYS)
    return (f"INSERT INTO sla_clockrollupchange ({_columns()}) SELECT {keys}, {sums} "  # noqa: S608 - constant
            f"FROM ({contributions}) AS x ({_columns()}) GROUP BY {keys} HAVING {changed}")


def _clock_function(name: str, rows: str, zone: str, *, lock: bool) -> str:
    """A statement trigger's function on ``sla_clock``: ``rows`` selects the statement's clocks whose
    contribution changes, each with its sign. ``lock``: their tickets are read FOR SHARE, in id order."""
    locking = " ORDER BY id FOR SHARE" if lock else ""
    contributions = (f"SELECT {_contribution('r', 't.team_id', 't.assignee_id', 't.kind', 'r.sign', zone)} "  # noqa: S608
                     "FROM rows r LEFT JOIN t ON t.id = r.ticket_id CROSS JOIN (VALUES (1), (2)) AS g(grain)")
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH rows AS ({rows}),
         t AS (SELECT id, team_id, assignee_id, kind FROM tickets_ticket
                WHERE id IN (SELECT ticket_id FROM rows){locking})
    {_netted(contributions)};
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
    grains = "CROSS JOIN (VALUES (1), (2)) AS g(grain)"
    moved = (f"SELECT {_contribution('c', 'OLD.team_id', 'OLD.assignee_id', 'OLD.kind', '-1', zone)} "  # noqa: S608
             f"FROM c {grains} "
             f"UNION ALL SELECT {_contribution('c', 'NEW.team_id', 'NEW.assignee_id', 'NEW.kind', '1', zone)} "
             f"FROM c {grains}")
    # Row by row, and only when a ticket's team, agent or kind changes (rare; a statement trigger would
    # be handed every ticket update's rows). All the ticket's clocks are read FOR SHARE, whatever their
    # state: a clock being changed meanwhile is waited for and read as committed.
    on_ticket = f"""
CREATE OR REPLACE FUNCTION sla_rollup_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH locked AS (SELECT * FROM sla_clock WHERE ticket_id = NEW.id FOR SHARE),
         c AS (SELECT * FROM locked c WHERE {counted.format('c')})
    {_netted(moved)};
    RETURN NULL;
END $$"""  # noqa: S608 - the zone is checked above; the rest is constant
    return [
        # A new clock's ticket is read FOR SHARE: the ticket trigger's lock cannot wait for a row it cannot see.
        _clock_function("sla_rollup_clocks_inserted",
                        f"SELECT n.*, 1 AS sign FROM new_rows n WHERE {counted.format('n')}", zone,  # noqa: S608
                        lock=True),
        _clock_function("sla_rollup_clocks_updated", updated, zone, lock=False),
        _clock_function("sla_rollup_clocks_deleted",
                        f"SELECT o.*, -1 AS sign FROM old_rows o WHERE {counted.format('o')}", zone,  # noqa: S608
                        lock=False),
        on_ticket,
        "CREATE OR REPLACE TRIGGER sla_clock_rollup_insert AFTER INSERT ON sla_clock REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION sla_rollup_clocks_inserted()",
        # The sweep's warnings (warned_at only) change no contribution: the join finds no row to write.
        "CREATE OR REPLACE TRIGGER sla_clock_rollup_update AFTER UPDATE ON sla_clock "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION sla_rollup_clocks_updated()",
        "CREATE OR REPLACE TRIGGER sla_clock_rollup_delete AFTER DELETE ON sla_clock REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION sla_rollup_clocks_deleted()",
        "CREATE OR REPLACE TRIGGER tickets_ticket_rollup AFTER UPDATE OF team_id, assignee_id, kind "
        "ON tickets_ticket FOR EACH ROW WHEN ((OLD.team_id, OLD.assignee_id, OLD.kind) IS DISTINCT FROM "
        "(NEW.team_id, NEW.assignee_id, NEW.kind)) EXECUTE FUNCTION sla_rollup_ticket()",
    ]


def _drop_triggers_sql() -> list[str]:
    return ["DROP TRIGGER IF EXISTS sla_clock_rollup_insert ON sla_clock",
            "DROP TRIGGER IF EXISTS sla_clock_rollup_update ON sla_clock",
            "DROP TRIGGER IF EXISTS sla_clock_rollup_delete ON sla_clock",
            "DROP TRIGGER IF EXISTS tickets_ticket_rollup ON tickets_ticket"]


def uninstall_sql() -> list[str]:
    """The clock rollup's triggers and functions, dropped (the backlog's: ``backlog.uninstall_sql``)."""
    return [*_drop_triggers_sql(), *(f"DROP FUNCTION IF EXISTS {name}()" for name in (
        "sla_rollup_ticket", "sla_rollup_clocks_inserted", "sla_rollup_clocks_updated", "sla_rollup_clocks_deleted"))]


def _count_sql(zone: str) -> str:
    """Every counted clock's contribution, summed per key: what the rollup holds when it is right."""
    sums = ", ".join(f"sum({name}) AS {name}" for name in FIGURES)
    return f"""
SELECT day, grain, team_id, assignee_id, kind, target, {sums}
  FROM (SELECT {_contribution('c', 't.team_id', 't.assignee_id', 't.kind', '1', zone)}
          FROM sla_clock c JOIN tickets_ticket t ON t.id = c.ticket_id CROSS JOIN (VALUES (1), (2)) AS g(grain)
         WHERE {COUNTED.format(c='c')}) AS x ({_columns()})
 GROUP BY day, grain, team_id, assignee_id, kind, target"""  # noqa: S608 - constant but the zone


def rebuild(*, using=None, with_backlog: bool = True) -> int:
    """Install the triggers for ``settings.TIME_ZONE`` and recount the rollup from the clocks, and the
    backlog's from the open tickets (``sla/backlog.py``), with the clocks and tickets locked against
    writes meanwhile (their reads go on; the figures wait for the recount). Returns the clock rollup's rows.
    ``with_backlog=False``: the clocks' alone (their migration runs before the backlog's tables exist)."""
    conn = connection if using is None else using
    if conn.vendor != "postgresql":
        return 0
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        # The lock the triggers' replacement needs, taken first: two rebuilds queue instead of deadlocking.
        cursor.execute("LOCK TABLE sla_clock, tickets_ticket IN SHARE ROW EXCLUSIVE MODE")
        for statement in _install_sql(settings.TIME_ZONE):
            cursor.execute(statement)
        cursor.execute("TRUNCATE sla_clockrollupchange, sla_clockrollup")
        cursor.execute(f"INSERT INTO sla_clockrollup ({_columns()}) {_count_sql(settings.TIME_ZONE)}")
        written = cursor.rowcount
        if with_backlog:
            backlog.rebuild(cursor)
        return written


@contextmanager
def recounted_after() -> Iterator[None]:
    """For bulk loads of clocks (the benches' millions of rows): the insert trigger is off while they go
    in, and the rollup is recounted once after, as the migration counts an existing database. The trigger
    is off for every session meanwhile: not for a live database."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE sla_clock DISABLE TRIGGER sla_clock_rollup_insert")
        try:
            yield
        finally:
            cursor.execute("ALTER TABLE sla_clock ENABLE TRIGGER sla_clock_rollup_insert")
            rebuild()  # a load that failed half-way is counted too


def fold() -> int:
    """Fold the changes written since the last fold into the rollup: one statement moves them, summed
    per key; a second removes the keys left with no clock. Returns the changes folded. (The backlog's
    are folded by ``backlog.fold``, as the sweep does after this.)"""
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
    """The keys where the rollup (with the changes not folded) differs from a count of the clocks, and the
    backlog's from a count of the open tickets: empty when both are right. Counts must be equal; times
    within a millisecond (sums of floats in another order)."""
    conn = connection if using is None else using
    if conn.vendor != "postgresql":
        return []
    sums = ", ".join(f"sum({name}) AS {name}" for name in FIGURES)
    with conn.cursor() as cursor:  # one statement, one snapshot: a write meanwhile is no difference
        cursor.execute(f"""
WITH counted AS ({_count_sql(settings.TIME_ZONE)}),
     kept AS (SELECT {", ".join(KEYS)}, {sums}
                FROM (SELECT {_columns()} FROM sla_clockrollup
                      UNION ALL SELECT {_columns()} FROM sla_clockrollupchange) AS x
               GROUP BY {", ".join(KEYS)} HAVING sum(clocks) <> 0)
SELECT true, * FROM counted UNION ALL SELECT false, * FROM kept""")  # noqa: S608 - constant
        counted, kept = {}, {}
        for row in cursor.fetchall():
            (counted if row[0] else kept)[tuple(row[1:len(KEYS) + 1])] = row[len(KEYS) + 1:]
        wrong = backlog.differences(cursor)
    for key in sorted(set(counted) | set(kept), key=str):
        want, have = counted.get(key), kept.get(key)
        if want is None or have is None or any(
                abs(a - b) > 1e-3 if isinstance(a, float) or isinstance(b, float) else a != b
                for a, b in zip(want, have, strict=True)):
            wrong.append({"key": dict(zip(KEYS, key, strict=True)),
                          "counted": dict(zip(FIGURES, want, strict=True)) if want else None,
                          "kept": dict(zip(FIGURES, have, strict=True)) if have else None})
    return wrong
