"""In Chromium, an e-mailed complaint answered on the page: the customer's e-mail (through a real
Dovecot) opens a ticket; the agent claims it, inserts a canned reply with Alt+2, attaches a file and sends it; the reply
leaves by SMTP (a local aiosmtpd server that files it in the customer's Dovecot mailbox, as a mail
server would) and arrives in the customer's mailbox threaded under their own e-mail; the customer's
answer to it lands on the same ticket."""

import threading
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from imap_tools import MailBoxUnencrypted
from playwright.sync_api import expect

from messaging import services as messaging
from messaging.mailboxes import mailboxes_poll
from messaging.models import Delivery
from tests.conftest import SHAPE_A, load_shape, require_service
from tests.e2e.test_agent_workspace import sign_in
from tests.messaging.mailserver import Dovecot, free_port, running_dovecot
from tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
USERS = {"support": "support-pass", "wang": "wang-pass"}


class FileInMailbox:
    """aiosmtpd's handler: each message received is filed in the Dovecot mailbox of its recipient."""

    def __init__(self, server: Dovecot) -> None:
        self.server, self.lock = server, threading.Lock()

    async def handle_DATA(self, smtp, session, envelope):
        for recipient in envelope.rcpt_tos:
            user = recipient.split("@")[0]
            with self.lock, MailBoxUnencrypted("127.0.0.1", self.server.port).login(user, USERS[user]) as box:
                box.append(envelope.original_content, "INBOX")
        return "250 OK"


@pytest.fixture
def mail_servers():
    require_service(Dovecot.available(), "dovecot (apt-get install dovecot-imapd) and root")
    with running_dovecot(USERS) as imap:
        smtp = Controller(FileInMailbox(imap), hostname="127.0.0.1", port=free_port())
        smtp.start()
        mailboxes = [{"name": "support", "host": "127.0.0.1", "port": imap.port, "security": "none",
                      "user": "support", "password_env": "TEST_SUPPORT_PASSWORD", "kind": "complaint",
                      "team": "tech-region-1"}]
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                                   EMAIL_PORT=smtp.port, EMAIL_USE_TLS=False, EMAIL_HOST_USER="",
                                   EMAIL_HOST_PASSWORD="", MESSAGING_EMAIL_BACKEND="messaging.backends.EmailBackend",
                                   MESSAGING_MAILBOXES=mailboxes, MESSAGING_MAIL_DOMAIN="sc.example.com"):
                yield imap
        finally:
            smtp.stop()


def customer_mailbox(imap: Dovecot) -> list:
    with MailBoxUnencrypted("127.0.0.1", imap.port).login("wang", USERS["wang"]) as box:
        return list(box.fetch(mark_seen=False))


def test_an_emailed_complaint_answered_with_a_canned_reply_arrives_in_the_same_thread(
        live_server, page, sla_presets, canned_presets, mail_servers, monkeypatch):
    monkeypatch.setenv("TEST_SUPPORT_PASSWORD", USERS["support"])
    load_shape(SHAPE_A)
    first = EmailMessage()
    first["From"], first["To"], first["Subject"] = "王芳 <wang@example.com>", "support@sc.example.com", "抄表员态度差"
    first["Message-ID"] = first_id = make_msgid(domain="example.com")
    first.set_content("上门抄表的工作人员态度很差，请处理。")
    with MailBoxUnencrypted("127.0.0.1", mail_servers.port).login("support", USERS["support"]) as box:
        box.append(first.as_bytes(), "INBOX")
    assert mailboxes_poll().by_state == {"created": 1}
    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.channel) == ("complaint", "email")

    sign_in(page, live_server.url, "agent1", "zh-hans")
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    with page.expect_navigation():
        page.keyboard.press("c")  # claim
    page.keyboard.press("r")  # the reply box
    page.keyboard.press("Alt+2")  # the second canned reply: 已受理
    text = page.locator("#reply-body").input_value()
    assert text.startswith(f"王芳您好，您反映的问题已受理，工单号 {ticket.reference}，我们将于")
    assert "{" not in text
    page.set_input_files("#reply-files", files=[{"name": "抄表规范.pdf", "mimeType": "application/pdf",
                                                  "buffer": b"%PDF-1.4 meter reading rules"}])
    with page.expect_navigation():
        page.click("#reply-form button[type=submit]")
    expect(page.locator("[data-delivery]").last).to_have_attribute("data-delivery", "queued")

    assert messaging.deliveries_send().sent == 2  # the acknowledgement and the reply
    page.reload()
    expect(page.locator("[data-delivery]").last).to_have_attribute("data-delivery", "sent")
    expect(page.locator("[data-delivery]").last).to_contain_text("wang@example.com")

    acknowledgement, reply = customer_mailbox(mail_servers)
    delivery = Delivery.objects.get(ticket=ticket, purpose="reply")
    assert reply.headers["message-id"] == (delivery.gateway_id,)
    assert f"[{ticket.reference}]" in reply.subject
    assert reply.text.startswith(text)
    assert first_id in reply.headers["references"][0]
    assert acknowledgement.headers["in-reply-to"] == (first_id,)
    assert [(a.filename, a.payload) for a in reply.attachments] == [("抄表规范.pdf", b"%PDF-1.4 meter reading rules")]
    expect(page.locator(".timeline .files a")).to_have_text("抄表规范.pdf")

    answer = EmailMessage()
    answer["From"], answer["To"] = "王芳 <wang@example.com>", "support@sc.example.com"
    answer["Subject"], answer["Message-ID"] = f"Re: {reply.subject}", make_msgid(domain="example.com")
    answer["In-Reply-To"], answer["References"] = delivery.gateway_id, f"{first_id} {delivery.gateway_id}"
    answer.set_content("好的，谢谢。")
    with MailBoxUnencrypted("127.0.0.1", mail_servers.port).login("support", USERS["support"]) as box:
        box.append(answer.as_bytes(), "INBOX")
    assert mailboxes_poll().by_state == {"added": 1}
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="customer").get().body == "好的，谢谢。"
    page.reload()
    expect(page.locator(".timeline li.event-customer")).to_contain_text("好的，谢谢。")
