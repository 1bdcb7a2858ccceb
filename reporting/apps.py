from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Dashboards, figures and scorecards: reads every app below it; nothing below imports it."""

    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from reporting.org import ReportingOrgHooks
        from staff.hooks import org_hooks

        org_hooks.register(ReportingOrgHooks())
