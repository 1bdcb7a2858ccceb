"""Input and output shapes of the ticket API. No logic here: the views call services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servicecenter.fastread import FastReadMixin
from servicecenter.numbers import ApiMomentField
from staff.models import Skill, StaffMember, open_units
from tickets import workflow
from tickets.models import (
    Callback,
    CallbackAttempt,
    CallbackOutcome,
    CancelReason,
    Channel,
    ComplaintCategory,
    Customer,
    CustomerClass,
    Kind,
    Priority,
    Ticket,
    TicketEvent,
    WorkOrder,
)
from tickets.selectors import sees_reporter
from tickets.timeline import timeline_text, timeline_units

PRIORITY_BY_NAME = {p.name.lower(): p.value for p in Priority}
MAX_VERSION = 2**31 - 1  # the column's range: a bigger version is a bad number (400), not a stale one (409)
PRIORITY_NAME = {value: name for name, value in PRIORITY_BY_NAME.items()}


@extend_schema_field({"type": "string", "enum": list(PRIORITY_BY_NAME)})
class PriorityField(serializers.ChoiceField):
    """Priorities are stored as numbers (so the urgent sort first) and spoken as names."""

    def __init__(self, **kwargs):
        super().__init__(choices=list(PRIORITY_BY_NAME), **kwargs)

    def to_internal_value(self, data):
        return PRIORITY_BY_NAME[super().to_internal_value(data)]

    def to_representation(self, value):
        return PRIORITY_NAME[value]


class CustomerInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    account_no = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    customer_class = serializers.ChoiceField(CustomerClass.choices, default=CustomerClass.RESIDENTIAL)

    def validate(self, attrs):
        if not (attrs["phone"] or attrs["account_no"] or attrs["email"]):
            raise serializers.ValidationError(_("Give the customer's phone, account number or e-mail."))
        return attrs


class CustomerSerializer(FastReadMixin, serializers.ModelSerializer):
    class Meta:
        model = Customer
        # No creation time: a customer created with a hidden report would be dated by it.
        fields = ["id", "name", "phone", "phone_alt", "email", "account_no", "customer_class", "area", "language",
                  "contact_preference"]


class ReporterSerializer(CustomerSerializer):
    """The ticket's customer, or ``null`` where a report's reporter is hidden from the reader."""

    def to_representation(self, ticket):
        if not getattr(ticket, "reporter_visible", False) or ticket.customer_id is None:
            return None
        return super().to_representation(ticket.customer)


class CustomerUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["name", "phone", "phone_alt", "email", "account_no", "customer_class", "area", "language",
                  "contact_preference"]
        extra_kwargs = {name: {"required": False} for name in fields}


class _NamedRelated(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class _Person(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    agent_no = serializers.CharField()


class ClockSerializer(FastReadMixin, serializers.Serializer):
    target = serializers.CharField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    warn_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    met_late = serializers.BooleanField(help_text=_(
        "True for a clock met after its deadline (state met, breached_at kept); false otherwise."))
    provisional = serializers.BooleanField()
    amount = serializers.IntegerField()
    unit = serializers.CharField()


class TicketSerializer(FastReadMixin, serializers.ModelSerializer):
    """A ticket as lists and pages show it. A report's reporter is ``null`` to those who may not see it."""

    priority = PriorityField()
    # Nested serializers declared once: a list builds their fields once, not once per row.
    customer = ReporterSerializer(source="*", read_only=True, allow_null=True)
    confidential = serializers.BooleanField(source="is_confidential", read_only=True)
    team = serializers.PrimaryKeyRelatedField(read_only=True)
    team_name = serializers.SerializerMethodField()
    assignee = serializers.PrimaryKeyRelatedField(read_only=True)
    assignee_name = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    sla = ClockSerializer(many=True, read_only=True, source="sla_clock_list")

    class Meta:
        model = Ticket
        fields = [
            "id", "reference", "kind", "channel", "status", "priority", "subject", "description", "customer",
            "confidential", "team", "team_name", "assignee", "assignee_name", "business_line", "received_at",
            "call_id", "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at", "resolution",
            "pause_reason", "cancel_reason", "duplicate_of", "complaint_category", "responsible_unit",
            "investigation", "remedy", "customer_reply", "version", "allowed_actions", "sla", "sla_state",
            "sla_due_at",
        ]
        read_only_fields = fields


    def get_team_name(self, ticket) -> str:
        return ticket.team.display_name if ticket.team_id else ""

    def get_assignee_name(self, ticket) -> str:
        return ticket.assignee.name if ticket.assignee_id else ""

    def get_allowed_actions(self, ticket) -> list[str]:
        return workflow.allowed_actions(ticket)


class WorkOrderSerializer(serializers.ModelSerializer):
    field_team_name = serializers.CharField(source="field_team.display_name", read_only=True)
    ticket_reference = serializers.CharField(source="ticket.reference", read_only=True)

    class Meta:
        model = WorkOrder
        fields = ["id", "ticket", "ticket_reference", "field_team", "field_team_name", "instructions", "status",
                  "dispatched_at", "dispatched_by", "arrived_at", "restored_at", "notes"]
        read_only_fields = fields


class CallbackAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallbackAttempt
        fields = ["number", "outcome", "notes", "made_at", "made_by"]


