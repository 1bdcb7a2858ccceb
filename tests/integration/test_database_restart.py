"""PostgreSQL restarting under the web app (gunicorn, production settings): requests fail cleanly
(503 with Retry-After, never a 500 or a hang) and the app recovers by itself once it is back."""

import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.conftest import ROOT, require_service
from tests.integration.conftest import database_url_for_workers, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback, our own server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}, b""


def pg_ctl(*args: str) -> subprocess.CompletedProcess:
    command = [os.path.join(os.environ["SERVICECENTER_PGBIN"], "pg_ctl"), "-D", os.environ["SERVICECENTER_PGDATA"],
               *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.fixture
def web(tmp_path):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    require_service(bool(os.environ.get("SERVICECENTER_PGDATA")), "a PostgreSQL that make test started")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicecenter.settings.production",
           "DATABASE_URL": database_url_for_workers(), "SECRET_KEY": "fault-test-" + "x" * 40,
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "False", "SESSION_COOKIE_SECURE": "False",
           "CSRF_COOKIE_SECURE": "False", "SECURE_HSTS_SECONDS": "0"}
    log = tmp_path / "gunicorn.log"
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "servicecenter.wsgi", "-b", f"127.0.0.1:{port}",
                             "-w", "2", "--timeout", "30"], cwd=ROOT, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: get(f"{base}/healthz")[0] == 200, timeout=30, what="gunicorn to answer")
    yield base, log
    proc.terminate()
    proc.wait(timeout=15)


def test_requests_fail_cleanly_while_postgres_restarts_and_then_recover(web):
    base, log = web
    assert get(f"{base}/healthz")[0] == 200
    data = os.environ["SERVICECENTER_PGDATA"]
    with open(os.path.join(data, "postmaster.opts"), encoding="utf-8") as opts:
        words = shlex.split(opts.read())[1:]  # the server's own command line, minus the program
    options = " ".join(shlex.quote(w) for i, w in enumerate(words) if w != "-D" and (i == 0 or words[i - 1] != "-D"))
    assert pg_ctl("stop", "-m", "fast", "-w").returncode == 0
    try:
        answers = [get(f"{base}/healthz") for _ in range(6)]
        api = get(f"{base}/api/v1/sla/policies/")
    finally:
        started = pg_ctl("start", "-w", "-o", options, "-l", os.path.join(os.path.dirname(data), "pg.log"))
        assert started.returncode == 0, started.stderr
        connection.close()  # the test's own connection died with the server
    assert {status for status, _, _ in answers} == {503}, log.read_text(errors="replace")[-3000:]
    assert all(headers.get("Retry-After") == "5" for _, headers, _ in answers)
    assert b"briefly unavailable" in answers[0][2] or "暂时".encode() in answers[0][2]
    assert api[0] in (403, 503)  # anonymous: refused before the database, or unavailable; never a 500
    time.sleep(0.5)
    wait_until(lambda: get(f"{base}/healthz")[0] == 200, timeout=30, what="the app to recover")
    assert b"database unavailable" in log.read_bytes()  # logged as what it is
