"""The SLA sweep runs as a Celery task in a real worker on Redis, against the PostgreSQL test database."""

import os
import uuid
from datetime import timedelta

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from sla.models import Escalation
from tests.conftest import SHAPE_A, load_shape, require_service
from tickets import services
from tickets.models import Kind

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_beat_runs_the_sweep_every_minute():
    assert settings.CELERY_BEAT_SCHEDULE["sla-sweep"] == {"task": "sla.sweep", "schedule": 60.0}


def test_the_sweep_task_escalates_through_a_real_worker(sla_presets, start_worker, member, user):
    redis_url = os.environ.get("REDIS_URL", "")
    require_service(bool(redis_url), "Redis (REDIS_URL)")
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for a worker to share")
    load_shape(SHAPE_A)
    ticket = services.ticket_create(
        actor=user("agent1"), kind=Kind.COMPLAINT, channel="phone", subject="久拖未办",
        customer={"name": "客户", "phone": "13900000001"}, assignee=member("agent1"),
        received_at=timezone.now() - timedelta(days=20),
    )
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker({"CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url,
                           "CELERY_TASK_DEFAULT_QUEUE": queue})
    app = Celery("producer", broker=redis_url, backend=redis_url)
    app.conf.task_default_queue = queue
    result = app.send_task("sla.sweep")
    try:
        value = result.get(timeout=60)
    except Exception as exc:
        pytest.fail(f"sweep did not come back: {exc!r}\n--- worker log ---\n{worker.output()}")
    assert (value["warned"], value["breached"]) == (2, 2)
    levels = sorted(Escalation.objects.filter(ticket=ticket).values_list("clock__target", "level"))
    assert levels == [("first_response", 0), ("first_response", 1), ("resolution", 0), ("resolution", 1)]
    assert Notification.objects.filter(ticket=ticket).count() == 4
    # The next level (a working day after each breach) is already due: the director hears next, once.
    again = app.send_task("sla.sweep").get(timeout=60)
    assert (again["warned"], again["breached"], again["raised"]) == (0, 0, 2)
    third = app.send_task("sla.sweep").get(timeout=60)
    assert (third["warned"], third["breached"], third["raised"]) == (0, 0, 0)
    assert list(Escalation.objects.filter(ticket=ticket, level=2).values_list("recipient__user__username", flat=True)
                ) == ["director", "director"]


def test_a_call_log_is_imported_by_a_real_worker(start_worker):
    from calls.imports import call_import_create
    from calls.models import CallImport, CallRecord
    from tests.sla.test_calls import QUEUE_LOG

    redis_url = os.environ.get("REDIS_URL", "")
    require_service(bool(redis_url), "Redis (REDIS_URL)")
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for a worker to share")
    job = call_import_create(name="queue_log", content=QUEUE_LOG, fmt="queue_log")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker({"CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url,
                           "CELERY_TASK_DEFAULT_QUEUE": queue})
    app = Celery("producer", broker=redis_url, backend=redis_url)
    app.conf.task_default_queue = queue
    try:
        value = app.send_task("calls.import", args=[job.pk]).get(timeout=60)
    except Exception as exc:
        pytest.fail(f"import did not come back: {exc!r}\n--- worker log ---\n{worker.output()}")
    assert value == {"status": "done", "imported": 8, "duplicates": 0, "errors": 0}
    job = CallImport.objects.get(pk=job.pk)
    assert (job.status, job.processed, job.imported) == ("done", 8, 8)
    assert CallRecord.objects.count() == 8
    again = app.send_task("calls.import", args=[job.pk]).get(timeout=60)  # a redelivered task
    assert again["imported"] == 8
    assert CallRecord.objects.count() == 8
