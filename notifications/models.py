"""The bell: what each person is told, read in the app and e-mailed once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sla.models import Target


class NotificationKind(models.TextChoices):
    SLA = "sla", _("Deadline")
    FOLLOW_UP = "follow_up", _("Unhappy customer")


class Notification(models.Model):
    """In-app (the bell) and e-mail notice of a warning or an escalation; rendered in the reader's language."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications",
                                  verbose_name=_("recipient"))
    escalation = models.OneToOneField("sla.Escalation", models.CASCADE, null=True, blank=True,
                                      related_name="notification",
                                      verbose_name=_("escalation"))
    ticket = models.ForeignKey("tickets.Ticket", models.CASCADE, related_name="+", verbose_name=_("ticket"))
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices,
                            default=NotificationKind.SLA, db_default=NotificationKind.SLA)
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    target = models.CharField(_("target"), max_length=20, choices=Target.choices, blank=True)
    created_at = models.DateTimeField(_("time"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        db_table = "sla_notification"  # kept when the model moved here from the sla app
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "created_at"], name="notification_unread",
                         condition=Q(read_at__isnull=True)),
            models.Index(fields=["recipient", "created_at"], name="notification_recipient"),
            models.Index(fields=["created_at"], name="notification_to_email", condition=Q(emailed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} L{self.level} {self.ticket_id}"

    @property
    def is_warning(self) -> bool:
        return self.kind == NotificationKind.SLA and self.level == 0
