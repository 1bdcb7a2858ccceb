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

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from staff.models import Scorecard
from tests.conftest import PASSWORD
from tests.tickets.conftest import snapshot
from tickets import services
from tickets.models import Callback, Customer, Kind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]

RH_REPORTER = {"name": "举报人甲", "phone": "13500000001"}
RU_REPORTER = {"name": "举报人乙", "phone": "13500000002"}
SECRETS = [RH_REPORTER["name"], RH_REPORTER["phone"], RU_REPORTER["name"], RU_REPORTER["phone"]]
MISSING = 987654


@pytest.fixture(autouse=True)
def _no_throttle_left_over():
    """The public pages are throttled per address in the (process-wide) cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(make_ticket, member, units):
    reception = units["reception"]
    return {
        "RH": make_ticket(kind=Kind.REPORT, by="agent3", assignee=member("agent3"), responsible_unit=reception,
                          **RH_REPORTER),
        "RU": make_ticket(kind=Kind.REPORT, team="tech-region-2", by="lead2", responsible_unit=reception,
                          **RU_REPORTER),
        "TI": make_ticket(by="agent1", assignee=member("agent1"), responsible_unit=reception),
        "TU": make_ticket(team="tech-region-2", by="agent4", responsible_unit=reception),
        "T2": make_ticket(team="tech-region-2", by="agent4"),
    }


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def no_secret(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


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


# --- callbacks, lists and their parameters -----------------------------------------------------------------------


@pytest.fixture
def report_callbacks(make_ticket, member, units, user):
    """Two reports of reception held by agent2, passed to region 1 and resolved: region 1 lists their
    callbacks without the reporters. Ordering by the reporter's phone would put them in opposite orders."""
    made = []
    for name, phone in (("回访甲", "13900000009"), ("回访乙", "13900000001")):
        ticket = make_ticket(kind=Kind.REPORT, team="reception", by="agent2", assignee=member("agent2"),
                             responsible_unit=units["tech-region-1"], name=name, phone=phone)
        services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent2"), resolution="已查实")
        made.append(ticket)
    return made


def test_callback_lists_ignore_orderings_that_would_sort_by_the_reporter(api, report_callbacks):
    client = api("agent1")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/callbacks/{query}")
        assert response.status_code == 200
        return [row["ticket"] for row in response.data["results"]]

    plain = ids("")
    assert sorted(plain) == sorted(t.pk for t in report_callbacks)
    for field in ("ticket__customer__phone", "ticket__customer__name", "customer_phone", "customer_name",
                  "ticket__customer_id"):
        for prefix in ("", "-"):
            assert ids(f"?ordering={prefix}{field}") == plain, field
    rows = client.get("/api/v1/callbacks/").data["results"]
    assert {(row["customer_name"], row["customer_phone"]) for row in rows} == {(None, None)}


def test_an_agent_of_the_responsible_unit_cannot_record_a_reports_callback(api, report_callbacks):
    callback = Callback.objects.get(ticket=report_callbacks[0])
    for username in ("agent1", "lead1"):
        response = api(username).post(f"/api/v1/callbacks/{callback.pk}/attempt/", {"outcome": "satisfied"},
                                      format="json")
        assert (response.status_code, response.data["code"]) == (403, "not_holder")
        assert no_secret(str(response.data)) == []
    callback.refresh_from_db()
    assert (callback.state, callback.attempt_count) == ("due", 0)
    page = signed_in("agent1").post(f"/callbacks/{callback.pk}/attempt/", {"outcome": "satisfied"})
    assert page.status_code == 302
    callback.refresh_from_db()
    assert (callback.state, callback.attempt_count) == ("due", 0)


def test_callbacks_of_a_hidden_ticket_look_like_those_of_no_ticket(api, cast):
    client = api("agent1")
    seen = client.get(f"/api/v1/callbacks/?ticket={cast['T2'].pk}")
    missing = client.get(f"/api/v1/callbacks/?ticket={MISSING}")
    assert (seen.status_code, seen.data) == (missing.status_code, missing.data) == (200, missing.data)
    assert missing.data["count"] == 0


