"""Thin Celery tasks: the sweep every minute, call imports and their reaper."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from sla import sweep


@shared_task(name="sla.sweep", acks_late=True)
def sla_sweep_task() -> dict:
    """One sweep; if a phase filled its batch, queue another at once."""
    result = sweep.sweep()
    if result.more:
        sla_sweep_task.delay()
    return result.as_dict()


# A 50 MB log (about 1,000,000 lines) takes some 15 s on PostgreSQL and a few minutes on SQLite; the
# limits stop a run that hangs, and the broker's visibility timeout outlasts them (settings).
@shared_task(name="sla.import_calls", acks_late=True, soft_time_limit=settings.CALLS_IMPORT_SOFT_TIME_LIMIT,
             time_limit=settings.CALLS_IMPORT_TIME_LIMIT)
def call_import_task(import_id: int) -> dict:
    """One run of an import. A worker killed in the middle leaves it running with no progress: the
    reaper below queues it again."""
    from sla.calls import call_import_fail, call_import_run
    from sla.models import CallImportFailure

    try:
        job = call_import_run(import_id=import_id)
    except SoftTimeLimitExceeded:
        call_import_fail(import_id=import_id, reason=CallImportFailure.TIME_LIMIT)
        return {"status": "failed", "reason": CallImportFailure.TIME_LIMIT.value}
    return {"status": job.status, "imported": job.imported, "duplicates": job.duplicates, "errors": len(job.errors)}


@shared_task(name="sla.reap_call_imports", acks_late=True, soft_time_limit=50, time_limit=60)
def call_imports_reap_task() -> dict:
    """Beat, every minute: imports stuck waiting or running with no progress are queued again or failed."""
    from sla.calls import call_imports_reap

    return call_imports_reap()
