"""The notifications page's filters and its mark-read form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.selectors import FOLLOW_UP, WARNING


class NoticeFilterForm(forms.Form):
    """By level (a warning, an unhappy customer, or an escalation level the user has notices at) and by
    the ticket's team (among the teams the viewer may see)."""

    level = forms.ChoiceField(label=_("Level"), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False, empty_label=_("All teams"))

    def __init__(self, *args, levels: list[int], teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            ("", _("All levels")), (WARNING, _("Warning")), (FOLLOW_UP, _("Unhappy customer")),
            *[(str(level), _("Level %(level)s") % {"level": level}) for level in levels],
        ]
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda unit: unit.display_name


class MarkReadForm(forms.Form):
    """One notice, or every notice about one ticket."""

    notification = forms.IntegerField(required=False, min_value=1)
    ticket = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if bool(data.get("notification")) == bool(data.get("ticket")):
            raise forms.ValidationError(_("Say which notice or which ticket to mark read."))
        return data
