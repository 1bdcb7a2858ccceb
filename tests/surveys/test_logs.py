"""A survey send run logs one key=value line with its counts and duration."""

import logging
import re
from datetime import timedelta

import pytest
from django.test import override_settings

from servicecenter.logformat import KeyValueFormatter
from surveys import services as surveys
from surveys.models import Invitation
from tests.surveys.conftest import RESOLVED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


class BrokenGateway:
    def send(self, message):
        from surveys.backends import SendError

        raise SendError("gateway down")


@pytest.fixture
def records(caplog):
    """The send run's records. Its logger does not propagate to the root (settings: its own key=value
    handler, which a Celery worker leaves alone), so the capture is attached to it."""
    logger = logging.getLogger("surveys.services")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger=logger.name)
    yield lambda: [r for r in caplog.records if r.name == logger.name and r.getMessage() == "surveys.send done"]
    logger.removeHandler(caplog.handler)


def test_a_send_run_logs_its_counts_and_duration(resolve, records):
    resolve(agent="agent1", team="tech-region-1")
    resolve(agent="agent2", team="tech-region-2", at=RESOLVED + timedelta(minutes=1))
    assert Invitation.objects.filter(state="scheduled").count() == 2
    due = RESOLVED + timedelta(minutes=31)
    with override_settings(SURVEYS_SMS_BACKEND="tests.surveys.test_logs.BrokenGateway"):
        surveys.invitations_send(now=due, limit=1)  # the first: the gateway is down, retried later
    surveys.invitations_send(now=due)  # the second goes out; the first waits for its retry
    logged = records()
    fields = [(r.due, r.sent, r.retried, r.failed, r.quiet, r.more) for r in logged]
    assert fields == [(1, 0, 1, 0, False, True), (1, 1, 0, 0, False, False)]
    assert all(isinstance(r.duration_ms, float) and 0 <= r.duration_ms < 30_000 for r in logged)
    line = KeyValueFormatter().format(logged[1])
    assert re.fullmatch(r'time=\S+ level=INFO logger=surveys\.services msg="surveys\.send done" sent=1 retried=0 '
                        r"failed=0 quiet=False more=False due=1 duration_ms=\d+\.\d", line), line
