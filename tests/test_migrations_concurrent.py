"""Index builds on the big tables are concurrent, from now on.

``tickets_ticket``, ``tickets_ticketevent`` and ``sla_clock`` hold millions of rows. A plain
``CREATE INDEX`` locks the table against writes for as long as it builds, so intake, claims and the
sweep stop during a deploy. Every migration of ours (``tickets``, ``sla`` and any app added later,
for these tables may move between apps) is scanned, and an index built on one of those tables fails
the test unless it is ``AddIndexConcurrently`` (Django's, ``django.contrib.postgres.operations``, or
``servicecenter.migration_operations``'s, which builds a plain index on SQLite) in a migration with
``atomic = False``. What counts as an index build: ``AddIndex``, ``AddField``/``AlterField`` with a
new ``db_index``, ``unique`` or foreign key, ``AddConstraint`` with a unique or exclusion
constraint, ``AlterUniqueTogether``, and ``CREATE [UNIQUE] INDEX`` without ``CONCURRENTLY`` in
``RunSQL`` or anywhere in the migration's text (SQL that ``RunPython`` executes). Only what reaches the
database counts (``SeparateDatabaseAndState``'s database side), and a table created earlier in the
same migration is empty, so its indexes lock nothing.

History: the migrations up to the latest number each app had when this rule came in
(``APPLIED_HISTORY``: tickets 0007, sla 0006) are already applied everywhere and built some of these
indexes plainly (``tickets`` 0003, 0004 and 0005, ``sla`` 0005); they are listed, not rewritten. Every later
migration is held to the rule.
"""

import inspect
import re
import sys
from pathlib import Path

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from tests.conftest import ROOT

BIG_TABLES = frozenset({"tickets_ticket", "tickets_ticketevent", "sla_clock"})
# app label -> the latest migration number applied before the rule; later ones are checked.
APPLIED_HISTORY = {"tickets": 7, "sla": 6}
# What the history holds (checked below, so the list cannot hide a new migration).
HISTORY_PLAIN_BUILDS = {
    ("tickets", "0003_search_trigram"): ["tickets_ticket: CREATE INDEX without CONCURRENTLY"],
    ("tickets", "0004_sla_fields"): ["tickets_ticket: AddIndex ticket_sla_due",
                                     "tickets_ticket: AddIndex ticket_sla_state"],
    ("tickets", "0005_call_id"): ["tickets_ticket: AddField call_id with an index"],
    ("sla", "0005_clock_figure_indexes"): ["sla_clock: AddIndex clock_started", "sla_clock: AddIndex clock_due"],
}
CREATE_INDEX = re.compile(r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+"
                          r"(?:ONLY\s+)?\"?(\w+)\"?", re.IGNORECASE)


def _table(state: ProjectState, app_label: str, model_name: str) -> str | None:
    model = state.models.get((app_label, model_name.lower()))
    if model is None:
        return None
    return model.options.get("db_table") or f"{app_label}_{model_name.lower()}"


def _builds_index(field, old=None) -> bool:
    def indexed(f) -> bool:
        # A relation builds its index, or at least validates its constraint over every row, unless it has
        # neither (db_index=False, db_constraint=False).
        relation = f is not None and f.is_relation and (f.db_index or getattr(f, "db_constraint", False))
        return f is not None and not f.primary_key and bool(f.db_index or f.unique or relation)

    return indexed(field) and not indexed(old)


def _sql_texts(sql) -> list[str]:
    if isinstance(sql, str):
        return [sql]
    return [part if isinstance(part, str) else part[0] for part in sql or []]


def _operation_table(operation, app_label: str, state: ProjectState) -> str | None:
    table = _table(state, app_label, operation.model_name) if hasattr(operation, "model_name") else None
    if table is None and isinstance(operation, migrations.AlterUniqueTogether):
        table = _table(state, app_label, operation.name)
    return table


