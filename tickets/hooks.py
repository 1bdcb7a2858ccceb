"""How a change to a ticket causes work in the apps above tickets, without tickets importing them.

Tickets sit below ``sla`` and ``surveys`` (ARCHITECTURE.md), yet intake must start deadline clocks
and a resolution must plan a survey. The ticket services call the hooks declared here, in the same
transaction, in the order the apps are installed; each higher app subclasses :class:`TicketHooks`,
overriding what it handles, and registers one instance in its ``AppConfig.ready()``
(``sla/hooks.py``, ``surveys/hooks.py``). This is the one mechanism for such effects. It is not a
Django signal: the points are typed methods declared in this one file, the services call them
explicitly, and an error in a hook rolls the whole change back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class TicketHooks:
    """Every hook point, each doing nothing until a higher app overrides it."""

    # Deadlines (the sla app).
    def clocks_start(self, *, ticket: Any) -> None: ...
    def clocks_recompute(self, *, ticket: Any, actor: Any = None, reason: str = "") -> None: ...
    def clock_meet(self, *, ticket_id: int, target: str, at: datetime, actor: Any = None,
                   callback: Any = None) -> None: ...
    def clocks_pause(self, *, ticket_id: int, at: datetime) -> None: ...
    def clocks_resume(self, *, ticket_id: int, at: datetime, actor: Any = None) -> None: ...
    def clocks_reopen(self, *, ticket_id: int, at: datetime, actor: Any = None) -> None: ...
    def clocks_stop_unused(self, *, ticket_id: int) -> None: ...
    def clocks_cancel(self, *, ticket_id: int, callback: Any = None) -> None: ...
    def callback_clock_start(self, *, callback: Any) -> None: ...

    def working_deadline(self, start: datetime, days: int) -> datetime | None:
        """``days`` working days after ``start`` on the center's calendar; None if not the provider."""
        return None

    # Surveys (the surveys app): ``trigger`` is ``resolved`` or ``callback``.
    def survey_plan(self, *, ticket: Any, trigger: str, now: datetime) -> None: ...


_registered: list[TicketHooks] = []


def register(hooks: TicketHooks) -> None:
    """Called once per app from ``AppConfig.ready()``; registering the same kind again replaces it."""
    _registered[:] = [h for h in _registered if type(h) is not type(hooks)] + [hooks]


def clocks_start(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.clocks_start(**kwargs)


def clocks_recompute(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.clocks_recompute(**kwargs)


def clock_meet(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.clock_meet(**kwargs)


def clocks_pause(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.clocks_pause(**kwargs)


def clocks_resume(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.clocks_resume(**kwargs)


def clocks_reopen(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.clocks_reopen(**kwargs)


def clocks_stop_unused(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.clocks_stop_unused(**kwargs)


def clocks_cancel(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.clocks_cancel(**kwargs)


def callback_clock_start(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.callback_clock_start(**kwargs)


def survey_plan(**kwargs: Any) -> None:
    for hooks in _registered:
        hooks.survey_plan(**kwargs)


def working_deadline(start: datetime, days: int) -> datetime:
    for hooks in _registered:
        due = hooks.working_deadline(start, days)
        if due is not None:
            return due
    raise RuntimeError("No installed app provides the working calendar (the sla app registers it).")
