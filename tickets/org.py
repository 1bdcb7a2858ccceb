"""The tickets app's answers to the org editor (``staff.hooks.OrgHooks``), registered in ``TicketsConfig.ready()``."""

from staff.hooks import OrgHooks
from tickets.models import Ticket


class TicketOrgHooks(OrgHooks):
    def open_tickets_in_unit(self, *, unit_ids: list[int]) -> int:
        return Ticket.objects.open().filter(team_id__in=unit_ids).count()
