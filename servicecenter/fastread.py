"""Read-only serializers that cost less per row (issue 18).

DRF represents an object field by field: for each it walks ``get_attribute`` (which tries the
source, calls it if callable, turns a related object into a ``PKOnlyObject``, catches the
exceptions of a missing one) before ``to_representation``. For a list of 25 tickets of 36 fields,
nested customer and clocks, that walk was a third of the serializer's time. :class:`FastReadMixin`
works out once per serializer and model how each field is read, and for the three commonest kinds
(a concrete column, a related object's primary key, a method field) reads it directly; every other
field goes DRF's own way. The output is the same, key for key: ``tests/tickets/test_fastread.py``
compares it with DRF's on every kind of ticket.
"""

import copy
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField
from rest_framework.settings import api_settings

COLUMN, PK, METHOD, WHOLE, DRF, MOMENT = range(6)


def _iso_moment(field: serializers.Field) -> bool:
    """A date-time field that DRF would write as ISO 8601 in the current time zone."""
    return (type(field) is serializers.DateTimeField and settings.USE_TZ and not hasattr(field, "timezone")
            and str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601)


def moment_text(value: datetime, zone: Any) -> str:
    """``DateTimeField.to_representation`` of an aware ``value``, with the zone looked up once per
    row instead of once per field."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def how_read(field: serializers.Field, model: Any) -> tuple[int, str]:
    """How ``field`` is read from an instance of ``model``."""
    if isinstance(field, serializers.SerializerMethodField):
        return METHOD, ""
    if field.source == "*":
        return WHOLE, ""
    if len(field.source_attrs) != 1:
        return DRF, ""
    name = field.source_attrs[0]
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a property or an annotation: DRF's way
        return DRF, ""
    if isinstance(field, PrimaryKeyRelatedField):
        if field.use_pk_only_optimization() and field.pk_field is None and model_field.many_to_one:
            return PK, model_field.attname
        return DRF, ""
    if model_field.concrete and not model_field.is_relation and not isinstance(field, serializers.BaseSerializer):
        return (MOMENT if _iso_moment(field) else COLUMN), model_field.attname
    return DRF, ""


def moment_value(field: serializers.Field, value: Any, zone: Any) -> Any:
    """A date-time field's representation of ``value``: :func:`moment_text` for an aware one, DRF's own
    way for the rare naive one (it makes it aware, or refuses it)."""
    if value is None:
        return None
    if timezone.is_aware(value):
        return moment_text(value, zone)
    return field.to_representation(value)


# Per model serializer class and language: for each field, None where it is declared on the class, else
# the class and arguments ModelSerializer built it from. (DRF gives a built field a label only where the
# model field's verbose name, in the active language, differs from the field's name.)
_RECIPES: dict[tuple[type, str | None], dict[str, tuple[type, tuple, dict] | None]] = {}


class FastReadMixin:
    """For ``serializers.Serializer`` subclasses used to read: the same representation, built faster."""

    def get_fields(self) -> dict[str, serializers.Field]:
        """A model serializer works its fields out from the model for every instance, and a request
        makes new instances; the answer depends on the class and the language alone, so it is kept per
        both and the fields are made from it (declared ones are copied as DRF copies them)."""
        kept = (type(self), get_language())
        recipe = _RECIPES.get(kept)
        if recipe is None:
            fields = super().get_fields()  # type: ignore[misc]
            declared = self._declared_fields  # type: ignore[attr-defined]
            built = [field for name, field in fields.items() if name not in declared]
            # Kept only where the arguments hold no field of their own (a many-relation's child, a
            # nested serializer), which the fields made from them would share.
            if isinstance(self, serializers.ModelSerializer) and not any(
                    isinstance(field, serializers.ManyRelatedField | serializers.BaseSerializer) for field in built):
                _RECIPES[kept] = {
                    name: None if name in declared else (type(field), field._args, field._kwargs)
                    for name, field in fields.items()}
            return fields
        declared = copy.deepcopy(self._declared_fields)  # type: ignore[attr-defined]
        return {name: declared[name] if made is None else made[0](*made[1], **made[2])
                for name, made in recipe.items()}

    _plans: dict[type, list[tuple[str, serializers.Field, int, str]]]

    def _plan(self, model: type) -> list[tuple[str, serializers.Field, int, str]]:
        plans = self.__dict__.setdefault("_plans", {})
        plan = plans.get(model)
        if plan is None:
            plan = plans[model] = [(field.field_name, field, *how_read(field, model))
                                   for field in self._readable_fields]  # type: ignore[attr-defined]
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        values = instance.__dict__
        zone = timezone.get_current_timezone()
        for name, field, how, attname in self._plan(type(instance)):
            if how == MOMENT:
                value = values[attname] if attname in values else getattr(instance, attname)
                out[name] = moment_value(field, value, zone)
            elif how == COLUMN:
                value = values[attname] if attname in values else getattr(instance, attname)
                out[name] = None if value is None else field.to_representation(value)
            elif how == PK:
                out[name] = values[attname] if attname in values else getattr(instance, attname)
            elif how in (METHOD, WHOLE):
                out[name] = field.to_representation(instance)
            else:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                out[name] = None if none is None else field.to_representation(attribute)
        return out

