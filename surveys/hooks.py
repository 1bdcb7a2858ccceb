"""The surveys' side of the ticket hooks (tickets/hooks.py): registered in SurveysConfig.ready()."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from surveys import services
from tickets.hooks import TicketHooks


class SurveyHooks(TicketHooks):
    def survey_plan(self, *, ticket: Any, trigger: str, now: datetime) -> None:
        services.invitation_schedule(ticket=ticket, trigger=trigger, now=now)
