"""Thin Celery tasks: the sweep every minute, and e-mail for notifications after commit."""

from celery import shared_task

from sla import notify, sweep


@shared_task(name="sla.sweep", acks_late=True)
def sla_sweep_task() -> dict:
    """One sweep; if a phase filled its batch, queue another at once."""
    result = sweep.sweep()
    if result.more:
        sla_sweep_task.delay()
    return result.as_dict()


@shared_task(name="sla.notify", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def sla_notify_task(notification_ids: list[int]) -> int:
    return notify.notifications_email(notification_ids=notification_ids)


@shared_task(name="sla.import_calls", acks_late=True)
def call_import_task(import_id: int) -> dict:
    from sla.calls import call_import_run

    job = call_import_run(import_id=import_id)
    return {"status": job.status, "imported": job.imported, "duplicates": job.duplicates, "errors": len(job.errors)}
