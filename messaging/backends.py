"""How a message reaches a customer: one backend per channel, named in settings by dotted path.

A backend takes a :class:`Message` and delivers it, returning the gateway's own id for it when the
gateway gives one (delivery receipts name it), or raises :class:`SendError`. ``Message.key`` is stable
for a message: a gateway that accepts a client message id is given it, so that a send repeated after
a crash between the gateway's answer and our commit is dropped there. Replies (``messaging``) and
survey invitations (``surveys``) go out through these.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage


class SendError(Exception):
    """The message was not accepted; it is tried again later."""


@dataclass(frozen=True)
class Message:
    key: str
    channel: str
    to: str
    subject: str
    text: str
    language: str
    headers: dict[str, str] = field(default_factory=dict)  # e-mail only: threading (In-Reply-To, References)
    attachments: tuple[tuple[str, bytes, str], ...] = ()  # e-mail only: (name, bytes, type)


class Backend:
    def send(self, message: Message) -> str | None:
        raise NotImplementedError


class ConsoleSmsBackend(Backend):
    """Prints the text message: for development and the embedded demo."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: Message) -> str | None:
        self.stream.write(f"SMS to {message.to} [{message.key}]: {message.text}\n")
        self.stream.flush()
        return None


class EmailBackend(Backend):
    """Sends through Django's e-mail (``EMAIL_BACKEND``), with the key as the Message-ID."""

    def send(self, message: Message) -> str | None:
        message_id = f"<{message.key}@{settings.MESSAGING_MAIL_DOMAIN}>"
        email = EmailMessage(subject=message.subject, body=message.text, to=[message.to],
                             headers={**message.headers, "Message-ID": message_id})
        for name, data, content_type in message.attachments:
            email.attach(name, data, content_type)
        try:
            email.send()
        except OSError as error:
            raise SendError(str(error)) from error
        return message_id


class HttpSmsBackend(Backend):
    """A generic HTTP SMS gateway: ``POST SMS_GATEWAY_URL`` with a JSON body ``{"to", "text",
    "template_id", "client_id"}`` and ``Authorization: Bearer SMS_GATEWAY_KEY``; a 2xx answer is
    accepted and its JSON ``id`` (if any) kept for the delivery receipt. Anything else, or no answer
    within ``SMS_GATEWAY_TIMEOUT`` seconds, is a :class:`SendError` with the reason."""

    def send(self, message: Message) -> str | None:
        body = json.dumps({"to": message.to, "text": message.text, "template_id": settings.SMS_GATEWAY_TEMPLATE,
                           "client_id": message.key}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            settings.SMS_GATEWAY_URL, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8",
                     "Authorization": f"Bearer {settings.SMS_GATEWAY_KEY}"})
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as answer:  # noqa: S310
                raw = answer.read(65536)
        except urllib.error.HTTPError as error:
            raise SendError(f"gateway answered {error.code}: {error.read(300).decode(errors='replace')}") from error
        except (OSError, ValueError) as error:
            raise SendError(f"gateway unreachable: {error}") from error
        try:
            answer_id = json.loads(raw or b"{}").get("id")
        except (ValueError, AttributeError):
            answer_id = None
        return str(answer_id)[:100] if answer_id not in (None, "") else None


class LocmemBackend(Backend):
    """Keeps messages in ``LocmemBackend.outbox``: for tests in one process."""

    outbox: list[Message] = []

    def send(self, message: Message) -> str | None:
        type(self).outbox.append(message)
        return None


class FileBackend(Backend):
    """Appends one JSON line per message to the file the setting ``setting`` names: what tests with
    a real worker read."""

    setting = "MESSAGING_OUTBOX_FILE"

    def send(self, message: Message) -> str | None:
        path = Path(getattr(settings, self.setting))
        line = {**asdict(message), "attachments": [[name, len(data)] for name, data, _type in message.attachments]}
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
        return None
