"""The agents' workspace pages through Django's test client (the browser tests drive Chromium)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, signed_in
from tests.tickets.conftest import snapshot
from tickets.models import Callback, Customer, Kind, Status, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")



def test_the_queue_shows_my_tickets_most_urgent_deadline_first(make_ticket, member):
    later = make_ticket(kind=Kind.INQUIRY, assignee=member("agent1"))
    sooner = make_ticket(kind=Kind.REPAIR, assignee=member("agent1"))
    make_ticket(team="tech-region-2", by="agent4")
    page = signed_in("agent1").get("/tickets/?tab=mine")
    assert page.status_code == 200
    rows = [t.pk for t in page.context["page"]]
    assert rows == [sooner.pk, later.pk]
    html = page.content.decode()
    assert f'data-ticket="{sooner.pk}"' in html
    assert 'data-due="' in html
    assert "sla-on_track" in html
    team = signed_in("agent4").get("/tickets/?tab=team").context["page"]
    assert [t.subject for t in team] == [Ticket.objects.get(team__code="tech-region-2").subject]


def test_htmx_refresh_returns_only_the_queue(make_ticket, member):
    make_ticket(assignee=member("agent1"))
    response = signed_in("agent1").get("/tickets/?tab=mine", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue"')
    assert "<html" not in html


@time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=TZ), tick=False)  # the whole test: its session too
def test_logging_a_phone_complaint_shows_it_with_its_deadline(member):
    client = signed_in("agent2")
    response = client.post("/tickets/new/", {
        "phone": "13911112222", "name": "钱先生", "customer_class": "residential", "kind": "complaint",
        "channel": "phone", "priority": "3", "subject": "抄表员态度差", "description": "", "take_it": "on",
    })
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.assignee, ticket.status, ticket.customer.phone) == (member("agent2"), Status.ASSIGNED, "13911112222")
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert ticket.reference in page
    assert 'datetime="2026-11-09T17:30:00+08:00"' in page  # the resolution deadline: 5 working days


def test_a_bad_new_ticket_says_why_and_writes_nothing():
    response = signed_in("agent2").post("/tickets/new/", {"name": "无联系方式", "kind": "complaint", "channel": "phone",
                                                           "priority": "3", "subject": "x",
                                                           "customer_class": "residential"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert Ticket.objects.count() == 0
    assert Customer.objects.count() == 0


def test_customer_lookup_and_routing_preview(make_ticket):
    make_ticket(phone="13912340000", name="周先生")
    client = signed_in("agent1")
    lookup = client.get("/tickets/lookup/customers/?phone=1391234").content.decode()
    assert "周先生" in lookup
    assert "TS-" in lookup
    preview = client.get("/tickets/lookup/route/?kind=complaint&channel=phone&customer_class=residential&priority=3")
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "投诉" in html  # the matching policy's name


def test_reply_pause_resume_resolve_from_the_ticket_page(make_ticket, member):
    ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"))
    client = signed_in("agent1")
    for action, data, status in (
        ("reply", {"body": "您好，已受理"}, Status.IN_PROGRESS),
        ("pause", {"reason": "等待照片"}, Status.PENDING_CUSTOMER),
        ("resume", {}, Status.IN_PROGRESS),
        ("resolve", {"resolution": "已道歉"}, Status.RESOLVED),
    ):
        version = Ticket.objects.get(pk=ticket.pk).version
        response = client.post(f"/tickets/{ticket.pk}/do/{action}/", {**data, "version": version})
        assert response.status_code == 302
        assert Ticket.objects.get(pk=ticket.pk).status == status
    assert Callback.objects.filter(ticket=ticket, state="due").count() == 1


def test_a_refused_action_is_a_message_and_changes_nothing(make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"))
    before = snapshot(ticket.pk)
    client = signed_in("agent1")
    client.post(f"/tickets/{ticket.pk}/do/close/", {"version": ticket.version})
    stale = client.post(f"/tickets/{ticket.pk}/do/reply/", {"body": "您好，正在处理", "version": 99})
    assert snapshot(ticket.pk) == before
    assert stale.status_code == 409
    assert "99" in stale.context["refused"]
    page = stale.content.decode()
    assert ('<textarea id="reply-body" name="body" rows="3" required data-shortcut="r" data-presence '
            'data-drop="reply-files" data-canned-target>您好，正在处理</textarea>') in page


def test_tickets_outside_the_scope_are_not_found(make_ticket, member):
    other = make_ticket(team="reception", by="agent2", assignee=member("agent2"))
    client = signed_in("agent1")
    assert client.get(f"/tickets/{other.pk}/").status_code == 404
    before = snapshot(other.pk)
    assert client.post(f"/tickets/{other.pk}/do/note/", {"body": "x"}).status_code == 404
    assert snapshot(other.pk) == before


def test_a_reports_reporter_is_hidden_on_the_page(make_ticket, member):
    report = make_ticket(kind=Kind.REPORT, assignee=member("agent3"), phone="13500000000", name="秦某某")
    hidden = signed_in("agent1").get(f"/tickets/{report.pk}/").content.decode()
    assert "秦某某" not in hidden
    assert "13500000000" not in hidden
    shown = signed_in("agent3").get(f"/tickets/{report.pk}/").content.decode()
    assert "秦某某" in shown
    assert "13500000000" in shown


def test_callbacks_due_and_recording_an_attempt(make_ticket, member, user):
    from tickets import services

    ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"))
    services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent1"), resolution="已处理")
    callback = Callback.objects.get(ticket=ticket)
    client = signed_in("agent1")
    with time_machine.travel(callback.due_at, tick=False):
        page = client.get("/callbacks/")
    assert [c.pk for c in page.context["today"] + page.context["overdue"]] == [callback.pk]
    client.post(f"/callbacks/{callback.pk}/attempt/", {"outcome": "satisfied", "unsatisfied_action": "reopen"})
    callback.refresh_from_db()
    assert (callback.state, Ticket.objects.get(pk=ticket.pk).status) == ("done", Status.CLOSED)


def test_the_workspace_is_for_staff():
    from django.contrib.auth import get_user_model

    assert Client().get("/tickets/").status_code == 302
    get_user_model().objects.create_user("outsider", password=PASSWORD)
    assert signed_in("outsider").get("/tickets/").status_code == 403


def bulk_tickets(n: int, holder) -> None:
    customer, _ = Customer.objects.get_or_create(name="批量", phone="13900000000")
    now, first = timezone.now(), Ticket.objects.count()
    Ticket.objects.bulk_create([
        Ticket(reference=f"TS-Q-{i:06d}", kind=Kind.INQUIRY, channel="phone", subject=f"批量{i}", customer=customer,
               assignee=holder, team=holder.position.unit, received_at=now, status=Status.ASSIGNED,
               sla_state="on_track", sla_due_at=now)
        for i in range(first, first + n)
    ], batch_size=500)


@pytest.mark.parametrize(("tab", "queries"), [("mine", 6), ("team", 6), ("all", 6)])
def test_the_queue_query_count_is_the_same_at_10_and_1000_tickets(member, count_queries, tab, queries):
    client = signed_in("agent1")
    bulk_tickets(10, member("agent1"))
    client.get(f"/tickets/?tab={tab}")  # the scope is then kept for this org chart (staff.access)
    small = count_queries(lambda: client.get(f"/tickets/?tab={tab}"))
    bulk_tickets(990, member("agent1"))
    response = client.get(f"/tickets/?tab={tab}")
    assert (response.context["page"].count, response.context["page"].count_exact) == (1000, True)
    assert (small, count_queries(lambda: client.get(f"/tickets/?tab={tab}"))) == (queries, queries)


def test_the_queue_without_parameters_is_my_queue(make_ticket, member):
    mine = make_ticket(assignee=member("agent1"))
    page = signed_in("agent1").get("/tickets/")
    assert (page.context["tab"], [t.pk for t in page.context["page"]]) == ("mine", [mine.pk])


def test_the_holder_transfers_from_the_page_and_lands_on_the_queue_told_where_it_went(make_ticket, member, units):
    ticket = make_ticket(assignee=member("agent1"))
    client = signed_in("agent1")
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'id="transfer-team"' in page
    assert 'id="reclassify-kind"' not in page  # the holder does not reclassify
    refused = client.post(f"/tickets/{ticket.pk}/do/transfer/", {"team": units["reception"].pk, "reason": "",
                                                                 "version": ticket.version})
    assert (refused.status_code, refused.context["refused"]) == (400, "请说明转派原因。")
    assert Ticket.objects.get(pk=ticket.pk).team == units["tech-region-1"]
    response = client.post(f"/tickets/{ticket.pk}/do/transfer/", {"team": units["reception"].pk,
                                                                  "reason": "属营业厅业务", "version": ticket.version})
    assert (response.status_code, response["Location"]) == (302, "/tickets/")
    moved = Ticket.objects.get(pk=ticket.pk)
    assert (moved.team, moved.assignee, moved.status) == (units["reception"], None, Status.NEW)
    shown = [str(m) for m in client.get("/tickets/").context["messages"]]
    assert len(shown) == 1
    assert ticket.reference in shown[0]
    assert units["reception"].name in shown[0]


def test_a_lead_reclassifies_from_the_page(make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"))
    client = signed_in("lead1")
    assert 'id="reclassify-kind"' in client.get(f"/tickets/{ticket.pk}/").content.decode()
    response = client.post(f"/tickets/{ticket.pk}/do/reclassify/", {"kind": "report", "reason": "涉及举报",
                                                                    "version": ticket.version})
    assert (response.status_code, response["Location"]) == (302, f"/tickets/{ticket.pk}/")
    assert Ticket.objects.get(pk=ticket.pk).kind == Kind.REPORT
    # Now agent1's teammates see the ticket but not who reported.
    assert signed_in("agent3").get(f"/tickets/{ticket.pk}/").context["sees_customer"] is False
    assert signed_in("lead1").get(f"/tickets/{ticket.pk}/").context["sees_customer"] is True


def test_a_call_logged_into_another_teams_queue_says_where_it_went(units):
    """The page used to send the agent to the new ticket, which they cannot see: a 404 after the write."""
    from tickets.models import RoutingRule

    RoutingRule.objects.create(rank=1, name="投诉归二片区", kind=Kind.COMPLAINT, team=units["tech-region-2"])
    client = signed_in("agent1")
    response = client.post("/tickets/new/", {
        "phone": "13911113333", "name": "孙女士", "customer_class": "residential", "kind": "complaint",
        "channel": "phone", "priority": "3", "subject": "电压不稳", "description": ""})
    ticket = Ticket.objects.get()
    assert (response.status_code, response["Location"], ticket.team) == (302, "/tickets/", units["tech-region-2"])
    shown = [str(m) for m in client.get("/tickets/").context["messages"]]
    assert len(shown) == 1
    assert ticket.reference in shown[0]
    assert units["tech-region-2"].name in shown[0]
