"""Our PostgreSQL backend reads every date-time exactly as Django's own does (servicecenter/postgres)."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import Format

from servicecenter.postgres.base import TIMESTAMPTZ
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def test_the_compiled_loader_reads_what_djangos_reads():
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")
    connection.ensure_connection()
    ours = connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert ours.__module__ == "servicecenter.postgres.base"
    assert ours.timezone is UTC
    assert connection.settings_dict["ENGINE"] == "servicecenter.postgres"

    class Djangos(BaseTzLoader):  # Django's own, for the same zone
        timezone = UTC

    rng = random.Random(18)
    moments = [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
               datetime(2026, 2, 16, 23, 59, 59, 1, tzinfo=UTC), datetime(2026, 10, 10, tzinfo=UTC)]
    moments += [datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=rng.randrange(2**62 // 10**4))
                for _ in range(500)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::timestamptz[])::text", [moments])
        texts = [row[0].encode() for row in cursor.fetchall()]
        cursor.execute("SELECT unnest(%s::timestamptz[])", [moments])
        read = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor.connection
    assert read == moments
    assert all(value.tzinfo is UTC for value in read)
    fast, slow = ours(TIMESTAMPTZ, raw), Djangos(TIMESTAMPTZ, raw)
    for text in texts:
        a, b = fast.load(text), slow.load(text)
        assert (a, a.tzinfo, a.utcoffset()) == (b, b.tzinfo, b.utcoffset()), text
    # A value written in another zone's offset: both read the same moment.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'Asia/Shanghai'")
        cursor.execute("SELECT %s::timestamptz::text", [moments[2]])
        text = cursor.fetchone()[0].encode()
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
    assert text == b"2026-02-17 07:59:59.000001+08"
    assert fast.load(text) == slow.load(text) == moments[2]
    assert fast.load(text).tzinfo is UTC
