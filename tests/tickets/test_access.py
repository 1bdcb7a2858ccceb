"""Who sees and does what. Four tickets, every role of Shape A, every ticket endpoint.

T1 region-1 inquiry held by agent1 · T2 region-2 inquiry nobody holds · T3 reception complaint held
by agent2 · R region-1 report (举报) held by agent3, filed by 举报人 on 13500000000.
"""

import pytest

from tests.tickets.conftest import snapshot
from tickets import services
from tickets.models import Callback, Customer, Kind, Ticket, TicketEvent

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
    card = client.get(f"/api/v1/customers/{tickets['R'].customer_id}/tickets/")
    if "R" in SEES[username][1]:
        assert [row["id"] for row in card.data["results"]] == [tickets["R"].pk]
    else:  # known only as the reporter: no such customer for them
        assert card.status_code == 404


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
        assert Ticket.objects.get(pk=ticket.pk).version == ticket.version + (0 if action == "note" else 1)


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


# --- issue 14: no walking around the reporter rule or the scope by editing ---------------------------


def test_nobody_turns_a_report_into_something_else_with_a_patch(api, tickets):
    """agent1 sees R (same team) but neither holds nor leads it: a PATCH of its kind used to work and
    then showed the reporter. The holder could do it too and show the reporter to the whole team."""
    for username, code in (("agent1", "not_holder"), ("agent3", "use_reclassify"), ("lead1", "use_reclassify"),
                           ("director", "use_reclassify")):
        before = snapshot(tickets["R"].pk)
        response = client_for(api, username).patch(f"/api/v1/tickets/{tickets['R'].pk}/",
                                                   {"version": 1, "kind": "inquiry"}, format="json")
        assert (response.status_code, response.data["code"]) == (403, code), username
        assert snapshot(tickets["R"].pk) == before
    before = snapshot(tickets["T1"].pk)
    response = client_for(api, "agent1").patch(f"/api/v1/tickets/{tickets['T1'].pk}/",
                                               {"version": 1, "kind": "report"}, format="json")
    assert (response.status_code, response.data["code"]) == (403, "use_reclassify")
    assert snapshot(tickets["T1"].pk) == before


@pytest.mark.parametrize(("username", "expected"), [
    ("agent1", 403), ("agent3", 403),  # a teammate, and the holder: neither leads the holder
    ("agent4", 404), ("lead2", 404),  # they do not see it
])
def test_only_a_leader_above_the_holder_reclassifies_a_report(api, tickets, username, expected):
    before = snapshot(tickets["R"].pk)
    response = client_for(api, username).post(f"/api/v1/tickets/{tickets['R'].pk}/reclassify/",
                                              {"kind": "complaint", "reason": "非举报"}, format="json")
    assert response.status_code == expected
    assert snapshot(tickets["R"].pk) == before


def test_a_leader_reclassifies_with_a_reason_and_it_is_recorded(api, tickets, user):
    response = client_for(api, "lead1").post(f"/api/v1/tickets/{tickets['R'].pk}/reclassify/",
                                             {"kind": "complaint", "reason": "客户同意公开身份", "version": 1},
                                             format="json")
    assert response.status_code == 200, response.data
    assert (response.data["kind"], response.data["version"]) == ("complaint", 2)
    event = Ticket.objects.get(pk=tickets["R"].pk).events.get(kind="reclassified")
    assert (event.actor, event.field, event.old_value, event.new_value, event.body) == (
        user("lead1"), "kind", "report", "complaint", "客户同意公开身份")
    # Now the team sees the customer.
    assert client_for(api, "agent1").get(f"/api/v1/tickets/{tickets['R'].pk}/").data["customer"]["phone"] \
        == "13500000000"
    refused = client_for(api, "lead1").post(f"/api/v1/tickets/{tickets['R'].pk}/reclassify/",
                                            {"kind": "complaint", "reason": "x"}, format="json")
    assert (refused.status_code, refused.data["code"]) == (409, "same_kind")


def test_a_patch_cannot_move_a_ticket_to_another_team(api, tickets, units):
    """An agent's PATCH of ``team`` on an unheld ticket was saved and then answered 500."""
    before = snapshot(tickets["T2"].pk)
    response = client_for(api, "agent4").patch(f"/api/v1/tickets/{tickets['T2'].pk}/",
                                               {"version": 1, "team": units["reception"].pk}, format="json")
    assert (response.status_code, response.data["code"]) == (400, "use_transfer")
    assert snapshot(tickets["T2"].pk) == before


