"""Thin Celery tasks: last month's scorecards, on the 1st (beat), or any month on demand."""

from datetime import date

from celery import shared_task


@shared_task(name="reporting.scorecards", acks_late=True)
def scorecards_task(month: str | None = None) -> int:
    from reporting.scorecards import scorecards_compute
    from servicecenter.periods import previous_month

    return scorecards_compute(month=date.fromisoformat(month) if month else previous_month())
