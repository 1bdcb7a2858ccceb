"""Thin Celery task: the sweep every minute."""

from celery import shared_task

from sla import sweep


@shared_task(name="sla.sweep", acks_late=True)
def sla_sweep_task() -> dict:
    """One sweep; if a phase filled its batch, queue another at once."""
    result = sweep.sweep()
    if result.more:
        sla_sweep_task.delay()
    return result.as_dict()