@pytest.mark.parametrize(("username", "name", "expected"), [
    ("agent4", "T2", 403),  # nobody holds it: a leader transfers it
    ("agent3", "T1", 403),  # a teammate, not the holder
    ("agent2", "T1", 404),
])
def test_transfers_refused_change_nothing(api, tickets, units, username, name, expected):
    before = snapshot(tickets[name].pk)
    response = client_for(api, username).post(f"/api/v1/tickets/{tickets[name].pk}/transfer/",
                                              {"team": units["reception"].pk, "reason": "转营业厅"}, format="json")
    assert response.status_code == expected
    assert snapshot(tickets[name].pk) == before


def test_the_holder_transfers_and_is_told_where_it_went(api, tickets, units, member):
    ticket = tickets["T1"]
    name = member("agent1").name
    response = client_for(api, "agent1").post(f"/api/v1/tickets/{ticket.pk}/transfer/",
                                              {"team": units["reception"].pk, "reason": "属营业厅业务",
                                               "version": 1}, format="json")
    assert response.status_code == 200, response.data
    assert response.data == {"id": ticket.pk, "reference": ticket.reference, "status": "new",
                             "team": units["reception"].pk, "team_name": units["reception"].name, "visible": False}
    moved = Ticket.objects.get(pk=ticket.pk)
    assert (moved.team, moved.assignee, moved.status, moved.version) == (units["reception"], None, "new", 2)
    assert list(moved.events.filter(kind__in=["transferred", "assigned"]).order_by("id")
                .values_list("kind", "actor__username", "old_value", "new_value", "body")) == [
        ("assigned", "agent1", "", name, ""),
        ("transferred", "agent1", str(units["tech-region-1"]), str(units["reception"]), "属营业厅业务"),
        ("assigned", "agent1", name, "", ""),
    ]
    assert client_for(api, "agent1").get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
    assert client_for(api, "agent2").get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200


def test_a_lead_transfers_an_unheld_ticket_and_keeps_sight_of_nothing_more(api, tickets, units):
    response = client_for(api, "lead2").post(f"/api/v1/tickets/{tickets['T2'].pk}/transfer/",
                                             {"team": units["tech-region-1"].pk, "reason": "属一片区"}, format="json")
    assert (response.status_code, response.data["visible"], response.data["team"]) == (
        200, False, units["tech-region-1"].pk)


@pytest.mark.parametrize(("username", "name", "expected"), [
    ("agent4", "T1", 403),  # a customer of a ticket outside their scope
    ("agent1", "R", 404),  # a reporter agent1 may not see: no such customer for them
    ("agent1", "T3", 403),
])
def test_customers_are_edited_only_by_those_who_work_with_them(api, tickets, username, name, expected):
    """Any agent could PATCH any customer, even of tickets they cannot see, moving those deadlines."""
    customer = tickets[name].customer
    before = Customer.objects.filter(pk=customer.pk).values().get()
    events = TicketEvent.objects.count()
    response = client_for(api, username).patch(f"/api/v1/customers/{customer.pk}/",
                                               {"name": "改名", "customer_class": "business"}, format="json")
    assert response.status_code == expected
    if expected == 403:
        assert response.data["code"] == "customer_scope"
    assert Customer.objects.filter(pk=customer.pk).values().get() == before
    assert TicketEvent.objects.count() == events


def test_the_holder_corrects_the_customer_and_a_report_of_theirs_keeps_its_deadlines(api, tickets, make_ticket,
                                                                                   member):
    """A report's deadlines never follow its reporter's class or area, or the change would show on it."""
    customer = tickets["T1"].customer
    report = make_ticket(kind=Kind.REPORT, assignee=member("agent3"), phone=customer.phone)
    due = list(report.clocks.order_by("id").values_list("due_at", flat=True))
    report_events = report.events.count()
    response = client_for(api, "agent1").patch(f"/api/v1/customers/{customer.pk}/", {"area": "rural"},
                                               format="json")
    assert (response.status_code, response.data["area"]) == (200, "rural")
    assert list(report.clocks.order_by("id").values_list("due_at", flat=True)) == due
    assert report.events.count() == report_events


def test_agents_do_not_claim_reports_a_leader_gives_them_out(api, make_ticket, member):
    """Claiming made anyone in the team the holder of a report, and so shown its reporter."""
    report = make_ticket(kind=Kind.REPORT, phone="13500000009")
    before = snapshot(report.pk)
    refused = client_for(api, "agent1").post(f"/api/v1/tickets/{report.pk}/claim/")
    assert (refused.status_code, refused.data["code"]) == (403, "report_assigned_by_leader")
    assert snapshot(report.pk) == before
    assert client_for(api, "agent1").post("/api/v1/tickets/next/").status_code == 204
    assert snapshot(report.pk) == before
    given = client_for(api, "lead1").post(f"/api/v1/tickets/{report.pk}/assign/", {"assignee": member("agent3").pk},
                                          format="json")
    assert given.status_code == 200
    assert client_for(api, "agent3").get(f"/api/v1/tickets/{report.pk}/").data["customer"]["phone"] == "13500000009"
