from rest_framework import serializers

from staff.models import Scorecard


class ScorecardSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    employee_no = serializers.CharField(source="staff.employee_no", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default=None)
    adjusted_by_name = serializers.CharField(source="adjusted_by.name", read_only=True, default=None)
    band_label = serializers.CharField(source="get_band_display", read_only=True)

    class Meta:
        model = Scorecard
        fields = ["id", "staff", "staff_name", "employee_no", "month", "team", "team_name", "kpis", "base_score",
                  "adjustment", "adjustment_reason", "adjusted_by", "adjusted_by_name", "total", "band", "band_label",
                  "computed_at"]
        read_only_fields = fields


class ScorecardAdjustSerializer(serializers.Serializer):
    adjustment = serializers.DecimalField(max_digits=5, decimal_places=2)
    reason = serializers.CharField(max_length=300, allow_blank=True, default="")


class ScorecardComputeSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$")

    def validate_month(self, value):
        from django.utils.translation import gettext as _

        from servicecenter.periods import parse_month

        if parse_month(value) is None:  # the years the scorecards can hold
            raise serializers.ValidationError(_("A month as YYYY-MM between 2000-01 and 2100-12."))
        return value


class ScorecardComputeResultSerializer(serializers.Serializer):
    month = serializers.DateField()
    scorecards = serializers.IntegerField()
