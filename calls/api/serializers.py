from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calls.models import CallImport
from servicecenter.numbers import ApiDayField


class StaffingQuerySerializer(serializers.Serializer):
    calls = serializers.FloatField(min_value=0, max_value=1_000_000, help_text=_("Calls forecast in the interval."))
    interval_minutes = serializers.IntegerField(min_value=1, max_value=1440, default=30)
    aht_seconds = serializers.FloatField(min_value=1, max_value=36_000, help_text=_("Average handling time."))
    target = serializers.FloatField(min_value=0.01, max_value=0.999, default=0.8)
    threshold_seconds = serializers.FloatField(min_value=0, max_value=3600, default=15)
    shrinkage = serializers.FloatField(min_value=0, max_value=0.95, default=0)
    patience_seconds = serializers.FloatField(min_value=1, max_value=36_000, required=False,
                                              help_text=_("Average patience: adds the Erlang A figures."))


class StaffingRowSerializer(serializers.Serializer):
    agents = serializers.IntegerField()
    service_level = serializers.FloatField()
    p_wait = serializers.FloatField()
    asa_seconds = serializers.FloatField(allow_null=True)
    occupancy = serializers.FloatField()


class StaffingSerializer(StaffingRowSerializer):
    traffic_erlangs = serializers.FloatField()
    scheduled_staff = serializers.IntegerField()
    formula = serializers.CharField()
    table = StaffingRowSerializer(many=True)


class CallImportSerializer(serializers.ModelSerializer):
    failure_message = serializers.CharField(source="get_failure_reason_display", read_only=True,
                                            help_text=_("Why the import failed, in the reader's language."))

    class Meta:
        model = CallImport
        fields = ["id", "name", "format", "status", "lines", "processed", "imported", "duplicates", "errors",
                  "created_at", "finished_at", "updated_at", "attempts", "failure_reason", "failure_message"]
        read_only_fields = fields


class CallImportInSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField([("queue_log", "queue_log"), ("csv", "csv")], default="queue_log")

    def validate_file(self, value):
        if value.size > 50 * 1024 * 1024:
            raise serializers.ValidationError(_("The file is larger than 50 MB."))
        return value


class ServiceLevelQuerySerializer(serializers.Serializer):
    date_from = ApiDayField(required=False)
    date_to = ApiDayField(required=False)
    queue = serializers.CharField(required=False, allow_blank=True, default="")
    threshold = serializers.IntegerField(min_value=0, max_value=600, default=15)
    short_abandon = serializers.IntegerField(min_value=0, max_value=600, default=5)
    group_by = serializers.ChoiceField(["", "hour", "day", "queue", "agent"], default="")
    formula = serializers.ChoiceField(["short_abandons_excluded", "answered_only", "abandons_against",
                                       "abandons_for", "late_abandons_against"], default="short_abandons_excluded")
