from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    """Call records and imports, the service level, staffing (Erlang C and A)."""

    name = "calls"
    verbose_name = _("Calls")
