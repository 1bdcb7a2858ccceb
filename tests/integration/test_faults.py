"""Faults: a worker killed with SIGKILL in the middle of a sweep, a survey run and a calls import,
then a new worker (and, for the import, beat's reaper, with nothing done by hand): nothing lost,
nothing doubled. An import whose message Redis lost is queued again. Redis restarted under a
worker: tasks resume.
All on the Redis and PostgreSQL that ``make test`` starts."""

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from celery import Celery
from django.db.models import Count
from django.utils import timezone

from calls.imports import call_import_create
from calls.models import CallImport, CallRecord
from calls.queue_log import parse_queue_log
from demo.calls import build_queue_log
from notifications.models import Notification
from sla.models import Clock, ClockState, Escalation
from sla.sweep import sweep
from surveys.models import Invitation
from surveys.presets import seed_survey_template
from tests.conftest import ROOT, SHAPE_A, load_shape
from tests.integration.conftest import database_url_for_workers, wait_until
from tickets import services
from tickets.models import Kind

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def producer(redis_url: str, queue: str) -> Celery:
    app = Celery("producer", broker=redis_url, backend=redis_url)
    app.conf.task_default_queue = queue
    return app


def worker_env(redis_url: str, queue: str, **extra) -> dict[str, str]:
    return {"CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url, "CELERY_TASK_DEFAULT_QUEUE": queue,
            **{k: str(v) for k, v in extra.items()}}


def test_a_sweep_killed_half_way_loses_and_doubles_nothing(sla_presets, redis_url, start_worker, member, user):
    load_shape(SHAPE_A)
    for n in range(150):
        services.ticket_create(actor=user("agent1"), kind=Kind.COMPLAINT, channel="phone", subject=f"久拖未办{n}",
                               customer={"name": "客户", "phone": f"1390000{n:04d}"}, assignee=member("agent1"),
                               received_at=timezone.now() - timedelta(days=30))
    due = Clock.objects.filter(due_at__lte=timezone.now()).count()
    assert due == 300  # first response and resolution of each
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = worker_env(redis_url, queue, SLA_SWEEP_BATCH=20)
    first = start_worker(env)
    producer(redis_url, queue).send_task("sla.sweep")
    wait_until(lambda: Escalation.objects.exists(), what="the sweep to start")
    first.kill()
    done_at_kill = Escalation.objects.count()
    second = start_worker(env)
    producer(redis_url, queue).send_task("sla.sweep")  # what beat does every minute

    def settled() -> bool:
        # Done: every due clock breached, and no escalation up the chain left to raise (the raises
        # come in later batches of the same sweep, so a breached center is not yet a settled one).
        now = timezone.now()
        return (Escalation.objects.count() > done_at_kill
                and not Clock.objects.filter(due_at__lte=now, breached_at__isnull=True).exists()
                and not Clock.objects.filter(state=ClockState.BREACHED, next_escalation_at__lte=now).exists())

    wait_until(settled, timeout=120, every=0.5, what=f"the sweep to finish\n{second.output()}")
    last = sweep()
    assert (last.warned, last.breached, last.raised) == (0, 0, 0)  # nothing was left for beat to pick up
    # Every due clock warned and breached exactly once; each escalation notified exactly once.
    levels = Escalation.objects.filter(level__in=[0, 1]).values("clock", "level").annotate(n=Count("id"))
    assert {row["n"] for row in levels} == {1}
    assert levels.count() == 2 * due
    assert Notification.objects.filter(escalation__isnull=False).count() == Escalation.objects.exclude(
        recipient__isnull=True).count()
    assert not Notification.objects.values("escalation").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert done_at_kill > 0


def test_a_survey_run_killed_half_way_sends_each_invitation_once(sla_presets, redis_url, start_worker, member, user,
                                                                 tmp_path):
    load_shape(SHAPE_A)
    seed_survey_template()
    for n in range(200):
        ticket = services.ticket_create(actor=user("agent2"), kind=Kind.INQUIRY, channel="phone", subject="咨询",
                                        customer={"name": f"客户{n}", "phone": f"1370000{n:04d}"},
                                        assignee=member("agent2"))
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent2"), resolution="已答复")
    Invitation.objects.update(send_after=timezone.now() - timedelta(minutes=1))
    outbox = tmp_path / "outbox.jsonl"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = worker_env(redis_url, queue, SURVEYS_SMS_BACKEND="surveys.backends.FileBackend",
                     SURVEYS_OUTBOX_FILE=outbox, SURVEYS_QUIET_HOURS="", SURVEYS_SEND_BATCH=10)
    first = start_worker(env)
    producer(redis_url, queue).send_task("surveys.send")
    wait_until(lambda: outbox.exists() and outbox.stat().st_size > 0, what="the first message")
    first.kill()
    sent_at_kill = Invitation.objects.filter(state="sent").count()
    assert sent_at_kill < 200
    second = start_worker(env)
    producer(redis_url, queue).send_task("surveys.send")
    wait_until(lambda: not Invitation.objects.filter(state="scheduled").exists(), timeout=120, every=0.5,
               what=f"the rest to be sent\n{second.output()}")
    messages = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    by_key: dict[str, list] = {}
    for message in messages:
        by_key.setdefault(message["key"], []).append(message)
    assert Invitation.objects.filter(state="sent").count() == 200
    assert len(by_key) == 200
    # At most the one message in flight at the kill went out again, with the same key and the same link.
    repeated = [key for key, copies in by_key.items() if len(copies) > 1]
    assert len(repeated) <= 1
    assert all(len({m["text"] for m in by_key[key]}) == 1 for key in repeated)


