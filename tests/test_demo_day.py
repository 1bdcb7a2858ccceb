"""The demo tells a normal day whenever it is seeded: a weekday morning, the Monday after a holiday, or now.

After ``seed_demo`` and the beat's first sweep a minute later: most open tickets on track, a handful at
risk and late, a director with a readable number of escalations, repairs at every stage, callbacks
due today, on the next working day and overdue, resolved complaints with their whole record, and
some surveys answered.
"""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from demo.day import AT_RISK_MAX, BREACHED_MAX
from notifications.models import Notification
from sla.selectors import default_calendar, work_calendar
from sla.sweep import sweep
from surveys.models import Response
from tickets.models import (
    OPEN_STATUSES,
    Callback,
    CallbackState,
    Kind,
    SlaState,
    Status,
    Ticket,
    WorkOrder,
    WorkOrderStatus,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAY_MORNING = datetime(2026, 11, 18, 9, 30, tzinfo=SHANGHAI)  # a Wednesday
AFTER_QINGMING = datetime(2025, 4, 7, 8, 45, tzinfo=SHANGHAI)  # the Monday after the 4–6 April holiday


def day_figures() -> dict:
    now = timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    next_workday = work_calendar(default_calendar()).nth_workday_after(today, 1)
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    due = list(Callback.objects.filter(state=CallbackState.DUE).values_list("due_at", flat=True))
    resolved_complaints = Ticket.objects.filter(kind=Kind.COMPLAINT, status__in=[Status.RESOLVED, Status.CLOSED])
    return {
        "open": open_tickets.count(),
        "on_track": open_tickets.filter(sla_state=SlaState.ON_TRACK).count(),
        "at_risk": open_tickets.filter(sla_state=SlaState.AT_RISK).count(),
        "breached": open_tickets.filter(sla_state=SlaState.BREACHED).count(),
        "director_unread": Notification.objects.filter(recipient__username="director", read_at__isnull=True).count(),
        "work_orders": {s: WorkOrder.objects.filter(status=s).count() for s in
                        (WorkOrderStatus.DISPATCHED, WorkOrderStatus.ON_SITE, WorkOrderStatus.RESTORED)},
        "callbacks_overdue": sum(1 for d in due if d < start_of_today),
        "callbacks_today": sum(1 for d in due if now <= d and timezone.localdate(d) == today),
        "callbacks_next_workday": sum(1 for d in due if timezone.localdate(d) == next_workday),
        "resolved_complaints": resolved_complaints.count(),
        "complaints_without_full_record": (
            resolved_complaints.filter(complaint_category="").count()
            + resolved_complaints.filter(responsible_unit__isnull=True).count()
            + resolved_complaints.filter(investigation="").count()
            + resolved_complaints.filter(remedy="").count()
            + resolved_complaints.filter(customer_reply="").count()),
        "answered_surveys": Response.objects.count(),
    }


def assert_a_normal_day(figures: dict) -> None:
    assert figures["open"] > 0
    assert figures["on_track"] / figures["open"] >= 0.70, figures
    # A handful: the drawn ones the seed keeps, and the scene's one; the first sweeps change neither.
    assert 1 <= figures["at_risk"] <= AT_RISK_MAX + 1 == 5, figures
    assert 1 <= figures["breached"] <= BREACHED_MAX + 1 == 4, figures
    assert 1 <= figures["director_unread"] <= 20, figures
    assert min(figures["work_orders"].values()) >= 1, figures
    assert figures["callbacks_overdue"] >= 1, figures
    assert figures["callbacks_today"] >= 1, figures
    assert figures["callbacks_next_workday"] >= 1, figures
    assert figures["resolved_complaints"] > 0
    assert figures["complaints_without_full_record"] == 0, figures
    assert figures["answered_surveys"] >= 1


def seed_then_first_sweep(instant: datetime | None) -> dict:
    """Seed at ``instant`` (now when None), then sweep a minute later as the beat does."""
    if instant is None:
        call_command("seed_demo", stdout=io.StringIO())
        sweep(now=timezone.now() + timedelta(minutes=1))
        with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
            return day_figures()
    with time_machine.travel(instant, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
    with time_machine.travel(instant + timedelta(minutes=1), tick=False):
        sweep()
        return day_figures()


@pytest.mark.parametrize("instant", [WEEKDAY_MORNING, AFTER_QINGMING, None],
                         ids=["weekday-morning", "monday-after-qingming", "now"])
def test_the_demo_tells_a_normal_day_whenever_it_is_seeded(instant):
    assert_a_normal_day(seed_then_first_sweep(instant))
