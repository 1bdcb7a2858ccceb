"""How a change to a ticket causes work in the apps above tickets, without tickets importing them.

Tickets sit below ``sla`` and ``surveys`` (ARCHITECTURE.md), yet intake must start deadline clocks
and a resolution must plan a survey. The ticket services call the hooks declared here, in the same
transaction, in the order the apps are installed; each higher app subclasses :class:`TicketHooks`,
overriding what it handles, and registers one instance in its ``AppConfig.ready()``
(``sla/hooks.py``, ``surveys/hooks.py``), through the kernel's :class:`~servicecenter.hooks.Registry`,
the one mechanism for such effects (the sla app declares its own points the same way). It is not a
Django signal: the points are typed methods declared in this one file, the services call them
explicitly, and an error in a hook rolls the whole change back.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from servicecenter.hooks import Registry

if TYPE_CHECKING:
    from staff.selectors import AnyUser
    from tickets.models import Callback, Ticket, TicketEvent


class TicketHooks:
    """Every hook point, each doing nothing until a higher app overrides it."""

    # Deadlines (the sla app).
    def clocks_start(self, *, ticket: Ticket) -> None: ...
    def clocks_recompute(self, *, ticket: Ticket, actor: AnyUser | None = None, reason: str = "") -> None: ...
    def clock_meet(self, *, ticket_id: int, target: str, at: datetime, actor: AnyUser | None = None,
                   callback: Callback | None = None) -> None: ...
    def clocks_pause(self, *, ticket_id: int, at: datetime) -> None: ...
    def clocks_resume(self, *, ticket_id: int, at: datetime, actor: AnyUser | None = None) -> None: ...
    def clocks_reopen(self, *, ticket_id: int, at: datetime, actor: AnyUser | None = None) -> None: ...
    def clocks_stop_unused(self, *, ticket_id: int) -> None: ...
    def clocks_cancel(self, *, ticket_id: int, callback: Callback | None = None) -> None: ...
    def clocks_revive(self, *, ticket_id: int, at: datetime) -> None: ...
    def callback_clock_start(self, *, callback: Callback) -> None: ...

    def working_deadline(self, start: datetime, days: int) -> datetime | None:
        """``days`` working days after ``start`` on the center's calendar; None if not the provider."""
        return None

    # Surveys (the surveys app): ``trigger`` is ``resolved`` or ``callback``.
    def survey_plan(self, *, ticket: Ticket, trigger: str, now: datetime) -> None: ...

    # Messages to the customer (the messaging app): ``event`` is the reply's timeline entry; a ticket
    # the customer filed themselves (the public form, an e-mail) is acknowledged, its clocks started.
    def reply_send(self, *, ticket: Ticket, event: TicketEvent, now: datetime) -> None: ...
    def ticket_received(self, *, ticket: Ticket) -> None: ...


registry = Registry(TicketHooks)
register = registry.register
_registered = registry.registered  # the apps registered, in order (the same list, for tests)
_each = registry.each


clocks_start = _each("clocks_start")
clocks_recompute = _each("clocks_recompute")
clock_meet = _each("clock_meet")
clocks_pause = _each("clocks_pause")
clocks_resume = _each("clocks_resume")
clocks_reopen = _each("clocks_reopen")
clocks_stop_unused = _each("clocks_stop_unused")
clocks_cancel = _each("clocks_cancel")
clocks_revive = _each("clocks_revive")
callback_clock_start = _each("callback_clock_start")
survey_plan = _each("survey_plan")
reply_send = _each("reply_send")
ticket_received = _each("ticket_received")


def working_deadline(start: datetime, days: int) -> datetime:
    for hooks in registry.registered:
        due = hooks.working_deadline(start, days)
        if due is not None:
            return due
    raise RuntimeError("No installed app provides the working calendar (the sla app registers it).")
