from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The agent's pages: the queue, the ticket with its deadlines and calls, a new ticket, callbacks.

    Above ``sla`` and ``calls`` because the pages show what those apps hold; the tickets app keeps the
    records, the services and the public pages (ARCHITECTURE.md)."""

    name = "workspace"
    verbose_name = _("Workspace")
