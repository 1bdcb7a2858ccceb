"""Files: taken from the customer's e-mail (a type not accepted, too large or refused by the virus scan
is recorded without its bytes, with the reason), attached by agents to replies and notes (all kept or
none, with the reply in one transaction), sent with an e-mail reply, and opened only by those who may
see the ticket, and on a report the customer's files only by those who may see the reporter."""

from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from messaging import services as messaging
from messaging.attachments import attachments_store
from messaging.mailboxes import mailboxes_poll
from messaging.models import Attachment, Delivery, InboundMessage
from tests.conftest import signed_in
from tickets.models import Customer, Kind, Ticket, TicketEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def eicar_scan(*, name: str, data: bytes) -> str:
    """A stand-in virus scanner: refuses the EICAR test string, as ClamAV does."""
    return "Eicar-Test-Signature" if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data else ""


def test_an_e_mails_files_are_kept_or_refused_with_the_reason(tmp_path, english):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "王芳 <wang@example.com>", "support@example.com", "表箱损坏"
    message["Message-ID"] = "<files-1@example.com>"
    message.set_content("照片见附件。")
    message.add_attachment(PNG, maintype="image", subtype="png", filename="表箱.png")
    message.add_attachment(b"MZ...", maintype="application", subtype="octet-stream", filename="setup.exe")
    message.add_attachment(EICAR, maintype="application", subtype="octet-stream", filename="readme.txt")
    folder = tmp_path / "support"
    with override_settings(MESSAGING_MAILBOXES=[{"name": "demo", "maildir": str(folder), "team": "tech-region-1"}],
                           MESSAGING_ATTACHMENT_SCANNER="tests.messaging.test_attachments.eicar_scan"):
        (folder / "new").mkdir(parents=True)
        (folder / "cur").mkdir()
        (folder / "tmp").mkdir()
        (folder / "new" / "1.eml").write_bytes(message.as_bytes())
        assert mailboxes_poll().by_state == {"created": 1}
    ticket = Ticket.objects.get()
    files = list(Attachment.objects.filter(ticket=ticket).order_by("pk"))
    assert [(f.name, f.content_type, f.size, f.from_customer, bool(f.file)) for f in files] == [
        ("表箱.png", "image/png", len(PNG), True, True), ("setup.exe", "application/x-msdos-program", 5, True, False),
        ("readme.txt", "text/plain", len(EICAR), True, False)]
    assert files[0].file.read() == PNG
    assert files[1].refused == "setup.exe: files of this type are not accepted."
    assert files[2].refused == "readme.txt was refused by the virus scan: Eicar-Test-Signature"
    assert files[0].event.kind == "created"
    assert InboundMessage.objects.get().reason == f"{files[1].refused} {files[2].refused}"
    page = signed_in("agent1").get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'href="/attachments/{files[0].pk}/"' in page
    assert "setup.exe: files of this type are not accepted." in page


