"""Notifications of warnings and escalations: the words, and the e-mail."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Notification, NotificationKind


def notification_text(notification: Notification) -> str:
    ticket = notification.ticket
    if notification.kind == NotificationKind.FOLLOW_UP:
        return _("%(reference)s: the customer was unhappy in the survey; follow up by %(due)s.") % {
            "reference": ticket.reference,
            "due": timezone.localtime(notification.due_at).strftime("%m-%d %H:%M") if notification.due_at else "—"}
    target = notification.get_target_display()
    if notification.level == 0:
        return _("%(reference)s: the %(target)s deadline is near (%(due)s).") % {
            "reference": ticket.reference, "target": target,
            "due": timezone.localtime(ticket.sla_due_at).strftime("%m-%d %H:%M") if ticket.sla_due_at else "—"}
    return _("%(reference)s: the %(target)s deadline was missed; escalated to you (level %(level)s).") % {
        "reference": ticket.reference, "target": target, "level": notification.level}


def notifications_email(*, notification_ids: list[int]) -> int:
    """E-mail each notification once: rows are claimed with SKIP LOCKED and marked in the same
    transaction as the send, so a task that runs twice does not send twice."""
    sent = 0
    with transaction.atomic():
        rows = list(
            Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "ticket")
        )
        for notification in rows:
            if not notification.recipient.email:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                text = notification_text(notification)
                send_mail(subject=text, message=text + "\n", from_email=None,
                          recipient_list=[notification.recipient.email])
            sent += 1
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return sent
