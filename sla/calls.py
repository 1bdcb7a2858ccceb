"""Call logs: importing them (idempotent, with progress) and the service-level figures, in the database.

Service level (``shared/sla.md``): answered within T / (offered - short abandons) by default, with T
= 15 s and a short abandon ≤ 5 s. The ICMI variants are settings, and every report states its
formula. A call that overflows through two queues is offered once: offered counts distinct call ids.
"""

import hashlib
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Avg, Count, F, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.errors import DomainError
from sla.models import CallImport, CallImportStatus, CallRecord
from sla.queue_log import parse_csv, parse_queue_log

BATCH = 2000
COPY_BATCH = 50_000
FORMULAS = {
    # name: (numerator adds abandons within T, denominator: what leaves the offered calls)
    "short_abandons_excluded": "answered ≤ T / (offered - abandoned ≤ S)",
    "answered_only": "answered ≤ T / answered",
    "abandons_against": "answered ≤ T / (answered + abandoned)",
    "abandons_for": "(answered ≤ T + abandoned ≤ T) / (answered + abandoned)",
    "late_abandons_against": "answered ≤ T / (answered + abandoned - abandoned ≤ T)",
}


def call_import_create(*, name: str, content: str, fmt: str, actor=None) -> CallImport:
    if "\x00" in content:
        raise DomainError(_("The file contains NUL bytes: it is not a text log."), code="binary")
    if not content.strip():
        raise DomainError(_("The file is empty."), code="empty")
    return CallImport.objects.create(name=name[:200], format=fmt, content=content,
                                     sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
                                     created_by=actor if getattr(actor, "pk", None) else None)


def call_import_run(*, import_id: int) -> CallImport:
    """Parse and store one import. Safe to run again (a worker that died half-way): calls already
    stored are counted as duplicates, never stored twice."""
    started = CallImport.objects.filter(pk=import_id).exclude(status=CallImportStatus.DONE).update(
        status=CallImportStatus.RUNNING)
    job = CallImport.objects.get(pk=import_id)
    if not started:
        return job
    parsed = (parse_queue_log if job.format == CallImport.Format.QUEUE_LOG else parse_csv)(job.content)
    store = _store_copy if connection.vendor == "postgresql" else _store_batches
    imported, duplicates = store(job, parsed.calls)
    CallImport.objects.filter(pk=job.pk).update(
        status=CallImportStatus.DONE, lines=parsed.lines, processed=len(parsed.calls), imported=imported,
        duplicates=duplicates, errors=parsed.errors[:1000], finished_at=timezone.now())
    job.refresh_from_db()
    return job


COLUMNS = ("call_id", "queue", "enqueued_at", "answered_at", "outcome", "wait_seconds", "ring_seconds", "talk_seconds",
           "agent", "caller", "source_id")


def _store_copy(job: CallImport, calls: list) -> tuple[int, int]:
    """PostgreSQL: COPY into a session's scratch table in batches (each committed, so the progress
    shows while it runs), then one INSERT … ON CONFLICT DO NOTHING; the calls it did not insert were
    already known. A worker that dies loses only its scratch table."""
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS call_staging")
        cursor.execute(f"CREATE TEMP TABLE call_staging ({columns.replace(',', ' text,')} text)")
        for first in range(0, len(calls), COPY_BATCH):
            with cursor.cursor.copy(f"COPY call_staging ({columns}) FROM STDIN") as copy:
                for c in calls[first:first + COPY_BATCH]:
                    copy.write_row((c.call_id, c.queue, c.enqueued_at, c.answered_at, c.outcome, c.wait_seconds,
                                    c.ring_seconds, c.talk_seconds, c.agent, c.caller, job.pk))
            CallImport.objects.filter(pk=job.pk).update(processed=min(first + COPY_BATCH, len(calls)))
        cursor.execute(
            f"INSERT INTO sla_callrecord ({columns}) "  # noqa: S608 - constant column names
            "SELECT DISTINCT ON (call_id, queue) call_id, queue, enqueued_at::timestamptz, answered_at::timestamptz, "
            "outcome, wait_seconds::int, ring_seconds::int, talk_seconds::int, agent, caller, source_id::bigint "
            "FROM call_staging ON CONFLICT (call_id, queue) DO NOTHING"
        )
        imported = cursor.rowcount
        cursor.execute("DROP TABLE call_staging")
    return imported, len(calls) - imported


