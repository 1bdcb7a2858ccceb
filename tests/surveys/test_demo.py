"""The demo center's surveys: a realistic spread, coherent with the tickets, and added once."""

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import F

from demo.surveys import RATINGS, _rating, demo_survey_link, seed_surveys
from demo.tickets import seed_tickets
from staff.models import Scorecard
from surveys.models import FollowUp, Invitation, QualityReview, Response
from tests.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


# The demo's tickets and answers are drawn from fixed seeds, but which of them exist depends on the moment
# they are seeded at, so the test seeds at a fixed one: a Thursday with a working week behind it.
SEEDED_AT = datetime(2026, 3, 19, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_an_average_agents_answers_follow_the_hotlines_spread():
    rng = random.Random(7)
    drawn = [_rating(rng, 0.0) for _ in range(20_000)]
    shares = {rating: drawn.count(rating) / len(drawn) for rating in RATINGS}
    assert 0.86 < shares[5] + shares[4] < 0.90
    assert 0.04 < shares[2] + shares[1] < 0.06
    # A weaker agent gets fewer happy answers and more unhappy ones, never none of either.
    weak = [_rating(rng, -0.12) for _ in range(20_000)]
    assert 0.76 < sum(r >= 4 for r in weak) / len(weak) < 0.82
    assert 0.12 < sum(r <= 2 for r in weak) / len(weak) < 0.15


@time_machine.travel(SEEDED_AT, tick=False)
def test_demo_surveys_are_coherent_and_added_once():
    seed_tickets(count=600, days=60)
    made = seed_surveys()
    assert made == Invitation.objects.count() > 0
    assert seed_surveys() == 0
    answers = Response.objects.count()
    sent = Invitation.objects.filter(sent_at__isnull=False).count()
    assert 0.5 < answers / sent < 0.8
    happy = Response.objects.filter(rating__gte=4).count()
    assert 0.8 < happy / answers < 0.97
    # Every unhappy answer has its follow-up, for the agent's superior; nothing before its ticket was resolved.
    assert FollowUp.objects.count() == Response.objects.filter(rating__lte=2).count()
    assert not FollowUp.objects.filter(supervisor__isnull=True, agent__isnull=False).exists()
    assert not Invitation.objects.filter(sent_at__lt=F("resolved_at")).exists()
    assert not Invitation.objects.filter(state="answered", answered_at__lt=F("sent_at")).exists()
    assert not Invitation.objects.filter(state__in=["sent", "answered"], token_hash__isnull=True).exists()
    assert not QualityReview.objects.exclude(ticket__status__in=["resolved", "closed"]).exists()
    assert Scorecard.objects.exists()
    link = demo_survey_link()
    assert signed_in("agent1").get(link.split("8000", 1)[1]).status_code == 200
