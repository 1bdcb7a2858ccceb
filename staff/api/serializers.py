from rest_framework import serializers

from staff.models import (
    Duty,
    JobDescription,
    JobDescriptionVersion,
    OrgChange,
    PerformanceStandard,
    Position,
    StaffMember,
    Unit,
)


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
    # The first format, still accepted: the tasks as text and the frequency on the duty.
    frequency = serializers.CharField(write_only=True, required=False, allow_blank=True)
    frequency_detail = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Duty
        fields = ["title", "tasks", "frequency", "frequency_detail"]


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




class OrgChangeSerializer(serializers.ModelSerializer):
    """One org change: ``kind`` and ``payload`` (the fields of that kind of change, ids for units, posts and
    people), ``effective_on`` (today or later; today applies it at once) and ``reason``."""

    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    payload = serializers.DictField(help_text="The change's fields, as the org editor names them.")
    effective_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = OrgChange
        fields = ["id", "kind", "payload", "summary", "effective_on", "reason", "state", "impact", "requested_by",
                  "requested_at", "applied_at", "failure"]
        read_only_fields = ["id", "summary", "state", "impact", "requested_by", "requested_at", "applied_at",
                            "failure"]
        extra_kwargs = {"reason": {"required": True}}


class OrgChangePreviewSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrgChange.Kind.choices)
    payload = serializers.DictField()


class ImpactSerializer(serializers.Serializer):
    summary = serializers.CharField()
    superiors = serializers.ListField(child=serializers.DictField())
    leads = serializers.ListField(child=serializers.DictField())
    vacant = serializers.ListField(child=serializers.DictField())
    over = serializers.ListField(child=serializers.DictField())
    tickets = serializers.IntegerField()


class JobDescriptionListSerializer(serializers.ModelSerializer):
    position = serializers.CharField(source="position.code")
    title = serializers.CharField(source="position.display_name")
    version_in_effect = serializers.SerializerMethodField()

    class Meta:
        model = JobDescription
        fields = ["id", "position", "title", "version_in_effect", "updated_at"]

    def get_version_in_effect(self, obj) -> int | None:
        return next((v.number for v in obj.versions.all() if v.in_effect), None)


class JobDescriptionVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, default=None)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None)
    published_by = serializers.CharField(source="published_by.username", read_only=True, default=None)
    content = serializers.DictField(required=False, help_text="The document (staff/jobdoc.py).")

    class Meta:
        model = JobDescriptionVersion
        fields = ["number", "state", "in_effect", "effective_on", "note", "content", "created_by", "created_at",
                  "submitted_by", "submitted_at", "approved_by", "approved_at", "published_by", "published_at",
                  "returned_reason"]
        read_only_fields = [f for f in fields if f not in ("content", "note")]


class JobDescriptionStepSerializer(serializers.Serializer):
    effective_on = serializers.DateField(required=False, allow_null=True, help_text="For publish: from when.")
    reason = serializers.CharField(required=False, allow_blank=True, help_text="For return: why it goes back.")


class CompareRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    section = serializers.CharField()
    changed = serializers.BooleanField()
    old = serializers.CharField(help_text="HTML; removed text in <del>.")
    new = serializers.CharField(help_text="HTML; added text in <ins>.")
