"""Deadline states tell the truth: met on time, met late (when, by how much), breached, paused, at risk,
on track, on the SLA badge, the ticket page's deadlines panel, the API's clocks and the dashboard's export;
and compliance counts a clock for the team that held the ticket when it breached or was met.

A complaint received Monday 2026-11-02 09:00 (Asia/Shanghai) is due a first response by Tuesday 17:30
and a resolution by Monday 11-09 17:30 (tests/sla/test_clocks.py).
"""

import csv
import importlib
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.template.loader import render_to_string
from django.utils import translation

from sla.models import Clock, ClockState
from sla.sweep import sweep
from sla.templatetags.sla_states import clock_words, late_text
from tests.conftest import signed_in
from tickets import services
from tickets.models import Kind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def complaint(make_ticket, member, received="2026-11-02T09:00", holder="agent1", team="tech-region-1"):
    with time_machine.travel(at(received), tick=False):
        return make_ticket(kind=Kind.COMPLAINT, assignee=member(holder), team=team, received_at=at(received))


def act(moment: str, fn, **kwargs):
    with time_machine.travel(at(moment), tick=False):
        return fn(**kwargs)


def clocks(ticket) -> dict[str, Clock]:
    return {c.target: c for c in Clock.objects.filter(ticket=ticket, callback__isnull=True)}


@pytest.fixture
def late_then_met(make_ticket, member, user):
    """First response 2 h 5 min late (Tuesday 19:35), resolved on time (Wednesday 10:00): every deadline met."""
    ticket = complaint(make_ticket, member)
    act("2026-11-03T19:35", services.ticket_reply, ticket_id=ticket.pk, actor=user("agent1"), body="您好")
    act("2026-11-04T10:00", services.ticket_resolve, ticket_id=ticket.pk, actor=user("agent1"), resolution="已处理")
    return ticket


@pytest.fixture
def on_time(make_ticket, member, user):
    ticket = complaint(make_ticket, member)
    act("2026-11-02T10:00", services.ticket_reply, ticket_id=ticket.pk, actor=user("agent1"), body="您好")
    act("2026-11-04T11:30", services.ticket_resolve, ticket_id=ticket.pk, actor=user("agent1"), resolution="已处理")
    return ticket


def badge(ticket, language="en", **context) -> str:
    with translation.override(language):
        return render_to_string("tickets/partials/_sla_badge.html", {"ticket": ticket, **context}).strip()


# --- the clocks -----------------------------------------------------------------------------------


def test_a_late_reply_is_met_late_and_the_breach_and_team_are_kept(late_then_met, units):
    first, resolution = clocks(late_then_met)["first_response"], clocks(late_then_met)["resolution"]
    assert (first.state, first.met_at, first.breached_at, first.met_late, first.late_by) == (
        ClockState.MET, at("2026-11-03T19:35"), at("2026-11-03T17:30"), True, timedelta(hours=2, minutes=5))
    assert (resolution.state, resolution.breached_at, resolution.met_late, resolution.late_by) == (
        ClockState.MET, None, False, None)
    assert (first.team, resolution.team) == (units["tech-region-1"], units["tech-region-1"])
    assert Ticket.objects.get(pk=late_then_met.pk).sla_state == "met"  # the ticket's state is still "met"


def test_late_text_in_whole_minutes():
    with translation.override("en"):
        assert [late_text(timedelta(seconds=s)) for s in (20, 40 * 60, 2 * 3600 + 5 * 60, 27 * 3600 + 59)] == [
            "1 min", "40 min", "2 h 5 min", "1 d 3 h"]


# --- the badge ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "en", "zh"), [
    ("on_track", "On track", "正常"), ("at_risk", "At risk", "临近超时"), ("breached", "Breached", "已超时"),
    ("paused", "Paused", "已暂停"),
])
def test_the_badge_tells_a_running_state(state, en, zh):
    ticket = Ticket(pk=1, sla_state=state, sla_due_at=at("2026-11-03T17:30"))
    countdown = state != "paused"
    due = ' data-due="2026-11-03T17:30:00+08:00"' if countdown else ""
    assert badge(ticket) == (f'<span class="sla sla-{state}"{due} title="Due 11/03/2026 5:30 p.m.">{en}'
                             '<span class="countdown" aria-live="off"></span></span>')
    assert f">{zh}<span" in badge(ticket, "zh-hans")


