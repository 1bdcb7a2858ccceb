"""What is sent to customers: one :class:`Delivery` per message, kept with its state."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.choices import Kind


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    NOT_SENT = "not_sent", _("Not sent: no phone or e-mail")


class Purpose(models.TextChoices):
    REPLY = "reply", _("Reply")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")


class Delivery(models.Model):
    """One message to a customer. Its words are fixed when it is queued (a later edit of the customer
    or the ticket does not change what was sent); ``key`` is the stable id a gateway is given, so a
    send repeated after a crash is recognised there. Sent once: a sender takes it with ``FOR UPDATE
    SKIP LOCKED`` and marks it in the same transaction (``messaging.services.deliveries_send``)."""

    ticket = models.ForeignKey("tickets.Ticket", models.CASCADE, related_name="deliveries", verbose_name=_("ticket"))
    event = models.OneToOneField("tickets.TicketEvent", models.CASCADE, null=True, blank=True,
                                 related_name="delivery", verbose_name=_("timeline entry"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.REPLY)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    address = models.CharField(_("sent to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    key = models.CharField(max_length=80, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    send_after = models.DateTimeField(_("send after"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    gateway_id = models.CharField(_("gateway's id"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("message to a customer")
        verbose_name_plural = _("messages to customers")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["send_after", "id"], name="delivery_due", condition=Q(state="queued")),
            models.Index(fields=["ticket", "created_at"], name="delivery_ticket"),
            models.Index(fields=["gateway_id"], name="delivery_gateway_id", condition=~Q(gateway_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.channel} {self.state}"


class InboundState(models.TextChoices):
    CREATED = "created", _("New ticket")
    ADDED = "added", _("Added to its ticket")
    RESUMED = "resumed", _("Added; the ticket resumed")
    REOPENED = "reopened", _("Added; the ticket reopened")
    FOLLOW_UP = "follow_up", _("New ticket following a closed one")
    AUTO_REPLY = "auto_reply", _("Ignored: an automatic reply")
    BOUNCE = "bounce", _("A bounce: the address was marked")
    QUARANTINED = "quarantined", _("Quarantined")


class InboundMessage(models.Model):
    """One e-mail taken from a mailbox, once: ``key`` (its Message-ID, or a hash of the message when it
    has none) is unique, and the row is written in the same transaction as the ticket or timeline entry
    it became, so polling twice, or a poller killed half-way, makes each ticket and entry exactly once.
    A message that could not be read is kept whole (``raw``) with the reason, never lost."""

    mailbox = models.CharField(_("mailbox"), max_length=60)
    key = models.CharField(max_length=200, unique=True, editable=False)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"))
    state = models.CharField(_("state"), max_length=12, choices=InboundState.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("ticket"))
    event = models.ForeignKey("tickets.TicketEvent", models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("timeline entry"))
    raw = models.BinaryField(_("the message as received"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail received")
        verbose_name_plural = _("e-mails received")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["ticket", "received_at"], name="inbound_ticket"),
            models.Index(fields=["message_id"], name="inbound_message_id"),
            models.Index(fields=["received_at"], name="inbound_quarantined", condition=Q(state="quarantined")),
        ]

    def __str__(self) -> str:
        return f"{self.mailbox} {self.key} {self.state}"


class CannedReply(models.Model):
    """A standard reply (常用语) an agent inserts into the reply box with a keystroke. Its body may name
    ``{customer_name}``, ``{reference}``, ``{due_date}`` and ``{agent_no}``, filled in for the ticket
    and the agent when it is offered. Kept per kind of ticket and business line (empty: every one), in
    one language: a ticket is offered those of its customer's language."""

    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("text"))
    kind = models.CharField(_("kind of ticket"), max_length=20, blank=True, choices=Kind.choices,
                            help_text=_("Empty: offered on every kind."))
    business_line = models.ForeignKey("staff.Skill", models.CASCADE, null=True, blank=True, related_name="+",
                                      verbose_name=_("business line"), help_text=_("Empty: every business line."))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.title


def attachment_path(attachment: "Attachment", filename: str) -> str:
    """Where a file is kept: under its ticket, under a random name with the file's own extension (the
    name as given, any length and script, stays in ``Attachment.name``; a path says nothing of another)."""
    import secrets
    from pathlib import PurePosixPath

    extension = PurePosixPath(filename).suffix.lower()
    extension = extension if len(extension) <= 10 and extension[1:].isalnum() else ""
    return f"attachments/{attachment.ticket_id}/{secrets.token_hex(16)}{extension}"


class Attachment(models.Model):
    """A file that came with a timeline entry: the customer's e-mail, or an agent's reply or note. One
    that was refused (its type, its size, the virus scan) is kept without its file, with the reason,
    so the agent knows it was sent. Downloaded only through ``messaging.views.attachment``, by those
    who may see the ticket; on a report, a file from the customer only by those who may see the
    reporter."""

    ticket = models.ForeignKey("tickets.Ticket", models.CASCADE, related_name="attachments", verbose_name=_("ticket"))
    event = models.ForeignKey("tickets.TicketEvent", models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("timeline entry"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300, blank=True)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    from_customer = models.BooleanField(_("from the customer"), default=False)
    refused = models.CharField(_("not accepted"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="attachment_ticket")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return not self.refused and self.content_type in INLINE_IMAGES


# Shown in the page (their bytes are decoded by the browser as images only); every other type downloads.
INLINE_IMAGES = ("image/jpeg", "image/png", "image/gif", "image/webp")
