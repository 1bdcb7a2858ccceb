"""The deadline clocks' side of the ticket hooks (tickets/hooks.py): registered in SlaConfig.ready()."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sla import services
from tickets.hooks import TicketHooks


class SlaHooks(TicketHooks):
    def clocks_start(self, *, ticket: Any) -> None:
        services.clocks_start(ticket=ticket)

    def clocks_recompute(self, *, ticket: Any, actor: Any = None, reason: str = "") -> None:
        services.clocks_recompute(ticket=ticket, actor=actor, reason=reason)

    def clock_meet(self, *, ticket_id: int, target: str, at: datetime, actor: Any = None,
                   callback: Any = None) -> None:
        services.clock_meet(ticket_id=ticket_id, target=target, at=at, actor=actor, callback=callback)

    def clocks_pause(self, *, ticket_id: int, at: datetime) -> None:
        services.clocks_pause(ticket_id=ticket_id, at=at)

    def clocks_resume(self, *, ticket_id: int, at: datetime, actor: Any = None) -> None:
        services.clocks_resume(ticket_id=ticket_id, at=at, actor=actor)

    def clocks_reopen(self, *, ticket_id: int, at: datetime, actor: Any = None) -> None:
        services.clocks_reopen(ticket_id=ticket_id, at=at, actor=actor)

    def clocks_stop_unused(self, *, ticket_id: int) -> None:
        services.clocks_stop_unused(ticket_id=ticket_id)

    def clocks_cancel(self, *, ticket_id: int, callback: Any = None) -> None:
        services.clocks_cancel(ticket_id=ticket_id, callback=callback)

    def callback_clock_start(self, *, callback: Any) -> None:
        services.callback_clock_start(callback=callback)

    def working_deadline(self, start: datetime, days: int) -> datetime | None:
        return services.working_deadline(start, days)
