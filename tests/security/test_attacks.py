"""Attacks on the running app, role by role: an agent who wants to know who reported, a leader who acts
outside their subtree, an anonymous outsider. Each test is one attack, through the page, the API or the
public forms, as a user would send it.

Sixteen of these attacks worked when they were written (a leader of the unit a report was passed to
could assign, claim or transfer it and read the reporter; the customer directory pointed at a new
reporter; the public form could attach a stranger's phone to a reporter's record; …). They are fixed
and kept, with the attacks that were refused from the start, as regression tests: exact answers, and
nothing changed.

The cast (Shape A): region 1 = lead1 over agent1 and agent3; region 2 = lead2 over agent4; reception =
supervisor1 over agent2, agent5, agent6. Reports are "passed to" reception (its ``responsible_unit``), so
reception sees them without being above their holder, which is where the rule is easiest to get wrong:

- RH: report in region 1 held by agent3, passed to reception (supervisor1 sees it, not its reporter);
- RU: report waiting in region 2's queue, nobody holds it, passed to reception;
- TI: agent1's inquiry in region 1, passed to reception; TU: an unheld inquiry of region 2, passed to reception;
- T2: an inquiry of region 2 that region 1 does not see (the "hidden" ticket for agent1 and lead1);
- R3 (made where needed): a resolved report of reception held by agent2, passed to region 1.

Most defects found share one cause: a ticket passed to a unit is in that unit's *sight*, and several services
(claim, assign, reopen, an unheld ticket's edit, ``Scope.may_work`` for unheld tickets) treat sight
as authority.
"""


import pytest

from tests.conftest import signed_in
from tests.security.cast import MISSING, RH_REPORTER, no_secret
from tests.tickets.conftest import snapshot
from tickets import services
from tickets.models import Kind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a", "no_throttle_left_over")]

def test_the_cast_is_what_the_attacks_assume(api, cast):
    """supervisor1 and agent2 see RH and RU (passed to reception) without their reporters; agent1 sees RH
    without its reporter and does not see T2."""
    for username in ("supervisor1", "agent2"):
        for name in ("RH", "RU"):
            response = api(username).get(f"/api/v1/tickets/{cast[name].pk}/")
            assert (response.status_code, response.data["customer"]) == (200, None), (username, name)
    assert api("agent1").get(f"/api/v1/tickets/{cast['RH'].pk}/").data["customer"] is None
    assert api("agent1").get(f"/api/v1/tickets/{cast['T2'].pk}/").status_code == 404
    assert api("agent3").get(f"/api/v1/tickets/{cast['RH'].pk}/").data["customer"]["phone"] == RH_REPORTER["phone"]


# --- a leader who only *sees* a report (passed to their unit) makes themselves or their people its holder ----


def test_a_leader_of_the_responsible_unit_cannot_assign_a_report_to_themselves(api, cast, member):
    report = cast["RH"]
    before = snapshot(report.pk)
    response = api("supervisor1").post(f"/api/v1/tickets/{report.pk}/assign/",
                                       {"assignee": member("supervisor1").pk}, format="json")
    assert (response.status_code, no_secret(str(response.data))) == (403, [])
    assert snapshot(report.pk) == before


def test_the_ticket_page_does_not_let_an_outside_leader_hand_a_report_to_their_agent(cast, member):
    report = cast["RH"]
    before = snapshot(report.pk)
    signed_in("supervisor1").post(f"/tickets/{report.pk}/do/assign/", {"assignee": member("agent2").pk,
                                                                      "version": report.version})
    assert snapshot(report.pk) == before
    assert no_secret(signed_in("agent2").get(f"/tickets/{report.pk}/").content.decode()) == []


def test_the_dashboard_reassign_does_not_take_reports_from_another_subtree(cast, member):
    report = cast["RH"]
    before = snapshot(report.pk)
    response = signed_in("supervisor1").post("/dashboard/reassign/", {"tickets": [report.pk],
                                                                       "assignee": member("agent5").pk})
    assert response.status_code == 302
    assert snapshot(report.pk) == before
    assert no_secret(signed_in("agent5").get(f"/tickets/{report.pk}/").content.decode()) == []


def test_a_leader_of_the_responsible_unit_cannot_claim_another_teams_report(api, cast):
    report = cast["RU"]
    before = snapshot(report.pk)
    response = api("supervisor1").post(f"/api/v1/tickets/{report.pk}/claim/")
    assert (response.status_code, no_secret(str(response.data))) == (403, [])
    assert snapshot(report.pk) == before


def test_a_leader_outside_the_team_cannot_transfer_its_unheld_report_to_their_own(api, cast, units):
    report = cast["RU"]
    before = snapshot(report.pk)
    response = api("supervisor1").post(f"/api/v1/tickets/{report.pk}/transfer/",
                                       {"team": units["reception"].pk, "reason": "转本组"}, format="json")
    assert (response.status_code, no_secret(str(response.data))) == (403, [])
    assert snapshot(report.pk) == before


