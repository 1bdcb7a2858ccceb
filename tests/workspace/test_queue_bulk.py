"""Bulk actions on the queue's selected rows: claim, assign, priority. Each ticket goes through its own
service call, so it keeps its checks and timeline entries; a refused ticket keeps everything it had and
is named by its reference (a ticket out of sight by nothing it would reveal)."""

import pytest

from tests.conftest import signed_in
from tests.tickets.conftest import snapshot
from tickets import services
from tickets.models import EventKind, Priority, Status, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


def english(username: str):
    client = signed_in(username)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def picked(*tickets) -> list[str]:
    return [f"{t.pk}:{t.version}" for t in tickets]


def outcomes(response) -> list[tuple[str, bool, str]]:
    return [(o.reference, o.done, o.message) for o in response.context["outcomes"]]


def events(ticket) -> list[tuple[str, str, str, str]]:
    return list(ticket.events.order_by("id").values_list("kind", "field", "old_value", "new_value"))


def test_an_agent_claims_two_tickets_and_is_told_of_one_someone_else_holds_and_one_out_of_sight(make_ticket, member,
                                                                                                 user):
    first, second, taken = make_ticket(), make_ticket(), make_ticket()
    services.ticket_claim(ticket_id=taken.pk, actor=user("agent3"))
    hidden = make_ticket(team="tech-region-2", by="agent4")
    taken.refresh_from_db()
    before = {t.pk: snapshot(t.pk) for t in (taken, hidden)}
    events_before = {t.pk: events(t) for t in (first, second)}

    response = english("agent1").post("/tickets/bulk/", {
        "action": "claim", "ticket": picked(first, taken, hidden, second), "next": "/tickets/?tab=team"})

    assert response.status_code == 200
    assert outcomes(response) == [
        (first.reference, True, ""),
        (taken.reference, False, "陈静 has already claimed this ticket."),
        ("", False, "No such ticket."),
        (second.reference, True, ""),
    ]
    html = response.content.decode()
    assert f"#{hidden.pk}" in html
    assert hidden.reference not in html
    assert 'href="/tickets/?tab=team"' in html
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert (ticket.assignee_id, ticket.status, ticket.version) == (member("agent1").pk, Status.ASSIGNED, 2)
        assert events(ticket) == [*events_before[ticket.pk], (EventKind.CLAIMED, "assignee", "", "刘洋"),
                                  (EventKind.STATUS, "status", Status.NEW, Status.ASSIGNED)]
    assert {pk: snapshot(pk) for pk in before} == before


def test_a_lead_assigns_the_selection_to_someone_below_and_not_outside_the_subtree(make_ticket, member):
    mine = make_ticket(assignee=member("agent1"))
    waiting = make_ticket()
    hidden = make_ticket(team="reception", by="agent2", assignee=member("agent2"))
    client = english("lead1")
    assert [p.name for p in client.get("/tickets/?tab=team").context["assignable"]] == sorted(
        ["张伟", "刘洋", "陈静"])

    refused_before = {t.pk: snapshot(t.pk) for t in (mine, waiting)}
    outside = client.post("/tickets/bulk/", {"action": "assign", "assignee": member("agent4").pk,
                                             "ticket": picked(mine, waiting)})
    assert outcomes(outside) == [
        (mine.reference, False, "You can only assign to yourself or to people below you."),
        (waiting.reference, False, "You can only assign to yourself or to people below you."),
    ]
    assert {pk: snapshot(pk) for pk in refused_before} == refused_before

    hidden_before = snapshot(hidden.pk)
    response = client.post("/tickets/bulk/", {"action": "assign", "assignee": member("agent3").pk,
                                              "ticket": picked(mine, waiting, hidden)})
    assert response.status_code == 200
    assert outcomes(response) == [(mine.reference, True, ""), (waiting.reference, True, ""),
                                  ("", False, "No such ticket.")]
    for ticket, old_status in ((mine, Status.ASSIGNED), (waiting, Status.NEW)):
        ticket.refresh_from_db()
        assert (ticket.assignee_id, ticket.status) == (member("agent3").pk, Status.ASSIGNED)
        kinds = [e[0] for e in events(ticket)[-2:]] if old_status == Status.NEW else [events(ticket)[-1][0]]
        assert kinds == ([EventKind.ASSIGNED, EventKind.STATUS] if old_status == Status.NEW
                         else [EventKind.ASSIGNED])
    assert snapshot(hidden.pk) == hidden_before


