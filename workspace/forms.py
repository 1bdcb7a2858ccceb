"""The queue's form of a bulk action on the selected rows."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicecenter.numbers import MAX_ID, BadNumber, IdField, parse_int
from tickets.models import Priority
from workspace.services import BULK_ACTIONS, BULK_MAX

MAX_VERSION = 2**31 - 1


class SelectionField(forms.Field):
    """The selected rows, each ``<id>:<version>`` as the row showed it (or a bare id: the ticket as it is
    now). At most ``BULK_MAX``, checked before anything is parsed further."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = [v for v in (value or []) if str(v).strip()]
        if not values:
            raise forms.ValidationError(_("Select at least one ticket."), code="required")
        if len(values) > BULK_MAX:
            raise forms.ValidationError(_("Select at most %(max)s tickets at once (you selected %(n)s).")
                                        % {"max": BULK_MAX, "n": len(values)}, code="too_many")
        selection = []
        for raw in values:
            pk, _sep, version = str(raw).partition(":")
            try:
                selection.append((parse_int(pk, minimum=1, maximum=MAX_ID),
                                  parse_int(version, minimum=1, maximum=MAX_VERSION) if version else None))
            except BadNumber:
                raise forms.ValidationError(_("“%(value)s” is not a ticket of the list.") % {"value": raw[:40]},
                                            code="invalid") from None
        return selection


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=[(a, a) for a in BULK_ACTIONS],
                               error_messages={"required": gettext_lazy("Choose what to do with the selected tickets."),
                                               "invalid_choice": gettext_lazy(
                                                   "Choose what to do with the selected tickets.")})
    ticket = SelectionField(label=gettext_lazy("Tickets"))
    assignee = IdField(label=gettext_lazy("Assignee"), required=False)
    priority = forms.TypedChoiceField(label=gettext_lazy("Priority"), choices=[("", "—"), *Priority.choices],
                                      coerce=int, required=False, empty_value=None)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "assign" and not cleaned.get("assignee") and "assignee" not in self.errors:
            self.add_error("assignee", _("Choose whom to assign them to."))
        if cleaned.get("action") == "priority" and not cleaned.get("priority") and "priority" not in self.errors:
            self.add_error("priority", _("Choose the priority."))
        return cleaned