def test_no_deadline_no_badge():
    assert badge(Ticket(pk=1, sla_state="")) == ""


def test_the_badge_of_a_ticket_met_on_time(on_time):
    ticket = Ticket.objects.get(pk=on_time.pk)
    assert badge(ticket) == ('<span class="sla sla-met" title="Met on time · 11-04 11:30">Met on time'
                             '<span class="countdown" aria-live="off"></span></span>')
    assert '>按时达标<span' in badge(ticket, "zh-hans")


def test_the_badge_of_a_ticket_met_late_says_when_and_its_title_by_how_much(late_then_met):
    ticket = Ticket.objects.get(pk=late_then_met.pk)
    assert badge(ticket) == (
        '<span class="sla sla-met sla-met_late" title="Met late · 11-03 19:35 (2 h 5 min late)">'
        'Met late · 11-03 19:35<span class="countdown" aria-live="off"></span></span>')


def test_the_queue_tells_met_tickets_apart_in_one_query_for_the_page(make_ticket, member, user, count_queries):
    tickets = []
    for i in range(4):  # two met late, two on time
        ticket = complaint(make_ticket, member)
        reply = "2026-11-03T19:35" if i % 2 == 0 else "2026-11-02T10:00"
        act(reply, services.ticket_reply, ticket_id=ticket.pk, actor=user("agent1"), body="您好")
        act("2026-11-04T10:00", services.ticket_resolve, ticket_id=ticket.pk, actor=user("agent1"),
            resolution="已处理")
        tickets.append(ticket)
    client = signed_in("agent1")
    client.cookies["django_language"] = "en"
    page = client.get("/tickets/?tab=all")
    html = page.content.decode()
    for i, ticket in enumerate(tickets):
        row = html[html.index(f'data-ticket="{ticket.pk}"'):]
        cell = row[:row.index("</td>", row.index('class="deadline"'))]
        assert ("Met late · 11-03 19:35" if i % 2 == 0 else ">Met on time<") in cell
    with_four = count_queries(lambda: client.get("/tickets/?tab=all"))
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[1:]]).update(sla_state="on_track")
    assert count_queries(lambda: client.get("/tickets/?tab=all")) == with_four  # one met ticket or four: one query


# --- the deadlines panel --------------------------------------------------------------------------


def test_the_ticket_page_tells_met_late_with_when_and_by_how_much(late_then_met):
    client = signed_in("agent1")
    client.cookies["django_language"] = "en"
    html = client.get(f"/tickets/{late_then_met.pk}/").content.decode()
    assert '<td class="clock-state">Met late · 11-03 19:35 (2 h 5 min late)</td>' in html
    assert '<td class="clock-state">Met on time · 11-04 10:00</td>' in html
    assert 'class="sla sla-met sla-met_late"' in html


@pytest.mark.parametrize(("state", "moment", "en", "zh"), [
    (ClockState.RUNNING, "2026-11-02T10:00", "On track", "正常"),
    (ClockState.RUNNING, "2026-11-09T12:00", "At risk", "临近超时"),
    (ClockState.RUNNING, "2026-11-09T17:31", "Breached", "已超时"),  # past due before the sweep came by
    (ClockState.BREACHED, "2026-11-10T09:00", "Breached", "已超时"),
    (ClockState.PAUSED, "2026-11-09T17:31", "Paused", "已暂停"),
])
def test_the_panel_tells_each_running_state(make_ticket, member, state, moment, en, zh):
    clock = clocks(complaint(make_ticket, member))["resolution"]
    clock.state = state
    with time_machine.travel(at(moment), tick=False):
        for language, text in (("en", en), ("zh-hans", zh)):
            with translation.override(language):
                assert clock_words(clock).text == text
                html = render_to_string("tickets/partials/_clocks.html", {"clocks": [clock]})
                assert f'<td class="clock-state">{text}</td>' in html