class CallbackSerializer(serializers.ModelSerializer):
    ticket_reference = serializers.CharField(source="ticket.reference", read_only=True)
    customer_name = serializers.SerializerMethodField()
    customer_phone = serializers.SerializerMethodField()
    assignee_name = serializers.SerializerMethodField()
    attempts = CallbackAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Callback
        fields = ["id", "ticket", "ticket_reference", "customer_name", "customer_phone", "assignee", "assignee_name",
                  "state", "due_at", "outcome", "attempt_count", "completed_at", "raised_to", "attempts"]
        read_only_fields = fields

    def _sees(self, callback) -> bool:
        known = getattr(callback, "reporter_visible", None)  # annotated by ``callback_list_for``
        return sees_reporter(self.context["scope"], callback.ticket) if known is None else known

    def get_customer_name(self, callback) -> str | None:
        return callback.ticket.customer.name if self._sees(callback) else None

    def get_customer_phone(self, callback) -> str | None:
        return callback.ticket.customer.phone if self._sees(callback) else None

    def get_assignee_name(self, callback) -> str:
        return callback.assignee.name if callback.assignee_id else ""


class TicketDetailSerializer(TicketSerializer):
    work_orders = WorkOrderSerializer(many=True, read_only=True)
    callbacks = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "work_orders", "callbacks"]
        read_only_fields = fields

    @extend_schema_field(CallbackSerializer(many=True))
    def get_callbacks(self, ticket):
        return CallbackSerializer(ticket.callbacks.all(), many=True, context=self.context).data


class TicketCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(Kind.choices)
    channel = serializers.ChoiceField(Channel.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    priority = PriorityField(required=False, default=int(Priority.NORMAL))  # a default skips to_internal_value
    received_at = ApiMomentField(required=False)
    customer = CustomerInSerializer()
    team = serializers.PrimaryKeyRelatedField(queryset=open_units(), required=False, allow_null=True)
    business_line = serializers.PrimaryKeyRelatedField(
        queryset=Skill.objects.filter(kind=Skill.Kind.BUSINESS_LINE), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=StaffMember.objects.filter(is_active=True), required=False, allow_null=True
    )
    complaint_category = serializers.ChoiceField(ComplaintCategory.choices, required=False, allow_blank=True,
                                                 default="")
    responsible_unit = serializers.PrimaryKeyRelatedField(queryset=open_units(), required=False,
                                                          allow_null=True)
    call_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class TicketUpdateSerializer(serializers.Serializer):
    """A PATCH: the version you read, and the fields you change."""

    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION)
    subject = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.ChoiceField(Kind.choices, required=False)
    channel = serializers.ChoiceField(Channel.choices, required=False)
    priority = PriorityField(required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=open_units(), required=False, allow_null=True)
    business_line = serializers.PrimaryKeyRelatedField(
        queryset=Skill.objects.filter(kind=Skill.Kind.BUSINESS_LINE), required=False, allow_null=True
    )
    complaint_category = serializers.ChoiceField(ComplaintCategory.choices, required=False, allow_blank=True)
    responsible_unit = serializers.PrimaryKeyRelatedField(queryset=open_units(), required=False,
                                                          allow_null=True)
    investigation = serializers.CharField(required=False, allow_blank=True)
    remedy = serializers.CharField(required=False, allow_blank=True)
    customer_reply = serializers.CharField(required=False, allow_blank=True)


class VersionSerializer(serializers.Serializer):
    """Every action may carry the version the user read; a stale one is refused with 409."""

    version = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, required=False)


class AssignSerializer(VersionSerializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.select_related("position"))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class BodySerializer(VersionSerializer):
    body = serializers.CharField()


class PauseSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=200)


class ResumeSerializer(VersionSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DispatchSerializer(VersionSerializer):
    field_team = serializers.PrimaryKeyRelatedField(queryset=open_units())
    instructions = serializers.CharField()


class ResolveSerializer(VersionSerializer):
    resolution = serializers.CharField()


class ReopenSerializer(VersionSerializer):
    reason = serializers.CharField()


class TransferSerializer(VersionSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=open_units())
    reason = serializers.CharField(max_length=500)


class ReclassifySerializer(VersionSerializer):
    kind = serializers.ChoiceField(Kind.choices)
    reason = serializers.CharField(max_length=500)


class TicketReceiptSerializer(serializers.Serializer):
    """What the caller may still know of a ticket that an action took out of their sight."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    team = serializers.IntegerField(source="team_id", allow_null=True)
    team_name = serializers.CharField()
    visible = serializers.BooleanField(default=False)


class CancelSerializer(VersionSerializer):
    reason = serializers.ChoiceField(CancelReason.choices)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class TicketEventListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        events = list(data.all() if hasattr(data, "all") else data)
        with timeline_units(events):  # the teams the entries name, in one query
            return super().to_representation(events)


class TicketEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(help_text="The entry as a sentence in the request's language.")

    class Meta:
        model = TicketEvent
        list_serializer_class = TicketEventListSerializer
        fields = ["id", "kind", "actor", "actor_name", "created_at", "field", "old_value", "new_value", "body",
                  "text"]

    def get_text(self, event) -> str:
        return timeline_text(event)

    def get_actor_name(self, event) -> str:
        if event.actor is None:
            return ""
        member = getattr(event.actor, "staff_member", None)
        return member.name if member else event.actor.get_username()


class WorkOrderTimeSerializer(serializers.Serializer):
    at = ApiMomentField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CallbackAttemptInSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(CallbackOutcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    unsatisfied_action = serializers.ChoiceField([("reopen", _("Reopen the ticket")),
                                                  ("raise", _("Raise to the supervisor"))], default="reopen")
