"""The demo center's surveys: a realistic spread, coherent with the tickets, and added once."""

import pytest
from django.db.models import F

from demo.surveys import demo_survey_link, seed_surveys
from demo.tickets import seed_tickets
from staff.models import Scorecard
from surveys.models import FollowUp, Invitation, QualityReview, Response
from tests.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


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
