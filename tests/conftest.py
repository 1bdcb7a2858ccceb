import json
import os
import select
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from staff.models import StaffMember, Unit
from staff.services import org_import
from tests import orgcache
from tickets import services as ticket_services
from tickets.models import Kind, Ticket

ROOT = Path(__file__).resolve().parent.parent


def bench_module(name: str):
    """A module of ``bench/`` that sets no Django up (``wrk``, ``plans``), imported for a test."""
    import importlib
    import sys

    sys.path[:0] = [str(ROOT / "bench")]
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "bench"))
SHAPE_A = ROOT / "staff" / "orgdata" / "shape_a.json"
SHAPE_B = ROOT / "tests" / "staff" / "fixtures" / "shape_b.json"
PASSWORD = "test-pass-123"


def _sleep_by_select(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


# `make test` also runs this suite under libfaketime at fixed dates (scripts/test-dates.sh), with the
# monotonic clock left real so that timed waits work. Debian's libfaketime 0.9.10 then fails Python's
# time.sleep, which sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME), with EINVAL
# (libfaketime issue #426; subprocess.run with a timeout sleeps so). A relative select() sleeps alike.
if "faketime" in os.environ.get("LD_PRELOAD", "") and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1":
    time.sleep = _sleep_by_select


def require_service(available: bool, reason: str) -> None:
    """Skip locally when a server is missing; under `make test` (and CI) a missing server fails."""
    if not available:
        if os.environ.get("SERVICECENTER_REQUIRE_SERVICES"):
            pytest.fail(f"required service missing: {reason}")
        pytest.skip(reason)


def signed_in(username: str) -> Client:
    """A test client signed in as one of the loaded org chart's users."""
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def load_shape(path: Path) -> dict[str, int]:
    """Import an org shape (really the first time from a given state; copied in after: tests/orgcache.py)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return orgcache.load(lambda: org_import(data=data, password=PASSWORD), key=(str(path), PASSWORD))


@pytest.fixture
def shape_a(db):
    return load_shape(SHAPE_A)


@pytest.fixture
def shape_b(db):
    return load_shape(SHAPE_B)


@pytest.fixture
def member():
    def get(username: str) -> StaffMember:
        return StaffMember.objects.select_related("user", "position").get(user__username=username)

    return get


@pytest.fixture
def api():
    """An API client logged in as the given user name (None: anonymous)."""

    def make(username: str | None = None) -> APIClient:
        client = APIClient()
        if username:
            client.force_authenticate(StaffMember.objects.get(user__username=username).user)
        return client

    return make


@pytest.fixture
def count_queries():
    def run(fn) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    return run


@pytest.fixture
def units(shape_a):
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def user():
    def get(username: str):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def make_ticket(units, user):
    """A ticket filed through the intake service by ``by`` (an agent), queued for ``team``."""
    counter = iter(range(1, 10_000))

    def make(*, kind=Kind.INQUIRY, team="tech-region-1", by="agent1", phone=None, name=None, **extra) -> Ticket:
        n = next(counter)
        customer = {"name": name or f"客户{n}", "phone": phone or f"1380000{n:04d}"}
        # Intake may give a ticket only to oneself or to someone below: a ticket made for another
        # person is filed as if they had logged it and taken it.
        assignee = extra.get("assignee")
        actor = assignee.user if assignee is not None and assignee.user_id else user(by)
        return ticket_services.ticket_create(
            actor=actor, kind=kind, channel="phone", subject=f"事项{n}", customer=customer,
            team=units[team] if team else None, **extra,
        )

    return make


@pytest.fixture
def canned_presets(db):
    """The canned replies the migrations seed, put back after a transactional test's flush (the seeding
    adds only what is missing)."""
    from django.apps import apps

    from messaging.presets import seed_canned_replies

    seed_canned_replies(apps)


@pytest.fixture
def sla_presets(db):
    """The calendar and 95598 policies the migrations seed; a transactional test's flush removes
    them, so tests that commit (real workers, races) put them back first."""
    from django.apps import apps

    from sla.presets import seed_calendar, seed_policies

    seed_calendar(apps)
    seed_policies(apps)


@pytest.fixture
def english():
    """Messages in English, for tests that compare them word for word."""
    with translation.override("en"):
        yield
