"""Forms of the public pages: filing a ticket and tracking it, without an account."""

from django import forms
from django.utils.translation import gettext_lazy as _

from servicecenter.numbers import MomentFormField
from staff.models import Skill, Unit, in_reader_language, open_units
from tickets.models import Area, CallbackOutcome, Channel, ComplaintCategory, CustomerClass, Kind, Priority

PUBLIC_KINDS = [(k.value, k.label) for k in (Kind.INQUIRY, Kind.COMPLAINT, Kind.REPAIR, Kind.SUGGESTION)]


class PublicTicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it about?"), choices=PUBLIC_KINDS)
    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=32,
                            help_text=_("We use it to reach you and to let you track this."))
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    account_no = forms.CharField(label=_("Account number (optional)"), max_length=40, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    # A field people never see; a bot that fills it in gets a thank-you page and files nothing.
    website = forms.CharField(required=False, label=_("Leave this empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def clean_phone(self):
        phone = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch == "+")
        if len(phone) < 5:
            raise forms.ValidationError(_("Enter a phone number we can call."))
        return phone


class TrackForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=20,
                                widget=forms.TextInput(attrs={"placeholder": "TS-20261122-000123"}))
    phone = forms.CharField(label=_("Phone you gave us"), max_length=32)

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()

    def clean_phone(self):
        return "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch == "+")


class NewTicketForm(forms.Form):
    """An agent logging a call, a visit or a letter: the customer, what they want, and when it came in."""

    phone = forms.CharField(label=_("Phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    name = forms.CharField(label=_("Customer name"), max_length=100)
    account_no = forms.CharField(label=_("Account number"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    customer_class = forms.ChoiceField(label=_("Customer class"), choices=CustomerClass.choices,
                                       initial=CustomerClass.RESIDENTIAL)
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices, initial=Area.URBAN, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    business_line = forms.ModelChoiceField(label=_("Business line"), required=False,
                                           queryset=Skill.objects.filter(kind=Skill.Kind.BUSINESS_LINE).order_by("id"),
                                           empty_label=_("— any —"))
    team = forms.ModelChoiceField(label=_("Team queue"), required=False,
                                  queryset=open_units().filter(kind=Unit.Kind.TEAM).order_by("sort_order", "id"),
                                  empty_label=_("— by the routing rules —"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int,
                                      initial=Priority.NORMAL)
    complaint_category = forms.ChoiceField(label=_("Complaint category"), required=False,
                                           choices=[("", "—"), *ComplaintCategory.choices])
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    received_at = MomentFormField(label=_("Received at (if earlier)"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    take_it = forms.BooleanField(label=_("I handle it myself"), required=False, initial=True)
    call_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_line"].label_from_instance = lambda skill: in_reader_language(skill.name, skill.name_en)
        self.fields["team"].label_from_instance = lambda unit: unit.display_name

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("account_no") or data.get("email")):
            raise forms.ValidationError(_("Give the customer's phone, account number or e-mail."))
        return data


class ComplaintRecordForm(forms.Form):
    """The complaint record (投诉处理记录): what was found, what was done, what the customer was told."""

    complaint_category = forms.ChoiceField(label=_("Complaint category"), required=False,
                                           choices=[("", "—"), *ComplaintCategory.choices])
    responsible_unit = forms.ModelChoiceField(label=_("Responsible department"), required=False,
                                              queryset=open_units().order_by("sort_order", "id"))
    investigation = forms.CharField(label=_("Investigation result"), required=False, max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    remedy = forms.CharField(label=_("Remedy"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    customer_reply = forms.CharField(label=_("Reply to the customer"), required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].label_from_instance = lambda unit: unit.display_name


class WorkOrderStepForm(forms.Form):
    """Arrival on site or restoration, now or at a time given after the fact."""

    at = MomentFormField(label=_("When (leave empty for now)"), required=False,
                         widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notes = forms.CharField(label=_("What was done"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 2}))


class BodyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CallbackAttemptForm(forms.Form):
    # Nothing is chosen until the agent chooses: one careless click must not close a ticket as satisfied.
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("— the outcome of the call —")),
                                                             *CallbackOutcome.choices])
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unsatisfied_action = forms.ChoiceField(label=_("If unsatisfied"), initial="reopen", required=False, choices=[
        ("reopen", _("Reopen the ticket")), ("raise", _("Raise to the supervisor"))])

    def clean_unsatisfied_action(self):
        return self.cleaned_data["unsatisfied_action"] or "reopen"
