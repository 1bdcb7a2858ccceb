from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Customer messages")

    def ready(self) -> None:
        from messaging.hooks import MessagingHooks
        from tickets.hooks import register

        register(MessagingHooks())
