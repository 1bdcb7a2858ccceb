"""Where invitations go out: pluggable backends, one per channel, named in settings.

A backend takes a ``Message`` and delivers it or raises ``SendError``. ``Message.key`` is stable for
an invitation: a gateway that accepts a client message id should pass it on, so that a send repeated
after a crash between the gateway's answer and our commit is dropped there. An SMS gateway is one
more subclass of ``Backend`` named in ``SURVEYS_SMS_BACKEND``.
"""

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string


class SendError(Exception):
    """The message was not accepted; the invitation is tried again later."""


@dataclass(frozen=True)
class Message:
    key: str
    channel: str
    to: str
    subject: str
    text: str
    language: str


class Backend:
    def send(self, message: Message) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(Backend):
    """Prints the text message: for development and the embedded demo."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: Message) -> None:
        self.stream.write(f"SMS to {message.to} [{message.key}]: {message.text}\n")
        self.stream.flush()


class EmailBackend(Backend):
    """Sends through Django's e-mail (``EMAIL_BACKEND``), with the key as the Message-ID."""

    def send(self, message: Message) -> None:
        email = EmailMessage(subject=message.subject, body=message.text, to=[message.to],
                             headers={"Message-ID": f"<{message.key}@servicecenter>"})
        try:
            email.send()
        except OSError as error:
            raise SendError(str(error)) from error


class LocmemBackend(Backend):
    """Keeps messages in ``LocmemBackend.outbox``: for tests in one process."""

    outbox: list[Message] = []

    def send(self, message: Message) -> None:
        type(self).outbox.append(message)


class FileBackend(Backend):
    """Appends one JSON line per message to ``SURVEYS_OUTBOX_FILE``: what tests with a real worker read."""

    def send(self, message: Message) -> None:
        path = Path(settings.SURVEYS_OUTBOX_FILE)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")
            out.flush()


def backend_for(channel: str) -> Backend:
    path = settings.SURVEYS_SMS_BACKEND if channel == "sms" else settings.SURVEYS_EMAIL_BACKEND
    return import_string(path)()
