import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from messaging.models import CannedReply
from staff.models import Skill, in_reader_language

PLACEHOLDERS = {"customer_name", "reference", "due_date", "agent_no"}


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "body", "kind", "business_line", "language", "is_active", "sort_order"]
        # What leads write, in the reply's own language, with its placeholders: not the page's to translate.
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "translate": "no"}),
                   "title": forms.TextInput(attrs={"translate": "no"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business_line"].queryset = Skill.objects.order_by("name")
        self.fields["business_line"].label_from_instance = lambda skill: in_reader_language(skill.name, skill.name_en)
        self.fields["language"].choices = settings.LANGUAGES

    def clean_body(self) -> str:
        """Braces hold one of the four placeholders, nothing else (a misspelt one is named)."""
        body = self.cleaned_data["body"]
        unknown = sorted(set(re.findall(r"\{([^{}]*)\}", body)) - PLACEHOLDERS)
        if unknown or body.count("{") != body.count("}"):
            raise forms.ValidationError(_("Use only {customer_name}, {reference}, {due_date} and {agent_no} "
                                          "in braces (%(problem)s).") % {"problem": ", ".join(unknown) or "{ }"})
        return body
