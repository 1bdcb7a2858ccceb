from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from sla.hooks import SlaHooks, SlaOrgHooks
        from staff.hooks import org_hooks
        from tickets.hooks import register

        register(SlaHooks())
        org_hooks.register(SlaOrgHooks())
