"""Files that come with a ticket's entries: checked (type, size, the virus-scan hook) and stored.

The store is Django's default storage: files under ``MEDIA_ROOT`` (``var/media``) in the embedded
mode, any S3-compatible store in production (django-storages, ``MEDIA_S3_BUCKET``). Only the types of
``MESSAGING_ATTACHMENT_TYPES`` are taken, judged by the file's name (what the agent's and the
customer's programs will open it as), up to ``MESSAGING_ATTACHMENT_MAX_MB``. ``MESSAGING_ATTACHMENT_SCANNER``
names a function ``scan(name=..., data=...)`` that returns why a file is refused ("" when clean): a
ClamAV client, say; unset, files are not scanned.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from messaging.models import Attachment
from servicecenter.errors import DomainError


class AttachmentRefused(DomainError):
    """A file was not accepted; the reason names it."""


def safe_name(name: str) -> str:
    """A file name as given, without folders, control characters or path tricks; never empty."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "_", name).strip(" .")
    return name[-200:] or "attachment"


def content_type_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def outward_refusal(name: str, size: int) -> str:
    """Why a file of this name and size cannot be kept, before its bytes are read ("" when it can)."""
    if content_type_of(name) not in settings.MESSAGING_ATTACHMENT_TYPES:
        return _("%(name)s: files of this type are not accepted.") % {"name": name}
    if size > settings.MESSAGING_ATTACHMENT_MAX_MB * 1024 * 1024:
        return _("%(name)s is larger than %(limit)s MB.") % {"name": name,
                                                               "limit": settings.MESSAGING_ATTACHMENT_MAX_MB}
    if not size:
        return _("%(name)s is empty.") % {"name": name}
    return ""


def refusal(name: str, data: bytes) -> str:
    """Why ``data``, named ``name``, cannot be kept ("" when it can)."""
    reason = outward_refusal(name, len(data))
    if reason:
        return reason
    if settings.MESSAGING_ATTACHMENT_SCANNER:
        try:
            reason = import_string(settings.MESSAGING_ATTACHMENT_SCANNER)(name=name, data=data)
        except Exception as error:  # a scanner that fails passes nothing
            reason = _("the scan failed (%(error)s)") % {"error": type(error).__name__}
        if reason:
            return _("%(name)s was refused by the virus scan: %(reason)s") % {"name": name, "reason": reason}
    return ""


def attachments_check(files: Iterable[tuple[str, bytes]]) -> None:
    """Refuse (400) the first file that cannot be kept: what an agent uploads is all kept, or none."""
    for name, data in files:
        reason = refusal(safe_name(name), data)
        if reason:
            raise AttachmentRefused(reason, code="attachment")


def uploads_read(uploads: list) -> list[tuple[str, bytes]]:
    """Uploaded files (Django's) as (name, bytes), refusing (400) too many, or one too large or of a type
    not taken before its bytes are read."""
    if len(uploads) > settings.MESSAGING_ATTACHMENT_MAX_FILES:
        raise AttachmentRefused(_("At most %(count)s files at a time.") % {
            "count": settings.MESSAGING_ATTACHMENT_MAX_FILES}, code="attachment")
    for upload in uploads:
        reason = outward_refusal(safe_name(upload.name), upload.size)
        if reason:
            raise AttachmentRefused(reason, code="attachment")
    files = [(upload.name, upload.read()) for upload in uploads]
    attachments_check(files)
    return files


def attachments_store(*, ticket_id: int, event_id: int | None, files: Iterable[tuple[str, bytes]],
                      from_customer: bool, now: datetime | None = None) -> list[Attachment]:
    """Keep each file with the entry it came with; one that cannot be kept is recorded without its
    bytes, with the reason. Call inside the transaction that writes the entry."""
    now = now or timezone.now()
    kept = []
    for raw_name, data in files:
        name = safe_name(raw_name)
        reason = refusal(name, data)
        attachment = Attachment(ticket_id=ticket_id, event_id=event_id, name=name, content_type=content_type_of(name),
                                size=len(data), from_customer=from_customer, refused=reason[:300], created_at=now)
        if not reason:
            attachment.sha256 = hashlib.sha256(data).hexdigest()
            attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        kept.append(attachment)
    return kept
