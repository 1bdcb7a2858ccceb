"""Put an e-mail into a Maildir mailbox of ``MESSAGING_MAILBOXES`` (the demo's ``var/mail/support``), as
a mail server would deliver it; the next poll takes it. A whole message can be given on standard
input (``--raw``); otherwise one is written from the options."""

import mailbox as maildir
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Deliver an e-mail into a Maildir mailbox that the poller reads (the demo's)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--mailbox", default="", help="the mailbox's name (default: the first Maildir one)")
        parser.add_argument("--from", dest="sender", default="客户 <customer@example.com>")
        parser.add_argument("--subject", default="咨询")
        parser.add_argument("--body", default="您好，请问如何办理业务？")
        parser.add_argument("--in-reply-to", default="", help="the Message-ID this answers")
        parser.add_argument("--raw", action="store_true", help="read the whole message from standard input")

    def handle(self, *args, **options) -> None:
        boxes = [b for b in settings.MESSAGING_MAILBOXES if b.get("maildir")
                 and (not options["mailbox"] or b["name"] == options["mailbox"])]
        if not boxes:
            raise CommandError("No Maildir mailbox is configured (MESSAGING_MAILBOXES).")
        path = Path(boxes[0]["maildir"])
        if not path.is_absolute():
            path = Path(settings.BASE_DIR) / path
        if options["raw"]:
            raw = sys.stdin.buffer.read()
        else:
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = options["sender"], "support@localhost", \
                options["subject"]
            message["Date"], message["Message-ID"] = formatdate(localtime=True), make_msgid(domain="localhost")
            if options["in_reply_to"]:
                message["In-Reply-To"] = message["References"] = options["in_reply_to"]
            message.set_content(options["body"])
            raw = message.as_bytes()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = maildir.Maildir(path, create=True).add(raw)
        self.stdout.write(f"Delivered to {path} ({key}).")
