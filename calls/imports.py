"""Importing call logs: idempotent, with progress, a heartbeat and a reaper for imports whose worker died."""

import hashlib
import logging
import time as clock
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import CallImport, CallImportFailure, CallImportStatus, CallRecord
from calls.queue_log import parse_csv, parse_queue_log
from servicecenter.errors import DomainError

logger = logging.getLogger(__name__)


BATCH = 2000


COPY_BATCH = 50_000


def call_import_create(*, name: str, content: str, fmt: str, actor=None) -> CallImport:
    if "\x00" in content:
        raise DomainError(_("The file contains NUL bytes: it is not a text log."), code="binary")
    if not content.strip():
        raise DomainError(_("The file is empty."), code="empty")
    return CallImport.objects.create(name=name[:200], format=fmt, content=content,
                                     sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
                                     created_by=actor if getattr(actor, "pk", None) else None)


def _stale_seconds() -> int:
    return int(getattr(settings, "CALLS_IMPORT_STALE_SECONDS", 120))


# PostgreSQL: a run holds a session advisory lock on (RUN_LOCK, import id) while it works, so a second
# delivery of the same task never runs beside it, and the reaper tells a slow run from a dead one (a
# dead worker's connection closes and PostgreSQL lets the lock go).
RUN_LOCK = 740_301


@contextmanager
def _run_lock(import_id: int):
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::int, %s::int)", [RUN_LOCK, import_id])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s::int, %s::int)", [RUN_LOCK, import_id])
            except DatabaseError:  # the connection is gone, and the lock with it
                pass