@pytest.mark.parametrize(("action", "body"), [
    pytest.param("cancel", {"reason": "spam"}),
    pytest.param("transfer", {"team": "reception", "reason": "转本组"}),
    ("reclassify", {"kind": "complaint", "reason": "改投诉"}),  # refused today (leads_holder_of)
])
def test_a_leader_outside_the_team_does_not_work_its_unheld_tickets(api, cast, units, action, body):
    ticket = cast["TU"]
    if body.get("team"):
        body = {**body, "team": units[body["team"]].pk}
    before = snapshot(ticket.pk)
    response = api("supervisor1").post(f"/api/v1/tickets/{ticket.pk}/{action}/", body, format="json")
    assert response.status_code == 403
    assert snapshot(ticket.pk) == before


def test_a_leader_cannot_take_an_ordinary_ticket_from_another_subtree(api, cast, member):
    ticket = cast["TI"]
    before = snapshot(ticket.pk)
    response = api("supervisor1").post(f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": member("agent2").pk},
                                       format="json")
    assert response.status_code == 403
    assert snapshot(ticket.pk) == before


@pytest.mark.parametrize(("username", "action", "name"), [
    ("agent2", "claim", "TU"),
    ("agent2", "patch", "RU"),
    ("agent1", "reopen", "R3"),
    ("agent1", "note", "R3"),  # annotating what was passed to you is allowed
])
def test_an_agent_of_the_responsible_unit_does_not_work_another_teams_ticket(api, cast, make_ticket, member, units,
                                                                             user, username, action, name):
    if name == "R3":
        ticket = make_ticket(kind=Kind.REPORT, team="reception", by="agent2", assignee=member("agent2"),
                             responsible_unit=units["tech-region-1"], name="举报人丙", phone="13500000003")
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent2"), resolution="已查实")
    else:
        ticket = cast[name]
    before = snapshot(ticket.pk)
    client = api(username)
    if action == "patch":
        response = client.patch(f"/api/v1/tickets/{ticket.pk}/", {"version": ticket.version, "priority": "urgent",
                                                                 "responsible_unit": None}, format="json")
    else:
        response = client.post(f"/api/v1/tickets/{ticket.pk}/{action}/", {"reason": "客户来电", "body": "备注"},
                               format="json")
    if action == "note":
        assert response.status_code == 200
        return
    assert response.status_code == 403
    assert snapshot(ticket.pk) == before


def test_a_leader_who_does_not_see_a_ticket_gets_404_for_every_take_over(api, cast, member, units):
    """lead2 does not see RH or TI at all: assign, claim and transfer answer 404, as for no ticket."""
    for name in ("RH", "TI"):
        ticket = cast[name]
        before = snapshot(ticket.pk)
        for action, body in (("assign", {"assignee": member("agent4").pk}), ("claim", {}),
                             ("transfer", {"team": units["tech-region-2"].pk, "reason": "x"})):
            response = api("lead2").post(f"/api/v1/tickets/{ticket.pk}/{action}/", body, format="json")
            missing = api("lead2").post(f"/api/v1/tickets/{MISSING}/{action}/", body, format="json")
            assert (response.status_code, response.data) == (missing.status_code, missing.data) == (
                404, missing.data), (name, action)
        assert snapshot(ticket.pk) == before


# --- an agent of the team, next to the holder, who wants the reporter -----------------------------------------


@pytest.mark.parametrize(("action", "body", "expected"), [
    ("reply", {"body": "您好"}, 403), ("resolve", {"resolution": "x"}, 403), ("pause", {"reason": "x"}, 403),
    ("cancel", {"reason": "spam"}, 403), ("transfer", {"team": "tech-region-2", "reason": "x"}, 403),
    ("reclassify", {"kind": "complaint", "reason": "x"}, 403), ("assign", {"assignee": "agent1"}, 403),
    ("start", {}, 403), ("claim", {}, 409),
])
def test_a_teammate_cannot_work_the_report_and_no_refusal_names_the_reporter(api, cast, member, units, action,
                                                                             body, expected):
    report = cast["RH"]
    body = {key: (units[value].pk if key == "team" else member(value).pk if key == "assignee" else value)
            for key, value in body.items()}
    before = snapshot(report.pk)
    response = api("agent1").post(f"/api/v1/tickets/{report.pk}/{action}/", body, format="json")
    assert response.status_code == expected, response.data
    assert no_secret(str(response.data)) == []
    assert snapshot(report.pk) == before


