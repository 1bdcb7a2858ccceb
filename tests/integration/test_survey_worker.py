"""Survey invitations go out from real workers on Redis, into the PostgreSQL test database: two
workers sending at once send each invitation once."""

import json
import os
import time
import uuid
from datetime import timedelta

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from surveys.models import Invitation
from surveys.presets import seed_survey_template
from tests.conftest import SHAPE_A, load_shape, require_service
from tickets import services
from tickets.models import Kind

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_beat_sends_surveys_every_minute_and_scores_on_the_first():
    assert settings.CELERY_BEAT_SCHEDULE["surveys-send"] == {"task": "surveys.send", "schedule": 60.0}
    monthly = settings.CELERY_BEAT_SCHEDULE["scorecards-monthly"]
    assert monthly["task"] == "reporting.scorecards"
    assert (monthly["schedule"].day_of_month, monthly["schedule"].hour, monthly["schedule"].minute) == (
        {1}, {1}, {30})


def test_two_workers_send_each_invitation_once(sla_presets, start_worker, member, user, tmp_path):
    redis_url = os.environ.get("REDIS_URL", "")
    require_service(bool(redis_url), "Redis (REDIS_URL)")
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for a worker to share")
    load_shape(SHAPE_A)
    seed_survey_template()
    for n in range(30):
        ticket = services.ticket_create(actor=user("agent2"), kind=Kind.INQUIRY, channel="phone", subject="咨询",
                                        customer={"name": f"客户{n}", "phone": f"1390000{n:04d}"},
                                        assignee=member("agent2"), received_at=timezone.now() - timedelta(hours=3))
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent2"), resolution="已答复")
    Invitation.objects.update(send_after=timezone.now() - timedelta(minutes=1))
    outbox = tmp_path / "outbox.jsonl"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {"CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url, "CELERY_TASK_DEFAULT_QUEUE": queue,
           "SURVEYS_SMS_BACKEND": "surveys.backends.FileBackend", "SURVEYS_OUTBOX_FILE": str(outbox),
           "SURVEYS_QUIET_HOURS": "", "SURVEYS_SEND_BATCH": "10"}
    workers = [start_worker(env), start_worker(env)]
    app = Celery("producer", broker=redis_url, backend=redis_url)
    app.conf.task_default_queue = queue
    results = [app.send_task("surveys.send") for _ in range(2)]
    try:
        values = [r.get(timeout=60) for r in results]
    except Exception as exc:
        logs = "\n".join(w.output() for w in workers)
        pytest.fail(f"surveys.send did not come back: {exc!r}\n--- worker logs ---\n{logs}")
    assert all(v["quiet"] is False for v in values)
    deadline = timezone.now() + timedelta(seconds=60)
    while Invitation.objects.filter(state="scheduled").exists() and timezone.now() < deadline:
        time.sleep(0.2)  # a full batch queues the next run at once
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    keys = [m["key"] for m in lines]
    assert len(keys) == len(set(keys)) == 30
    assert Invitation.objects.filter(state="sent").count() == 30
    assert {m["to"] for m in lines} == {f"1390000{n:04d}" for n in range(30)}
