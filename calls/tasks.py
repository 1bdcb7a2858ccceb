"""Thin Celery tasks: one run of a call import, and the reaper of imports whose worker died."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings


# A 50 MB log (about 1,000,000 lines) takes some 15 s on PostgreSQL and a few minutes on SQLite; the
# limits stop a run that hangs, and the broker's visibility timeout outlasts them (settings).
@shared_task(name="calls.import", acks_late=True, soft_time_limit=settings.CALLS_IMPORT_SOFT_TIME_LIMIT,
             time_limit=settings.CALLS_IMPORT_TIME_LIMIT)
def call_import_task(import_id: int) -> dict:
    """One run of an import. A worker killed in the middle leaves it running with no progress: the
    reaper below queues it again."""
    from calls.imports import call_import_fail, call_import_run
    from calls.models import CallImportFailure

    try:
        job = call_import_run(import_id=import_id)
    except SoftTimeLimitExceeded:
        call_import_fail(import_id=import_id, reason=CallImportFailure.TIME_LIMIT)
        return {"status": "failed", "reason": CallImportFailure.TIME_LIMIT.value}
    return {"status": job.status, "imported": job.imported, "duplicates": job.duplicates, "errors": len(job.errors)}


@shared_task(name="calls.reap_imports", acks_late=True, soft_time_limit=50, time_limit=60)
def call_imports_reap_task() -> dict:
    """Beat, every minute: imports stuck waiting or running with no progress are queued again or failed."""
    from calls.imports import call_imports_reap

    return call_imports_reap()
