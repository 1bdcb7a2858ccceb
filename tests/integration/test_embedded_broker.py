"""The embedded broker (``fsatomic://``, no Redis) with real workers started as ``make demo`` starts them.

A burst from several producer processes with several threads each, taken by two workers: every
task runs exactly once, every result is read whole, and no worker logs an error. On kombu's plain
``filesystem://`` broker this test failed in five runs out of five: a worker read a message that
was created but not yet written and stopped on ``JSONDecodeError('Expecting value: line 1 column 1
(char 0)')``, as the demo's did. And a worker killed with SIGKILL in the middle of its tasks: the
next worker runs them (acks late), where kombu's broker had deleted them when it handed them out.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration

PRODUCERS, THREADS, PER_THREAD = 4, 3, 25  # 300 tasks

# A producer process with Django settings as the web process has them.
#   burst THREADS PER_THREAD: each thread sends PER_THREAD probes at a pace the worker keeps up with
#     (so that it looks for the next message while others are being written), then reads every result;
#   send N SECONDS: N probes that each take SECONDS;   collect ID...: waits for these results.
# Prints one JSON line.
SCRIPT = """
import json, random, sys, threading, time, uuid
import django
django.setup()
from servicecenter.celery import app

def probe(seconds=0.0):
    token = uuid.uuid4().hex
    return token, app.send_task("servicecenter.probe", args=[token, time.time(), seconds])

def burst(threads, per_thread):
    sent, got, errors = [], [], []
    def produce(seed):
        rng, mine = random.Random(seed), []
        for _ in range(per_thread):
            mine.append(probe())
            time.sleep(rng.uniform(0, 0.2))
        sent.extend(r.id for _, r in mine)
        for token, result in mine:
            try:
                value = result.get(timeout=45, interval=0.05)
                got.append(result.id if value["token"] == token else "wrong:" + result.id)
            except Exception as exc:
                errors.append(repr(exc))
    workers = [threading.Thread(target=produce, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return {"sent": sent, "got": got, "errors": errors}

mode, args = sys.argv[1], sys.argv[2:]
if mode == "burst":
    out = burst(int(args[0]), int(args[1]))
elif mode == "send":
    out = [probe(float(args[1]))[1].id for _ in range(int(args[0]))]
else:
    out = [app.AsyncResult(task_id).get(timeout=45, interval=0.05)["token"] for task_id in args]
print(json.dumps(out))
"""


def embedded_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "servicecenter.settings.embedded", "REDIS_URL": "",
        "SERVICECENTER_VAR_DIR": str(tmp_path / "var"), "CELERY_FS_DIR": str(tmp_path / "celery"),
        # The probe touches no database; a file nobody opens keeps the workers off the test database.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        # An idle worker looks for work every 5 ms rather than the demo's 100: the race the demo met
        # after ten minutes or so (a message read while being written) then shows in seconds.
        "CELERY_FS_POLLING_SECONDS": "0.005",
    })
    return env


class DemoWorker:
    """``celery worker`` as scripts/demo.sh runs it (prefork, 2 processes), logging to a file."""

    def __init__(self, env: dict[str, str], log: Path, name: str) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "servicecenter", "worker", "--loglevel", "INFO",
             "--concurrency", "2", "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", name],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )
        self.wait_for(lambda out: " ready." in out, "the worker to be ready")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, predicate, what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.output()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{'the worker stopped' if self.proc.poll() is not None else 'timed out'} waiting for "
                            f"{what}:\n{self.output()[-4000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def script(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SCRIPT, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def result_of(proc: subprocess.Popen, worker: DemoWorker, timeout: float = 75.0):
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if worker.proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the worker {'stopped' if worker.proc.poll() is not None else 'hung'}:\n"
                        f"{worker.output()[-4000:]}")
        time.sleep(0.1)
    out, err = proc.communicate()
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def runs(output: str) -> Counter:
    return Counter(re.findall(r"Task servicecenter\.probe\[([0-9a-f-]{36})\] succeeded", output))


def leftovers(folder: Path) -> list[str]:
    """Messages still queued, claimed, half written or quarantined."""
    return sorted(str(p.relative_to(folder)) for sub in ("queue", "tmp", "processing", "failed")
                  for p in (folder / sub).rglob("*") if p.is_file())


def test_a_burst_from_several_producers_runs_each_task_once(tmp_path):
    env = embedded_env(tmp_path)
    # Two workers (a second `make demo` worker, or one restarted while the old one finishes) take
    # from the same folder: each message goes to one of them.
    workers = [DemoWorker(env, tmp_path / f"worker-{n}.log", f"burst-{n}@%h") for n in "ab"]
    try:
        producers = [script(env, "burst", str(THREADS), str(PER_THREAD)) for _ in range(PRODUCERS)]
        reports = [result_of(producer, workers[0]) for producer in producers]
    finally:
        for worker in workers:
            worker.stop()

    sent = [task_id for r in reports for task_id in r["sent"]]
    got = [task_id for r in reports for task_id in r["got"]]
    assert len(sent) == len(set(sent)) == PRODUCERS * THREADS * PER_THREAD
    assert [e for r in reports for e in r["errors"]] == []
    assert sorted(got) == sorted(sent)  # every result came back, whole, with its own token
    done = runs(workers[0].output()) + runs(workers[1].output())
    assert set(done) == set(sent)  # nothing lost, nothing foreign
    assert set(done.values()) == {1}  # nothing run twice
    assert all(runs(worker.output()) for worker in workers)  # both took their share
    for worker in workers:
        assert re.findall(r"Traceback|JSONDecodeError|ERROR|CRITICAL", worker.output()) == []
    assert leftovers(tmp_path / "celery") == []


def test_the_tasks_of_a_killed_worker_are_run_by_the_next_one(tmp_path):
    env = embedded_env(tmp_path)
    first = DemoWorker(env, tmp_path / "first.log", "first@%h")
    try:
        ids = result_of(script(env, "send", "4", "3"), first)
        # Two processes, prefetch 1 each: the first worker holds two of the four, both running.
        first.wait_for(lambda out: len(re.findall(r"Task servicecenter\.probe\[\S+\] received", out)) == 2,
                       "two tasks to start")
        claimed = [p.name for p in (tmp_path / "celery" / "processing").rglob("*.msg")]
        assert len(claimed) == 2
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait()
    finally:
        first.stop()
    assert runs(first.output()) == Counter()

    second = DemoWorker(env, tmp_path / "second.log", "second@%h")
    try:
        second.wait_for(lambda out: set(runs(out)) == set(ids), "the four tasks", timeout=45)
        tokens = result_of(script(env, "collect", *ids), second)
    finally:
        second.stop()
    assert len(set(tokens)) == 4
    assert runs(second.output()) == Counter({task_id: 1 for task_id in ids})
    assert "Returned 2 unacknowledged message(s) of a stopped worker to the queue." in second.output()
    assert re.findall(r"Traceback|JSONDecodeError|ERROR|CRITICAL", second.output()) == []
    assert leftovers(tmp_path / "celery") == []
