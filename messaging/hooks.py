"""The messaging app's side of the ticket hooks (tickets/hooks.py): registered in MessagingConfig.ready()."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from messaging import services
from tickets.hooks import TicketHooks


class MessagingHooks(TicketHooks):
    def reply_send(self, *, ticket: Any, event: Any, now: datetime) -> None:
        services.delivery_queue(ticket=ticket, event=event, now=now)

    def ticket_received(self, *, ticket: Any) -> None:
        services.acknowledgement_queue(ticket=ticket)
