from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from surveys.hooks import SurveyHooks
        from surveys.models import Rating
        from tickets.events import value_labels_register
        from tickets.hooks import register

        register(SurveyHooks())
        value_labels_register("rating", Rating.choices)
