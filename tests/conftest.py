import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from staff.models import StaffMember
from staff.services import org_import

ROOT = Path(__file__).resolve().parent.parent
SHAPE_A = ROOT / "staff" / "orgdata" / "shape_a.json"
SHAPE_B = ROOT / "tests" / "staff" / "fixtures" / "shape_b.json"
PASSWORD = "test-pass-123"


def require_service(available: bool, reason: str) -> None:
    """Skip locally when a server is missing; under `make test` (and CI) a missing server fails."""
    if not available:
        if os.environ.get("SERVICECENTER_REQUIRE_SERVICES"):
            pytest.fail(f"required service missing: {reason}")
        pytest.skip(reason)


def load_shape(path: Path) -> dict[str, int]:
    return org_import(data=json.loads(path.read_text(encoding="utf-8")), password=PASSWORD)


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
