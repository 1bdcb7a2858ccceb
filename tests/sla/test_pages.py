from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from notifications.models import Notification
from sla.sweep import sweep
from tests.conftest import signed_in
from tickets.models import Kind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")



def test_the_bell_counts_unread_and_the_list_marks_them_read(make_ticket, member):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=start)
    sweep(now=datetime(2026, 11, 4, 9, 0, tzinfo=TZ))
    lead = signed_in("lead1")
    page = lead.get("/").content.decode()
    assert '<span class="badge" id="unread-count">1</span>' in page
    listing = lead.get("/notifications/").content.decode()
    assert ticket.reference in listing
    assert lead.post("/notifications/").status_code == 302
    assert Notification.objects.filter(recipient__username="lead1", read_at__isnull=True).count() == 0
    assert 'id="unread-count"' not in lead.get("/").content.decode()
    assert Notification.objects.filter(recipient__username="agent1", read_at__isnull=True).count() == 1


@pytest.mark.parametrize(("username", "warned"), [("director", True), ("lead1", True), ("agent1", False)])
def test_leaders_are_warned_of_a_provisional_year(username, warned):
    with time_machine.travel(datetime(2026, 11, 22, 10, 0, tzinfo=TZ), tick=False):
        page = signed_in(username).get("/").content.decode()
    assert ("2027" in page and 'role="status"' in page) is warned


def test_the_warning_window_ends_a_year_after_a_leap_day():
    """On 29 February the twelve months ended on a 29 February that does not exist: a 500 on every page."""
    with time_machine.travel(datetime(2028, 2, 29, 10, 0, tzinfo=TZ), tick=False):
        page = signed_in("director").get("/")
    assert page.status_code == 200


def test_notifications_need_a_login():
    response = Client().get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