@pytest.fixture
def start_beat(tmp_path):
    """``celery beat`` as deployed (the database scheduler, the schedule from the settings), on the
    test database; stopped when the test ends."""
    beats: list[subprocess.Popen] = []

    def start(extra_env: dict[str, str]) -> Path:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicecenter.settings.test",
               "DATABASE_URL": database_url_for_workers(), **extra_env}
        log = tmp_path / f"beat{len(beats)}.log"
        beats.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "servicecenter", "beat", "--loglevel", "INFO",
             "--pidfile", str(tmp_path / f"beat{len(beats)}.pid")],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT))
        return log

    yield start
    for beat in beats:
        beat.terminate()
        try:
            beat.wait(timeout=15)
        except subprocess.TimeoutExpired:
            beat.kill()
            beat.wait()


def reaper_env(redis_url: str, queue: str) -> dict[str, str]:
    """Beat runs the reaper every second and calls an import stuck after 3 s without progress; the
    sweep and the surveys, which beat also sends, are left for an hour."""
    return worker_env(redis_url, queue, CALLS_REAP_SECONDS=1, CALLS_IMPORT_STALE_SECONDS=3,
                      SLA_SWEEP_SECONDS=3600, SURVEYS_SEND_SECONDS=3600)


def restart_redis_without_persistence(redis_url: str, tmp_path: Path) -> None:
    port = urlparse(redis_url).port
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False, capture_output=True)
    wait_until(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode != 0,
               what="Redis to stop")
    subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--daemonize", "yes", "--dir", str(tmp_path)], check=True, capture_output=True)
    wait_until(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip()
               == b"PONG", what="Redis to come back")


def test_a_calls_import_killed_half_way_is_finished_by_the_reaper_once(redis_url, start_worker, start_beat,
                                                                      shape_a):
    """SIGKILL while the worker stores the calls; then a new worker and beat, and nothing by hand: the
    reaper sees the import make no progress, queues it again, and it is imported once."""
    content = build_queue_log(days=900)
    expected = {(c.call_id, c.queue, c.attempt) for c in parse_queue_log(content).calls}
    job = call_import_create(name="queue_log", content=content, fmt="queue_log")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = reaper_env(redis_url, queue)
    first = start_worker(env)
    producer(redis_url, queue).send_task("calls.import", args=[job.pk])  # what an upload does after commit
    wait_until(lambda: CallImport.objects.filter(pk=job.pk, status="running", processed__gt=0).exists(),
               timeout=90, every=0.02, what=f"the import to store its first calls\n{first.output()}")
    first.kill()
    killed = CallImport.objects.get(pk=job.pk)
    assert (killed.status, killed.attempts, CallRecord.objects.count()) == ("running", 1, 0)
    second = start_worker(env)
    beat_log = start_beat(env)
    wait_until(lambda: CallImport.objects.get(pk=job.pk).status in ("done", "failed"), timeout=150, every=0.5,
               what=f"the reaper and the new worker to finish it\n{second.output()}\n{beat_log.read_text()}")
    done = CallImport.objects.get(pk=job.pk)
    assert (done.status, done.attempts, done.imported, done.duplicates, done.failure_reason) == (
        "done", 2, len(expected), 0, ""), second.output()
    assert CallRecord.objects.count() == len(expected)
    assert set(CallRecord.objects.values_list("call_id", "queue", "attempt")) == expected
    assert "calls.reap_imports" in beat_log.read_text()
    time.sleep(4)  # beat goes on reaping: a finished import stays finished, and nothing is doubled
    assert (CallImport.objects.get(pk=job.pk).attempts, CallRecord.objects.count()) == (2, len(expected))


def test_a_calls_import_whose_message_redis_lost_is_queued_again(redis_url, start_worker, start_beat, tmp_path,
                                                                 shape_a):
    """Uploaded, queued, then Redis restarts without persistence before any worker takes the task: the
    message is gone. The reaper queues the waiting import again."""
    content = build_queue_log(days=30)
    expected = {(c.call_id, c.queue, c.attempt) for c in parse_queue_log(content).calls}
    job = call_import_create(name="queue_log", content=content, fmt="queue_log")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    producer(redis_url, queue).send_task("calls.import", args=[job.pk])
    port = str(urlparse(redis_url).port)
    assert subprocess.run(["redis-cli", "-p", port, "llen", queue], capture_output=True).stdout.strip() == b"1"
    restart_redis_without_persistence(redis_url, tmp_path)
    assert subprocess.run(["redis-cli", "-p", port, "llen", queue], capture_output=True).stdout.strip() == b"0"
    env = reaper_env(redis_url, queue)
    worker = start_worker(env)
    beat_log = start_beat(env)
    wait_until(lambda: CallImport.objects.get(pk=job.pk).status == "done", timeout=90, every=0.5,
               what=f"the reaper to queue it again\n{worker.output()}\n{beat_log.read_text()}")
    done = CallImport.objects.get(pk=job.pk)
    assert (done.attempts, done.imported, done.duplicates) == (1, len(expected), 0)
    assert set(CallRecord.objects.values_list("call_id", "queue", "attempt")) == expected


def test_tasks_resume_after_redis_restarts(redis_url, start_worker, tmp_path, shape_a):
    port = urlparse(redis_url).port
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(worker_env(redis_url, queue))
    app = producer(redis_url, queue)
    assert app.send_task("servicecenter.health_check", args=["before"]).get(timeout=60)["token"] == "before", \
        worker.output()
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False, capture_output=True)
    wait_until(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode != 0,
               what="Redis to stop")
    subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--daemonize", "yes", "--dir", str(tmp_path)], check=True, capture_output=True)
    wait_until(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip()
               == b"PONG", what="Redis to come back")
    app = producer(redis_url, queue)
    assert app.send_task("servicecenter.health_check", args=["after"]).get(timeout=90)["token"] == "after", \
        worker.output()
