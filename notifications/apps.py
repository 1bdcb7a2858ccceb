from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The bell and e-mail: what people are told of deadlines and unhappy customers."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications.hooks import NotificationHooks
        from sla.hooks import escalations

        escalations.register(NotificationHooks())
