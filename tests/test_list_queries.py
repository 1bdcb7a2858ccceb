"""The lists not pinned beside their app's tests: each answers in this many queries, at 3 rows and at 30.

(Pinned elsewhere: the ticket, callback, work-order and customer API lists and a ticket's events in
tests/tickets/test_api.py; the queue in tests/workspace/test_pages.py; the dashboard in
tests/workspace/test_dashboard.py; the org lists in tests/staff/test_api.py and test_pages.py; the
survey, review and scorecard lists in tests/surveys/test_query_counts.py.)
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from calls.imports import call_import_create
from notifications.models import Notification
from tests.conftest import signed_in
from tickets import services

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)  # a Monday

LISTS = [
    # (who, url, queries)
    ("supervisor1", "/api/v1/notifications/", 4),
    ("supervisor1", "/notifications/", 12),  # 25 tickets a page, grouped; the digest only for the director
    ("supervisor1", "/api/v1/calls/imports/", 5),
    ("supervisor1", "/calls/", 9),
    ("agent2", "/callbacks/", 6),  # the callbacks due on later days are listed too, with their attempts
    ("supervisor1", "/api/v1/sla/policies/", 5),
    ("supervisor1", "/api/v1/sla/calendar/days/?year=2026", 4),
]


def grow(make_ticket, member, user, n: int) -> None:
    """``n`` resolved complaints of agent2 (each with a callback due), a notice for supervisor1 about
    each, and an uploaded call log each."""
    for i in range(n):
        ticket = make_ticket(kind="complaint", team="reception", by="agent2", assignee=member("agent2"))
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent2"), resolution="已答复")
        Notification.objects.create(recipient=user("supervisor1"), ticket=ticket, level=1, target="resolution",
                                    created_at=timezone.now())
        call_import_create(name=f"log{i}.csv", content=f"call_id,queue,enqueued_at\nc{i},q,2026-11-16 09:00:00\n",
                           fmt="csv", actor=user("supervisor1"))


@pytest.mark.django_db
@time_machine.travel(AT, tick=False)
@pytest.mark.parametrize(("who", "url", "queries"), LISTS)
def test_each_list_takes_its_pinned_queries_at_any_size(shape_a, make_ticket, member, user, count_queries, who, url,
                                                        queries):
    client = signed_in(who)
    grow(make_ticket, member, user, 3)
    client.get(url)  # the steady state: the scope is then kept for this org chart (staff.access)
    small = count_queries(lambda: client.get(url))
    grow(make_ticket, member, user, 27)
    response = client.get(url)
    assert response.status_code == 200
    assert (small, count_queries(lambda: client.get(url))) == (queries, queries)
