import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.conftest import ROOT


def database_url_for_workers() -> str:
    """The URL of the database the tests use (the test database), for processes we start."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        return ""
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """A real ``celery worker`` process on the given broker, stopped when the test ends."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "servicecenter", "worker", "--pool", "solo",
             "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no rollback hook; what the kernel does to an OOM victim."""
        self.proc.kill()
        self.proc.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker(tmp_path):
    workers: list[Worker] = []

    def start(extra_env: dict[str, str]) -> Worker:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicecenter.settings.test",
               "DATABASE_URL": database_url_for_workers(), **extra_env}
        worker = Worker(env, tmp_path / f"worker{len(workers)}.log")
        workers.append(worker)
        time.sleep(0.5)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_until(predicate, *, timeout: float = 60.0, every: float = 0.05, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


@pytest.fixture
def redis_url():
    """The Redis the workers and the test share; PostgreSQL too, for workers to share the database."""
    from tests.conftest import require_service

    url = os.environ.get("REDIS_URL", "")
    require_service(bool(url), "Redis (REDIS_URL)")
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) for workers to share")
    return url
