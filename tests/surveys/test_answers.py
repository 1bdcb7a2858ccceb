"""The survey page: answered once, in the customer's language; used, expired and unknown links get a
friendly page and record nothing; unhappy answers reach the agent's supervisor."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings

from notifications.models import Notification
from surveys import services as surveys
from surveys.models import FollowUp, Invitation, Response
from tests.conftest import require_service, signed_in
from tests.surveys.conftest import RESOLVED
from tickets.models import Customer, TicketEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


def recorded() -> tuple:
    return (Response.objects.count(), FollowUp.objects.count(), Notification.objects.count(),
            TicketEvent.objects.filter(kind="survey").count(),
            sorted(Invitation.objects.values_list("state", "answered_at")))


def test_the_page_asks_in_the_customers_language(sent):
    invitation, token = sent()
    page = Client().get(f"/s/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    for words in ("非常满意", "非常不满意", "您的问题解决了吗？", invitation.ticket.reference):
        assert words in html
    Customer.objects.filter(pk=invitation.customer_id).update(language="en")
    Invitation.objects.filter(pk=invitation.pk).update(language="en")
    english = Client().get(f"/s/{token}/").content.decode()
    assert '<html lang="en">' in english
    assert "Very satisfied" in english
    assert "Was your problem solved?" in english


def test_an_answer_is_recorded_once_and_a_second_use_is_gone(sent):
    invitation, token = sent()
    with time_machine.travel(invitation.sent_at + timedelta(hours=1), tick=False):
        page = Client().post(f"/s/{token}/", {"rating": "5", "solved": "yes", "attitude": "4", "comment": "很快"})
    assert page.status_code == 200
    assert "谢谢" in page.content.decode()
    response = Response.objects.get(invitation=invitation)
    assert (response.rating, response.solved, response.attitude, response.comment) == (5, True, 4, "很快")
    assert Invitation.objects.get(pk=invitation.pk).state == "answered"
    before = recorded()
    again = Client().post(f"/s/{token}/", {"rating": "1"})
    assert again.status_code == 410
    assert "已经" in again.content.decode()
    assert recorded() == before
    assert Client().get(f"/s/{token}/").status_code == 410


def test_an_expired_link_is_gone_and_records_nothing(sent):
    invitation, token = sent()
    before = recorded()
    with time_machine.travel(invitation.sent_at + timedelta(days=7), tick=False):
        assert Client().get(f"/s/{token}/").status_code == 410
        assert Client().post(f"/s/{token}/", {"rating": "5"}).status_code == 410
    assert recorded() == before
    with time_machine.travel(invitation.sent_at + timedelta(days=7) - timedelta(seconds=1), tick=False):
        assert Client().post(f"/s/{token}/", {"rating": "5"}).status_code == 200


def test_a_guessed_token_leaks_nothing(sent):
    invitation, token = sent()
    before = recorded()
    guesses = [token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 43, "short", token + "x", "%00" * 5]
    pages = [Client().get(f"/s/{guess}/") for guess in guesses] + [Client().post(f"/s/{guesses[0]}/", {"rating": 5})]
    assert {p.status_code for p in pages} == {404}
    bodies = {p.content.decode().split("<main")[1] for p in pages}
    assert len(bodies) == 1  # the same page whatever the guess
    body = bodies.pop()
    assert invitation.ticket.reference not in body
    assert invitation.customer.name not in body
    assert recorded() == before


def test_bad_answers_are_refused_and_record_nothing(sent):
    invitation, token = sent()
    before = recorded()
    for data in ({}, {"rating": "6"}, {"rating": "abc"}, {"rating": "5", "solved": "maybe"},
                 {"rating": "5", "attitude": "9"}, {"rating": "5", "comment": "长" * 2001}):
        page = Client().post(f"/s/{token}/", data)
        assert page.status_code == 400, data
        assert recorded() == before
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"


@override_settings(SURVEYS_ANSWER_RATE="3/10m")
def test_attempts_are_throttled_per_address(sent):
    cache.clear()
    _invitation, token = sent()
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [client.get(f"/s/{'y' * 43}/").status_code for _ in range(3)]
    assert codes == [404, 404, 404]
    assert client.get(f"/s/{token}/").status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.10").get(f"/s/{token}/").status_code == 200
    cache.clear()


@pytest.mark.parametrize(("agent", "team", "supervisor"), [
    ("agent1", "tech-region-1", "lead1"), ("agent2", "reception", "supervisor1"),
])
def test_an_unhappy_answer_creates_the_follow_up_for_the_agents_supervisor(sent, agent, team, supervisor, member):
    invitation, token = sent(agent=agent, team=team)
    answered_at = invitation.sent_at + timedelta(hours=2)  # Wednesday 12:30
    with time_machine.travel(answered_at, tick=False):
        assert Client().post(f"/s/{token}/", {"rating": "1", "comment": "没人理我"}).status_code == 200
    follow_up = FollowUp.objects.get()
    assert (follow_up.agent, follow_up.supervisor, follow_up.state) == (member(agent), member(supervisor), "open")
    assert follow_up.due_at == RESOLVED.replace(day=19, hour=17, minute=30)  # close of business, next working day
    note = Notification.objects.get(kind="follow_up")
    assert (note.recipient, note.ticket_id, note.due_at) == (member(supervisor).user, invitation.ticket_id,
                                                             follow_up.due_at)
    bell = signed_in(supervisor).get("/notifications/").content.decode()
    assert invitation.ticket.reference in bell
    assert "不满意" in bell


def test_a_neutral_answer_creates_no_follow_up(sent):
    _invitation, token = sent()
    assert Client().post(f"/s/{token}/", {"rating": "3"}).status_code == 200
    assert FollowUp.objects.count() == 0


def test_only_the_supervisor_or_above_closes_a_follow_up(sent, user):
    _invitation, token = sent()
    Client().post(f"/s/{token}/", {"rating": "2"})
    follow_up = FollowUp.objects.get()
    for outsider in ("agent1", "agent2", "lead2", "supervisor1"):
        with pytest.raises(surveys.SurveyForbidden):
            surveys.follow_up_close(follow_up_id=follow_up.pk, actor=user(outsider), outcome="已致电")
        assert FollowUp.objects.get().state == "open"
    with pytest.raises(surveys.SurveyError):
        surveys.follow_up_close(follow_up_id=follow_up.pk, actor=user("lead1"), outcome="  ")
    surveys.follow_up_close(follow_up_id=follow_up.pk, actor=user("lead1"), outcome="已致电道歉并重新解释")
    closed = FollowUp.objects.get()
    assert (closed.state, closed.closed_by, closed.outcome) == ("done", user("lead1"), "已致电道歉并重新解释")
    with pytest.raises(surveys.SurveyConflict):
        surveys.follow_up_close(follow_up_id=follow_up.pk, actor=user("director"), outcome="again")


def test_the_follow_up_api_lists_and_closes(sent, api):
    invitation, token = sent()
    Client().post(f"/s/{token}/", {"rating": "1"})
    assert api("agent1").get("/api/v1/surveys/follow-ups/").json()["count"] == 0
    listed = api("lead1").get("/api/v1/surveys/follow-ups/?state=open").json()
    assert [(r["reference"], r["rating"], r["state"]) for r in listed["results"]] == [
        (invitation.ticket.reference, 1, "open")]
    follow_up_id = listed["results"][0]["id"]
    refused = api("lead1").post(f"/api/v1/surveys/follow-ups/{follow_up_id}/close/", {"outcome": ""}, format="json")
    assert refused.status_code == 400
    done = api("lead1").post(f"/api/v1/surveys/follow-ups/{follow_up_id}/close/", {"outcome": "已回电"}, format="json")
    assert (done.status_code, done.json()["state"]) == (200, "done")
    assert api("lead2").get(f"/api/v1/surveys/follow-ups/{follow_up_id}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_answers_posted_at_once_record_one(sla_presets, sent):
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")
    from surveys.presets import seed_survey_template

    seed_survey_template()
    invitation, token = sent()
    barrier = threading.Barrier(2)
    codes = []

    def post(rating):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            codes.append(Client().post(f"/s/{token}/", {"rating": rating}).status_code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=post, args=(r,)) for r in ("5", "1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 410]
    assert Response.objects.filter(invitation=invitation).count() == 1
    rating = Response.objects.get().rating
    assert FollowUp.objects.count() == (1 if rating == 1 else 0)
