"""The query forms of the calls page: its period and threshold, and the staffing planner. Every
field is optional and bounded like the API's (``sla.api.serializers.StaffingQuerySerializer``), so a
bad number is a message on the page, never a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from servicecenter.numbers import PeriodForm

TOO_MANY_AGENTS = _("More than 20,000 agents would be needed.")


class CallsQueryForm(PeriodForm):
    threshold = forms.IntegerField(label=_("Threshold (s)"), min_value=0, max_value=600, required=False)


class StaffingForm(forms.Form):
    DEFAULTS = {"interval_minutes": 30, "aht_seconds": 180.0, "target": 0.8, "target_seconds": 15.0,
                "shrinkage": 0.3, "patience_seconds": 120.0}

    calls = forms.FloatField(label=_("Calls"), min_value=0, max_value=1_000_000)
    interval_minutes = forms.IntegerField(label=_("Interval (min)"), min_value=1, max_value=1440, required=False)
    aht_seconds = forms.FloatField(label=_("AHT (s)"), min_value=1, max_value=36_000, required=False)
    target = forms.FloatField(label=_("Target"), min_value=0.01, max_value=0.999, required=False)
    target_seconds = forms.FloatField(label=_("Within (s)"), min_value=0, max_value=3600, required=False)
    shrinkage = forms.FloatField(label=_("Shrinkage"), min_value=0, max_value=0.95, required=False)
    # Left empty: Erlang C only. Absent from the query: the default patience.
    patience_seconds = forms.FloatField(label=_("Patience (s)"), min_value=1, max_value=36_000, required=False)
