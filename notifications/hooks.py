"""The notifications app's side of the sla hooks (sla/hooks.py): registered in NotificationsConfig.ready()."""

from __future__ import annotations

from datetime import datetime

from notifications.services import notifications_for_escalations
from sla.hooks import EscalationHooks, EscalationStep


class NotificationHooks(EscalationHooks):
    def escalations_recorded(self, *, steps: list[EscalationStep], at: datetime) -> None:
        notifications_for_escalations(steps=steps, at=at)