def test_work_orders_of_a_hidden_ticket_look_like_those_of_no_ticket(api, cast):
    client = api("agent1")
    seen = client.get(f"/api/v1/work-orders/?ticket={cast['T2'].pk}")
    missing = client.get(f"/api/v1/work-orders/?ticket={MISSING}")
    assert (seen.status_code, seen.data) == (missing.status_code, missing.data)


def test_the_ticket_list_refuses_orderings_by_the_customer(api, cast):
    for field in ("customer__phone", "customer__name", "customer", "-customer_id"):
        response = api("agent1").get(f"/api/v1/tickets/?ordering={field}")
        assert (response.status_code, list(response.data)) == (400, ["ordering"]), field


def test_the_customer_lookup_page_lists_no_report_of_a_hidden_reporter(cast):
    """The look-up is center-wide by design (whoever takes the next call finds the customer), but the
    tickets it shows under each customer leave out reports whose reporter the agent may not see."""
    page = signed_in("agent1").get(f"/tickets/lookup/customers/?phone={RH_REPORTER['phone']}").content.decode()
    assert cast["RH"].reference not in page


def test_a_new_report_in_the_queue_does_not_point_at_a_new_customer(api, make_ticket):
    client = api("agent4")

    def listed() -> set[int]:
        unfiltered = client.get("/api/v1/customers/?ordering=-created_at")
        by_prefix = client.get("/api/v1/customers/?phone=135")
        rows = [*unfiltered.data.get("results", []), *by_prefix.data.get("results", [])] \
            if unfiltered.status_code == by_prefix.status_code == 200 else []
        return {row["id"] for row in rows}

    make_ticket(team="tech-region-2", by="agent4", name="A客户", phone="13600000001")
    before = listed()
    report = make_ticket(kind=Kind.REPORT, team="tech-region-2", by="lead2", name="Z举报人", phone="13500000055")
    seen = client.get(f"/api/v1/tickets/{report.pk}/").data
    assert (seen["kind"], seen["customer"]) == ("report", None)  # agent4 sees the report, not who filed it
    newest = client.get("/api/v1/customers/?ordering=-created_at")
    assert report.customer_id not in listed() - before
    assert not (newest.status_code == 200 and newest.data["results"]
                and newest.data["results"][0]["id"] == report.customer_id)
    page = signed_in("agent4").get("/tickets/lookup/customers/?phone=135").content.decode()
    assert "Z举报人" not in page


def test_a_customer_edit_is_refused_before_its_input_is_read_and_alike_for_a_hidden_reporter(api, cast):
    """agent1 may not edit RH's reporter (hidden from them: known only as that reporter, so not in their
    directory at all) nor T2's customer (a stranger): the reporter answers exactly as a customer that
    does not exist, the stranger 403, even for input that would not validate, and nothing changes."""
    before = list(Customer.objects.order_by("pk").values())
    missing = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    for body in ({"name": "改名"}, {"customer_class": "bogus", "phone": 5}):
        hidden, nobody, stranger = (api("agent1").patch(f"/api/v1/customers/{pk}/", body, format="json")
                                    for pk in (cast["RH"].customer_id, missing, cast["T2"].customer_id))
        assert (hidden.status_code, hidden.data) == (nobody.status_code, nobody.data) == (404, hidden.data)
        assert (stranger.status_code, stranger.data["code"]) == (403, "customer_scope")
    assert list(Customer.objects.order_by("pk").values()) == before


def test_a_report_is_never_surveyed(cast, user):
    from surveys.models import Invitation

    report = cast["RH"]
    services.ticket_resolve(ticket_id=report.pk, actor=user("agent3"), resolution="已查实")
    callback = Callback.objects.get(ticket=report)
    services.callback_attempt(callback_id=callback.pk, actor=user("agent3"), outcome="satisfied")
    assert Invitation.objects.filter(ticket=report).count() == 0


