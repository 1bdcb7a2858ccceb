"""Every write of the bell: notices of the sweep's steps and of unhappy customers, and marking read.

Each new notice is e-mailed once by the ``notifications.email`` task, queued after commit."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Notification, NotificationKind
from sla.hooks import EscalationStep


def _email_after_commit(ids: list[int]) -> None:
    if ids:
        from notifications.tasks import notifications_email_task

        transaction.on_commit(lambda: notifications_email_task.delay(ids))


def notifications_for_escalations(*, steps: list[EscalationStep], at: datetime) -> list[int]:
    """One notice per step that has someone to tell, in one INSERT (on PostgreSQL from arrays, as the
    sweep writes its own rows; elsewhere a bulk insert); returns their ids."""
    told = [step for step in steps if step.recipient_user_id is not None]
    if not told:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_SQL, [at, NotificationKind.SLA, [s.recipient_user_id for s in told],
                                         [s.escalation_id for s in told], [s.ticket_id for s in told],
                                         [s.level for s in told], [s.target for s in told]])
            ids = [pk for (pk,) in cursor.fetchall()]
    else:
        ids = [n.pk for n in Notification.objects.bulk_create([
            Notification(recipient_id=s.recipient_user_id, escalation_id=s.escalation_id, ticket_id=s.ticket_id,
                         level=s.level, target=s.target, created_at=at)
            for s in told
        ])]
    _email_after_commit(ids)
    return ids


_INSERT_SQL = f"""
INSERT INTO {Notification._meta.db_table} (recipient_id, escalation_id, ticket_id, level, target, created_at, kind)
SELECT n.recipient_id, n.escalation_id, n.ticket_id, n.level, n.target, %s, %s
  FROM unnest(%s::int[], %s::bigint[], %s::bigint[], %s::int[], %s::text[])
       AS n(recipient_id, escalation_id, ticket_id, level, target)
RETURNING id
"""  # noqa: S608 - the table name is the model's, every value a bound parameter


def notification_follow_up(*, recipient_id: int, ticket_id: int, due_at: datetime | None, at: datetime) -> int:
    """An unhappy customer's follow-up, for the supervisor who owns it."""
    notification = Notification.objects.create(recipient_id=recipient_id, ticket_id=ticket_id,
                                               kind=NotificationKind.FOLLOW_UP, created_at=at, due_at=due_at)
    _email_after_commit([notification.pk])
    return notification.pk


def notifications_read(*, user, notification_id: int | None = None, ticket_id: int | None = None) -> int:
    """Mark one of the user's notices read, or all of theirs about one ticket, or all of them; returns
    how many changed. Nobody marks another person's notices."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    if ticket_id is not None:
        unread = unread.filter(ticket_id=ticket_id)
    return unread.update(read_at=timezone.now())


def notification_open(*, user, notification_id: int) -> int | None:
    """Opening a notice from the bell: the user's unread notices about its ticket are read (the row of
    the list is the ticket). Returns the ticket's id to go to, or None when the notice is not the
    user's (nothing changes)."""
    ticket_id = (Notification.objects.filter(pk=notification_id, recipient=user)
                 .values_list("ticket_id", flat=True).first())
    if ticket_id is None:
        return None
    notifications_read(user=user, ticket_id=ticket_id)
    return ticket_id
