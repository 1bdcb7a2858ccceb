"""Schemathesis against our OpenAPI schema, over every operation, as every role: no 500, and every
documented answer matches its schema.

Each operation gets a bounded number of generated requests (``FUZZ_EXAMPLES``, default 10) with
odd strings (full-width, emoji, right-to-left), wrong types, missing and extra fields. The run is
derandomized, so a failure reproduces.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.conftest import PASSWORD

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# Every role of the permission matrix: anonymous, an agent, an agent of another team, a team lead, a
# supervisor, the director and the admin (a superuser).
ROLES = (None, "agent1", "agent4", "lead1", "supervisor1", "director", "admin")


@pytest.fixture
def same_connection():
    """Keep the test's database connection across requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def headers(shape_a, make_ticket, member, same_connection):
    """Session and CSRF headers per role, and a little data for ids to hit."""
    from django.test import Client

    for holder in ("agent1", "agent2"):
        make_ticket(by=holder, assignee=member(holder))
    made = {}
    for username in ROLES:
        csrf = _get_new_csrf_string()
        cookies = [f"csrftoken={csrf}"]
        if username:
            client = Client()
            assert client.login(username=username, password=PASSWORD)
            cookies.append(f"sessionid={client.cookies['sessionid'].value}")
        made[username] = {"Cookie": "; ".join(cookies), "X-CSRFToken": csrf, "Referer": "http://localhost/"}
    return made


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_no_500_and_no_schema_violation(case, headers):
    for username in ROLES:
        case.call_and_validate(headers=headers[username], checks=[not_a_server_error, response_schema_conformance])
