"""Where invitations go out: the channel backends of :mod:`messaging.backends`, named in the surveys'
own settings (``SURVEYS_SMS_BACKEND``, ``SURVEYS_EMAIL_BACKEND``); this path is kept for them."""

from django.conf import settings
from django.utils.module_loading import import_string

from messaging import backends
from messaging.backends import Backend, ConsoleSmsBackend, EmailBackend, LocmemBackend, Message, SendError

__all__ = ["Backend", "ConsoleSmsBackend", "EmailBackend", "FileBackend", "LocmemBackend", "Message", "SendError",
           "backend_for"]


class FileBackend(backends.FileBackend):
    """JSON lines in ``SURVEYS_OUTBOX_FILE``."""

    setting = "SURVEYS_OUTBOX_FILE"


def backend_for(channel: str) -> Backend:
    path = settings.SURVEYS_SMS_BACKEND if channel == "sms" else settings.SURVEYS_EMAIL_BACKEND
    return import_string(path)()
