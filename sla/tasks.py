"""Thin Celery task: the sweep every minute."""

from celery import shared_task

from sla import backlog, rollup, sweep
from staff.changes import org_changes_apply_due


@shared_task(name="sla.sweep", acks_late=True)
def sla_sweep_task() -> dict:
    """One sweep; if a phase filled its batch, queue another at once. Org changes whose day has come are
    applied first, so each escalation step goes up the org as it stands at that moment. Then the
    compliance rollup's and the backlog's new changes are folded in (``sla/rollup.py``, ``sla/backlog.py``)."""
    org_changes_apply_due()
    result = sweep.sweep()
    if result.more:
        sla_sweep_task.delay()
    return {**result.as_dict(), "rollup_changes": rollup.fold(), "backlog_changes": backlog.fold()}
