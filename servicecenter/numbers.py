"""Numbers, ids and dates read from query strings and forms: one place says what a good one is.

A bad value (``inf``, ``nan``, ``1e309``, ``-1`` where counting starts at 0 or 1,
``99999999999999999999``, ``1.5`` for a whole number, ``abc``, ``²``, a date in the year 9999) is
refused with a reason before anything is read or written:

- the API answers 400 with the reason under the parameter's name (``api_int``, ``Pagination``, and the
  serializers' own bounded fields);
- a page is shown again with the reason among its messages and status 400, using the default for
  the bad value (``query_values`` with a form of optional fields), or a form posted from a page says
  why on the page it returns to.

Ids are whole numbers from 1 to the largest ``bigint`` (``IdField``, ``IdFilter``): a bigger one
would not reach the database (PostgreSQL refuses it in ``IN (…)``, SQLite overflows).
"""

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.fields import IsoDateTimeField
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

MAX_ID = 2**63 - 1  # BigAutoField
MAX_PAGE = 1_000_000
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)  # what the calendar and the figures can cover
FIRST_MOMENT, LAST_MOMENT = datetime(2000, 1, 1, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC)
DAY_RANGE = gettext_lazy("Enter a date between 2000-01-01 and 2100-12-31.")

_WHOLE = re.compile(r"[+-]?[0-9]{1,30}")


class BadNumber(ValueError):
    """A value that is not the number asked for; ``message`` says what is, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_int(raw: object, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number written in ASCII digits (``int`` alone would take ``1_000``, ``١٢`` or a
    4,000-digit string), within the bounds."""
    text = str(raw if raw is not None else "").strip()
    if not _WHOLE.fullmatch(text):
        raise BadNumber(_bounds_message(minimum, maximum))
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise BadNumber(_bounds_message(minimum, maximum))
    return value


def _bounds_message(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return _("Enter a whole number from %(minimum)s to %(maximum)s.") % {"minimum": minimum, "maximum": maximum}
    if minimum is not None:
        return _("Enter a whole number from %(minimum)s.") % {"minimum": minimum}
    return _("Enter a whole number.")


def api_int(request: Request, name: str, *, default: int | None, minimum: int, maximum: int) -> int | None:
    """An optional whole-number query parameter of the API: absent or empty → ``default``; bad → 400."""
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse_int(raw, minimum=minimum, maximum=maximum)
    except BadNumber as error:
        raise ValidationError({name: [error.message]}) from None


class IdField(forms.IntegerField):
    """A row's id in a query or a form: a whole number from 1 to the largest id."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return parse_int(value, minimum=1, maximum=MAX_ID)
        except BadNumber:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class IdFilter(django_filters.NumberFilter):  # type: ignore[misc]  # django-filter ships no types
    """``django_filters.NumberFilter`` reads a decimal, so ``team=1.5`` meant team 1 and ``team=1e30``
    reached the database; an id is a whole number."""

    field_class = IdField


class IdOrWordField(forms.CharField):
    """An id, or one of a few words (``assignee=me``, ``assignee=none``)."""

    def __init__(self, *, words: Iterable[str] = ("me", "none"), **kwargs: Any) -> None:
        self.words = tuple(words)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str | None:
        cleaned: str | None = super().clean(value)
        if cleaned in ("", None) or cleaned in self.words:
            return cleaned
        try:
            return str(parse_int(cleaned, minimum=1, maximum=MAX_ID))
        except BadNumber:
            raise forms.ValidationError(
                _("Enter an id or one of: %(words)s.") % {"words": ", ".join(self.words)}, code="invalid") from None


def _day_bounds() -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(FIRST_DAY, DAY_RANGE), MaxValueValidator(LAST_DAY, DAY_RANGE)]


def _moment_bounds() -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(FIRST_MOMENT, DAY_RANGE), MaxValueValidator(LAST_MOMENT, DAY_RANGE)]


class DayField(forms.DateField):
    """A date ``YYYY-MM-DD`` between 2000 and 2100 (a period's ends; later dates overflow the
    arithmetic that adds a day to them)."""

    default_error_messages = {"invalid": gettext_lazy("Enter a date as YYYY-MM-DD.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.validators += _day_bounds()


class _BoundedMoment(forms.DateTimeField):
    """A moment between 2000 and 2100. Python reads ``0001-01-01`` (which then overflows when it is
    turned to UTC, in a query or an INSERT) and twenty ones in a row (the year 1111) as moments."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators += _moment_bounds()

    def to_python(self, value: Any) -> datetime | None:
        try:
            return super().to_python(value)
        except OverflowError:
            raise forms.ValidationError(DAY_RANGE, code="invalid") from None


class MomentFormField(_BoundedMoment, forms.DateTimeField):
    """A form's date and time, between 2000 and 2100."""


class _IsoMomentField(_BoundedMoment, IsoDateTimeField):  # type: ignore[misc]  # django-filter ships no types
    pass


class MomentFilter(django_filters.IsoDateTimeFilter):  # type: ignore[misc]  # django-filter ships no types
    """An ISO 8601 moment between 2000 and 2100."""

    field_class = _IsoMomentField


class ApiDayField(serializers.DateField):
    """The API's date ``YYYY-MM-DD``, between 2000 and 2100."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators += _day_bounds()


class ApiMomentField(serializers.DateTimeField):
    """The API's moment, between 2000 and 2100 (DRF's own field lets ``0001-01-01`` overflow into a 500)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators += _moment_bounds()

    def to_internal_value(self, value: datetime | str) -> datetime:
        try:
            return super().to_internal_value(value)
        except OverflowError:
            raise serializers.ValidationError(DAY_RANGE, code="invalid") from None


