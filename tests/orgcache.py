"""The org chart a test loads, imported for real once and then copied in.

Half of the suite's time went into ``org_import`` (about 730 statements for shape A, a quarter of a
second on SQLite) run again before nearly every test. The first load of a shape in a process, from a
given state of the database, runs the real import and keeps every row it added; a later load from
the same state inserts those rows in one bulk statement per table. The state is every table's row
count and highest key, so a test that added or removed anything first gets the real import.

The rows are the same ones the import wrote (``tests/test_orgcache.py`` compares them), except that
times the import stamped (``auto_now``, history dates) are moved to end at the time of the copy, so a test
on a stopped clock sees its own dates. An import that changed rows that were already there is not
kept. ``SERVICECENTER_TEST_ORG_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

Rows = dict[type[models.Model], list[dict[str, Any]]]
_SNAPSHOTS: dict[tuple, tuple[Rows, tuple[datetime, datetime], date, Any]] = {}
_NOT_KEPT: set[tuple] = set()


def enabled() -> bool:
    return os.environ.get("SERVICECENTER_TEST_ORG_CACHE", "1") != "0"


# Rows the database keeps itself (by trigger), not data an import writes: left out of the state, the
# comparison and the copy. The copy's own inserts fire the triggers as the import's did.
KEPT_BY_THE_DATABASE = {"staff.orgstamp"}


def _tables() -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in KEPT_BY_THE_DATABASE]


def _state() -> tuple:
    """Each table's row count and highest key, in one statement."""
    q = connection.ops.quote_name
    parts = [f"SELECT {i}, COUNT(*), CAST(MAX({q(m._meta.pk.column)}) AS TEXT) FROM {q(m._meta.db_table)}"
             for i, m in enumerate(_tables())]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(sorted((i, n, str(top)) for i, n, top in cursor.fetchall()))


def _rows(model: type[models.Model]) -> dict[Any, dict[str, Any]]:
    names = [f.attname for f in model._meta.concrete_fields]
    return {row[model._meta.pk.attname]: row for row in model._base_manager.values(*names)}


def _stamped(field: models.Field) -> bool:
    """A field the import fills with the time it ran rather than from the shape."""
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
                or callable(getattr(field, "default", None)) or field.name == "history_date")


def _moved(model: type[models.Model], row: dict[str, Any], window: tuple[datetime, datetime],
           day: date) -> dict[str, Any]:
    now, today = timezone.now(), timezone.localdate()
    began, ended = window
    out = dict(row)
    for field in model._meta.concrete_fields:
        value = out.get(field.attname)
        if value is None or not _stamped(field):
            continue
        if isinstance(field, models.DateTimeField) and isinstance(value, datetime) and began <= value <= ended:
            out[field.attname] = now - (ended - value)  # in the same order, and none after now
        elif isinstance(field, models.DateField) and value == day:
            out[field.attname] = today
    return out


def load(importer: Callable[[], Any], *, key: tuple) -> Any:
    """``importer()`` the first time from this state; the same rows, copied in, after that."""
    if not enabled():
        return importer()
    state = _state()
    full_key = (key, state, connection.vendor)
    if full_key in _SNAPSHOTS:
        rows, window, day, result = _SNAPSHOTS[full_key]
        with transaction.atomic():  # foreign keys are checked at the commit, as in the import
            for model, model_rows in rows.items():
                model._base_manager.bulk_create([model(**_moved(model, r, window, day)) for r in model_rows])
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(rows)):
                    cursor.execute(sql)
        return result
    if full_key in _NOT_KEPT:
        return importer()

    before = {m: _rows(m) for m in _tables()}
    began, day = timezone.now(), timezone.localdate()
    result = importer()
    added: Rows = {}
    for model, old in before.items():
        now_rows = _rows(model)
        if any(now_rows.get(pk) != row for pk, row in old.items()):
            _NOT_KEPT.add(full_key)  # it changed what was there: a copy would not do the same
            return result
        new = [row for pk, row in now_rows.items() if pk not in old]
        if new and model._meta.parents:  # bulk_create cannot write a child of another model
            _NOT_KEPT.add(full_key)
            return result
        if new:
            added[model] = new
    _SNAPSHOTS[full_key] = (added, (began, timezone.now()), day, result)
    return result