def _big_table_builds(operation, app_label: str, state: ProjectState, table: str, atomic: bool) -> list[str]:
    """The plain index builds of a schema operation on a big table that has rows."""
    if isinstance(operation, migrations.AddIndex):
        if not isinstance(operation, AddIndexConcurrently):
            return [f"{table}: AddIndex {operation.index.name}"]
        if atomic:
            return [f"{table}: AddIndexConcurrently {operation.index.name} in an atomic migration"]
        return []
    if isinstance(operation, migrations.AddField):
        return [f"{table}: AddField {operation.name} with an index"] if _builds_index(operation.field) else []
    if isinstance(operation, migrations.AlterField):
        old = state.models[(app_label, operation.model_name.lower())].fields.get(operation.name)
        return [f"{table}: AlterField {operation.name} adds an index"] if _builds_index(operation.field, old) else []
    if isinstance(operation, migrations.AddConstraint):
        constraint = operation.constraint
        if isinstance(constraint, models.UniqueConstraint) or type(constraint).__name__ == "ExclusionConstraint":
            return [f"{table}: AddConstraint {constraint.name} builds an index"]
        return []
    if isinstance(operation, migrations.AlterUniqueTogether) and operation.unique_together:
        return [f"{table}: AlterUniqueTogether builds an index"]
    return []


def _run_sql_builds(operation: migrations.RunSQL, created: set[str]) -> list[str]:
    return [f"{name}: CREATE INDEX without CONCURRENTLY" for sql in _sql_texts(operation.sql)
            for name in CREATE_INDEX.findall(sql) if name.lower() in BIG_TABLES and name.lower() not in created]


def _check(operation, app_label: str, state: ProjectState, atomic: bool, created: set[str]) -> list[str]:
    """The plain index builds on big tables that one operation makes; it moves ``state`` on. A table
    created earlier in the same migration (``created``) is empty: its indexes lock nothing."""
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        found: list[str] = []
        db_state = state.clone()
        for inner in operation.database_operations:
            found += _check(inner, app_label, db_state, atomic, created)
        for inner in operation.state_operations:
            inner.state_forwards(app_label, state)
        return found
    if isinstance(operation, migrations.CreateModel):
        operation.state_forwards(app_label, state)
        created.add(_table(state, app_label, operation.name))
        return []
    table = _operation_table(operation, app_label, state)
    if isinstance(operation, migrations.RunSQL):
        found = _run_sql_builds(operation, created)
    elif table in BIG_TABLES and table not in created:
        found = _big_table_builds(operation, app_label, state, table, atomic)
    else:
        found = []
    operation.state_forwards(app_label, state)
    return found


def plain_index_builds(loader: MigrationLoader, key: tuple[str, str]) -> list[str]:
    migration = loader.disk_migrations[key]
    state = loader.project_state(key, at_end=False)
    found: list[str] = []
    created: set[str] = set()
    for operation in migration.operations:
        found += _check(operation, key[0], state, migration.atomic, created)
    # SQL that RunPython executes is seen only in the module's text.
    source = Path(inspect.getsourcefile(sys.modules[type(migration).__module__])).read_text()
    found += [f"{name}: CREATE INDEX without CONCURRENTLY" for name in CREATE_INDEX.findall(source)
              if name.lower() in BIG_TABLES and name.lower() not in created]
    return list(dict.fromkeys(found))


def _ours(loader: MigrationLoader) -> list[tuple[str, str]]:
    from django.apps import apps

    local = {config.label for config in apps.get_app_configs() if Path(config.path).is_relative_to(ROOT)}
    return sorted(key for key in loader.disk_migrations if key[0] in local)


def _number(name: str) -> int:
    return int(name.split("_", 1)[0])


@pytest.fixture(scope="module")
def loader() -> MigrationLoader:
    return MigrationLoader(None, ignore_no_migrations=True)


def test_no_new_migration_builds_a_plain_index_on_a_big_table(loader):
    new = [key for key in _ours(loader) if _number(key[1]) > APPLIED_HISTORY.get(key[0], 0)]
    offending = {f"{app}.{name}": found for app, name in new if (found := plain_index_builds(loader, (app, name)))}
    assert offending == {}, ("Build indexes on tickets_ticket, tickets_ticketevent and sla_clock with "
                             "AddIndexConcurrently in a migration with atomic = False (README, Deployment)")