def test_the_panel_tells_met_on_time_and_late_clocks(late_then_met):
    with translation.override("en"):
        html = render_to_string("tickets/partials/_clocks.html",
                                {"clocks": list(Clock.objects.filter(ticket=late_then_met).order_by("due_at"))})
    assert '<tr class="clock-met clock-met_late"><th scope="row">First response</th>' in html
    assert '<td class="clock-state">Met late · 11-03 19:35 (2 h 5 min late)</td>' in html
    assert '<tr class="clock-met clock-met_on_time"><th scope="row">Resolution (reply)</th>' in html
    assert '<td class="clock-state">Met on time · 11-04 10:00</td>' in html


def test_in_chinese_a_met_deadline_reads_on_time_or_late_with_when_and_by_how_much(late_then_met):
    with translation.override("zh-hans"):
        if translation.gettext("Met late") == "Met late":
            pytest.skip("the zh_Hans catalogue has not yet merged /work/tr/states.json (locale/ is merged at the end)")
        html = render_to_string("tickets/partials/_clocks.html",
                                {"clocks": list(Clock.objects.filter(ticket=late_then_met).order_by("due_at"))})
        assert badge(Ticket.objects.get(pk=late_then_met.pk), "zh-hans").startswith(
            '<span class="sla sla-met sla-met_late" title="逾期达标 · 11-03 19:35（超时 2 小时 5 分）">'
            '逾期达标 · 11-03 19:35<')
    assert '<td class="clock-state">逾期达标 · 11-03 19:35（超时 2 小时 5 分）</td>' in html
    assert '<td class="clock-state">按时达标 · 11-04 10:00</td>' in html


# --- the API --------------------------------------------------------------------------------------


def test_the_api_clocks_keep_their_state_and_say_met_late(late_then_met, api):
    body = api("agent1").get(f"/api/v1/tickets/{late_then_met.pk}/").json()
    assert body["sla_state"] == "met"
    assert {c["target"]: (c["state"], c["met_late"], c["met_at"], c["breached_at"]) for c in body["sla"]} == {
        "first_response": ("met", True, "2026-11-03T19:35:00+08:00", "2026-11-03T17:30:00+08:00"),
        "resolution": ("met", False, "2026-11-04T10:00:00+08:00", None),
    }


def test_a_running_or_breached_clock_is_not_met_late(make_ticket, member, api):
    ticket = complaint(make_ticket, member)
    sweep(now=at("2026-11-03T18:00"))
    body = api("agent1").get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert {c["target"]: (c["state"], c["met_late"]) for c in body["sla"]} == {
        "first_response": ("breached", False), "resolution": ("running", False)}


def test_the_schema_shows_met_late(api):
    schema = json.loads(api("agent1").get("/api/schema/?format=json").content)
    clock = schema["components"]["schemas"]["Clock"]
    assert clock["properties"]["met_late"]["type"] == "boolean"
    assert "met_late" in clock["required"]


# --- compliance follows the team that held the ticket ---------------------------------------------


@pytest.fixture
def breached_then_transferred(make_ticket, member, user, units):
    """Breached in tech-region-1 (agent1), transferred to reception, where agent2 replies late and resolves."""
    ticket = complaint(make_ticket, member)
    sweep(now=at("2026-11-03T18:00"))  # the first response breaches in tech-region-1
    act("2026-11-04T09:00", services.ticket_transfer, ticket_id=ticket.pk, actor=user("agent1"),
        team=units["reception"], reason="属营业厅业务")
    act("2026-11-04T09:30", services.ticket_claim, ticket_id=ticket.pk, actor=user("agent2"))
    act("2026-11-04T10:00", services.ticket_reply, ticket_id=ticket.pk, actor=user("agent2"), body="您好")
    act("2026-11-05T10:00", services.ticket_resolve, ticket_id=ticket.pk, actor=user("agent2"), resolution="已处理")
    return ticket


