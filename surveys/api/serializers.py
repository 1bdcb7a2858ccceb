from rest_framework import serializers

from servicecenter.numbers import ApiDayField
from surveys.metrics import GROUPS
from surveys.models import ErrorCategory, FollowUp, QualityReview


class SurveyMetricsQuerySerializer(serializers.Serializer):
    date_from = ApiDayField(required=False)
    date_to = ApiDayField(required=False)
    group_by = serializers.ChoiceField(GROUPS, default="team")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"from": "from must not be after to"})
        return attrs


class SurveyMetricsRowSerializer(serializers.Serializer):
    group_key = serializers.CharField(allow_null=True)
    group_name = serializers.CharField(allow_null=True)
    sent = serializers.IntegerField()
    responses = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    satisfied = serializers.IntegerField()
    unhappy = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)
    r5 = serializers.IntegerField(help_text="very satisfied")
    r4 = serializers.IntegerField(help_text="satisfied")
    r3 = serializers.IntegerField(help_text="neutral")
    r2 = serializers.IntegerField(help_text="unsatisfied")
    r1 = serializers.IntegerField(help_text="very unsatisfied")
    complaints = serializers.IntegerField()
    complaints_resolved = serializers.IntegerField()
    complaint_resolution_rate = serializers.FloatField(allow_null=True)
    complaints_due = serializers.IntegerField()
    complaints_on_time = serializers.IntegerField()
    complaint_timeliness = serializers.FloatField(allow_null=True)
    reviewed = serializers.IntegerField()
    with_error = serializers.IntegerField()
    error_rate = serializers.FloatField(allow_null=True)


class SurveyMetricsSerializer(serializers.Serializer):
    date_from = serializers.DateField(source="from")
    date_to = serializers.DateField(source="to")
    group_by = serializers.CharField()
    results = SurveyMetricsRowSerializer(many=True)
    totals = SurveyMetricsRowSerializer()


class FollowUpSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="ticket.reference", read_only=True)
    agent_name = serializers.CharField(source="agent.name", read_only=True, default=None)
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True, default=None)
    rating = serializers.IntegerField(source="response.rating", read_only=True)
    comment = serializers.CharField(source="response.comment", read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "ticket", "reference", "agent", "agent_name", "supervisor", "supervisor_name", "rating",
                  "comment", "state", "created_at", "due_at", "closed_at", "outcome"]


class FollowUpCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000)


class QualityReviewSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="ticket.reference", read_only=True)
    agent_name = serializers.CharField(source="agent.name", read_only=True, default=None)
    reviewer_name = serializers.CharField(source="reviewer.name", read_only=True, default=None)

    class Meta:
        model = QualityReview
        fields = ["id", "ticket", "reference", "agent", "agent_name", "reviewer", "reviewer_name", "reviewed_at",
                  "has_error", "error_category", "score", "notes"]
        read_only_fields = fields


class QualityReviewInSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(min_value=1)
    has_error = serializers.BooleanField()
    error_category = serializers.ChoiceField(ErrorCategory.choices, required=False, allow_blank=True, default="")
    score = serializers.IntegerField(min_value=0, max_value=100)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class SampleTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    subject = serializers.CharField()
    assignee = serializers.IntegerField(source="assignee_id")
    assignee_name = serializers.CharField(source="assignee.name")
    resolved_at = serializers.DateTimeField()