def test_an_agent_sees_no_assign_and_an_assign_posted_anyway_is_refused_per_ticket(make_ticket, member):
    mine = make_ticket(assignee=member("agent1"))
    client = english("agent1")
    page = client.get("/tickets/")
    assert page.context["assignable"] == []
    assert 'value="assign"' not in page.content.decode()
    before = snapshot(mine.pk)
    response = client.post("/tickets/bulk/", {"action": "assign", "assignee": member("agent1").pk,
                                              "ticket": picked(mine)})
    assert outcomes(response) == [(mine.reference, False, "You can only assign to yourself or to people below you.")]
    assert snapshot(mine.pk) == before


def test_changing_the_priority_of_the_selection_keeps_each_tickets_version_and_events(make_ticket, member, user):
    fresh = make_ticket(assignee=member("agent1"))
    stale = make_ticket(assignee=member("agent1"))
    already = make_ticket(assignee=member("agent1"), priority=Priority.URGENT)
    seen_stale = stale.version
    services.ticket_note(ticket_id=stale.pk, actor=user("agent1"), body="先看一下")  # a note keeps the version
    services.ticket_start(ticket_id=stale.pk, actor=user("agent1"))  # moves it on: the version seen is stale
    stale_before = snapshot(stale.pk)
    already_before = snapshot(already.pk)
    fresh_events = events(fresh)

    response = english("agent1").post("/tickets/bulk/", {
        "action": "priority", "priority": str(Priority.URGENT.value),
        "ticket": [f"{fresh.pk}:{fresh.version}", f"{stale.pk}:{seen_stale}", f"{already.pk}:{already.version}"]})

    assert response.status_code == 200
    assert outcomes(response) == [
        (fresh.reference, True, ""),
        (stale.reference, False, f"Someone changed this ticket meanwhile (version {seen_stale + 1}, yours "
                                 f"{seen_stale}). Reload it and try again."),
        (already.reference, True, "It already had this priority; nothing changed."),
    ]
    fresh.refresh_from_db()
    assert (fresh.priority, fresh.version) == (Priority.URGENT, 2)
    assert events(fresh)[: len(fresh_events) + 1] == [*fresh_events, (EventKind.CHANGED, "priority",
                                                                      str(Priority.NORMAL.value),
                                                                      str(Priority.URGENT.value))]
    assert snapshot(stale.pk) == stale_before
    assert snapshot(already.pk) == already_before


def test_more_than_a_hundred_tickets_at_once_are_refused_and_nothing_changes(make_ticket):
    ticket = make_ticket()
    before = snapshot(ticket.pk)
    selection = [f"{ticket.pk}:{ticket.version}"] + [f"{n}:1" for n in range(10_000, 10_100)]
    response = english("agent1").post("/tickets/bulk/", {"action": "claim", "ticket": selection})
    assert response.status_code == 400
    assert response.context["errors"] == ["Tickets: Select at most 100 tickets at once (you selected 101)."]
    assert snapshot(ticket.pk) == before


@pytest.mark.parametrize(("data", "errors"), [
    ({"action": "claim"}, ["Tickets: Select at least one ticket."]),
    ({"action": "close", "ticket": ["1:1"]}, ["Action: Choose what to do with the selected tickets."]),
    ({"action": "assign", "ticket": ["1:1"]}, ["Assignee: Choose whom to assign them to."]),
    ({"action": "assign", "ticket": ["1:1"], "assignee": "999999"}, ["Choose whom to assign them to."]),
    ({"action": "priority", "ticket": ["1:1"], "priority": "9"},
     ["Priority: Select a valid choice. 9 is not one of the available choices."]),
    ({"action": "priority", "ticket": ["1:1"]}, ["Priority: Choose the priority."]),
    ({"action": "claim", "ticket": ["TS-1"]}, ["Tickets: “TS-1” is not a ticket of the list."]),
])
def test_bad_bulk_input_says_why_and_changes_nothing(make_ticket, data, errors):
    ticket = make_ticket()
    before = snapshot(ticket.pk)
    response = english("agent1").post("/tickets/bulk/", data)
    assert (response.status_code, response.context["errors"]) == (400, errors)
    assert snapshot(ticket.pk) == before
    assert Ticket.objects.count() == 1


def test_the_way_back_leads_only_to_a_queue(make_ticket):
    ticket = make_ticket()
    client = english("agent1")
    for target, back in (("https://evil.example/tickets/", "/tickets/"), ("/tickets/?tab=all", "/tickets/?tab=all"),
                         ("/admin/", "/tickets/")):
        response = client.post("/tickets/bulk/", {"action": "priority", "priority": "1", "next": target,
                                                  "ticket": [str(ticket.pk)]})
        assert response.context["back"] == back
