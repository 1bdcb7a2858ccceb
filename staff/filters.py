import django_filters

from servicecenter.numbers import IdFilter
from staff.models import Position, StaffMember, Unit


class UnitFilter(django_filters.FilterSet):
    class Meta:
        model = Unit
        fields = ["kind", "parent"]


class PositionFilter(django_filters.FilterSet):
    class Meta:
        model = Position
        fields = ["unit", "role", "reports_to", "in_establishment"]


class StaffMemberFilter(django_filters.FilterSet):
    role = django_filters.CharFilter(field_name="position__role")
    unit = IdFilter(field_name="position__unit")

    class Meta:
        model = StaffMember
        fields = ["position", "is_active", "role", "unit"]
