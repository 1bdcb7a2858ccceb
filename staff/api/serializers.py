from rest_framework import serializers

from staff.models import Duty, JobDescription, PerformanceStandard, Position, StaffMember, Unit


class UnitSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "name_en", "display_name", "code", "kind", "parent", "sort_order"]


class TaskSerializer(serializers.Serializer):
    """One task of a duty (staff/jobdoc.py)."""

    name = serializers.CharField()
    key_process = serializers.CharField(required=False, allow_blank=True)
    major_result = serializers.CharField(required=False, allow_blank=True)
    frequency = serializers.CharField(required=False, allow_blank=True)
    measures = serializers.CharField(required=False, allow_blank=True)


class DutySerializer(serializers.ModelSerializer):
    tasks = serializers.JSONField(help_text="A list of tasks: name, key_process, major_result, frequency, measures.")

    class Meta:
        model = Duty
        fields = ["title", "tasks"]


class StandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = PerformanceStandard
        fields = ["indicator", "figure", "comparator", "target", "unit"]


class JobDescriptionSerializer(serializers.ModelSerializer):
    duties = DutySerializer(many=True, required=False)
    standards = StandardSerializer(many=True, required=False)

    class Meta:
        model = JobDescription
        fields = ["purpose", "working_conditions", "difficulties", "taboos", "career_path", "education", "major",
                  "years_experience", "certificates", "skills", "abilities", "attitude", "duties", "standards",
                  "updated_at"]
        read_only_fields = ["updated_at"]


class PositionSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    filled = serializers.IntegerField(read_only=True)
    vacant = serializers.IntegerField(read_only=True)
    job_description = JobDescriptionSerializer(required=False, allow_null=True)

    class Meta:
        model = Position
        fields = ["id", "code", "title", "title_en", "display_name", "unit", "grade", "role", "reports_to",
                  "headcount", "in_establishment", "headcount_note", "concurrent_allowed", "filled", "vacant",
                  "job_description"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not hasattr(instance, "job_description"):
            data["job_description"] = None
        return data


class StaffMemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    role = serializers.CharField(read_only=True)
    unit = serializers.IntegerField(source="position.unit_id", read_only=True, allow_null=True)
    concurrent_posts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    skills = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = StaffMember
        fields = ["id", "username", "name", "employee_no", "agent_no", "position", "unit", "role",
                  "concurrent_posts", "skills", "is_active"]
        read_only_fields = ["id"]


class ChainLinkSerializer(serializers.Serializer):
    level = serializers.IntegerField(source="depth")
    staff = serializers.IntegerField(source="staff_id")
    name = serializers.CharField()
    employee_no = serializers.CharField()
    position = serializers.IntegerField(source="position_id")
    position_title = serializers.CharField()
    role = serializers.CharField()


