"""Every write of the bell: notices of the sweep's steps and of unhappy customers, and marking read.

Each new notice is e-mailed once by the ``notifications.email`` task, queued after commit."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification, NotificationKind
from sla.hooks import EscalationStep


def _email_after_commit(ids: list[int]) -> None:
    if ids:
        from notifications.tasks import notifications_email_task

        transaction.on_commit(lambda: notifications_email_task.delay(ids))


def notifications_for_escalations(*, steps: list[EscalationStep], at: datetime) -> list[int]:
    """One notice per step that has someone to tell, in one INSERT; returns their ids."""
    created = Notification.objects.bulk_create([
        Notification(recipient_id=step.recipient_user_id, escalation_id=step.escalation_id, ticket_id=step.ticket_id,
                     level=step.level, target=step.target, created_at=at)
        for step in steps if step.recipient_user_id is not None
    ])
    ids = [n.pk for n in created]
    _email_after_commit(ids)
    return ids


def notification_follow_up(*, recipient_id: int, ticket_id: int, due_at: datetime | None, at: datetime) -> int:
    """An unhappy customer's follow-up, for the supervisor who owns it."""
    notification = Notification.objects.create(recipient_id=recipient_id, ticket_id=ticket_id,
                                               kind=NotificationKind.FOLLOW_UP, created_at=at, due_at=due_at)
    _email_after_commit([notification.pk])
    return notification.pk


def notifications_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notices read, or all of them; returns how many changed. Nobody marks
    another person's notices."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
