"""Leads keep the canned replies on a page: add, change, switch off; a bad placeholder is named and
what was typed stays; agents may not."""

import pytest

from messaging.models import CannedReply
from tests.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
FORM = {"title": "停电致歉", "body": "{customer_name}您好，停电给您带来不便，深表歉意。", "kind": "repair",
        "business_line": "", "language": "zh-hans", "is_active": "on", "sort_order": "5"}


def test_a_lead_adds_and_changes_a_canned_reply():
    lead = signed_in("lead1")
    assert lead.get("/canned-replies/").status_code == 200
    answer = lead.post("/canned-replies/", FORM)
    assert (answer.status_code, answer["Location"]) == (302, "/canned-replies/")
    reply = CannedReply.objects.get(title="停电致歉")
    assert (reply.kind, reply.language, reply.is_active, reply.sort_order) == ("repair", "zh-hans", True, 5)
    lead.post(f"/canned-replies/{reply.pk}/", {**FORM, "is_active": ""})
    reply.refresh_from_db()
    assert reply.is_active is False
    page = lead.get("/canned-replies/").content.decode()
    assert f'data-canned-reply="{reply.pk}" class="muted"' in page


def test_a_bad_placeholder_is_named_and_nothing_is_saved():
    before = CannedReply.objects.count()
    page = signed_in("lead1").post("/canned-replies/", {**FORM, "body": "{custmer_name}您好"})
    assert page.status_code == 400
    assert "custmer_name" in page.context["form"].errors["body"][0]
    assert "{custmer_name}您好</textarea>" in page.content.decode()
    assert CannedReply.objects.count() == before


def test_agents_may_not_keep_them():
    before = list(CannedReply.objects.values_list("title", "body"))
    agent = signed_in("agent1")
    assert agent.get("/canned-replies/").status_code == 403
    assert agent.post("/canned-replies/", FORM).status_code == 403
    assert list(CannedReply.objects.values_list("title", "body")) == before
