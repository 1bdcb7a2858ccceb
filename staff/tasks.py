"""Thin Celery task: dated org changes and job-description versions whose day has come."""

from celery import shared_task

from staff.changes import org_changes_apply_due
from staff.jd import jd_versions_apply_due


@shared_task(name="staff.apply_due", acks_late=True)
def staff_apply_due_task() -> dict:
    """Apply what is due; idempotent, so a run doubled or retried applies each change once."""
    return {"org_changes": org_changes_apply_due(), "job_descriptions": jd_versions_apply_due()}
