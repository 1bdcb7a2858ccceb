"""The sla app's hooks, both ways (ARCHITECTURE.md, "cause work in a higher app").

- :class:`SlaHooks`: the deadline clocks' side of the ticket hooks (``tickets/hooks.py``), registered
  in ``SlaConfig.ready()``.
- :class:`EscalationHooks`: the point the sweep calls once per run with the steps it recorded, for the
  apps above (the notifications app tells the people); ``escalations`` is its registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servicecenter.hooks import Registry
from sla import services
from staff.hooks import OrgHooks
from tickets.hooks import TicketHooks


@dataclass(frozen=True)
class EscalationStep:
    """One step the sweep recorded: a warning (level 0), a breach (1) or a level further up."""

    escalation_id: int
    ticket_id: int
    level: int
    target: str
    recipient_user_id: int | None  # who is told, as a sign-in; None when the ladder has nobody there


class EscalationHooks:
    def escalations_recorded(self, *, steps: list[EscalationStep], at: datetime) -> None:
        """In the sweep's transaction, after its escalations and timeline entries are written."""


escalations = Registry(EscalationHooks)
escalations_recorded = escalations.each("escalations_recorded")


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

    def clocks_revive(self, *, ticket_id: int, at: datetime) -> None:
        services.clocks_revive(ticket_id=ticket_id, at=at)

    def callback_clock_start(self, *, callback: Any) -> None:
        services.callback_clock_start(callback=callback)

    def working_deadline(self, start: datetime, days: int) -> datetime | None:
        return services.working_deadline(start, days)


class SlaOrgHooks(OrgHooks):
    """The org editor's question to the sweep: whose next escalation a change would send elsewhere."""

    def tickets_rerouted(self, *, before: Any, after: Any) -> int:
        from sla.sweep import tickets_rerouted

        return tickets_rerouted(before=before, after=after)