def valid_query(serializer: serializers.Serializer[Any], *,
                names: Iterable[tuple[str, str]] = (("date_from", "from"), ("date_to", "to"))) -> dict[str, Any]:
    """The validated data of a query serializer; a bad value is a 400 under the name the caller used
    (``from``, not the serializer's ``date_from``)."""
    if not serializer.is_valid():
        rename = dict(names)
        raise ValidationError({rename.get(k, k): v for k, v in serializer.errors.items()})
    data: dict[str, Any] = serializer.validated_data
    return data


class MonthField(forms.CharField):
    """A month ``YYYY-MM`` (2000-01 to 2100-12), cleaned to its first day."""

    default_error_messages = {"invalid": gettext_lazy("A month as YYYY-MM between 2000-01 and 2100-12.")}

    # The stubs say a CharField cleans to a str; this one cleans to the month's first day.
    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        from servicecenter.periods import parse_month

        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class MonthForm(forms.Form):
    """``?month=`` of a page."""

    month = MonthField(label=gettext_lazy("Month"), required=False)


class PeriodForm(forms.Form):
    """``?from=&to=`` of a page."""

    # "from" is a keyword: the fields are renamed in ``add_prefix``.
    date_from = DayField(label=gettext_lazy("From"))
    date_to = DayField(label=gettext_lazy("To"))

    def add_prefix(self, field_name: str) -> str:
        return {"date_from": "from", "date_to": "to"}.get(field_name, field_name)


def form_errors(form: forms.Form) -> list[str]:
    """Each error of a bound form, preceded by its field's label."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out += [f"{label}: {error}" if label else str(error) for error in errors]
    return out


def query_values(request: HttpRequest, form: forms.Form) -> tuple[dict[str, Any], bool]:
    """The cleaned values of a form of optional fields bound to the query string. A bad value is
    named in the page's messages (shown on the page being rendered) and left out, so the caller uses
    its default; ``ok`` is False then, and the page answers 400."""
    if form.is_valid():
        return dict(form.cleaned_data), True
    if not getattr(request, "htmx", False):
        for error in form_errors(form):
            messages.error(request, error)
    return {k: v for k, v in form.cleaned_data.items() if k not in form.errors}, False


def query_page(request: HttpRequest, name: str = "page") -> tuple[int, bool]:
    """``?page=`` of a page: a whole number from 1 (absent or empty: 1). A bad one is named in the
    page's messages and the first page shown; ``ok`` is False then."""
    raw = request.GET.get(name, "")
    if raw.strip() == "":
        return 1, True
    try:
        return parse_int(raw, minimum=1, maximum=MAX_PAGE), True
    except BadNumber as error:
        if not getattr(request, "htmx", False):
            messages.error(request, f"{name}: {error.message}")
        return 1, False


def bad_request(form: forms.Form) -> HttpResponseBadRequest:
    """400 with the form's errors as plain text: for downloads, which have no page to show them on."""
    return HttpResponseBadRequest("\n".join(form_errors(form)), content_type="text/plain; charset=utf-8")


class Pagination(PageNumberPagination):
    """``?page=`` of every list of the API: a whole number from 1 (400 otherwise, with the reason);
    a page past the last one is DRF's 404 ``Invalid page``."""

    def get_page_number(self, request: Request, paginator: "Paginator[Any]") -> int | str:
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw.strip() == "":
            return 1
        if raw in self.last_page_strings:
            return raw
        try:
            return parse_int(raw, minimum=1, maximum=MAX_PAGE)
        except BadNumber as error:
            raise ValidationError({self.page_query_param: [error.message]}) from None
