"""Quality reviews (质检): a leader reviews a sample of handled tickets below them; the error rate."""

from datetime import datetime

import pytest
import time_machine

from servicecenter.errors import DomainError
from staff.access import scope_for
from surveys import services as surveys
from surveys.models import QualityReview
from surveys.selectors import review_sample_for
from tests.conftest import signed_in
from tickets import services

from .conftest import TZ

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
AT = datetime(2026, 11, 10, 11, 0, tzinfo=TZ)


@pytest.fixture
def handled(make_ticket, member, user):
    """Six tickets resolved on 10 November: four of agent1, one of agent3, one of lead1 himself."""
    made = []
    with time_machine.travel(AT, tick=False):
        for holder in ("agent1", "agent1", "agent1", "agent1", "agent3", "lead1"):
            ticket = make_ticket(by=holder, assignee=member(holder))
            services.ticket_resolve(ticket_id=ticket.pk, actor=user(holder), resolution="已答复")
            made.append(ticket)
        made.append(make_ticket(by="agent1", assignee=member("agent1")))  # still open
    return made


def test_a_review_is_recorded_and_counts_in_the_error_rate(handled, user, member):
    review = surveys.quality_review_create(ticket_id=handled[0].pk, actor=user("lead1"), has_error=True,
                                           error_category="wrong_information", score=70, notes="电价政策解释有误")
    assert (review.agent, review.reviewer, review.score, review.error_category) == (
        member("agent1"), member("lead1"), 70, "wrong_information")
    surveys.quality_review_create(ticket_id=handled[1].pk, actor=user("lead1"), has_error=False, score=95,
                                  error_category="process")
    assert QualityReview.objects.get(ticket=handled[1]).error_category == ""  # no error, no category


@pytest.mark.parametrize(("actor", "index", "data", "code"), [
    ("agent3", 0, {"has_error": False, "score": 90}, "forbidden"),
    ("lead1", 5, {"has_error": False, "score": 90}, "own_ticket"),
    ("lead2", 0, {"has_error": False, "score": 90}, "not_found"),
    ("lead1", 6, {"has_error": False, "score": 90}, "not_handled"),
    ("lead1", 0, {"has_error": True, "score": 90}, "error_category"),
    ("lead1", 0, {"has_error": False, "score": 101}, "score"),
    ("lead1", 0, {"has_error": False, "score": "ninety"}, "score"),
])
def test_refused_reviews_change_nothing(handled, user, actor, index, data, code):
    with pytest.raises(DomainError) as refused:
        surveys.quality_review_create(ticket_id=handled[index].pk, actor=user(actor), **data)
    assert refused.value.code == code
    assert QualityReview.objects.count() == 0


def test_a_ticket_is_reviewed_once(handled, user, api):
    surveys.quality_review_create(ticket_id=handled[0].pk, actor=user("lead1"), has_error=False, score=90)
    again = api("director").post("/api/v1/surveys/reviews/", {"ticket": handled[0].pk, "has_error": True,
                                                               "error_category": "attitude", "score": 50},
                                 format="json")
    assert (again.status_code, again.json()["code"]) == (409, "reviewed")
    assert QualityReview.objects.get().score == 90


def test_the_sample_is_handled_work_below_the_reviewer_not_yet_reviewed(handled, user):
    scope = scope_for(user("lead1"))
    sample = review_sample_for(scope=scope, month=AT.date().replace(day=1), size=10)
    assert sorted(t.pk for t in sample) == sorted(t.pk for t in handled[:5])
    assert review_sample_for(scope=scope, month=AT.date().replace(day=1), size=10) == sample  # stable order
    surveys.quality_review_create(ticket_id=handled[2].pk, actor=user("lead1"), has_error=False, score=90)
    again = review_sample_for(scope=scope, month=AT.date().replace(day=1), size=10)
    assert handled[2].pk not in [t.pk for t in again]
    assert len(again) == 4
    assert review_sample_for(scope=scope, month=AT.date().replace(day=1), size=2) == again[:2]
    assert review_sample_for(scope=scope_for(user("agent1")), month=AT.date().replace(day=1)) == []


def test_the_review_page_and_api(handled, api):
    page = signed_in("lead1").get("/quality/reviews/?month=2026-11")
    assert page.status_code == 200
    assert len(page.context["sample"]) == 5
    posted = signed_in("lead1").post("/quality/reviews/?month=2026-11", {
        "ticket": handled[3].pk, "score": "80", "has_error": "yes", "error_category": "record", "notes": "记录不全"})
    assert posted.status_code == 302
    assert QualityReview.objects.get().error_category == "record"
    listed = api("lead1").get("/api/v1/surveys/reviews/").json()
    assert [(r["reference"], r["score"], r["has_error"]) for r in listed["results"]] == [(handled[3].reference, 80,
                                                                                          True)]
    sample = api("lead1").get("/api/v1/surveys/reviews/sample/?month=2026-11&size=3").json()
    assert len(sample) == 3
    assert handled[3].pk not in [t["id"] for t in sample]
    assert api("lead1").get("/api/v1/surveys/reviews/sample/?month=2026-13").status_code == 400
    refused = api("agent1").post("/api/v1/surveys/reviews/", {"ticket": handled[4].pk, "has_error": False,
                                                               "score": 90}, format="json")
    assert refused.status_code == 403
    assert QualityReview.objects.count() == 1
    assert signed_in("agent1").get("/quality/reviews/").status_code == 403
