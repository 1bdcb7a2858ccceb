from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from surveys import services as surveys
from surveys.backends import LocmemBackend
from surveys.models import Invitation
from tickets import services
from tickets.models import Kind

TZ = ZoneInfo("Asia/Shanghai")
RESOLVED = datetime(2026, 11, 18, 10, 0, tzinfo=TZ)  # a Wednesday, mid-morning


@pytest.fixture(autouse=True)
def empty_outbox():
    LocmemBackend.outbox.clear()
    yield
    LocmemBackend.outbox.clear()


def token_of(message) -> str:
    """The token in a sent message's link."""
    return message.text.rsplit("/s/", 1)[1].split("/")[0]


@pytest.fixture
def resolve(make_ticket, member, user):
    """An inquiry of ``agent`` resolved at ``at``; returns the ticket."""

    def run(*, agent: str = "agent1", team: str = "tech-region-1", at: datetime = RESOLVED, kind=Kind.INQUIRY,
            **extra):
        with time_machine.travel(at - timedelta(hours=2), tick=False):
            ticket = make_ticket(kind=kind, team=team, by=agent, assignee=member(agent), **extra)
        with time_machine.travel(at, tick=False):
            services.ticket_resolve(ticket_id=ticket.pk, actor=user(agent), resolution="已答复")
        ticket.refresh_from_db()
        return ticket

    return run


@pytest.fixture
def sent(resolve):
    """A resolved inquiry whose invitation has gone out; returns (invitation, token).

    The rest of the test runs an hour after the send, with the clock stopped there: the resolution is
    at a fixed date, and on the real clock the link (``SURVEYS_TOKEN_DAYS``) would expire a week
    later, whatever the test. A test may still travel elsewhere inside it."""
    travels = []

    def run(**kwargs):
        ticket = resolve(**kwargs)
        invitation = Invitation.objects.get(ticket=ticket)
        surveys.invitations_send(now=invitation.send_after)
        invitation.refresh_from_db()
        message = next(m for m in LocmemBackend.outbox if m.key.startswith(f"survey-invitation-{invitation.pk}-"))
        travel = time_machine.travel(invitation.sent_at + timedelta(hours=1), tick=False)
        travel.start()
        travels.append(travel)
        return invitation, token_of(message)

    yield run
    while travels:
        travels.pop().stop()
