"""Thin Celery tasks: send the invitations that are due (beat, every minute)."""

from celery import shared_task

from surveys import services


@shared_task(name="surveys.send", acks_late=True)
def surveys_send_task() -> dict:
    """One run; if it filled its batch, queue another at once."""
    result = services.invitations_send()
    if result.more:
        surveys_send_task.delay()
    return result.as_dict()