def test_the_history_is_what_it_was_when_the_rule_came_in(loader):
    """The exemption covers these migrations only: the history cannot grow to hide a new one."""
    keys = _ours(loader)
    for app, latest in APPLIED_HISTORY.items():
        numbers = [_number(name) for label, name in keys if label == app]
        assert list(range(1, latest + 1)) == [n for n in numbers if n <= latest], app
    history = {key: plain_index_builds(loader, key) for key in keys
               if _number(key[1]) <= APPLIED_HISTORY.get(key[0], 0)}
    assert {key: found for key, found in history.items() if found} == HISTORY_PLAIN_BUILDS


def _migration(*operations, atomic: bool = True) -> migrations.Migration:
    migration = migrations.Migration("9999_probe", "tickets")
    migration.operations = list(operations)
    migration.atomic = atomic
    return migration


@pytest.mark.parametrize(("operations", "atomic", "expected"), [
    ([migrations.AddIndex("ticket", models.Index(fields=["subject"], name="probe_subject"))], False,
     ["tickets_ticket: AddIndex probe_subject"]),
    ([AddIndexConcurrently("ticket", models.Index(fields=["subject"], name="probe_subject"))], False, []),
    ([AddIndexConcurrently("ticketevent", models.Index(fields=["field"], name="probe_field"))], True,
     ["tickets_ticketevent: AddIndexConcurrently probe_field in an atomic migration"]),
    ([migrations.AddField("ticket", "probe", models.CharField(max_length=5, default="", db_index=True))], False,
     ["tickets_ticket: AddField probe with an index"]),
    ([migrations.AddField("ticket", "probe", models.CharField(max_length=5, default=""))], False, []),
    ([migrations.AddConstraint("ticket", models.UniqueConstraint(fields=["subject"], name="probe_unique"))], False,
     ["tickets_ticket: AddConstraint probe_unique builds an index"]),
    ([migrations.RunSQL("CREATE INDEX probe ON tickets_ticket (subject)")], False,
     ["tickets_ticket: CREATE INDEX without CONCURRENTLY"]),
    ([migrations.RunSQL("CREATE INDEX CONCURRENTLY probe ON tickets_ticket (subject)")], False, []),
    ([migrations.AddIndex("customer", models.Index(fields=["name"], name="probe_name"))], False, []),  # small table
    ([migrations.SeparateDatabaseAndState(database_operations=[
        migrations.AddIndex("ticket", models.Index(fields=["subject"], name="probe_db"))])], False,
     ["tickets_ticket: AddIndex probe_db"]),
    ([migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AddIndex("ticket", models.Index(fields=["subject"], name="probe_state"))])], False, []),
])
def test_the_scan_tells_a_plain_build_from_a_concurrent_one(loader, operations, atomic, expected):
    latest = max(key for key in loader.disk_migrations if key[0] == "tickets")
    state = loader.project_state(latest)
    migration = _migration(*operations, atomic=atomic)
    found: list[str] = []
    for operation in migration.operations:
        found += _check(operation, "tickets", state, migration.atomic, set())
    assert found == expected


@pytest.mark.django_db(transaction=True)
def test_the_projects_concurrent_index_builds_on_this_database_too(loader):
    """Django's AddIndexConcurrently fails off PostgreSQL; servicecenter's builds a plain index there."""
    from servicecenter.migration_operations import AddIndexConcurrently as Ours

    latest = max(key for key in loader.disk_migrations if key[0] == "tickets")
    before = MigrationLoader(connection).project_state(latest)
    operation = Ours("ticket", models.Index(fields=["subject", "id"], name="probe_concurrent"))
    after = before.clone()
    operation.state_forwards("tickets", after)
    assert isinstance(operation, AddIndexConcurrently)
    assert operation.atomic is False
    try:
        with connection.schema_editor(atomic=False) as editor:
            operation.database_forwards("tickets", editor, before, after)
        with connection.cursor() as cursor:
            indexes = connection.introspection.get_constraints(cursor, "tickets_ticket")
        assert indexes["probe_concurrent"]["columns"] == ["subject", "id"]
    finally:
        with connection.schema_editor(atomic=False) as editor:
            operation.database_backwards("tickets", editor, after, before)
    with connection.cursor() as cursor:
        assert "probe_concurrent" not in connection.introspection.get_constraints(cursor, "tickets_ticket")
