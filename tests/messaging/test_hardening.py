"""What an outsider's input or one bad message must not do: stop the other messages, raise instead of
being kept with the reason, mark someone else's address, or name a reporter."""

from email.message import EmailMessage

import pytest
from django.core import mail
from django.test import override_settings

from messaging import services as messaging
from messaging.backends import LocmemBackend
from messaging.mailboxes import mailboxes_poll
from messaging.models import Delivery, InboundMessage
from messaging.selectors import canned_replies_for
from tests.conftest import signed_in
from tickets import selectors, services
from tickets.models import Customer, Kind, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


def drop(folder, raw: bytes, name: str) -> None:
    for sub in ("new", "cur", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "new" / name).write_bytes(raw)


@override_settings(MESSAGING_EMAIL_BACKEND="messaging.backends.EmailBackend")
def test_a_subject_with_a_line_break_goes_out_on_one_line(make_ticket, member, user):
    ticket = make_ticket(assignee=member("agent1"), phone="010-66668888")
    Ticket.objects.filter(pk=ticket.pk).update(subject="电费\r\n 异常")
    Customer.objects.filter(pk=ticket.customer_id).update(email="lin@example.com", language="en")
    services.ticket_reply(ticket_id=ticket.pk, actor=user("agent1"), body="已查")
    assert messaging.deliveries_send().sent == 1
    assert mail.outbox[0].subject == f"Re: [{ticket.reference}] 电费 异常"


class Breaking:
    def send(self, message):
        if "坏" in message.text:
            raise ValueError("cannot encode")
        return LocmemBackend().send(message)


@override_settings(MESSAGING_SMS_BACKEND="tests.messaging.test_hardening.Breaking")
def test_one_message_that_breaks_the_backend_does_not_hold_up_the_rest(make_ticket, member, user):
    LocmemBackend.outbox.clear()
    bad, good = make_ticket(assignee=member("agent1")), make_ticket(assignee=member("agent1"))
    services.ticket_reply(ticket_id=bad.pk, actor=user("agent1"), body="坏")
    services.ticket_reply(ticket_id=good.pk, actor=user("agent1"), body="好")
    result = messaging.deliveries_send()
    assert (result.sent, result.retried) == (1, 1)
    failed = Delivery.objects.get(ticket=bad)
    assert (failed.state, failed.attempts, failed.last_error) == ("queued", 1, "cannot encode")
    assert [m.text.split("（")[0] for m in LocmemBackend.outbox] == ["好"]


def test_what_cannot_be_taken_is_quarantined_not_raised(tmp_path, english):
    folder = tmp_path / "in"
    long_subject = "长" * 400
    drop(folder, f"From: a@example.com\r\nSubject: {long_subject}\r\nMessage-ID: <l@x>\r\n\r\nhi\r\n".encode(),
         "1")
    html = "<a" * 2000  # Django's strip_tags gives up on it (SuspiciousOperation)
    drop(folder, ("From: b@example.com\r\nSubject: html\r\nMessage-ID: <h@x>\r\nContent-Type: text/html\r\n\r\n"
                  + html).encode(), "2")
    drop(folder, ("From: " + "c" * 300 + "@example.com\r\nSubject: s\r\nMessage-ID: <s@x>\r\n\r\nhi\r\n").encode(),
         "3")
    with override_settings(MESSAGING_MAILBOXES=[{"name": "t", "maildir": str(folder)}]):
        result = mailboxes_poll()
    assert (result.taken, result.failed) == (3, 0)
    assert Ticket.objects.get().subject == "长" * 200
    states = dict(InboundMessage.objects.values_list("message_id", "state"))
    assert states == {"<l@x>": "created", "<h@x>": "quarantined", "": "quarantined"}
    assert InboundMessage.objects.get(state="quarantined", message_id="").reason == "The sender's address is too long."


def test_a_bounce_that_returns_none_of_our_e_mails_marks_nobody(tmp_path, make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"))
    Customer.objects.filter(pk=ticket.customer_id).update(email="victim@example.com")
    folder = tmp_path / "in"
    drop(folder, b"From: postmaster@evil.example\r\nSubject: Undelivered\r\nMessage-ID: <b@evil>\r\n"
                 b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n--B\r\n"
                 b"Content-Type: message/delivery-status\r\n\r\n"
                 b"Final-Recipient: rfc822; victim@example.com\r\n--B--\r\n", "1")
    with override_settings(MESSAGING_MAILBOXES=[{"name": "t", "maildir": str(folder)}]):
        assert mailboxes_poll().by_state == {"bounce": 1}
    assert Customer.objects.get(pk=ticket.customer_id).email_bounced_at is None


def test_a_reports_reporter_is_never_named_by_a_canned_reply_even_for_the_holder(make_ticket, member,
                                                                                  canned_presets):
    from staff.access import scope_for

    report = make_ticket(kind=Kind.REPORT, assignee=member("agent3"), name="秦某某")
    seen = selectors.ticket_detail_for(scope=scope_for(member("agent3").user)).get(pk=report.pk)
    assert seen.reporter_visible
    texts = dict(canned_replies_for(ticket=seen, staff=member("agent3")))
    assert texts["请补充"].startswith("客户您好")
    assert all("秦某某" not in text for text in texts.values())


@override_settings(MESSAGING_SMS_BACKEND="tests.messaging.test_hardening.Breaking")
def test_a_refusals_words_are_hidden_with_the_address(make_ticket, member, user):
    report = make_ticket(kind=Kind.REPORT, assignee=member("agent3"), phone="13500000000")
    services.ticket_reply(ticket_id=report.pk, actor=user("agent3"), body="坏 13500000000")
    messaging.deliveries_send()
    hidden = signed_in("agent1").get(f"/tickets/{report.pk}/").content.decode()
    assert 'data-delivery="queued"' in hidden
    assert "cannot encode" not in hidden
    assert "cannot encode" in signed_in("agent3").get(f"/tickets/{report.pk}/").content.decode()


@pytest.mark.parametrize("body", ["{customer_name[x]}", "{due_date:>999999999}", "{0}", "{x.y}", "未闭合 {"])
def test_a_canned_reply_with_anything_but_the_four_placeholders_is_refused(body):
    page = signed_in("lead1").post("/canned-replies/", {"title": "t", "body": body, "language": "zh-hans",
                                                        "sort_order": "0"})
    assert page.status_code == 400
    assert page.context["form"].errors["body"]


def test_an_e_mails_many_files_are_kept_up_to_twenty(tmp_path):
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "d@example.com", "多附件", "<many@x>"
    message.set_content("见附件")
    for n in range(25):
        message.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename=f"{n}.pdf")
    folder = tmp_path / "in"
    drop(folder, message.as_bytes(), "1")
    with override_settings(MESSAGING_MAILBOXES=[{"name": "t", "maildir": str(folder)}]):
        mailboxes_poll()
    from messaging.models import Attachment

    assert (Attachment.objects.filter(refused="").count(), Attachment.objects.exclude(refused="").count()) == (20, 5)
