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


def main() -> int:
    port = free_port()
    log_path = VAR / "demo.log"
    say(f"starting scripts/demo.sh in {VAR} on port {port} (log: {log_path})")
    demo = subprocess.Popen(["bash", "scripts/demo.sh"], cwd=ROOT, env={**os.environ, "DEMO_PORT": str(port)},
                            stdout=log_path.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    sent: dict[str, tuple[str, float]] = {}
    done: dict[str, float] = {}  # task id → seconds from send to done
    failed: dict[str, str] = {}
    web = Counter()
    kills = 0
    load_started = None

    def log_text() -> str:
        return log_path.read_text(errors="replace")

    def collect() -> None:
        for task_id in [t for t in sent if t not in done and t not in failed]:
            meta = app.backend.get_task_meta(task_id)
            if meta["status"] == "SUCCESS":
                name, sent_at = sent[task_id]
                result = meta["result"]
                if name == "servicecenter.probe":
                    done[task_id] = result["done_at"] - sent_at
                else:
                    date_done = meta["date_done"]
                    if isinstance(date_done, str):
                        date_done = datetime.fromisoformat(date_done)
                    done[task_id] = date_done.timestamp() - sent_at
            elif meta["status"] in ("FAILURE", "REVOKED"):
                failed[task_id] = f"{meta['status']}: {meta['result']!r}"

    def check_web() -> None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=10) as answer:  # noqa: S310 - our own server
                web["ok" if answer.status == 200 else f"HTTP {answer.status}"] += 1
        except Exception as exc:
            web[type(exc).__name__] += 1

    try:
        deadline = time.monotonic() + 900
        while True:
            if demo.poll() is not None:
                say(f"demo.sh stopped before it was ready:\n{log_text()[-3000:]}")
                return 1
            text = log_text()
            if "==> Web on http" in text and re.search(r"demo@\S+ ready\.", text):
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # noqa: S310
                        if answer.status == 200:
                            break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                say("demo.sh was not ready after 15 minutes")
                return 1
            time.sleep(1)

        say(f"ready; sending {RATE:g} tasks a second for {MINUTES:g} minutes"
            + (f", killing the worker every {KILL_EVERY:g} minutes" if KILL_EVERY else ""))
        load_started = time.monotonic()
        end = load_started + MINUTES * 60
        next_send, next_web, next_collect = load_started, load_started, load_started + 5
        next_real = {name: load_started + every / 2 for name, every in REAL_TASKS.items()}
        next_kill = load_started + KILL_EVERY * 60 if KILL_EVERY else float("inf")
        next_report = load_started + 60
        while time.monotonic() < end:
            now = time.monotonic()
            if demo.poll() is not None:
                say("demo.sh stopped during the soak")
                break
            if now >= next_send:
                due = [n for n, t in next_real.items() if now >= t]
                if due:
                    name = due[0]
                    next_real[name] += REAL_TASKS[name]
                    result = app.send_task(name, args=[uuid.uuid4().hex] if name == "servicecenter.health_check" else [])
                else:
                    name = "servicecenter.probe"
                    result = app.send_task(name, args=[uuid.uuid4().hex, time.time()])
                sent[result.id] = (name, time.time())
                next_send += 1 / RATE
            if now >= next_web:
                check_web()
                next_web += 5
            if now >= next_collect:
                collect()
                next_collect += 5
            if now >= next_kill:
                pid = worker_pid(demo.pid)
                if pid:
                    os.kill(pid, signal.SIGKILL)
                    kills += 1
                    say(f"killed the worker (pid {pid})")
                next_kill += KILL_EVERY * 60
            if now >= next_report:
                latencies = list(done.values())
                say(f"sent {len(sent)}, done {len(done)}, p50 {percentile(latencies, 50):.3f} s, "
                    f"p99 {percentile(latencies, 99):.3f} s, errors in the log {len(ERRORS.findall(log_text()))}")
                next_report += 60
            time.sleep(max(0.0, min(next_send, next_web, next_collect) - time.monotonic()))

        say("load over; waiting for the last tasks")
        drain = time.monotonic() + 120
        while time.monotonic() < drain:
            collect()
            if len(done) + len(failed) == len(sent):
                break
            time.sleep(1)
    except KeyboardInterrupt:
        say("interrupted: stopping and counting what was sent so far")
    finally:
        # Stop demo.sh as Ctrl-C would (its trap stops web, worker and beat), then check they are gone.
        if demo.poll() is None:
            demo.send_signal(signal.SIGTERM)
            try:
                demo.wait(timeout=90)
            except subprocess.TimeoutExpired:
                say("demo.sh did not stop within 90 s: killing its processes")
        time.sleep(2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(demo.pid, 0)
            say("processes of the demo were still running: killed")
            os.killpg(demo.pid, signal.SIGKILL)

    text = log_text()
    runs = Counter(task_id for _name, task_id in SUCCEEDED.findall(text))
    mine = set(sent)
    lost = sorted(t for t in mine if runs[t] == 0)
    twice = sorted(t for t in mine if runs[t] > 1)
    beat_runs = Counter(name for name, task_id in SUCCEEDED.findall(text) if task_id not in mine)
    restarts = Counter(name for name, _rc in RESTART.findall(text))
    error_lines = [line for line in text.splitlines() if ERRORS.search(line)]
    folder = VAR / "celery"
    left = {sub: sum(1 for p in (folder / sub).rglob("*") if p.is_file()) for sub in ("queue", "processing", "tmp")}
    quarantined = sum(1 for p in (folder / "failed").rglob("*") if p.is_file())
    latencies = list(done.values())
    probes = [done[t] for t, (name, _) in sent.items() if name == "servicecenter.probe" and t in done]
    minutes = (time.monotonic() - load_started) / 60 if load_started else 0.0
    by_name = Counter(name for name, _ in sent.values())

    figures = [
        ("minutes under load", f"{minutes:.1f}"),
        ("tasks sent", f"{len(sent)} ({', '.join(f'{n} {c}' for n, c in sorted(by_name.items()))})"),
        ("completed (result SUCCESS)", str(len(done))),
        ("failed (result FAILURE)", str(len(failed))),
        ("lost (never run)", str(len(lost))),
        ("run more than once", str(len(twice))),
        ("send → done p50 / p99 / max, all (s)",
         f"{percentile(latencies, 50):.3f} / {percentile(latencies, 99):.3f} / {max(latencies, default=float('nan')):.3f}"),
        ("send → done p50 / p99, probes (s)", f"{percentile(probes, 50):.3f} / {percentile(probes, 99):.3f}"),
        ("mean (s)", f"{statistics.fmean(latencies):.3f}" if latencies else "-"),
        ("other tasks run (beat's, and those tasks queued)", ", ".join(f"{n} {c}" for n, c in sorted(beat_runs.items())) or "0"),
        ("worker kills (SIGKILL)", str(kills)),
        ("worker restarts / beat restarts", f"{restarts['worker']} / {restarts['beat']}"),
        ("errors and tracebacks in the logs", str(len(error_lines))),
        ("web /healthz answers", ", ".join(f"{k} {v}" for k, v in sorted(web.items())) or "0"),
        ("messages left: queue / claimed / half written", f"{left['queue']} / {left['processing']} / {left['tmp']}"),
        ("unreadable messages quarantined", str(quarantined)),
    ]
    width = max(len(k) for k, _ in figures)
    print()
    for key, value in figures:
        print(f"  {key:<{width}}  {value}")
    for line in error_lines[:20]:
        print(f"  ! {line}")
    for task_id in (lost + twice)[:20]:
        print(f"  ! {sent[task_id][0]}[{task_id}] ran {runs[task_id]} times")
    for task_id, why in list(failed.items())[:10]:
        print(f"  ! {sent[task_id][0]}[{task_id}] {why}")

    ok = (sent and not lost and not failed and not error_lines and quarantined == 0
          and len(twice) <= 2 * kills and set(web) == {"ok"} and restarts["worker"] == kills
          and restarts["beat"] == 0 and left["tmp"] == 0 and left["processing"] == 0)
    if ok and not KEEP:
        shutil.rmtree(VAR, ignore_errors=True)
    else:
        print(f"\n  kept: {VAR}")
    print(json.dumps({"ok": bool(ok), "sent": len(sent), "completed": len(done), "lost": len(lost),
                      "twice": len(twice), "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
                      "worker_restarts": restarts["worker"], "errors": len(error_lines)}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
