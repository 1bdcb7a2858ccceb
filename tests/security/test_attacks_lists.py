"""Attacks on the lists, callbacks, public pages and other objects (the cast and the roles: see
test_attacks.py): an agent who wants to know who reported, a leader outside their subtree, an outsider.
"""

import re

import pytest
from django.test import Client
from django.utils import timezone

from staff.models import Scorecard
from tests.conftest import signed_in
from tests.security.cast import MISSING, RH_REPORTER, no_secret
from tickets import services
from tickets.models import Callback, Customer, Kind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a", "no_throttle_left_over")]



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
    assert len(set(answers.values())) == 1, answers
    assert set(answers.values()) <= {403, 404}, answers


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