def _store_batches(job: CallImport, calls: list) -> tuple[int, int]:
    """Other databases: batches of bulk inserts, skipping what is known."""
    imported = duplicates = 0
    for first in range(0, len(calls), BATCH):
        chunk = calls[first:first + BATCH]
        with transaction.atomic():
            known = set(CallRecord.objects.filter(call_id__in={c.call_id for c in chunk})
                        .values_list("call_id", "queue"))
            fresh, seen = [], set()
            for call in chunk:
                key = (call.call_id, call.queue)
                if key in known or key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                fresh.append(CallRecord(
                    call_id=call.call_id, queue=call.queue, enqueued_at=call.enqueued_at, answered_at=call.answered_at,
                    outcome=call.outcome, wait_seconds=call.wait_seconds, ring_seconds=call.ring_seconds,
                    talk_seconds=call.talk_seconds, agent=call.agent, caller=call.caller, source=job))
            CallRecord.objects.bulk_create(fresh, ignore_conflicts=True)
            imported += len(fresh)
            CallImport.objects.filter(pk=job.pk).update(processed=first + len(chunk), imported=imported,
                                                        duplicates=duplicates)
    return imported, duplicates


GROUPS = {"queue": F("queue"), "agent": F("agent"), "day": TruncDate("enqueued_at"), "hour": ExtractHour("enqueued_at")}


def service_level(*, date_from: date | None = None, date_to: date | None = None, queue: str = "",
                  threshold: int = 15, short_abandon: int = 5, group_by: str = "",
                  formula: str = "short_abandons_excluded") -> dict:
    """The figures of the period, overall or grouped, in one query."""
    tz = timezone.get_current_timezone()
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to - timedelta(days=6)
    calls = CallRecord.objects.filter(enqueued_at__gte=datetime.combine(date_from, time(0), tzinfo=tz),
                                      enqueued_at__lt=datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz))
    if queue:
        calls = calls.filter(queue=queue)
    answered = Q(outcome__in=["answered", "transferred"])
    abandoned = Q(outcome="abandoned")
    figures = {
        "records": Count("id"),
        "offered": Count("call_id", distinct=True),
        "answered": Count("id", filter=answered),
        "answered_within": Count("id", filter=answered & Q(wait_seconds__lte=threshold)),
        "abandoned": Count("id", filter=abandoned),
        "abandoned_within": Count("id", filter=abandoned & Q(wait_seconds__lte=threshold)),
        "short_abandons": Count("id", filter=abandoned & Q(wait_seconds__lte=short_abandon)),
        "ring_known": Count("id", filter=answered & Q(ring_seconds__isnull=False)),
        "picked_up_within": Count("id", filter=answered & Q(ring_seconds__lte=threshold)),
        "asa_seconds": Avg("wait_seconds", filter=answered),
    }
    if group_by:
        rows = list(calls.annotate(group=GROUPS[group_by]).values("group").annotate(**figures).order_by("group"))
    else:
        rows = [calls.aggregate(**figures)]
    for row in rows:
        _rates(row, formula)
    return {"from": date_from.isoformat(), "to": date_to.isoformat(), "queue": queue, "threshold_seconds": threshold,
            "short_abandon_seconds": short_abandon, "formula": FORMULAS[formula], "group_by": group_by,
            "results": rows}


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _rates(row: dict, formula: str) -> None:
    answered, within = row["answered"], row["answered_within"]
    abandoned, abandoned_within = row["abandoned"], row["abandoned_within"]
    if formula == "answered_only":
        row["service_level"] = _share(within, answered)
    elif formula == "abandons_against":
        row["service_level"] = _share(within, answered + abandoned)
    elif formula == "abandons_for":
        row["service_level"] = _share(within + abandoned_within, answered + abandoned)
    elif formula == "late_abandons_against":
        row["service_level"] = _share(within, answered + abandoned - abandoned_within)
    else:
        row["service_level"] = _share(within, row["offered"] - row["short_abandons"])
    row["answer_rate"] = _share(answered, row["offered"])
    row["abandonment_rate"] = _share(abandoned, row["offered"])
    row["pickup_within_rate"] = _share(row["picked_up_within"], row["ring_known"])
    row["asa_seconds"] = round(row["asa_seconds"], 1) if row["asa_seconds"] is not None else None


def heat_map(*, date_from: date, date_to: date, queue: str = "", threshold: int = 15) -> list[dict]:
    """Answered within the threshold / answered, by local day and hour, in one grouped query."""
    tz = timezone.get_current_timezone()
    calls = CallRecord.objects.filter(enqueued_at__gte=datetime.combine(date_from, time(0), tzinfo=tz),
                                      enqueued_at__lt=datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz),
                                      outcome__in=["answered", "transferred"])
    if queue:
        calls = calls.filter(queue=queue)
    rows = (calls.annotate(day=TruncDate("enqueued_at"), hour=ExtractHour("enqueued_at")).values("day", "hour")
            .annotate(answered=Count("id"), within=Count("id", filter=Q(wait_seconds__lte=threshold)))
            .order_by("day", "hour"))
    days: dict = {}
    for row in rows:
        days.setdefault(row["day"], [None] * 24)[row["hour"]] = (row["within"], row["answered"])
    return [{"day": day, "hours": [(_share(*cell) if cell else None, cell[1] if cell else 0) for cell in hours]}
            for day, hours in sorted(days.items())]
