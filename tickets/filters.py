"""FilterSets shared by the ticket API and the ticket pages."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicecenter.numbers import IdFilter, IdOrWordField, MomentFilter
from tickets.models import (
    OPEN_STATUSES,
    CallbackState,
    Channel,
    Customer,
    Kind,
    Priority,
    SlaState,
    Status,
    Ticket,
    WorkOrderStatus,
)

PRIORITY_NAMES = {p.name.lower(): p.value for p in Priority}


class MeOrIdFilter(django_filters.CharFilter):
    """``assignee=me`` for the signed-in person, ``assignee=none`` for nobody, or a staff id."""

    field_class = IdOrWordField  # anything else is a 400, not an empty list

    def filter(self, qs, value):
        if not value:
            return qs
        if value == "me":
            member = getattr(self.parent.request.user, "staff_member", None)
            return qs.filter(**{self.field_name: member.pk if member else -1})
        if value == "none":
            return qs.filter(**{f"{self.field_name}__isnull": True})
        try:
            return qs.filter(**{self.field_name: int(value)})
        except ValueError:
            return qs.none()


class StableOrderingFilter(django_filters.OrderingFilter):
    """An ordering with the id as the last key, so rows that tie (the same priority, the same minute)
    come in one fixed order, page after page, and not in whatever order the table happens to hold."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            last = next((v for v in reversed(value) if v), "")
            if last.lstrip("-") != "id":
                qs = qs.order_by(*qs.query.order_by, "-id" if last.startswith("-") else "id")
        return qs


class TicketFilter(django_filters.FilterSet):
    # distinct=False: these are columns of the ticket itself, so no join can repeat a row, and
    # SELECT DISTINCT over every column cost a sort of the whole result (3× slower at 50,000 tickets).
    # Labels given here, not derived from the model when first read: the saved views name their filters by them.
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False, label=_("Status"))
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, distinct=False, label=_("Kind"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, distinct=False, label=_("Channel"))
    priority = django_filters.MultipleChoiceFilter(
        choices=[(name, p.label) for name, p in zip(PRIORITY_NAMES, Priority, strict=True)], method="filter_priority",
        distinct=False, label=_("Priority"),
    )
    team = IdFilter(field_name="team_id")
    assignee = MeOrIdFilter(field_name="assignee_id", label=_("assignee (id, “me” or “none”)"))
    customer = IdFilter(method="filter_customer")
    is_open = django_filters.BooleanFilter(method="filter_open", label=_("open"))
    received_after = MomentFilter(field_name="received_at", lookup_expr="gte")
    received_before = MomentFilter(field_name="received_at", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search", label=_("reference, subject, customer phone or name"))
    sla_state = django_filters.MultipleChoiceFilter(choices=SlaState.choices, distinct=False)
    due_before = MomentFilter(field_name="sla_due_at", lookup_expr="lt")
    due_after = MomentFilter(field_name="sla_due_at", lookup_expr="gte")
    ordering = StableOrderingFilter(
        fields=(("due_order", "due_at"), ("received_at", "received_at"), ("priority", "priority"), ("id", "id")),
    )

    class Meta:
        model = Ticket
        fields = ["status", "kind", "channel", "priority", "team", "assignee", "customer"]

    def filter_customer(self, qs, name, value):
        # A report whose reporter the reader may not see is no ticket "of this customer" to them.
        return qs if value is None else qs.filter(customer_id=value, reporter_visible=True)

    def filter_priority(self, qs, name, value):
        return qs.filter(priority__in=[PRIORITY_NAMES[v] for v in value]) if value else qs

    def filter_open(self, qs, name, value):
        if value is None:
            return qs
        return qs.open() if value else qs.exclude(status__in=OPEN_STATUSES)

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        if value.upper().startswith("TS-"):
            return qs.filter(reference__startswith=value.upper())
        # A report's reporter stays hidden: searching by their phone or name must not find it either.
        by_customer = Q(customer__phone=value) | Q(customer__phone_alt=value) | Q(customer__name=value)
        # The candidates first, each side on its own index (trigram on the subject, the customer's phone
        # and name, then tickets by customer), as one UNION the planner can semi-join; an OR across the
        # two tables scanned every ticket (1.5 s at 1,000,000 tickets). Then the exact test, which also
        # applies the reporter rule.
        customers = Customer.objects.filter(Q(phone=value) | Q(phone_alt=value) | Q(name=value)).values("pk")
        candidates = (Ticket.objects.filter(subject__icontains=value).order_by().values("pk")
                      .union(Ticket.objects.filter(customer__in=customers).order_by().values("pk")))
        return qs.filter(pk__in=candidates).filter(
            Q(subject__icontains=value) | (by_customer & Q(reporter_visible=True)))


class CallbackFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CallbackState.choices)
    assignee = MeOrIdFilter(field_name="assignee_id", label=_("assignee (id, “me” or “none”)"))
    due_before = MomentFilter(field_name="due_at", lookup_expr="lt")
    due_after = MomentFilter(field_name="due_at", lookup_expr="gte")
    ticket = IdFilter(field_name="ticket_id")


class WorkOrderFilter(django_filters.FilterSet):
    # Plain numbers, not choices from every ticket: an id outside one's sight then answers like an id
    # that does not exist (an empty list), not "select a valid choice" for one and [] for the other.
    status = django_filters.ChoiceFilter(choices=WorkOrderStatus.choices)
    field_team = IdFilter(field_name="field_team_id")
    ticket = IdFilter(field_name="ticket_id")


class CustomerFilter(django_filters.FilterSet):
    phone = django_filters.CharFilter(method="filter_phone", label=_("phone (starts with)"))
    account_no = django_filters.CharFilter(field_name="account_no")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    def filter_phone(self, qs, name, value):
        value = value.strip()
        if len(value) < 3:
            return qs.none() if value else qs
        return qs.filter(Q(phone__startswith=value) | Q(phone_alt__startswith=value))
