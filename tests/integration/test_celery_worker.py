"""A task really travels producer → broker → worker → database → result, on both brokers."""

import os
import uuid

import pytest
from celery import Celery
from django.db import connection

from tests.conftest import SHAPE_A, load_shape, require_service

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def run_health_check(app: Celery, worker) -> dict:
    token = uuid.uuid4().hex
    result = app.send_task("servicecenter.health_check", args=[token])
    try:
        value = result.get(timeout=60)
    except Exception as exc:  # show what the worker said
        pytest.fail(f"task did not come back: {exc!r}\n--- worker log ---\n{worker.output()}")
    assert value.pop("token") == token
    return value


def test_task_runs_through_a_worker_on_the_filesystem_broker(tmp_path, start_worker):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for a worker to share")
    load_shape(SHAPE_A)
    folder = tmp_path / "broker"
    for sub in ("queue", "processed", "results", "control"):
        (folder / sub).mkdir(parents=True)
    # The embedded broker and results (servicecenter/fsbroker.py), as make demo runs them.
    worker = start_worker({"CELERY_BROKER_URL": "fsatomic://", "CELERY_FS_DIR": str(folder),
                           "CELERY_RESULT_BACKEND": f"fsatomic+file://{folder / 'results'}", "REDIS_URL": ""})
    app = Celery("producer", broker="fsatomic://", backend=f"fsatomic+file://{folder / 'results'}")
    app.conf.broker_transport_options = {"data_folder_in": str(folder / "queue"),
                                         "data_folder_out": str(folder / "queue"),
                                         "processed_folder": str(folder / "processed"),
                                         "control_folder": str(folder / "control")}
    assert run_health_check(app, worker) == {"db": "postgresql", "units": 6, "positions": 14}
    assert "servicecenter.health_check" in worker.output()


def test_task_runs_through_a_worker_on_redis(start_worker):
    redis_url = os.environ.get("REDIS_URL", "")
    require_service(bool(redis_url), "Redis (REDIS_URL)")
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for a worker to share")
    load_shape(SHAPE_A)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker({"CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url,
                           "CELERY_TASK_DEFAULT_QUEUE": queue})
    app = Celery("producer", broker=redis_url, backend=redis_url)
    app.conf.task_default_queue = queue
    assert run_health_check(app, worker) == {"db": "postgresql", "units": 6, "positions": 14}
