"""The sweep and the calls import each log one key=value line with what they did and how long it took."""

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from calls.imports import call_import_create, call_import_run
from servicecenter.logformat import KeyValueFormatter
from sla.sweep import sweep
from tests.sla.test_calls import QUEUE_LOG
from tickets.models import Kind

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def logged(caplog):
    """The records of one logger. The run loggers do not propagate to the root (settings: their own
    key=value handler, which a Celery worker leaves alone), so the capture is attached to them."""
    attached = []

    def records(name: str) -> list[logging.LogRecord]:
        if name not in attached:
            logging.getLogger(name).addHandler(caplog.handler)
            caplog.set_level(logging.INFO, logger=name)
            attached.append(name)
        return [r for r in caplog.records if r.name == name]

    yield records
    for name in attached:
        logging.getLogger(name).removeHandler(caplog.handler)


def test_a_sweep_logs_its_counts_and_duration_in_one_line(shape_a, make_ticket, member, logged):
    logged("sla.sweep")
    # Two complaints received Monday 2026-11-02 09:00: first response warns Tue 11:00, due Tue 17:30.
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        for holder in ("agent1", "agent2"):
            make_ticket(kind=Kind.COMPLAINT, assignee=member(holder), received_at=at("2026-11-02T09:00"))
    sweep(now=at("2026-11-03T11:01"))  # two warnings
    sweep(now=at("2026-11-03T17:31"))  # two breaches
    records = logged("sla.sweep")
    assert [r.getMessage() for r in records] == ["sla.sweep done", "sla.sweep done"]
    counts = [(r.warned, r.breached, r.raised, r.notifications, r.more) for r in records]
    assert counts == [(2, 0, 0, 2, False), (0, 2, 0, 2, False)]
    assert all(isinstance(r.duration_ms, float) and 0 <= r.duration_ms < 30_000 for r in records)
    line = KeyValueFormatter().format(records[1])
    assert re.fullmatch(r'time=\S+ level=INFO logger=sla\.sweep msg="sla\.sweep done" warned=0 breached=2 raised=0 '
                        r"notifications=2 more=False duration_ms=\d+\.\d", line), line


@pytest.mark.django_db
def test_a_calls_import_logs_what_it_stored_and_how_long_it_took(logged):
    logged("calls.imports")
    first = call_import_run(import_id=call_import_create(name="a", content=QUEUE_LOG, fmt="queue_log").pk)
    again = call_import_run(import_id=call_import_create(name="b", content=QUEUE_LOG, fmt="queue_log").pk)
    records = logged("calls.imports")
    assert [r.getMessage() for r in records] == ["calls.import done", "calls.import done"]
    fields = [(r.import_id, r.status, r.attempt, r.lines, r.processed, r.imported, r.duplicates, r.errors)
              for r in records]
    lines = len(QUEUE_LOG.splitlines())
    assert fields == [(first.pk, "done", 1, lines, 8, 8, 0, 0), (again.pk, "done", 1, lines, 8, 0, 8, 0)]
    assert all(isinstance(r.duration_ms, float) and 0 <= r.duration_ms < 30_000 for r in records)