def test_a_patch_with_fields_that_are_not_editable_changes_nothing(api, cast, member, units):
    """customer, status, assignee, reference, duplicate_of are not editable; unknown keys are ignored and
    nothing is written (no new version, no event)."""
    ticket = cast["TI"]
    before = snapshot(ticket.pk)
    response = api("agent1").patch(f"/api/v1/tickets/{ticket.pk}/", {
        "version": ticket.version, "customer": cast["RH"].customer_id, "status": "closed",
        "assignee": member("agent3").pk, "reference": "TS-20000101-000001", "duplicate_of": cast["T2"].pk,
        "created_by": 1, "reporter_visible": True}, format="json")
    assert (response.status_code, response.data["version"], response.data["status"]) == (200, 1, "assigned")
    assert snapshot(ticket.pk) == before
    moved = api("agent1").patch(f"/api/v1/tickets/{ticket.pk}/", {"version": 1, "team": units["reception"].pk},
                                format="json")
    assert (moved.status_code, moved.data["code"]) == (400, "use_transfer")
    teammate = api("agent3").patch(f"/api/v1/tickets/{ticket.pk}/",
                                   {"version": 1, "responsible_unit": units["tech-region-2"].pk}, format="json")
    assert (teammate.status_code, teammate.data["code"]) == (403, "not_holder")
    assert snapshot(ticket.pk) == before


def test_duplicate_of_a_hidden_ticket_answers_as_for_no_ticket(api, cast):
    ticket = cast["TI"]
    before = snapshot(ticket.pk)
    hidden = api("agent1").post(f"/api/v1/tickets/{ticket.pk}/cancel/",
                                {"reason": "duplicate", "duplicate_of": cast["T2"].pk}, format="json")
    missing = api("agent1").post(f"/api/v1/tickets/{ticket.pk}/cancel/",
                                 {"reason": "duplicate", "duplicate_of": MISSING}, format="json")
    assert (hidden.status_code, hidden.data["code"]) == (missing.status_code, missing.data["code"]) == (
        400, "duplicate_of")
    assert hidden.data["detail"].replace(str(cast["T2"].pk), "N") == missing.data["detail"].replace(str(MISSING), "N")
    assert snapshot(ticket.pk) == before


API_ACTIONS = ["claim", "assign", "start", "reply", "note", "pause", "resume", "dispatch", "resolve", "reopen",
               "close", "cancel", "transfer", "reclassify"]


def test_every_action_on_a_hidden_ticket_is_404_exactly_as_on_no_ticket(api, cast, member, units):
    """agent1 and lead1 on region 2's T2: the same 404 as for an id that does not exist, whatever the body
    (valid, invalid or empty), and nothing written."""
    ticket = cast["T2"]
    before = snapshot(ticket.pk)
    bodies = [{}, {"version": 1, "body": "x", "reason": "x", "resolution": "x", "kind": "report",
                   "assignee": member("agent1").pk, "team": units["tech-region-1"].pk,
                   "field_team": units["tech-region-1"].pk, "instructions": "x"}, {"version": "bad"}]
    for username in ("agent1", "lead1"):
        client = api(username)
        for action in API_ACTIONS:
            for body in bodies:
                seen = client.post(f"/api/v1/tickets/{ticket.pk}/{action}/", body, format="json")
                missing = client.post(f"/api/v1/tickets/{MISSING}/{action}/", body, format="json")
                assert (seen.status_code, seen.data) == (404, missing.data), (username, action, body)
        for method, suffix in (("get", ""), ("get", "events/"), ("patch", "")):
            seen = getattr(client, method)(f"/api/v1/tickets/{ticket.pk}/{suffix}", {"version": 1, "subject": "x"},
                                           format="json")
            missing = getattr(client, method)(f"/api/v1/tickets/{MISSING}/{suffix}", {"version": 1, "subject": "x"},
                                              format="json")
            assert (seen.status_code, seen.data) == (404, missing.data), (username, method, suffix)
    assert snapshot(ticket.pk) == before


def test_every_page_action_on_a_hidden_ticket_is_404(cast, member):
    ticket = cast["T2"]
    before = snapshot(ticket.pk)
    client = signed_in("agent1")
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    for action in [*API_ACTIONS, "nonsense"]:
        response = client.post(f"/tickets/{ticket.pk}/do/{action}/", {"body": "x", "reason": "x",
                                                                      "assignee": member("agent1").pk})
        assert response.status_code == 404, action
    assert snapshot(ticket.pk) == before


def test_intake_cannot_hand_a_ticket_to_someone_outside_ones_subtree(api, member):
    count = Ticket.objects.count()
    for username, assignee in (("agent1", "agent3"), ("agent1", "lead1"), ("lead1", "agent4"), ("lead2", "agent2")):
        response = api(username).post("/api/v1/tickets/", {
            "kind": "report", "channel": "phone", "subject": "举报", "assignee": member(assignee).pk,
            "customer": {"name": "某人", "phone": "13700000000"}}, format="json")
        assert (response.status_code, response.data["code"]) == (403, "outside_subtree"), (username, assignee)
    assert Ticket.objects.count() == count
