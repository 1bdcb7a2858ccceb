from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from servicecenter.numbers import ApiDayField, ApiMomentField
from sla.models import CalendarDay, Policy, PolicyTarget


class CalendarDaySerializer(serializers.ModelSerializer):
    provisional = serializers.BooleanField(source="is_provisional", read_only=True)

    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name", "source", "provisional"]
        read_only_fields = ["date", "source", "provisional"]


class CalendarDayInSerializer(serializers.Serializer):
    is_workday = serializers.BooleanField()
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    official = serializers.BooleanField(default=True, help_text=_("The State Council's schedule (not provisional)."))


class CalendarAddQuerySerializer(serializers.Serializer):
    start = ApiMomentField(help_text=_("A date (YYYY-MM-DD) or a date and time."))
    working_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)
    business_minutes = serializers.IntegerField(min_value=0, max_value=5_000_000, required=False)
    minutes = serializers.IntegerField(min_value=0, max_value=5_000_000, required=False)
    end_of_day = serializers.ChoiceField([("close", _("Close of business")), ("midnight", "24:00")], default="close")

    def validate(self, attrs):
        given = [u for u in ("working_days", "business_minutes", "minutes") if attrs.get(u) is not None]
        if len(given) != 1:
            raise serializers.ValidationError(_("Give exactly one of working_days, business_minutes, minutes."))
        attrs["unit"], attrs["amount"] = given[0], attrs[given[0]]
        return attrs


class CalendarAddSerializer(serializers.Serializer):
    date = serializers.DateField()
    at = serializers.DateTimeField()
    provisional = serializers.BooleanField()


class PolicyTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = PolicyTarget
        fields = ["target", "amount", "unit", "warn_percent", "escalate_every", "escalate_every_unit"]


class PolicySerializer(serializers.ModelSerializer):
    targets = PolicyTargetSerializer(many=True, read_only=True)

    class Meta:
        model = Policy
        fields = ["id", "rank", "name", "kind", "priority", "customer_class", "channel", "area", "calendar",
                  "end_of_day", "is_active", "targets"]


class MetricsQuerySerializer(serializers.Serializer):
    date_from = ApiDayField(required=False)
    date_to = ApiDayField(required=False)
    group_by = serializers.ChoiceField(["team", "agent", "kind", "target"], default="team")


class MetricsRowSerializer(serializers.Serializer):
    group_key = serializers.CharField(allow_null=True)
    group_name = serializers.CharField(allow_null=True)
    clocks = serializers.IntegerField()
    completed = serializers.IntegerField()
    met_on_time = serializers.IntegerField()
    met_late = serializers.IntegerField(help_text=_("Met after the deadline (counted in breached too)."))
    breached = serializers.IntegerField(help_text=_("Breached, whether met late or not yet met."))
    breached_unmet = serializers.IntegerField(help_text=_("Breached and not yet met."))
    paused = serializers.IntegerField(help_text=_("Paused, not breached."))
    on_track = serializers.IntegerField(help_text=_("Running, neither at risk nor breached."))
    at_risk = serializers.IntegerField()
    running = serializers.IntegerField()
    compliance = serializers.FloatField(allow_null=True)
    response_wall_seconds = serializers.FloatField(allow_null=True)
    response_working_seconds = serializers.FloatField(allow_null=True)
    resolution_wall_seconds = serializers.FloatField(allow_null=True)
    resolution_working_seconds = serializers.FloatField(allow_null=True)


class MetricsSerializer(serializers.Serializer):
    # "from" is a keyword; the field is declared under another name and renamed in the schema.
    date_from = serializers.DateField(source="from")
    to = serializers.DateField()
    group_by = serializers.CharField()
    results = MetricsRowSerializer(many=True)
