"""make soak: the demo's embedded stack under a steady load of tasks, then its figures.

Starts ``scripts/demo.sh`` as ``make demo`` does (web, worker and beat on SQLite and the broker of
files), in a temporary ``SERVICECENTER_VAR_DIR`` and on a free port, and for ``SOAK_MINUTES`` (30)
sends tasks at ``SOAK_RATE`` a second (2): mostly ``servicecenter.probe`` (does nothing, says when it
ran), and every few seconds real ones (``servicecenter.health_check``, ``sla.sweep``,
``surveys.send``), beside what beat sends. The web server is asked for ``/healthz`` every 5 s.
At the end it waits for the queue to drain, stops the demo like Ctrl-C would, and prints: tasks
sent, completed, lost, run more than once (from the worker's own "succeeded" lines, across worker
restarts), time from send to done (p50, p99, max), worker and beat restarts, errors and tracebacks
in the logs, web answers, messages left in the broker's folders. Exit status 1 if anything was
lost, run twice, logged an error, or the web server failed to answer.

``SOAK_KILL_WORKER_EVERY=<minutes>`` kills the worker with SIGKILL that often, to watch demo.sh
restart it and the next worker run what the dead one held; a task running at the moment of a kill
may then run twice (delivery is at least once; every task is idempotent), up to two per kill.
``SOAK_KEEP=1`` keeps the temporary folder (it is kept anyway when the soak fails).
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
RATE = float(os.environ.get("SOAK_RATE", "2"))
KILL_EVERY = float(os.environ.get("SOAK_KILL_WORKER_EVERY", "0"))
KEEP = os.environ.get("SOAK_KEEP", "") not in ("", "0")
# Real tasks, every so many seconds; the rest of the load is probes.
REAL_TASKS = {"servicecenter.health_check": 5.0, "sla.sweep": 20.0, "surveys.send": 30.0}

SUCCEEDED = re.compile(r"Task ([\w.]+)\[([0-9a-f-]{36})\] succeeded in")
ERRORS = re.compile(r"\bERROR\b|CRITICAL|Traceback|JSONDecodeError|Unrecoverable|database is locked")
RESTART = re.compile(r"==> (worker|beat) stopped \(exit status (\d+)\)")

VAR = Path(tempfile.mkdtemp(prefix="servicecenter-soak."))
# Embedded whatever the shell or a .env says: no Redis, SQLite and the broker of files under VAR.
EMBEDDED = {
    "DJANGO_SETTINGS_MODULE": "servicecenter.settings.embedded", "SERVICECENTER_VAR_DIR": str(VAR),
    "DATABASE_URL": f"sqlite:///{VAR / 'servicecenter.sqlite3'}", "REDIS_URL": "",
    "CELERY_BROKER_URL": "fsatomic://", "CELERY_RESULT_BACKEND": f"fsatomic+file://{VAR / 'celery' / 'results'}",
}
for name in [k for k in os.environ if k.startswith("CELERY_")]:
    del os.environ[name]
os.environ.update(EMBEDDED)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from servicecenter.celery import app  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


def worker_pid(session: int) -> int | None:
    """The worker's main process in the demo's session (the one whose parent is demo.sh's supervisor)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rpartition(")")[2].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            parent = Path(f"/proc/{stat[1]}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if int(stat[3]) == session and "celery" in cmdline and " worker " in cmdline and "celery" not in parent:
            return int(entry.name)
    return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def seconds_to_done(name: str, sent_at: float, meta: dict) -> float:
    """From send to done: a probe says when it ran, the other tasks' results carry ``date_done``."""
    if name == "servicecenter.probe":
        return meta["result"]["done_at"] - sent_at
    date_done = meta["date_done"]
    if isinstance(date_done, str):
        date_done = datetime.fromisoformat(date_done)
    return date_done.timestamp() - sent_at


class Soak:
    """scripts/demo.sh under load: what was sent and came back, the web server's answers, the kills."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.log_path = log_path
        self.base = f"http://127.0.0.1:{port}"
        self.demo = subprocess.Popen(["bash", "scripts/demo.sh"], cwd=ROOT, env={**os.environ, "DEMO_PORT": str(port)},
                                     stdout=log_path.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
        self.sent: dict[str, tuple[str, float]] = {}
        self.done: dict[str, float] = {}  # task id → seconds from send to done
        self.failed: dict[str, str] = {}
        self.web = Counter()
        self.kills = 0
        self.load_started: float | None = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def collect(self) -> None:
        for task_id in [t for t in self.sent if t not in self.done and t not in self.failed]:
            meta = app.backend.get_task_meta(task_id)
            if meta["status"] == "SUCCESS":
                self.done[task_id] = seconds_to_done(*self.sent[task_id], meta)
            elif meta["status"] in ("FAILURE", "REVOKED"):
                self.failed[task_id] = f"{meta['status']}: {meta['result']!r}"

    def check_web(self) -> None:
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=10) as answer:  # noqa: S310 - our own server
                self.web["ok" if answer.status == 200 else f"HTTP {answer.status}"] += 1
        except Exception as exc:
            self.web[type(exc).__name__] += 1

    def ready(self) -> bool:
        """demo.sh says the web server and the worker are up, and /healthz answers 200."""
        text = self.log_text()
        if "==> Web on http" not in text or not re.search(r"demo@\S+ ready\.", text):
            return False
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as answer:  # noqa: S310
                return answer.status == 200
        except OSError:
            return False

    def wait_until_ready(self) -> bool:
        deadline = time.monotonic() + 900
        while True:
            if self.demo.poll() is not None:
                say(f"demo.sh stopped before it was ready:\n{self.log_text()[-3000:]}")
                return False
            if self.ready():
                return True
            if time.monotonic() > deadline:
                say("demo.sh was not ready after 15 minutes")
                return False
            time.sleep(1)

    def send_next(self, now: float, next_real: dict[str, float]) -> None:
        """A real task whose turn has come, else a probe."""
        due = [n for n, t in next_real.items() if now >= t]
        if due:
            name = due[0]
            next_real[name] += REAL_TASKS[name]
            result = app.send_task(name, args=[uuid.uuid4().hex] if name == "servicecenter.health_check" else [])
        else:
            name = "servicecenter.probe"
            result = app.send_task(name, args=[uuid.uuid4().hex, time.time()])
        self.sent[result.id] = (name, time.time())

    def kill_worker(self) -> None:
        pid = worker_pid(self.demo.pid)
        if pid:
            os.kill(pid, signal.SIGKILL)
            self.kills += 1
            say(f"killed the worker (pid {pid})")

    def say_progress(self) -> None:
        latencies = list(self.done.values())
        say(f"sent {len(self.sent)}, done {len(self.done)}, p50 {percentile(latencies, 50):.3f} s, "
            f"p99 {percentile(latencies, 99):.3f} s, errors in the log {len(ERRORS.findall(self.log_text()))}")

    def load(self) -> None:
        say(f"ready; sending {RATE:g} tasks a second for {MINUTES:g} minutes"
            + (f", killing the worker every {KILL_EVERY:g} minutes" if KILL_EVERY else ""))
        self.load_started = time.monotonic()
        end = self.load_started + MINUTES * 60
        next_send, next_web, next_collect = self.load_started, self.load_started, self.load_started + 5
        next_real = {name: self.load_started + every / 2 for name, every in REAL_TASKS.items()}
        next_kill = self.load_started + KILL_EVERY * 60 if KILL_EVERY else float("inf")
        next_report = self.load_started + 60
        while time.monotonic() < end:
            now = time.monotonic()
            if self.demo.poll() is not None:
                say("demo.sh stopped during the soak")
                break
            if now >= next_send:
                self.send_next(now, next_real)
                next_send += 1 / RATE
            if now >= next_web:
                self.check_web()
                next_web += 5
            if now >= next_collect:
                self.collect()
                next_collect += 5
            if now >= next_kill:
                self.kill_worker()
                next_kill += KILL_EVERY * 60
            if now >= next_report:
                self.say_progress()
                next_report += 60
            time.sleep(max(0.0, min(next_send, next_web, next_collect) - time.monotonic()))

    def drain(self) -> None:
        say("load over; waiting for the last tasks")
        drain = time.monotonic() + 120
        while time.monotonic() < drain:
            self.collect()
            if len(self.done) + len(self.failed) == len(self.sent):
                break
            time.sleep(1)

    def stop(self) -> None:
        """Stop demo.sh as Ctrl-C would (its trap stops web, worker and beat), then check they are gone."""
        if self.demo.poll() is None:
            self.demo.send_signal(signal.SIGTERM)
            try:
                self.demo.wait(timeout=90)
            except subprocess.TimeoutExpired:
                say("demo.sh did not stop within 90 s: killing its processes")
        time.sleep(2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.demo.pid, 0)
            say("processes of the demo were still running: killed")
            os.killpg(self.demo.pid, signal.SIGKILL)


def tally(soak: Soak) -> dict:
    """What the worker's log and the broker's folders say about the tasks sent."""
    text = soak.log_text()
    runs = Counter(task_id for _name, task_id in SUCCEEDED.findall(text))
    mine = set(soak.sent)
    folder = VAR / "celery"
    return {
        "runs": runs,
        "lost": sorted(t for t in mine if runs[t] == 0),
        "twice": sorted(t for t in mine if runs[t] > 1),
        "beat_runs": Counter(name for name, task_id in SUCCEEDED.findall(text) if task_id not in mine),
        "restarts": Counter(name for name, _rc in RESTART.findall(text)),
        "error_lines": [line for line in text.splitlines() if ERRORS.search(line)],
        "left": {sub: sum(1 for p in (folder / sub).rglob("*") if p.is_file())
                 for sub in ("queue", "processing", "tmp")},
        "quarantined": sum(1 for p in (folder / "failed").rglob("*") if p.is_file()),
        "latencies": list(soak.done.values()),
    }


def figures(soak: Soak, found: dict) -> list[tuple[str, str]]:
    latencies, restarts, left = found["latencies"], found["restarts"], found["left"]
    probes = [soak.done[t] for t, (name, _) in soak.sent.items() if name == "servicecenter.probe" and t in soak.done]
    minutes = (time.monotonic() - soak.load_started) / 60 if soak.load_started else 0.0
    by_name = Counter(name for name, _ in soak.sent.values())
    slowest = max(latencies, default=float("nan"))
    return [
        ("minutes under load", f"{minutes:.1f}"),
        ("tasks sent", f"{len(soak.sent)} ({', '.join(f'{n} {c}' for n, c in sorted(by_name.items()))})"),
        ("completed (result SUCCESS)", str(len(soak.done))),
        ("failed (result FAILURE)", str(len(soak.failed))),
        ("lost (never run)", str(len(found["lost"]))),
        ("run more than once", str(len(found["twice"]))),
        ("send → done p50 / p99 / max, all (s)",
         f"{percentile(latencies, 50):.3f} / {percentile(latencies, 99):.3f} / {slowest:.3f}"),
        ("send → done p50 / p99, probes (s)", f"{percentile(probes, 50):.3f} / {percentile(probes, 99):.3f}"),
        ("mean (s)", f"{statistics.fmean(latencies):.3f}" if latencies else "-"),
        ("other tasks run (beat's, and those tasks queued)",
         ", ".join(f"{n} {c}" for n, c in sorted(found["beat_runs"].items())) or "0"),
        ("worker kills (SIGKILL)", str(soak.kills)),
        ("worker restarts / beat restarts", f"{restarts['worker']} / {restarts['beat']}"),
        ("errors and tracebacks in the logs", str(len(found["error_lines"]))),
        ("web /healthz answers", ", ".join(f"{k} {v}" for k, v in sorted(soak.web.items())) or "0"),
        ("messages left: queue / claimed / half written", f"{left['queue']} / {left['processing']} / {left['tmp']}"),
        ("unreadable messages quarantined", str(found["quarantined"])),
    ]


def print_figures(soak: Soak, found: dict) -> None:
    rows = figures(soak, found)
    width = max(len(k) for k, _ in rows)
    print()
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    for line in found["error_lines"][:20]:
        print(f"  ! {line}")
    for task_id in (found["lost"] + found["twice"])[:20]:
        print(f"  ! {soak.sent[task_id][0]}[{task_id}] ran {found['runs'][task_id]} times")
    for task_id, why in list(soak.failed.items())[:10]:
        print(f"  ! {soak.sent[task_id][0]}[{task_id}] {why}")


def passed(soak: Soak, found: dict) -> bool:
    restarts, left = found["restarts"], found["left"]
    return bool(soak.sent and not found["lost"] and not soak.failed and not found["error_lines"]
                and found["quarantined"] == 0 and len(found["twice"]) <= 2 * soak.kills and set(soak.web) == {"ok"}
                and restarts["worker"] == soak.kills and restarts["beat"] == 0 and left["tmp"] == 0
                and left["processing"] == 0)


def main() -> int:
    port = free_port()
    log_path = VAR / "demo.log"
    say(f"starting scripts/demo.sh in {VAR} on port {port} (log: {log_path})")
    soak = Soak(port, log_path)
    try:
        if not soak.wait_until_ready():
            return 1
        soak.load()
        soak.drain()
    except KeyboardInterrupt:
        say("interrupted: stopping and counting what was sent so far")
    finally:
        soak.stop()

    found = tally(soak)
    print_figures(soak, found)
    ok = passed(soak, found)
    if ok and not KEEP:
        shutil.rmtree(VAR, ignore_errors=True)
    else:
        print(f"\n  kept: {VAR}")
    latencies = found["latencies"]
    print(json.dumps({"ok": ok, "sent": len(soak.sent), "completed": len(soak.done), "lost": len(found["lost"]),
                      "twice": len(found["twice"]), "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
                      "worker_restarts": found["restarts"]["worker"], "errors": len(found["error_lines"])}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
