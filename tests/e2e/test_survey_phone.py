"""In Chromium on a phone-sized window: a customer opens the survey link from the text message,
answers in Chinese, and the answer reaches the agent's supervisor when it is unhappy."""

import pytest
from playwright.sync_api import expect

from surveys import services as surveys
from surveys.backends import LocmemBackend
from surveys.models import FollowUp, Invitation, Response
from tests.conftest import SHAPE_A, load_shape
from tests.e2e.conftest import ARTIFACTS
from tests.surveys.conftest import token_of
from tickets import services
from tickets.models import Kind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def invitation(sla_presets, member, user):
    from surveys.presets import seed_survey_template

    load_shape(SHAPE_A)
    seed_survey_template()
    LocmemBackend.outbox.clear()
    ticket = services.ticket_create(actor=user("agent2"), kind=Kind.INQUIRY, channel="phone", subject="电费账单疑问",
                                    customer={"name": "周先生", "phone": "13912345678"}, assignee=member("agent2"))
    services.ticket_resolve(ticket_id=ticket.pk, actor=user("agent2"), resolution="已解释阶梯电价")
    invitation = Invitation.objects.get(ticket=ticket)
    surveys.invitations_send(now=invitation.send_after)
    token = token_of(LocmemBackend.outbox[-1])
    LocmemBackend.outbox.clear()
    return invitation, token


def test_a_customer_answers_the_survey_on_a_phone_in_chinese(live_server, browser, invitation, member):
    invitation, token = invitation
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/s/{token}/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.get_by_role("heading", level=1)).to_have_text("满意度回访")
        expect(page.get_by_text("总体而言，您对我们的处理满意吗？")).to_be_visible()
        # Every choice fits the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        choice = page.get_by_label("不满意", exact=True).first
        box = page.locator("label.choice").first.bounding_box()
        assert box["height"] >= 44  # a comfortable tap target
        choice.tap()
        page.get_by_label("否").tap()
        page.get_by_label("还有什么想告诉我们的吗？").fill("第二次打电话才说清楚")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "survey-phone-zh.png"), full_page=True)
        page.get_by_role("button", name="提交").tap()
        expect(page.locator("#thanks")).to_have_text("谢谢！")
        page.screenshot(path=str(ARTIFACTS / "survey-phone-zh-thanks.png"))
        response = Response.objects.get(invitation=invitation)
        assert (response.rating, response.solved, response.comment) == (2, False, "第二次打电话才说清楚")
        follow_up = FollowUp.objects.get()
        assert follow_up.supervisor == member("supervisor1")
        page.goto(f"{live_server.url}/s/{token}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("此调查已经作答")
    finally:
        context.close()