def test_a_clock_breached_in_one_team_counts_for_it_after_a_transfer(breached_then_transferred, units):
    first, resolution = (clocks(breached_then_transferred)[t] for t in ("first_response", "resolution"))
    assert (first.team, first.met_late, resolution.team, resolution.met_late) == (
        units["tech-region-1"], True, units["reception"], False)
    assert Ticket.objects.get(pk=breached_then_transferred.pk).team == units["reception"]
    with time_machine.travel(at("2026-11-06T10:00"), tick=False):
        board = signed_in("director").get("/dashboard/?from=2026-11-01&to=2026-11-30").context["board"]
    rows = {r["group_key"]: (r["clocks"], r["met_on_time"], r["met_late"], r["breached"], r["compliance"])
            for r in board.compliance["team"]}
    assert rows == {units["tech-region-1"].pk: (1, 0, 1, 1, 0.0), units["reception"].pk: (1, 1, 0, 0, 1.0)}


def test_a_running_clock_counts_for_the_current_team_and_a_reopened_one_for_the_team_that_meets_it(
        make_ticket, member, user, units):
    ticket = complaint(make_ticket, member)
    act("2026-11-02T10:00", services.ticket_reply, ticket_id=ticket.pk, actor=user("agent1"), body="您好")
    act("2026-11-02T11:00", services.ticket_resolve, ticket_id=ticket.pk, actor=user("agent1"), resolution="已处理")
    assert clocks(ticket)["resolution"].team == units["tech-region-1"]
    act("2026-11-02T12:00", services.ticket_reopen, ticket_id=ticket.pk, actor=user("agent1"), reason="客户不满意")
    assert clocks(ticket)["resolution"].team is None  # running again, on time: whoever meets it counts it
    act("2026-11-02T13:00", services.ticket_transfer, ticket_id=ticket.pk, actor=user("agent1"),
        team=units["reception"], reason="属营业厅业务")
    assert clocks(ticket)["first_response"].team == units["tech-region-1"]  # met there, stays there


def test_the_backfill_gives_stopped_clocks_their_tickets_team(late_then_met, make_ticket, member, units):
    running = complaint(make_ticket, member)
    Clock.objects.update(team=None)
    importlib.import_module("sla.migrations.0009_clock_team").backfill(apps, None)
    assert {c.target: c.team for c in Clock.objects.filter(ticket=late_then_met, callback__isnull=True)} == {
        "first_response": units["tech-region-1"], "resolution": units["tech-region-1"]}
    assert {c.team for c in Clock.objects.filter(ticket=running)} == {None}


# --- the export -----------------------------------------------------------------------------------


def test_the_export_has_a_column_for_each_state(breached_then_transferred, make_ticket, member, units):
    complaint(make_ticket, member, received="2026-11-05T09:00")  # on track: due Friday and next Thursday
    paused = complaint(make_ticket, member, received="2026-11-05T09:00")
    Clock.objects.filter(ticket=paused, target="resolution").update(state=ClockState.PAUSED,
                                                                      paused_at=at("2026-11-05T10:00"))
    with time_machine.travel(at("2026-11-05T11:00"), tick=False):  # signed in then, so the session is fresh
        client = signed_in("director")
        client.cookies["django_language"] = "en"
        text = client.get("/dashboard/export.csv?from=2026-11-01&to=2026-11-30").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][2:11] == ["Clocks", "Completed", "Met on time", "Breached", "Met late", "Breached, not yet met",
                             "Paused", "At risk", "On track"]
    teams = {r[1]: r[2:11] for r in rows[1:] if r[0] == "Team"}
    assert teams == {
        units["tech-region-1"].display_name: ["5", "1", "0", "1", "1", "0", "1", "0", "3"],
        units["reception"].display_name: ["1", "1", "1", "0", "0", "0", "0", "0", "0"],
    }