def _imports_running_now() -> set[int]:
    """Imports whose run lock a live connection holds (PostgreSQL); elsewhere nothing is known."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::int::oid "
                       "AND objsubid = 2 "
                       "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                       "AND granted", [RUN_LOCK])
        return {row[0] for row in cursor.fetchall()}


def call_import_run(*, import_id: int) -> CallImport:
    """Parse and store one import. Safe to run again (a worker that died half-way, a task delivered
    twice): attempts already stored are counted as duplicates, never stored twice, and the import is
    marked done in the same transaction as its last insert."""
    began = clock.monotonic()  # (``started`` below is the claim's row count)
    with _run_lock(import_id) as free:
        if not free:  # another worker is running it now
            return CallImport.objects.defer("content").get(pk=import_id)
        now = timezone.now()
        claimable = Q(status=CallImportStatus.PENDING) | Q(status=CallImportStatus.RUNNING)
        if connection.vendor != "postgresql":  # no run lock: a running import is taken over only once stale
            claimable = Q(status=CallImportStatus.PENDING) | Q(
                status=CallImportStatus.RUNNING, updated_at__lt=now - timedelta(seconds=_stale_seconds()))
        started = CallImport.objects.filter(claimable, pk=import_id).update(
            status=CallImportStatus.RUNNING, attempts=F("attempts") + 1, updated_at=now, failure_reason="")
        if not started:
            return CallImport.objects.defer("content").get(pk=import_id)
        job = CallImport.objects.get(pk=import_id)
        parsed = (parse_queue_log if job.format == CallImport.Format.QUEUE_LOG else parse_csv)(job.content)
        CallImport.objects.filter(pk=job.pk).update(lines=parsed.lines, updated_at=timezone.now())
        store = _store_copy if connection.vendor == "postgresql" else _store_batches
        store(job, parsed)
    job.refresh_from_db()
    logger.info("calls.import done", extra={
        "import_id": job.pk, "status": job.status, "attempt": job.attempts, "lines": job.lines,
        "processed": job.processed, "imported": job.imported, "duplicates": job.duplicates,
        "errors": len(job.errors), "duration_ms": round((clock.monotonic() - began) * 1000, 1)})
    return job


def call_import_fail(*, import_id: int, reason: str) -> int:
    """Mark an unfinished import failed, with the reason the page and the API show."""
    now = timezone.now()
    return CallImport.objects.filter(pk=import_id).exclude(status=CallImportStatus.DONE).update(
        status=CallImportStatus.FAILED, failure_reason=reason, finished_at=now, updated_at=now)


def call_imports_reap(*, now: datetime | None = None) -> dict:
    """Beat, every minute: imports waiting or running with no progress for ``CALLS_IMPORT_STALE_SECONDS``
    lost their worker (killed) or their message (a broker restarted without persistence). Each is
    queued again, or failed with its reason once ``CALLS_IMPORT_MAX_ATTEMPTS`` runs have died. On
    PostgreSQL a run whose lock is still held is alive, only slow, and is left alone."""
    from calls.tasks import call_import_task

    now = now or timezone.now()
    limit = int(getattr(settings, "CALLS_IMPORT_MAX_ATTEMPTS", 3))
    with transaction.atomic():
        stale = list(CallImport.objects.select_for_update(skip_locked=True)
                     .filter(status__in=[CallImportStatus.PENDING, CallImportStatus.RUNNING],
                             updated_at__lt=now - timedelta(seconds=_stale_seconds()))
                     .order_by("pk").values_list("pk", "status", "attempts"))
        alive = _imports_running_now() if stale else set()
        again = [pk for pk, status, attempts in stale
                 if pk not in alive and (status == CallImportStatus.PENDING or attempts < limit)]
        given_up = [pk for pk, status, attempts in stale
                    if pk not in alive and status == CallImportStatus.RUNNING and attempts >= limit]
        if again:
            CallImport.objects.filter(pk__in=again).update(status=CallImportStatus.PENDING, updated_at=now)
            transaction.on_commit(lambda: [call_import_task.delay(pk) for pk in again])
        if given_up:
            CallImport.objects.filter(pk__in=given_up).update(
                status=CallImportStatus.FAILED, failure_reason=CallImportFailure.WORKER_LOST, finished_at=now,
                updated_at=now)
    return {"requeued": again, "failed": given_up}


COLUMNS = ("call_id", "queue", "enqueued_at", "attempt", "answered_at", "outcome", "wait_seconds", "ring_seconds",
           "talk_seconds", "agent", "caller", "transfer_kind", "transfer_exten", "transfer_context", "transfer_target",
           "source_id")


CASTS = {"enqueued_at": "timestamptz", "answered_at": "timestamptz", "attempt": "smallint", "wait_seconds": "int",
         "ring_seconds": "int", "talk_seconds": "int", "source_id": "bigint"}


KEY = "call_id, queue, enqueued_at, attempt"


def _row(c, job: CallImport) -> tuple:
    return (c.call_id, c.queue, c.enqueued_at, c.attempt, c.answered_at, c.outcome, c.wait_seconds, c.ring_seconds,
            c.talk_seconds, c.agent, c.caller, c.transfer_kind, c.transfer_exten, c.transfer_context,
            c.transfer_target, job.pk)


def _finish(job: CallImport, parsed) -> None:
    """Done, with the counts of what this import stored (by any of its runs) and what was known."""
    imported = CallRecord.objects.filter(source=job).count()
    now = timezone.now()
    CallImport.objects.filter(pk=job.pk).update(
        status=CallImportStatus.DONE, lines=parsed.lines, processed=len(parsed.calls), imported=imported,
        duplicates=len(parsed.calls) - imported, errors=parsed.errors[:1000], finished_at=now, updated_at=now)


def _store_copy(job: CallImport, parsed) -> None:
    """PostgreSQL: COPY into a session's scratch table in batches (each a heartbeat, so the progress
    shows while it runs), then one INSERT … ON CONFLICT DO NOTHING and the import marked done, in one
    transaction; the attempts it did not insert were already known. A worker that dies loses only
    its scratch table."""
    calls = parsed.calls
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS call_staging")
        cursor.execute(f"CREATE TEMP TABLE call_staging ({columns.replace(',', ' text,')} text)")
        for first in range(0, len(calls), COPY_BATCH):
            with cursor.cursor.copy(f"COPY call_staging ({columns}) FROM STDIN") as copy:
                for c in calls[first:first + COPY_BATCH]:
                    copy.write_row(_row(c, job))
            CallImport.objects.filter(pk=job.pk).update(processed=min(first + COPY_BATCH, len(calls)),
                                                        updated_at=timezone.now())
        selected = ", ".join(f"{name}::{CASTS[name]}" if name in CASTS else name for name in COLUMNS)
        with transaction.atomic():
            cursor.execute(
                f"INSERT INTO sla_callrecord ({columns}) "  # noqa: S608 - constant column names
                f"SELECT DISTINCT ON ({KEY}) {selected} FROM call_staging ON CONFLICT ({KEY}) DO NOTHING"
            )
            _finish(job, parsed)
        cursor.execute("DROP TABLE call_staging")


def _store_batches(job: CallImport, parsed) -> None:
    """Other databases: batches of bulk inserts (each a heartbeat), skipping what is known."""
    calls = parsed.calls
    seen: set = set()
    inserted = 0
    for first in range(0, len(calls), BATCH):
        chunk = calls[first:first + BATCH]
        with transaction.atomic():
            known = {(c, q, at, n) for c, q, at, n in CallRecord.objects.filter(
                call_id__in={c.call_id for c in chunk}).values_list("call_id", "queue", "enqueued_at", "attempt")}
            fresh = []
            for call in chunk:
                key = (call.call_id, call.queue, call.enqueued_at, call.attempt)
                if key in known or key in seen:
                    continue
                seen.add(key)
                fresh.append(CallRecord(
                    call_id=call.call_id, queue=call.queue, enqueued_at=call.enqueued_at, attempt=call.attempt,
                    answered_at=call.answered_at, outcome=call.outcome, wait_seconds=call.wait_seconds,
                    ring_seconds=call.ring_seconds, talk_seconds=call.talk_seconds, agent=call.agent,
                    caller=call.caller, transfer_kind=call.transfer_kind, transfer_exten=call.transfer_exten,
                    transfer_context=call.transfer_context, transfer_target=call.transfer_target, source=job))
            CallRecord.objects.bulk_create(fresh, ignore_conflicts=True)
            inserted += len(fresh)
            CallImport.objects.filter(pk=job.pk).update(processed=first + len(chunk), imported=inserted,
                                                        updated_at=timezone.now())
    with transaction.atomic():
        _finish(job, parsed)
