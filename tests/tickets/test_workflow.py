"""Every action from every status: the legal ones lead where the table says, the others are refused
with 409 and change nothing. The table is written out by hand, not read from ``workflow.py``."""

import pytest

from tests.tickets.conftest import snapshot
from tickets import services, workflow
from tickets.errors import TicketConflict
from tickets.models import Kind, Status, Ticket

NEW, ASSIGNED, IN_PROGRESS, PENDING = Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER
RESOLVED, CLOSED, CANCELLED = Status.RESOLVED, Status.CLOSED, Status.CANCELLED
ALL = [NEW, ASSIGNED, IN_PROGRESS, PENDING, RESOLVED, CLOSED, CANCELLED]

# action → {status before: status after}; a status not listed must be refused.
LEGAL = {
    "claim": {NEW: ASSIGNED},
    "assign": {NEW: ASSIGNED, ASSIGNED: ASSIGNED, IN_PROGRESS: IN_PROGRESS, PENDING: PENDING},
    "start": {ASSIGNED: IN_PROGRESS},
    "reply": {ASSIGNED: IN_PROGRESS, IN_PROGRESS: IN_PROGRESS, PENDING: PENDING},
    "note": {s: s for s in ALL},
    "pause": {ASSIGNED: PENDING, IN_PROGRESS: PENDING},
    "resume": {PENDING: IN_PROGRESS},
    "dispatch": {ASSIGNED: IN_PROGRESS, IN_PROGRESS: IN_PROGRESS},
    "resolve": {ASSIGNED: RESOLVED, IN_PROGRESS: RESOLVED, PENDING: RESOLVED},
    "close": {RESOLVED: CLOSED},
    "reopen": {RESOLVED: IN_PROGRESS, CLOSED: IN_PROGRESS},
    "cancel": {NEW: CANCELLED, ASSIGNED: CANCELLED, IN_PROGRESS: CANCELLED, PENDING: CANCELLED},
    "transfer": {NEW: NEW, ASSIGNED: NEW, IN_PROGRESS: NEW},
    "reclassify": {NEW: NEW, ASSIGNED: ASSIGNED, IN_PROGRESS: IN_PROGRESS, PENDING: PENDING, RESOLVED: RESOLVED},
}


def run(action, ticket, *, lead, member, units):
    """Do ``action`` as the region-1 team lead, who is above the ticket's holder."""
    calls = {
        "claim": lambda: services.ticket_claim(ticket_id=ticket.pk, actor=lead),
        # Assign to agent3 (agent1 holds the non-new tickets), so it is always a real change.
        "assign": lambda: services.ticket_assign(ticket_id=ticket.pk, actor=lead, assignee=member("agent3")),
        "start": lambda: services.ticket_start(ticket_id=ticket.pk, actor=lead),
        "reply": lambda: services.ticket_reply(ticket_id=ticket.pk, actor=lead, body="您好，已为您查询。"),
        "note": lambda: services.ticket_note(ticket_id=ticket.pk, actor=lead, body="内部备注"),
        "pause": lambda: services.ticket_pause(ticket_id=ticket.pk, actor=lead, reason="等待客户提供户号"),
        "resume": lambda: services.ticket_resume(ticket_id=ticket.pk, actor=lead),
        "dispatch": lambda: services.ticket_dispatch(
            ticket_id=ticket.pk, actor=lead, field_team=units["tech-region-1"], instructions="现场检查表箱"),
        "resolve": lambda: services.ticket_resolve(ticket_id=ticket.pk, actor=lead, resolution="已修复"),
        "close": lambda: services.ticket_close(ticket_id=ticket.pk, actor=lead),
        "reopen": lambda: services.ticket_reopen(ticket_id=ticket.pk, actor=lead, reason="客户反映仍未解决"),
        "cancel": lambda: services.ticket_cancel(ticket_id=ticket.pk, actor=lead, reason="spam"),
        "transfer": lambda: services.ticket_transfer(ticket_id=ticket.pk, actor=lead, team=units["reception"],
                                                     reason="属营业厅业务"),
        "reclassify": lambda: services.ticket_reclassify(ticket_id=ticket.pk, actor=lead, kind=Kind.COMPLAINT,
                                                         reason="客户要求按投诉处理"),
    }
    return calls[action]()


def ticket_in(status, make_ticket, member):
    ticket = make_ticket(kind=Kind.REPAIR)
    holder = None if status == NEW else member("agent1")
    Ticket.objects.filter(pk=ticket.pk).update(status=status, assignee=holder)
    return Ticket.objects.get(pk=ticket.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(LEGAL))
@pytest.mark.parametrize("status", ALL)
def test_every_action_from_every_status(action, status, make_ticket, member, user, units):
    ticket = ticket_in(status, make_ticket, member)
    before = snapshot(ticket.pk)
    expected = LEGAL[action].get(status)
    if expected is None:
        with pytest.raises(TicketConflict) as refused:
            run(action, ticket, lead=user("lead1"), member=member, units=units)
        assert refused.value.status_code == 409
        assert snapshot(ticket.pk) == before
    else:
        run(action, ticket, lead=user("lead1"), member=member, units=units)
        after = Ticket.objects.get(pk=ticket.pk)
        assert after.status == expected
        assert after.version == ticket.version + (0 if action == "note" else 1)  # a note never makes others stale
        assert after.events.count() > len(before["events"])


def test_the_table_and_the_machine_agree_on_the_actions():
    assert set(LEGAL) | {"edit"} == set(workflow.TRANSITIONS)


@pytest.mark.django_db
def test_dispatch_is_only_for_repairs(make_ticket, member, user, units):
    ticket = make_ticket(kind=Kind.INQUIRY, assignee=member("agent1"))
    before = snapshot(ticket.pk)
    with pytest.raises(TicketConflict) as refused:
        services.ticket_dispatch(ticket_id=ticket.pk, actor=user("agent1"), field_team=units["tech-region-1"],
                                 instructions="x")
    assert refused.value.code == "wrong_kind"
    assert snapshot(ticket.pk) == before


@pytest.mark.django_db
def test_reopen_of_an_unheld_ticket_goes_back_to_the_queue(make_ticket, user):
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=RESOLVED)
    services.ticket_reopen(ticket_id=ticket.pk, actor=user("lead1"), reason="客户来电")
    assert Ticket.objects.get(pk=ticket.pk).status == NEW


@pytest.mark.django_db
def test_allowed_actions_of_a_ticket_in_progress(make_ticket, member):
    ticket = ticket_in(IN_PROGRESS, make_ticket, member)
    assert workflow.allowed_actions(ticket) == [
        "assign", "reply", "note", "edit", "transfer", "reclassify", "pause", "dispatch", "resolve", "cancel",
    ]


@pytest.mark.parametrize("kind", list(Kind))
def test_allowed_actions_are_what_check_allows_for_every_status_kind_and_holding(kind):
    for status in ALL:
        for assignee_id in (None, 7):
            ticket = Ticket(kind=kind, status=status, assignee_id=assignee_id)
            allowed = []
            for action in workflow.TRANSITIONS:
                try:
                    workflow.check(ticket, action)
                except TicketConflict:
                    continue
                allowed.append(action)
            assert workflow.allowed_actions(ticket) == allowed, (status, assignee_id)
    repair_in_progress = Ticket(kind=Kind.REPAIR, status=IN_PROGRESS, assignee_id=7)
    assert "dispatch" in workflow.allowed_actions(repair_in_progress)
    assert "dispatch" not in workflow.allowed_actions(Ticket(kind=Kind.INQUIRY, status=IN_PROGRESS, assignee_id=7))
