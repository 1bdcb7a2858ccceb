"""Dashboards and figures read from a read replica; writes never go there (``servicecenter/replica.py``).

A real one: a PostgreSQL streaming replica of the test database's server, made with pg_basebackup
and started on loopback for the test."""

import copy
import os
import shutil
import socket
import subprocess
import tempfile
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from servicecenter.replica import REPLICA, replica_reads
from tests.conftest import require_service, signed_in
from tests.integration.conftest import wait_until
from tickets.models import Customer, Kind, Status, Ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, databases=["default", REPLICA])]


def as_postgres(command: list[str]) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def caught_up() -> bool:
    """The replica has replayed everything the primary has logged. The insert position, not the write
    one: ``make test`` runs PostgreSQL with ``synchronous_commit=off``, so a commit can sit in the WAL
    buffers, where the write position has not reached it yet."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        lsn = cursor.fetchone()[0]
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
        return bool(cursor.fetchone()[0])


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    """A streaming replica of the server the tests use (its test database made), as the ``replica``
    database of this module's tests: a mirror of ``default`` for the test runner, which flushes
    only ``default``."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (make test starts one)")
    require_service(bool(os.environ.get("SERVICECENTER_PGDATA")), "a PostgreSQL that make test started")
    pgbin = os.environ["SERVICECENTER_PGBIN"]
    home = tempfile.mkdtemp(dir=os.path.dirname(os.environ["SERVICECENTER_PGDATA"]), prefix="replica-")
    os.chmod(home, 0o700)
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    primary = connections["default"].settings_dict
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        cursor.execute("SHOW max_connections")  # a standby needs at least the primary's
        most = cursor.fetchone()[0]
    as_postgres([f"{pgbin}/pg_basebackup", "-h", primary["HOST"] or "127.0.0.1", "-p", str(primary["PORT"]),
                 "-U", primary["USER"] or "postgres", "-D", home, "-R", "-X", "stream", "-c", "fast"])
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections={most}"
    as_postgres([f"{pgbin}/pg_ctl", "-D", home, "-l", f"{home}/log", "-w", "-o", options, "start"])
    settings = copy.deepcopy(primary)
    settings.update(PORT=str(port), TEST={**settings.get("TEST", {}), "MIRROR": "default"})
    connections.settings[REPLICA] = settings
    try:
        with django_db_blocker.unblock():
            wait_until(caught_up, timeout=30, what="the replica to catch up")
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        as_postgres([f"{pgbin}/pg_ctl", "-D", home, "-m", "immediate", "stop"])
        shutil.rmtree(home, ignore_errors=True)


def open_tickets(n: int, holder) -> None:
    customer = Customer.objects.create(name="副本", phone="13900000001")
    now = timezone.now()
    Ticket.objects.bulk_create([
        Ticket(reference=f"TS-R-{i:06d}", kind=Kind.INQUIRY, channel="phone", subject="副本", customer=customer,
               assignee=holder, team=holder.position.unit, received_at=now - timedelta(hours=i),
               status=Status.IN_PROGRESS, sla_state="on_track", sla_due_at=now + timedelta(hours=i + 1))
        for i in range(n)])


def statements(captured) -> list[str]:
    return [query["sql"].lstrip().split()[0].upper() for query in captured.captured_queries]


def test_the_dashboard_reads_from_the_replica_and_writes_stay_on_the_primary(shape_a, member, replica):
    open_tickets(7, member("agent2"))
    client = signed_in("director")
    wait_until(caught_up, timeout=30, what="the replica to catch up")
    with (CaptureQueriesContext(connections["default"]) as primary,
          CaptureQueriesContext(connections[REPLICA]) as copied):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    assert response.context["board"].tiles["open"] == 7  # read on the replica, which has them
    # The open tickets, the rollup and the live clocks, the unit tree, the alarms, the calls, the
    # surveys, the follow-ups, the provisional years: all of the page's figures (13 queries in all).
    assert len(copied.captured_queries) == 9
    assert set(statements(copied)) <= {"SELECT", "WITH"}
    on_primary = " ".join(query["sql"] for query in primary.captured_queries)
    # The primary gave who asks and what they may see (sessions, users, the org chart) and no figures.
    assert '"django_session"' in on_primary
    assert '"staff_staffmember"' in on_primary
    assert "tickets_" not in on_primary
    assert "sla_" not in on_primary

    ticket = Ticket.objects.filter(reference="TS-R-000000").get()
    with (replica_reads(), CaptureQueriesContext(connections["default"]) as primary,
          CaptureQueriesContext(connections[REPLICA]) as copied):
        Ticket.objects.filter(pk=ticket.pk).update(subject="改过")
        assert Ticket.objects.filter(subject="副本").count() in (6, 7)  # a read: the replica, maybe behind
    assert statements(primary) == ["UPDATE"]
    assert statements(copied) == ["SELECT"]
    wait_until(caught_up, timeout=30, what="the replica to catch up")
    with replica_reads():
        assert Ticket.objects.get(pk=ticket.pk).subject == "改过"
    with CaptureQueriesContext(connections[REPLICA]) as copied:  # outside: every read on the primary
        assert Ticket.objects.filter(subject="副本").count() == 6
    assert copied.captured_queries == []


def test_the_metrics_api_reads_from_the_replica(shape_a, member, replica):
    open_tickets(3, member("agent2"))
    client = signed_in("director")
    wait_until(caught_up, timeout=30, what="the replica to catch up")
    with CaptureQueriesContext(connections[REPLICA]) as copied:
        response = client.get("/api/v1/sla/metrics/?group_by=team")
    assert response.status_code == 200, response.content
    assert len(copied.captured_queries) >= 1
    assert set(statements(copied)) <= {"SELECT", "WITH"}
