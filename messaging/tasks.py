"""Thin Celery tasks: send the queued messages to customers (after each reply, and by beat every
minute for the retries); take the e-mail of the configured mailboxes."""

from celery import shared_task

from messaging import services


@shared_task(name="messaging.send", acks_late=True)
def deliveries_send_task() -> dict:
    """One run; if it filled its batch, queue another at once."""
    result = services.deliveries_send()
    if result.more:
        deliveries_send_task.delay()
    return result.as_dict()


@shared_task(name="messaging.poll", acks_late=True)
def mailboxes_poll_task() -> dict:
    """Take the new e-mail of every configured mailbox (beat, every ``MESSAGING_POLL_SECONDS``)."""
    from messaging.mailboxes import configured, mailboxes_poll

    if not configured():
        return {}
    return mailboxes_poll().as_dict()
