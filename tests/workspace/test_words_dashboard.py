"""The SLA dashboard speaks the reader's language: kinds by their names (table, chart data, export), age
brackets as words, teams by their English names in English, and the reassign messages name the tickets."""

import csv
import io
import json
import re

import pytest
import time_machine

from tests.conftest import signed_in
from tests.tickets.conftest import snapshot
from tests.workspace.test_dashboard import NOW, reception  # noqa: F401 - the fixture
from tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


def chart_data(html: str) -> dict:
    return json.loads(re.search(r'<script id="compliance-data" type="application/json">(.*?)</script>', html,
                                re.S)[1])


def test_kinds_and_ages_are_named_on_the_page_and_in_the_chart(reception):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        page = signed_in("supervisor1").get("/dashboard/")
    html = page.content.decode()
    data = chart_data(html)
    assert sorted(r["group_name"] for r in data["kind"]) == ["咨询", "建议", "投诉"]
    assert sorted(r["group_key"] for r in data["kind"]) == ["complaint", "inquiry", "suggestion"]
    assert [r["group_name"] for r in data["team"]] == ["接待服务组"]
    assert page.context["board"].ageing == [("1 天内", 2), ("1–3 天", 1), ("3–7 天", 1), ("7–30 天", 1),
                                            ("30 天以上", 0)]
    assert "<td>投诉</td>" in html
    assert "<td>complaint</td>" not in html
    assert "0-1d" not in html


def test_in_english_teams_and_kinds_read_in_english(reception):  # noqa: F811
    with time_machine.travel(NOW, tick=False):  # signed in at the same instant, so the session is fresh then
        client = signed_in("supervisor1")
        client.cookies["django_language"] = "en"
        html = client.get("/dashboard/").content.decode()
        text = client.get("/dashboard/export.csv").content.decode("utf-8-sig")
    data = chart_data(html)
    assert [r["group_name"] for r in data["team"]] == ["Reception Service"]
    assert sorted(r["group_name"] for r in data["kind"]) == ["Complaint", "Inquiry", "Suggestion"]
    assert "<td>Under 1 day</td>" in html
    rows = list(csv.reader(io.StringIO(text)))
    assert sorted({(r[0], r[1]) for r in rows[1:] if r[0] in ("Team", "Kind")}) == [
        ("Kind", "Complaint"), ("Kind", "Inquiry"), ("Kind", "Suggestion"), ("Team", "Reception Service")]


def test_the_export_names_groupings_and_kinds(reception):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        text = signed_in("supervisor1").get("/dashboard/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert sorted({r[0] for r in rows[1:]}) == ["坐席", "班组", "类型"]
    assert sorted(r[1] for r in rows[1:] if r[0] == "类型") == ["咨询", "建议", "投诉"]


def test_reassign_messages_name_the_tickets(reception, member):  # noqa: F811
    client = signed_in("supervisor1")
    picked = [reception["breached"], reception["at_risk"]]
    done = client.post("/dashboard/reassign/", {"tickets": [t.pk for t in picked], "assignee": member("agent6").pk},
                       follow=True)
    names = ", ".join(t.reference for t in sorted(picked, key=lambda t: t.pk))
    assert [str(m) for m in done.context["messages"]] == [f"已将 2 个工单（{names}）改派给 {member('agent6').name}。"]
    before = snapshot(reception["paused"].pk)
    refused = client.post("/dashboard/reassign/",
                          {"tickets": [reception["paused"].pk], "assignee": member("agent1").pk}, follow=True)
    messages = [str(m) for m in refused.context["messages"]]
    assert len(messages) == 1
    assert messages[0].startswith(f"{Ticket.objects.get(pk=reception['paused'].pk).reference}：")
    assert snapshot(reception["paused"].pk) == before
