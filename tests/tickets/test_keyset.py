"""Lists page by cursor (issue 18): every row once, in order, forwards and back, whatever ties and
missing deadlines the rows hold; the count stops at 1,000; a bad cursor is a 400 with the reason."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from servicecenter.keyset import COUNT_CAP
from tests.conftest import signed_in
from tests.workspace.test_pages import bulk_tickets
from tickets.models import NO_DEADLINE, Customer, Kind, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(shape_a, member):
    """61 tickets of agent1's: deadlines that tie in threes, some without a deadline (waiting for the
    customer), four priorities, receipts that tie in pairs."""
    holder = member("agent1")
    customer = Customer.objects.create(name="翻页", phone="13900000001")
    now = timezone.now().replace(microsecond=0)
    tickets = []
    for i in range(61):
        paused = i % 7 == 0
        tickets.append(Ticket(
            reference=f"TS-K-{i:06d}", kind=Kind.INQUIRY, channel="phone", subject=f"翻页{i}", customer=customer,
            assignee=holder, team=holder.position.unit, received_at=now - timedelta(hours=i // 2),
            status=Status.PENDING_CUSTOMER if paused else Status.IN_PROGRESS, priority=1 + i % 4,
            sla_state="paused" if paused else "on_track",
            sla_due_at=None if paused else now + timedelta(hours=i // 3)))
    return Ticket.objects.bulk_create(tickets)


def expected(tickets, ordering: str = "") -> list[int]:
    def urgent(t):
        return (t.sla_due_at or NO_DEADLINE, t.priority, t.received_at, t.pk)

    keys = {
        "": urgent,
        "-due_at": lambda t: (t.sla_due_at or NO_DEADLINE, t.pk),
        "priority": lambda t: (t.priority, t.pk),
        "-received_at": lambda t: (t.received_at, t.pk),
    }
    reverse = ordering.startswith("-")
    return [t.pk for t in sorted(tickets, key=keys[ordering], reverse=reverse)]


def walk(client, url: str) -> tuple[list[list[int]], list[list[int]]]:
    """The pages following ``next`` to the end, then ``previous`` back to the start."""
    forwards, backwards = [], []
    body = client.get(url).json()
    assert body["previous"] is None
    forwards.append([r["id"] for r in body["results"]])
    while body["next"]:
        body = client.get(body["next"]).json()
        forwards.append([r["id"] for r in body["results"]])
    backwards.append(forwards[-1])
    while body["previous"]:
        body = client.get(body["previous"]).json()
        backwards.append([r["id"] for r in body["results"]])
    return forwards, backwards


@pytest.mark.parametrize("ordering", ["", "-due_at", "priority", "-received_at"])
def test_the_api_walks_every_row_once_in_order_forwards_and_back(api, rows, ordering):
    client = api("agent1")
    url = "/api/v1/tickets/" + (f"?ordering={ordering}" if ordering else "")
    forwards, backwards = walk(client, url)
    assert [len(p) for p in forwards] == [25, 25, 11]
    assert [pk for p in forwards for pk in p] == expected(rows, ordering)
    assert backwards == forwards[::-1]


def test_the_api_counts_exactly_up_to_the_cap_then_says_more(shape_a, api, member):
    client = api("agent1")
    bulk_tickets(COUNT_CAP, member("agent1"))
    assert [client.get("/api/v1/tickets/").json()[k] for k in ("count", "count_exact")] == [1000, True]
    bulk_tickets(1, member("agent1"))
    body = client.get("/api/v1/tickets/").json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (1000, False, 25)


def test_every_page_carries_the_lists_count_and_a_page_past_the_end_too(api, rows):
    """The count is read in the page's own statement; a page with no row (past the end, from a cursor
    kept while the list emptied) counts apart."""
    client = api("agent1")
    body = client.get("/api/v1/tickets/").json()
    pages = [(body["count"], body["count_exact"])]
    while body["next"]:
        body = client.get(body["next"]).json()
        pages.append((body["count"], body["count_exact"]))
    while body["previous"]:
        body = client.get(body["previous"]).json()
        pages.append((body["count"], body["count_exact"]))
    assert pages == [(61, True)] * 5
    last = Ticket.objects.get(pk=expected(rows)[-1])
    beyond = [(last.sla_due_at or NO_DEADLINE).isoformat(), last.priority, last.received_at.isoformat(), last.pk]
    empty = client.get("/api/v1/tickets/", {"cursor": cursor(beyond)}).json()
    assert (empty["results"], empty["count"], empty["count_exact"], empty["next"]) == ([], 61, True, None)


def cursor(values, forward=True) -> str:
    raw = json.dumps({"k": values, "f": forward}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("bad", [
    "x", "%%%", "a" * 500, cursor([]), cursor(["2026-01-01T00:00:00+00:00", 1, "2026-01-01T00:00:00+00:00"]),
    cursor(["not a date", 1, "2026-01-01T00:00:00+00:00", 5]), cursor([None, 1, "2026-01-01T00:00:00+00:00", 5]),
    cursor(["2026-01-01T00:00:00+00:00", 1, "2026-01-01T00:00:00+00:00", 2**70]),
    cursor(["2026-01-01T00:00:00+00:00", 1, "2026-01-01T00:00:00+00:00", 5], forward="yes"),
    base64.urlsafe_b64encode(b"[1, 2]").decode(),
])
def test_a_bad_cursor_is_a_400_with_the_reason(api, rows, bad, english):
    response = api("agent1").get("/api/v1/tickets/", {"cursor": bad}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"cursor": ["This cursor is not one this list gave: follow the list's own next and "
                                          "previous links."]}


def test_a_page_number_is_refused_with_how_to_page_now(api, rows, english):
    response = api("agent1").get("/api/v1/tickets/?page=2", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()) == (
        400, {"page": ["This list pages by cursor: follow its next and previous links."]})


def test_a_cursor_of_another_ordering_is_refused_not_misread(api, rows):
    client = api("agent1")
    by_priority = client.get("/api/v1/tickets/?ordering=priority").json()["next"]  # two keys: priority, id
    assert client.get(by_priority).status_code == 200
    assert client.get(by_priority.replace("&ordering=priority", "")).status_code == 400  # four keys


def test_the_queue_pages_by_cursor_and_a_bad_one_shows_the_first_page_with_why(rows, english):
    client = signed_in("agent1")
    first = client.get("/tickets/?tab=mine", HTTP_ACCEPT_LANGUAGE="en")
    page = first.context["page"]
    assert ([t.pk for t in page], page.count, page.previous) == (expected(rows)[:50], 61, None)
    second = client.get(f"/tickets/?tab=mine&cursor={page.next}", HTTP_ACCEPT_LANGUAGE="en")
    assert [t.pk for t in second.context["page"]] == expected(rows)[50:]
    assert second.context["page"].next is None
    html = second.content.decode()
    assert ('rel="prev"' in html, 'rel="next"' in html) == (True, False)
    bad = client.get("/tickets/?tab=mine&cursor=nonsense", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert [t.pk for t in bad.context["page"]] == expected(rows)[:50]
    assert "This cursor is not one this list gave" in bad.content.decode()
