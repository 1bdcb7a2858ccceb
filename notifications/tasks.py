"""Thin Celery tasks: e-mail new notices, each once, after the transaction that made them commits; and
the hourly digest for recipients at the top of the chain."""

from celery import shared_task

from notifications import delivery


@shared_task(name="notifications.email", acks_late=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def notifications_email_task(notification_ids: list[int]) -> int:
    return delivery.notifications_email(notification_ids=notification_ids)


@shared_task(name="notifications.digest", acks_late=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def notifications_digest_task() -> int:
    """Hourly (beat, "notifications-digest"): one e-mail per recipient at the top of the chain."""
    return delivery.notifications_digest()
