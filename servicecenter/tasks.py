from celery import shared_task
from django.db import connection


@shared_task(name="servicecenter.health_check")
def health_check_task(token: str) -> dict:
    """Proves the path producer → broker → worker → database → result backend end to end."""
    from staff.selectors import org_summary

    summary = org_summary()
    return {"token": token, "db": connection.vendor, "units": summary["units"], "positions": summary["positions"]}
