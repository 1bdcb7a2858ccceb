"""Canned replies: the presets are there from the start; a ticket is offered those of its kind, business
line and customer's language, filled in for it and for the agent, in the reply box on its page."""

import importlib

import pytest
from django.db import migrations

from messaging.models import CannedReply
from messaging.presets import PRESETS, seed_canned_replies
from messaging.selectors import canned_replies_for
from staff.models import Skill
from tests.conftest import signed_in
from tickets import selectors
from tickets.models import Customer, Kind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a", "canned_presets")]


def test_the_presets_come_with_the_migrations():
    migration = importlib.import_module("messaging.migrations.0002_canned_replies").Migration
    assert [op.code for op in migration.operations if isinstance(op, migrations.RunPython)] == [seed_canned_replies]
    assert sorted(CannedReply.objects.values_list("language", "title", "body")) == sorted(PRESETS)


def test_a_ticket_is_offered_its_own_filled_in(make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"), name="王芳")
    CannedReply.objects.create(title="报修专用", body="报修 {reference}", kind=Kind.REPAIR)
    CannedReply.objects.create(title="某业务线", body="x", business_line=Skill.objects.order_by("pk").first())
    CannedReply.objects.create(title="停用", body="x", is_active=False)
    CannedReply.objects.create(title="未知占位", body="{reference} {unknown}", sort_order=99)
    seen = selectors.ticket_detail_for(scope=_scope("agent1")).get(pk=ticket.pk)
    offered = canned_replies_for(ticket=seen, staff=member("agent1"))
    assert [title for title, _text in offered] == ["问候", "已受理", "请补充", "已办结", "未知占位"]
    texts = dict(offered)
    assert texts["问候"] == "您好，1101号为您服务，请问有什么可以帮您？"
    assert texts["请补充"] == "王芳您好，为尽快处理，请补充以下信息："
    assert texts["未知占位"] == f"{ticket.reference} {{unknown}}"
    Customer.objects.filter(pk=ticket.customer_id).update(language="en")
    seen = selectors.ticket_detail_for(scope=_scope("agent1")).get(pk=ticket.pk)
    assert [title for title, _text in canned_replies_for(ticket=seen, staff=member("agent1"))] == [
        "Greeting", "Received", "Need more", "Done"]


def test_a_hidden_reporter_is_not_named(make_ticket, member):
    report = make_ticket(kind=Kind.REPORT, assignee=member("agent3"), name="秦某某")
    seen = selectors.ticket_detail_for(scope=_scope("agent1")).get(pk=report.pk)
    assert not seen.reporter_visible
    assert dict(canned_replies_for(ticket=seen, staff=member("agent1")))["请补充"].startswith("客户您好")


def test_the_reply_box_offers_them_escaped(make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"))
    CannedReply.objects.create(title="<b>粗</b>", body='"引号" <script>', sort_order=0)
    page = signed_in("agent1").get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-canned="reply-body"' in page
    # After the first preset (the same order, made later).
    assert '<option value="&quot;引号&quot; &lt;script&gt;">Alt+2 · &lt;b&gt;粗&lt;/b&gt;</option>' in page
    # Someone who may not see the ticket gets no page at all, so no canned replies filled in for it.
    assert signed_in("agent4").get(f"/tickets/{ticket.pk}/").status_code == 404


def _scope(username):
    from django.contrib.auth import get_user_model

    from staff.access import scope_for

    return scope_for(get_user_model().objects.get(username=username))
