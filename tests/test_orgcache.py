"""The org chart copied in by tests/orgcache.py is the one the import writes, row for row."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from staff.models import Skill
from staff.services import org_import
from tests import orgcache
from tests.conftest import PASSWORD, SHAPE_A

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def everything() -> dict[str, list]:
    return {m._meta.label: sorted(orgcache._rows(m).items(), key=lambda item: str(item[0]))
            for m in orgcache._tables()}


def load(key: str) -> int:
    """Load shape A through the cache; the number of statements it took."""
    data = json.loads(SHAPE_A.read_text(encoding="utf-8"))
    with CaptureQueriesContext(connection) as queries:
        orgcache.load(lambda: org_import(data=data, password=PASSWORD), key=(key,))
    return len(queries)


def test_the_copy_is_the_import_row_for_row_with_the_stamped_times_moved_to_the_copy():
    def loaded_at(when):
        with time_machine.travel(when, tick=False):
            savepoint = transaction.savepoint()
            statements = load("row-for-row")
            rows = everything()
            transaction.savepoint_rollback(savepoint)
        return statements, rows

    imported_with, imported = loaded_at(T0)
    copied_with, copied = loaded_at(T0)
    assert imported_with > 500
    assert copied_with < 60
    assert copied == imported
    assert sum(len(rows) for rows in imported.values()) > sum(len(rows) for rows in everything().values())

    later_with, later = loaded_at(T0 + timedelta(days=40))
    assert later_with < 60
    history = [row for _pk, row in later["staff.HistoricalPosition"]]
    assert history
    assert {row["history_date"] for row in history} == {T0 + timedelta(days=40)}
    assert {row["history_date"] for _pk, row in imported["staff.HistoricalPosition"]} == {T0}


def test_a_changed_database_gets_the_real_import():
    savepoint = transaction.savepoint()
    assert load("changed") > 500
    transaction.savepoint_rollback(savepoint)
    savepoint = transaction.savepoint()
    Skill.objects.create(code="extra", name="额外")
    assert load("changed") > 500
    transaction.savepoint_rollback(savepoint)
    assert load("changed") < 60
