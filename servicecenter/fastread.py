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

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField

_COLUMN, _PK, _METHOD, _WHOLE, _DRF = range(5)


def _read(field: serializers.Field, model: Any) -> tuple[int, str]:
    """How ``field`` is read from an instance of ``model``."""
    if isinstance(field, serializers.SerializerMethodField):
        return _METHOD, ""
    if field.source == "*":
        return _WHOLE, ""
    if len(field.source_attrs) != 1:
        return _DRF, ""
    name = field.source_attrs[0]
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a property or an annotation: DRF's way
        return _DRF, ""
    if isinstance(field, PrimaryKeyRelatedField):
        if field.use_pk_only_optimization() and field.pk_field is None and model_field.many_to_one:
            return _PK, model_field.attname
        return _DRF, ""
    if model_field.concrete and not model_field.is_relation and not isinstance(field, serializers.BaseSerializer):
        return _COLUMN, model_field.attname
    return _DRF, ""


class FastReadMixin:
    """For ``serializers.Serializer`` subclasses used to read: the same representation, built faster."""

    _plans: dict[type, list[tuple[str, serializers.Field, int, str]]]

    def _plan(self, model: type) -> list[tuple[str, serializers.Field, int, str]]:
        plans = self.__dict__.setdefault("_plans", {})
        plan = plans.get(model)
        if plan is None:
            plan = plans[model] = [(field.field_name, field, *_read(field, model))
                                   for field in self._readable_fields]  # type: ignore[attr-defined]
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        values = instance.__dict__
        for name, field, how, attname in self._plan(type(instance)):
            if how == _COLUMN:
                value = values[attname] if attname in values else getattr(instance, attname)
                out[name] = None if value is None else field.to_representation(value)
            elif how == _PK:
                out[name] = values[attname] if attname in values else getattr(instance, attname)
            elif how in (_METHOD, _WHOLE):
                out[name] = field.to_representation(instance)
            else:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                out[name] = None if none is None else field.to_representation(attribute)
        return out

