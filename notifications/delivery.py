"""Notifications of warnings and escalations: the words, and the e-mail.

A batch goes out over one connection to the mail server. Each notice is e-mailed once, by itself,
except the deadline notices of a recipient at the top of the chain (the director), which the hourly
digest counts in one e-mail (the rule is written in ``notifications.selectors``)."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.models import Notification, NotificationKind
from notifications.selectors import digest_counts, top_of_chain_user_ids


def target_names() -> dict[str, str]:
    """Each deadline target's name in the active language (a batch asks once, not once a notice)."""
    return {value: str(label) for value, label in Notification._meta.get_field("target").flatchoices}


def notification_text(notification: Notification, targets: dict[str, str] | None = None) -> str:
    ticket = notification.ticket
    return notice_text(kind=notification.kind, level=notification.level, target=notification.target,
                       due_at=notification.due_at, reference=ticket.reference, sla_due_at=ticket.sla_due_at,
                       targets=targets)


def notice_text(*, kind: str, level: int, target: str, due_at: datetime | None, reference: str,
                sla_due_at: datetime | None, targets: dict[str, str] | None = None) -> str:
    """A notice's words from its fields and its ticket's (a batch reads them as plain rows)."""
    if kind == NotificationKind.FOLLOW_UP:
        return _("%(reference)s: the customer was unhappy in the survey; follow up by %(due)s.") % {
            "reference": reference, "due": timezone.localtime(due_at).strftime("%m-%d %H:%M") if due_at else "—"}
    name = (targets or target_names()).get(target, target)
    if level == 0:
        return _("%(reference)s: the %(target)s deadline is near (%(due)s).") % {
            "reference": reference, "target": name,
            "due": timezone.localtime(sla_due_at).strftime("%m-%d %H:%M") if sla_due_at else "—"}
    return _("%(reference)s: the %(target)s deadline was missed; escalated to you (level %(level)s).") % {
        "reference": reference, "target": name, "level": level}


def batch_text(texts: list[str]) -> tuple[str, str]:
    """One e-mail's subject and body for a recipient's notices of one batch: a single notice is its own
    subject; several are counted in the subject and listed in the body."""
    if len(texts) == 1:
        return texts[0], texts[0] + "\n"
    subject = ngettext("%(count)s new notice", "%(count)s new notices", len(texts)) % {"count": len(texts)}
    return subject, "\n".join([subject, "", *texts, "", _("Open the notifications page for the tickets.")]) + "\n"


def notifications_email(*, notification_ids: list[int]) -> int:
    """E-mail each notification once, one e-mail per recipient per batch (a lead whose team missed ten
    deadlines in one sweep gets one e-mail listing them, not ten): rows are claimed with SKIP LOCKED and
    marked in the same transaction as the send, so a task that runs twice does not send twice. Deadline
    notices of a recipient at the top of the chain are left to the digest (:func:`notifications_digest`).
    Returns the number of e-mails sent."""
    with transaction.atomic():
        # Plain rows, not model instances: a sweep that warns a thousand tickets makes a thousand notices.
        rows = list(
            Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")  # an e-mail lists its notices in the order they were made
            .values_list("pk", "recipient_id", "recipient__email", "kind", "level", "target", "due_at",
                         "ticket__reference", "ticket__sla_due_at", named=True)
        )
        digested = top_of_chain_user_ids(sorted({n.recipient_id for n in rows if n.kind == NotificationKind.SLA}))
        rows = [n for n in rows if not (n.kind == NotificationKind.SLA and n.recipient_id in digested)]
        by_recipient: dict[int, list] = {}
        for notification in rows:
            if notification.recipient__email:
                by_recipient.setdefault(notification.recipient_id, []).append(notification)
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            targets = target_names()
            for notices in by_recipient.values():
                subject, body = batch_text([
                    notice_text(kind=n.kind, level=n.level, target=n.target, due_at=n.due_at,
                                reference=n.ticket__reference, sla_due_at=n.ticket__sla_due_at, targets=targets)
                    for n in notices])
                messages.append(EmailMessage(subject=subject, body=body, to=[notices[0].recipient__email]))
        # One connection to the mail server for the whole batch, not one a message.
        sent = (get_connection().send_messages(messages) or 0) if messages else 0
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return sent


def digest_text(*, total: int, digest) -> tuple[str, str]:
    """The digest's subject and body: the notices counted by team and level."""
    subject = ngettext("%(count)s new deadline notice", "%(count)s new deadline notices", total) % {"count": total}
    lines = [subject, ""]
    for row in digest.rows:
        counts = ", ".join(f"{level_label(level)}: {n}" for level, n in zip(digest.levels, row.counts, strict=True)
                           if n)
        lines.append(f"{row.team} — {counts}")
    lines += ["", _("Open the notifications page for the tickets.")]
    return subject, "\n".join(lines) + "\n"


def level_label(level: int) -> str:
    return _("warning") if level == 0 else _("level %(level)s") % {"level": level}


def notifications_digest() -> int:
    """One e-mail per recipient at the top of the chain counting their deadline notices not yet
    e-mailed, by team and level; those notices are marked e-mailed in the same transaction (claimed
    with SKIP LOCKED), so two digests at once or one run twice send each notice once. Returns the
    number of e-mails sent."""
    with transaction.atomic():
        top = top_of_chain_user_ids()
        pending = Notification.objects.filter(recipient_id__in=top, kind=NotificationKind.SLA,
                                              emailed_at__isnull=True)
        claimed = list(pending.select_for_update(skip_locked=True, of=("self",)).values_list("pk", "recipient_id"))
        if not claimed:
            return 0
        by_recipient: dict[int, list[int]] = {}
        for pk, recipient_id in claimed:
            by_recipient.setdefault(recipient_id, []).append(pk)
        users = {u.pk: u for u in get_user_model().objects.filter(pk__in=by_recipient)}
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            for recipient_id, ids in by_recipient.items():
                email = users[recipient_id].email
                if email:
                    digest = digest_counts(Notification.objects.filter(pk__in=ids))
                    subject, body = digest_text(total=len(ids), digest=digest)
                    messages.append(EmailMessage(subject=subject, body=body, to=[email]))
        sent = (get_connection().send_messages(messages) or 0) if messages else 0
        Notification.objects.filter(pk__in=[pk for pk, _recipient in claimed]).update(emailed_at=timezone.now())
    return sent