def test_a_file_opens_only_for_those_who_see_its_ticket(make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"))
    [png] = attachments_store(ticket_id=ticket.pk, event_id=None, files=[("现场.png", PNG)], from_customer=False)
    [pdf] = attachments_store(ticket_id=ticket.pk, event_id=None, files=[("单据.pdf", b"%PDF-1.4")],
                              from_customer=False)
    shown = signed_in("agent1").get(f"/attachments/{png.pk}/")
    assert (shown.status_code, shown["Content-Type"], b"".join(shown.streaming_content)) == (200, "image/png", PNG)
    assert shown["Content-Disposition"].startswith("inline")
    download = signed_in("agent1").get(f"/attachments/{pdf.pk}/")
    assert (download["Content-Type"], download["Content-Disposition"].split(";")[0]) == (
        "application/octet-stream", "attachment")
    assert signed_in("agent4").get(f"/attachments/{png.pk}/").status_code == 404
    assert Client().get(f"/attachments/{png.pk}/").status_code == 302
    assert signed_in("agent1").get(f"/attachments/{png.pk + 1000}/").status_code == 404


def test_on_a_report_the_customers_files_are_for_those_who_see_the_reporter(make_ticket, member):
    report = make_ticket(kind=Kind.REPORT, assignee=member("agent3"), name="秦某某")
    [theirs] = attachments_store(ticket_id=report.pk, event_id=None, files=[("举报材料.png", PNG)], from_customer=True)
    [ours] = attachments_store(ticket_id=report.pk, event_id=None, files=[("回复.pdf", b"%PDF")], from_customer=False)
    assert signed_in("agent1").get(f"/attachments/{theirs.pk}/").status_code == 404
    assert signed_in("agent1").get(f"/attachments/{ours.pk}/").status_code == 200
    assert signed_in("agent3").get(f"/attachments/{theirs.pk}/").status_code == 200


@override_settings(MESSAGING_EMAIL_BACKEND="messaging.backends.EmailBackend")
def test_a_reply_with_files_sends_them_with_the_e_mail(make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"), phone="010-66668888")
    Customer.objects.filter(pk=ticket.customer_id).update(email="lin@example.com")
    ticket.refresh_from_db()
    answer = signed_in("agent1").post(f"/tickets/{ticket.pk}/do/reply/", {
        "body": "处理结果见附件。", "version": ticket.version,
        "files": [SimpleUploadedFile("结果.pdf", b"%PDF-1.4 result"), SimpleUploadedFile("现场.png", PNG)]})
    assert answer.status_code == 302
    event = TicketEvent.objects.get(ticket=ticket, kind="reply")
    assert sorted(Attachment.objects.filter(event=event).values_list("name", "size")) == [
        ("现场.png", len(PNG)), ("结果.pdf", 15)]
    messaging.deliveries_send()
    [sent] = mail.outbox
    assert sorted((name, data) for name, data, _type in sent.attachments) == [
        ("现场.png", PNG), ("结果.pdf", b"%PDF-1.4 result")]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("virus.exe", b"MZ", "virus.exe：不接受此类型的文件。"),
    ("big.pdf", b"0" * (1024 * 1024 + 1), "big.pdf 超过 1 MB。"),
    ("empty.txt", b"", "empty.txt 是空文件。"),
])
@override_settings(MESSAGING_ATTACHMENT_MAX_MB=1)
def test_a_reply_with_a_file_refused_writes_nothing_and_keeps_the_text(make_ticket, member, name, data, reason):
    ticket = make_ticket(assignee=member("agent1"))
    before = (TicketEvent.objects.count(), Delivery.objects.count(), Attachment.objects.count(),
              Ticket.objects.get(pk=ticket.pk).version)
    page = signed_in("agent1").post(f"/tickets/{ticket.pk}/do/reply/", {
        "body": "请查收附件", "version": ticket.version,
        "files": [SimpleUploadedFile("ok.pdf", b"%PDF"), SimpleUploadedFile(name, data)]})
    assert page.status_code == 400
    assert page.context["refused"] == reason
    assert "请查收附件</textarea>" in page.content.decode()
    assert (TicketEvent.objects.count(), Delivery.objects.count(), Attachment.objects.count(),
            Ticket.objects.get(pk=ticket.pk).version) == before


def test_a_note_with_a_file_is_kept_and_never_sent(make_ticket, member):
    ticket = make_ticket(assignee=member("agent1"))
    signed_in("agent1").post(f"/tickets/{ticket.pk}/do/note/", {
        "body": "内部材料", "files": [SimpleUploadedFile("内部.pdf", b"%PDF")]})
    event = TicketEvent.objects.get(ticket=ticket, kind="note")
    assert list(Attachment.objects.filter(event=event).values_list("name", flat=True)) == ["内部.pdf"]
    assert Delivery.objects.filter(ticket=ticket).count() == 0
