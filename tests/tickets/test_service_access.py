"""Access is decided in the services, so a caller with no view in front of it (a task, a script, a
future page) gets the same answer as the page and the API: a ticket out of sight is "no such ticket"
(404), exactly as one that does not exist, whatever version it names, and nothing changes."""

import pytest
from django.utils import translation

from tickets import services
from tickets.errors import TicketNotFound
from tickets.models import Kind

from .conftest import snapshot

pytestmark = pytest.mark.django_db

MISSING = 987_654


def calls(member, units):
    """Every ticket action, as a task would call it, by agent1 (region 1)."""
    return {
        "assign": lambda t, v: services.ticket_assign(ticket_id=t, actor=member("agent1").user,
                                                      assignee=member("agent1"), version=v),
        "start": lambda t, v: services.ticket_start(ticket_id=t, actor=member("agent1").user, version=v),
        "reply": lambda t, v: services.ticket_reply(ticket_id=t, actor=member("agent1").user, body="您好", version=v),
        "note": lambda t, v: services.ticket_note(ticket_id=t, actor=member("agent1").user, body="备注", version=v),
        "update": lambda t, v: services.ticket_update(ticket_id=t, actor=member("agent1").user, version=v or 1,
                                                      changes={"subject": "改"}),
        "transfer": lambda t, v: services.ticket_transfer(ticket_id=t, actor=member("agent1").user,
                                                          team=units["reception"], reason="转", version=v),
        "reclassify": lambda t, v: services.ticket_reclassify(ticket_id=t, actor=member("agent1").user,
                                                              kind=Kind.COMPLAINT, reason="改", version=v),
        "pause": lambda t, v: services.ticket_pause(ticket_id=t, actor=member("agent1").user, reason="等",
                                                    version=v),
        "resume": lambda t, v: services.ticket_resume(ticket_id=t, actor=member("agent1").user, version=v),
        "dispatch": lambda t, v: services.ticket_dispatch(ticket_id=t, actor=member("agent1").user,
                                                          field_team=units["tech-region-1"], instructions="去",
                                                          version=v),
        "resolve": lambda t, v: services.ticket_resolve(ticket_id=t, actor=member("agent1").user, resolution="好",
                                                        version=v),
        "close": lambda t, v: services.ticket_close(ticket_id=t, actor=member("agent1").user, version=v),
        "reopen": lambda t, v: services.ticket_reopen(ticket_id=t, actor=member("agent1").user, reason="再",
                                                      version=v),
        "cancel": lambda t, v: services.ticket_cancel(ticket_id=t, actor=member("agent1").user, reason="spam",
                                                      version=v),
    }


@pytest.mark.parametrize("version", [None, 1, 99])
def test_every_action_on_a_ticket_out_of_sight_is_not_found_like_no_ticket(make_ticket, member, units, version):
    hidden = make_ticket(team="tech-region-2", by="agent4")
    before = snapshot(hidden.pk)
    with translation.override("en"):
        for name, call in calls(member, units).items():
            with pytest.raises(TicketNotFound) as hidden_answer:
                call(hidden.pk, version)
            with pytest.raises(TicketNotFound) as missing_answer:
                call(MISSING, version)
            assert (hidden_answer.value.code, hidden_answer.value.message) == (
                missing_answer.value.code, missing_answer.value.message) == ("not_found", "No such ticket."), name
    assert snapshot(hidden.pk) == before
