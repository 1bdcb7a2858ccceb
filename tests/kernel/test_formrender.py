"""The select widgets written in Python (``servicecenter/formrender.py``) give Django's own markup,
byte for byte, for every shape of select the product's forms use and a few they do not yet."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from servicecenter.formrender import FormRenderer
from tickets.filters import TicketFilter

GROUPED = [("", "—"), ("近 <期>", [(1, "a & b"), (2, mark_safe("<b>c</b>"))]), (3, 'say "d"'), ("x", "x")]


class Shapes(forms.Form):
    single = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=GROUPED, required=False,
                                     widget=forms.SelectMultiple(attrs={"class": "a b", "data-x": 'q"<'}))
    flags = forms.ChoiceField(choices=[("1", "one")], widget=forms.Select(attrs={"autofocus": True, "hidden": False}))
    yes_no = forms.NullBooleanField(required=False)
    empty = forms.ChoiceField(choices=[], required=False)
    text = forms.CharField(required=False)  # not a select: the template way, the same either way


class Counting(FormRenderer):
    """Remembers the templates it had to load."""

    def __init__(self):
        super().__init__()
        self.loaded = []

    def get_template(self, template_name):
        self.loaded.append(template_name)
        return super().get_template(template_name)


@pytest.mark.parametrize("data", [
    {},
    {"single": "2", "many": ["1", "x"], "flags": "1", "yes_no": "true"},
    {"single": "nonsense", "many": ["3"], "yes_no": "false", "text": "<i>"},
])
def test_every_select_is_djangos_markup(data):
    renderer = Counting()
    fast, plain = Shapes(data or None, renderer=renderer), Shapes(data or None, renderer=DjangoTemplates())
    for name in Shapes.base_fields:
        assert str(fast[name]) == str(plain[name]), name
    assert ("selected" in str(fast["many"])) == bool(data)
    assert set(renderer.loaded) == {"django/forms/widgets/text.html"}  # the selects without a template


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_queues_filter_selects_are_djangos_markup(language):
    from django.utils import translation

    with translation.override(language):
        for data in ({}, {"kind": ["complaint", "repair"], "status": ["new"], "sla_state": ["breached"]}):
            fast = TicketFilter(data=data).form
            plain = TicketFilter(data=data).form
            plain.renderer = DjangoTemplates()
            fast.renderer = FormRenderer()
            for name in ("kind", "status", "sla_state", "priority", "channel"):
                assert str(fast[name]) == str(plain[name]), (language, name)
                assert str(fast[name]).startswith(f'<select name="{name}" id="id_{name}" multiple>')
