from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from messaging.models import CannedReply
from staff.models import Skill, in_reader_language


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "body", "kind", "business_line", "language", "is_active", "sort_order"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"body": _("May name {customer_name}, {reference}, {due_date} and {agent_no}: filled in for "
                                "the ticket and the agent.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business_line"].queryset = Skill.objects.order_by("name")
        self.fields["business_line"].label_from_instance = lambda skill: in_reader_language(skill.name, skill.name_en)
        self.fields["language"].choices = settings.LANGUAGES

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            body.format_map({"customer_name": "", "reference": "", "due_date": "", "agent_no": ""})
        except (KeyError, ValueError, IndexError) as error:
            raise forms.ValidationError(_("Use only {customer_name}, {reference}, {due_date} and {agent_no} "
                                          "in braces (%(problem)s).") % {"problem": error}) from None
        return body