@pytest.mark.parametrize("username", ["supervisor1", "lead2", "agent1", "agent2"])
def test_leaders_pages_and_exports_never_name_a_hidden_reporter(cast, user, username):
    """The dashboard (tiles, at-risk list, compliance), its CSV, quality and scorecards pages, as people
    who see RH or RU but not their reporters."""
    from sla.sweep import sweep

    services.ticket_resolve(ticket_id=cast["RH"].pk, actor=user("agent3"), resolution="已查实")
    sweep()
    client = signed_in(username)
    urls = ["/org/scorecards/", "/notifications/", "/callbacks/", "/tickets/?tab=all", "/tickets/?tab=team"]
    if username in ("supervisor1", "lead2"):
        urls += ["/dashboard/", "/dashboard/export.csv", "/quality/", "/quality/reviews/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_secret(response.content.decode()) == [], url


def test_a_reports_team_does_not_depend_on_its_reporters_class(user, units):
    from tickets.models import RoutingRule

    RoutingRule.objects.create(rank=1, name="企业客户", customer_class="business", team=units["reception"])
    RoutingRule.objects.create(rank=2, name="其余", team=units["tech-region-1"])
    teams = {}
    for customer_class, phone in (("business", "13800001111"), ("residential", "13800002222")):
        ticket = services.ticket_create(actor=user("agent1"), kind=Kind.REPORT, channel="phone", subject="举报",
                                        customer={"name": f"举报人{customer_class}", "phone": phone,
                                                  "customer_class": customer_class})
        teams[customer_class] = ticket.team_id
    assert teams["business"] == teams["residential"], teams


# --- the public pages ----------------------------------------------------------------------------------------


def test_track_answers_the_same_for_a_wrong_reference_and_a_wrong_phone(cast):
    """And a report is not tracked at all: a guessed reference with someone's phone would say they
    reported. Its reporter gets the same "not found" as a wrong pair."""
    report = cast["RH"]
    client = Client()
    ordinary = cast["T2"]
    right = client.post("/track/", {"reference": ordinary.reference, "phone": ordinary.customer.phone})
    assert right.status_code == 200
    own = client.post("/track/", {"reference": report.reference, "phone": RH_REPORTER["phone"]})
    assert own.status_code == 404
    wrong_phone = client.post("/track/", {"reference": report.reference, "phone": "13511111111"})
    wrong_reference = client.post("/track/", {"reference": "TS-20000101-999999", "phone": RH_REPORTER["phone"]})
    assert wrong_phone.status_code == wrong_reference.status_code == 404

    def neutral(response) -> str:
        text = response.content.decode()
        text = re.sub(r"[A-Za-z0-9]{32,}", "TOKEN", text)  # the CSRF tokens differ on every answer
        for echoed in (report.reference, "TS-20000101-999999", RH_REPORTER["phone"], "13511111111"):
            text = text.replace(echoed, "ECHO")
        return text

    assert neutral(wrong_phone) == neutral(wrong_reference) == neutral(own)
    assert no_secret(wrong_phone.content.decode().replace(RH_REPORTER["phone"], "")) == []


def test_the_public_form_files_no_report_and_the_honeypot_files_nothing():
    count, customers = Ticket.objects.count(), Customer.objects.count()
    base = {"name": "公众", "phone": "13711112222", "subject": "主题", "description": "内容"}
    refused = Client().post("/submit/", {**base, "kind": "report"})
    assert refused.status_code == 400
    bot = Client().post("/submit/", {**base, "kind": "inquiry", "website": "http://spam.example"})
    assert (bot.status_code, bot.context["reference"]) == (200, None)
    assert (Ticket.objects.count(), Customer.objects.count()) == (count, customers)


def test_an_outsider_cannot_attach_their_phone_to_a_reporter_and_track_the_report(member, units, user):
    report = services.ticket_create(
        actor=user("agent3"), kind=Kind.REPORT, channel="letter", subject="举报邻居私接电线",
        customer={"name": "举报人丁", "account_no": "0101-7788", "email": "ding@example.com"},
        team=units["tech-region-1"], assignee=member("agent3"))
    services.ticket_reply(ticket_id=report.pk, actor=user("agent3"), body="已受理，正在核查")
    reporter = Customer.objects.filter(pk=report.customer_id).values("name", "phone", "phone_alt", "email").get()
    outsider = Client()
    filed = outsider.post("/submit/", {"kind": "inquiry", "name": "邻居", "phone": "13912345678",
                                       "account_no": "0101-7788", "subject": "查询电费", "description": "?"})
    assert filed.status_code == 200
    own = filed.context["reference"]
    guessed = f"{own[:-6]}{int(own[-6:]) - 1:06d}"
    assert guessed == report.reference  # references are sequential within the day
    tracked = outsider.post("/track/", {"reference": guessed, "phone": "13912345678"})
    assert (tracked.status_code, "已受理，正在核查" in tracked.content.decode()) == (404, False)
    assert Customer.objects.filter(pk=report.customer_id).values("name", "phone", "phone_alt", "email").get() \
        == reporter


# --- other objects: existence and refusals ------------------------------------------------------------------


def test_reviews_of_hidden_and_of_missing_tickets_answer_the_same(api, cast, user):
    services.ticket_resolve(ticket_id=cast["RH"].pk, actor=user("agent3"), resolution="已查实")
    body = {"has_error": False, "score": 90}
    for username, ticket in (("lead2", cast["RH"]), ("supervisor1", cast["RH"])):
        seen = api(username).post("/api/v1/surveys/reviews/", {**body, "ticket": ticket.pk}, format="json")
        missing = api(username).post("/api/v1/surveys/reviews/", {**body, "ticket": MISSING}, format="json")
        assert (seen.status_code, seen.data) == (missing.status_code, missing.data) == (400, missing.data), username
        assert missing.data["code"] == "not_found"
    agent = api("agent1").post("/api/v1/surveys/reviews/", {**body, "ticket": cast["RH"].pk}, format="json")
    assert agent.status_code == 403
    assert api("lead1").get("/api/v1/surveys/reviews/sample/").status_code == 200


def _scorecard(member, units):
    return Scorecard.objects.create(staff=member("agent1"), month=timezone.localdate().replace(day=1),
                                    team=units["tech-region-1"], base_score=90, total=90, band="good",
                                    computed_at=timezone.now())


def test_scorecards_of_others_are_404_in_the_api(api, member, units):
    card = _scorecard(member, units)
    for url in (f"/api/v1/scorecards/{card.pk}/", f"/api/v1/scorecards/{MISSING}/"):
        assert api("agent4").get(url).status_code == 404, url
    for pk in (card.pk, MISSING):
        response = api("agent4").post(f"/api/v1/scorecards/{pk}/adjust/", {"adjustment": "1", "reason": "x"},
                                      format="json")
        assert response.status_code == 404
    card.refresh_from_db()
    assert (card.adjustment, card.total) == (0, 90)


def test_the_scorecard_page_refuses_strangers_the_same_way_whatever_the_id(member, units):
    card = _scorecard(member, units)
    client = signed_in("agent4")
    answers = {
        "real card": client.post(f"/org/scorecards/{card.pk}/adjust/", {"adjustment": "1", "reason": "x"}).status_code,
        "no card": client.post(f"/org/scorecards/{MISSING}/adjust/", {"adjustment": "1", "reason": "x"}).status_code,
        "bad input": client.post(f"/org/scorecards/{card.pk}/adjust/", {"adjustment": "99", "reason": "x"}).status_code,
    }
    card.refresh_from_db()
    assert (card.adjustment, card.total) == (0, 90)
    assert len(set(answers.values())) == 1 and set(answers.values()) <= {403, 404}, answers


def test_notifications_of_others_are_404_like_missing_ones(api, cast, user):
    from notifications.models import Notification

    notification = Notification.objects.create(recipient=user("lead1"), ticket=cast["TI"], created_at=timezone.now(),
                                               target="resolution")
    for pk in (notification.pk, MISSING):
        response = api("agent4").post(f"/api/v1/notifications/{pk}/read/")
        assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert api("agent4").get("/api/v1/notifications/").data["count"] == 0
