"""Every new list answers in a pinned number of queries, the same at 3 rows and at 30."""

from datetime import datetime

import pytest
import time_machine

from reporting.scorecards import scorecards_compute
from surveys.models import FollowUp
from tests.conftest import signed_in
from tests.surveys.factories import review, survey

from .conftest import TZ

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
AT = datetime(2026, 11, 10, 11, 0, tzinfo=TZ)
PAGES = ["/api/v1/surveys/follow-ups/", "/api/v1/surveys/reviews/", "/api/v1/scorecards/?month=2026-11",
         "/api/v1/surveys/metrics/?from=2026-11-01&to=2026-11-30&group_by=agent",
         "/quality/?from=2026-11-01&to=2026-11-30", "/quality/reviews/?month=2026-11", "/org/scorecards/?month=2026-11"]
# Pinned: each list's queries, the same at 3 rows and at 30.
QUERIES = dict(zip(PAGES, [5, 5, 5, 7, 10, 7, 7], strict=True))


def add(make_ticket, member, n: int) -> None:
    agents = ["agent2", "agent5", "agent6"]
    for i in range(n):
        name = agents[i % 3]
        ticket = make_ticket(by=name, team="reception", assignee=member(name), received_at=AT)
        invitation = survey(ticket, sent_at=AT, rating=1 + i % 5)
        if invitation.response.rating <= 2:
            FollowUp.objects.create(response=invitation.response, ticket=ticket, agent=member(name),
                                    supervisor=member("supervisor1"), created_at=AT, due_at=AT)
        review(ticket, at=AT, error=i % 4 == 0, reviewer=member("supervisor1"))
    scorecards_compute(month=AT.date().replace(day=1), now=datetime(2026, 11, 20, tzinfo=TZ))


@time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=TZ), tick=False)  # after AT, whatever today's date
def test_the_lists_take_the_same_queries_at_any_size(make_ticket, member, count_queries):
    client = signed_in("supervisor1")
    add(make_ticket, member, 3)
    for url in PAGES:  # the steady state: the scope is then kept for this org chart (staff.access)
        client.get(url)
    small = {url: count_queries(lambda url=url: client.get(url)) for url in PAGES}
    add(make_ticket, member, 27)
    large = {url: count_queries(lambda url=url: client.get(url)) for url in PAGES}
    assert small == large == QUERIES
    assert client.get(PAGES[0]).json()["count"] == 2 + 12  # ratings 1 and 2 of each run of five
    assert client.get(PAGES[1]).json()["count"] == 30
