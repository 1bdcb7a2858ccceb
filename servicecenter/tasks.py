import time

from celery import shared_task
from django.db import connection


@shared_task(name="servicecenter.health_check")
def health_check_task(token: str) -> dict:
    """Proves the path producer → broker → worker → database → result backend end to end."""
    from staff.selectors import org_summary

    summary = org_summary()
    return {"token": token, "db": connection.vendor, "units": summary["units"], "positions": summary["positions"]}


@shared_task(name="servicecenter.probe")
def probe_task(token: str, sent_at: float, seconds: float = 0.0) -> dict:
    """Does nothing (or sleeps ``seconds``, at most 10) but come back with when it ran: the embedded
    broker's tests and ``make soak`` count these to prove each message runs once, and time them."""
    time.sleep(min(max(seconds, 0.0), 10.0))
    return {"token": token, "sent_at": sent_at, "done_at": time.time()}
