"""Who sees and does what. Four tickets, every role of Shape A, every ticket endpoint.

T1 region-1 inquiry held by agent1 · T2 region-2 inquiry nobody holds · T3 reception complaint held
by agent2 · R region-1 report (举报) held by agent3, filed by 举报人 on 13500000000.
"""

import pytest

from tests.tickets.conftest import snapshot
from tickets import services
from tickets.models import Callback, Kind, Ticket

pytestmark = pytest.mark.django_db

SEES = {
    # user: (tickets they see, reports whose reporter they see)
    "agent1": ({"T1", "R"}, set()),
    "agent3": ({"T1", "R"}, {"R"}),
    "agent4": ({"T2"}, set()),
    "lead1": ({"T1", "R"}, {"R"}),
    "lead2": ({"T2"}, set()),
    "supervisor1": ({"T3"}, set()),
    "agent2": ({"T3"}, set()),
    "director": ({"T1", "T2", "T3", "R"}, {"R"}),
    "admin": ({"T1", "T2", "T3", "R"}, {"R"}),
    "deputy": (set(), set()),
    "staff-driver1": (set(), set()),
}
ENDPOINTS = ["", "events/"]


@pytest.fixture
def tickets(make_ticket, member):
    return {
        "T1": make_ticket(assignee=member("agent1")),
        "T2": make_ticket(team="tech-region-2"),
        "T3": make_ticket(kind=Kind.COMPLAINT, team="reception", by="agent2", assignee=member("agent2")),
        "R": make_ticket(kind=Kind.REPORT, assignee=member("agent3"), phone="13500000000", name="举报人"),
    }


def client_for(api, username):
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username=username))
    return client


@pytest.mark.parametrize("username", list(SEES))
def test_list_detail_and_events_follow_the_org_chart(api, tickets, username):
    client = client_for(api, username)
    visible, reporters = SEES[username]
    listed = client.get("/api/v1/tickets/?page_size=100")
    assert listed.status_code == 200
    by_id = {row["id"]: row for row in listed.data["results"]}
    assert {name for name, t in tickets.items() if t.pk in by_id} == visible
    for name, ticket in tickets.items():
        for endpoint in ENDPOINTS:
            response = client.get(f"/api/v1/tickets/{ticket.pk}/{endpoint}")
            assert response.status_code == (200 if name in visible else 404), (name, endpoint)
        if name in visible:
            customer = client.get(f"/api/v1/tickets/{ticket.pk}/").data["customer"]
            shown = name != "R" or name in reporters
            assert (customer is not None) == shown, name
            assert (by_id[ticket.pk]["customer"] is not None) == shown
            if shown:
                assert customer["phone"] == ticket.customer.phone


@pytest.mark.parametrize("username", list(SEES))
def test_searching_for_the_reporter_finds_the_report_only_for_those_who_may_see_them(api, tickets, username):
    client = client_for(api, username)
    found = client.get("/api/v1/tickets/?search=13500000000").data["results"]
    assert [row["id"] for row in found] == ([tickets["R"].pk] if "R" in SEES[username][1] else [])
    card = client.get(f"/api/v1/customers/{tickets['R'].customer_id}/tickets/").data["results"]
    assert [row["id"] for row in card] == ([tickets["R"].pk] if "R" in SEES[username][1] else [])


def test_anonymous_and_users_without_a_post_get_nothing(api, tickets):
    from django.contrib.auth import get_user_model

    anonymous = api()
    for url in ("/api/v1/tickets/", f"/api/v1/tickets/{tickets['T1'].pk}/", "/api/v1/callbacks/",
                "/api/v1/customers/", "/api/v1/work-orders/"):
        assert anonymous.get(url).status_code in (401, 403), url
    assert anonymous.post(f"/api/v1/tickets/{tickets['T2'].pk}/claim/").status_code in (401, 403)
    outsider = get_user_model().objects.create_user("outsider", password="x-pass-123")
    client = api()
    client.force_authenticate(outsider)
    assert client.get("/api/v1/tickets/").status_code == 403
    assert client.post("/api/v1/tickets/", {}, format="json").status_code == 403
    assert Ticket.objects.filter(assignee__isnull=False).count() == 3


# (user, action, ticket, body) → expected status; on anything but 200 the ticket is unchanged.
WRITES = [
    ("agent4", "reply", "T1", {"body": "x"}, 404),  # another team: not found
    ("agent2", "claim", "T2", {}, 404),
    ("agent3", "reply", "T1", {"body": "x"}, 403),  # a teammate sees it but does not hold it
    ("agent3", "resolve", "T1", {"resolution": "x"}, 403),
    ("agent1", "assign", "T1", {"assignee": "agent3"}, 403),  # agents do not assign
    ("lead1", "assign", "T1", {"assignee": "agent4"}, 403),  # outside lead1's subtree
    ("lead2", "assign", "T2", {"assignee": "agent1"}, 403),
    ("deputy", "note", "T1", {"body": "x"}, 404),
    ("agent1", "note", "R", {"body": "x"}, 200),  # the team may annotate
    ("lead1", "assign", "T1", {"assignee": "agent3"}, 200),
    ("lead2", "assign", "T2", {"assignee": "agent4"}, 200),
    ("agent4", "claim", "T2", {}, 200),
    ("director", "assign", "T3", {"assignee": "agent1"}, 200),
    ("supervisor1", "reply", "T3", {"body": "您好"}, 200),
    ("agent3", "reply", "R", {"body": "已受理"}, 200),
]


@pytest.mark.parametrize(("username", "action", "name", "body", "expected"), WRITES)
def test_writes_follow_the_org_chart(api, tickets, member, username, action, name, body, expected):
    ticket = tickets[name]
    if "assignee" in body:
        body = {"assignee": member(body["assignee"]).pk}
    before = snapshot(ticket.pk)
    response = client_for(api, username).post(f"/api/v1/tickets/{ticket.pk}/{action}/", body, format="json")
    assert response.status_code == expected, response.data
    if expected != 200:
        assert snapshot(ticket.pk) == before
    else:
        assert Ticket.objects.get(pk=ticket.pk).version == ticket.version + 1


def test_patch_outside_the_scope_is_404_and_changes_nothing(api, tickets):
    before = snapshot(tickets["T3"].pk)
    response = client_for(api, "agent1").patch(f"/api/v1/tickets/{tickets['T3'].pk}/",
                                               {"version": 1, "subject": "改"}, format="json")
    assert response.status_code == 404
    assert snapshot(tickets["T3"].pk) == before


def test_callbacks_follow_the_tickets(api, tickets, user):
    services.ticket_resolve(ticket_id=tickets["T3"].pk, actor=user("agent2"), resolution="已处理")
    callback = Callback.objects.get(ticket=tickets["T3"])
    assert [c["id"] for c in client_for(api, "supervisor1").get("/api/v1/callbacks/").data["results"]] == [
        callback.pk]
    assert client_for(api, "agent1").get("/api/v1/callbacks/").data["results"] == []
    denied = client_for(api, "agent1").post(f"/api/v1/callbacks/{callback.pk}/attempt/", {"outcome": "satisfied"},
                                            format="json")
    assert denied.status_code == 404
    teammate = client_for(api, "agent5").post(f"/api/v1/callbacks/{callback.pk}/attempt/",
                                              {"outcome": "satisfied"}, format="json")
    assert teammate.status_code == 403
    callback.refresh_from_db()
    assert (callback.state, callback.attempt_count) == ("due", 0)
