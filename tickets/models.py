"""Customers, tickets and everything that happens to them: events, work orders (派单), callbacks (回访).

Workflows live in ``tickets/services/``, the vocabulary in ``tickets/choices.py`` and the state
machine in ``tickets/workflow.py``; the models hold data, constraints, indexes and cheap predicates.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tickets.choices import (  # noqa: F401 - the vocabulary, importable from the models as before
    OPEN_STATUSES,
    Area,
    CallbackOutcome,
    CallbackState,
    CancelReason,
    Channel,
    ComplaintCategory,
    ContactPreference,
    CustomerClass,
    EventKind,
    Kind,
    Priority,
    SlaState,
    Status,
    WorkOrderStatus,
)


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_alt = models.CharField(_("other phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    account_no = models.CharField(_("account number"), max_length=40, blank=True)
    customer_class = models.CharField(
        _("customer class"), max_length=20, choices=CustomerClass.choices, default=CustomerClass.RESIDENTIAL
    )
    area = models.CharField(_("area"), max_length=10, choices=Area.choices, default=Area.URBAN)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    # Set when a message to ``email`` bounced: replies go by SMS instead until the address is corrected.
    email_bounced_at = models.DateTimeField(_("e-mail bounced at"), null=True, blank=True)
    contact_preference = models.CharField(_("replies by"), max_length=10, choices=ContactPreference.choices,
                                          blank=True, default=ContactPreference.AUTOMATIC)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # Look-up by phone as the agent types: prefix LIKE needs the pattern operator class on
            # PostgreSQL (other databases ignore it).
            models.Index(fields=["phone"], name="customer_phone_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["phone_alt"], name="customer_phone_alt_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account_no"], condition=~Q(account_no=""), name="customer_account_no_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def unassigned(self):
        return self.filter(assignee__isnull=True)


# The queues' and the ticket list's first sort key: the deadline, a ticket without a running clock
# (closed, or waiting for the customer) after every deadline. Not NULL, so a page can start after a row
# (``servicecenter/keyset.py``) with a range an index answers; the indexes below hold the same expression.
NO_DEADLINE = datetime(3000, 1, 1, tzinfo=UTC)
DUE_ORDER = Coalesce("sla_due_at", Value(NO_DEADLINE, output_field=DateTimeField()))
# Most urgent first: the deadline, then the priority, then the oldest; the id settles the rest.
URGENT_FIRST = ("due_order", "priority", "received_at", "id")


def own_clocks(clocks: models.QuerySet) -> models.QuerySet:
    """Of ``clocks``, those a ticket's deadlines are told by: its own (not its callbacks'), not
    cancelled, due first (``Ticket.sla_clock_list``, the API list's rows)."""
    return clocks.filter(callback__isnull=True).exclude(state="cancelled").order_by("due_at", "id")


class Ticket(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    customer = models.ForeignKey(  # indexed by ticket_customer_received
        Customer, models.PROTECT, related_name="tickets", verbose_name=_("customer"), db_index=False
    )
    business_line = models.ForeignKey(
        "staff.Skill", models.SET_NULL, null=True, blank=True, related_name="+",
        limit_choices_to={"kind": "business_line"}, verbose_name=_("business line"),
    )
    team = models.ForeignKey(
        "staff.Unit", models.SET_NULL, null=True, blank=True, related_name="tickets", verbose_name=_("team")
    )
    assignee = models.ForeignKey(
        "staff.StaffMember", models.SET_NULL, null=True, blank=True, related_name="tickets",
        verbose_name=_("assignee"),
    )
    received_at = models.DateTimeField(_("received at"))
    call_id = models.CharField(_("call id"), max_length=64, blank=True, db_index=True, db_default="",
                               help_text=_("The phone system's id of the call this ticket was logged from."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=20, choices=CancelReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("duplicate of")
    )
    # The closed ticket a customer wrote to again, after its reopen window: this one carries it on. No
    # index and no database constraint: nothing lists a ticket's follow-ups by it yet, and on this big
    # table either would be built under a lock (tests/test_migrations_concurrent.py); Django's delete
    # still sets it to NULL when the old ticket goes.
    follows = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="followed_by", verbose_name=_("follows"),
        db_index=False, db_constraint=False,
    )
    pause_reason = models.CharField(_("waiting for"), max_length=200, blank=True)
    # Complaints and reports: classification, the department it is passed to, what it found and did.
    complaint_category = models.CharField(
        _("complaint category"), max_length=20, choices=ComplaintCategory.choices, blank=True
    )
    responsible_unit = models.ForeignKey(
        "staff.Unit", models.SET_NULL, null=True, blank=True, related_name="responsible_for",
        verbose_name=_("responsible department"),
    )
    investigation = models.TextField(_("investigation result"), blank=True)
    remedy = models.TextField(_("remedy"), blank=True)
    customer_reply = models.TextField(_("reply to the customer"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Kept by the SLA engine (sla.services.ticket_sla_refresh): the earliest running deadline and
    # the overall state, so that queues sort and filter by deadline with an index.
    sla_due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    sla_state = models.CharField(_("SLA state"), max_length=10, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The team queue: what nobody has claimed yet, most urgent and oldest first.
            models.Index(
                fields=["team", "priority", "received_at"], name="ticket_team_queue",
                condition=Q(assignee__isnull=True, status="new"),
            ),
            # My queue and every "assignee + status" filter.
            models.Index(fields=["assignee", "status", "priority", "received_at"], name="ticket_assignee_queue"),
            models.Index(fields=["status", "received_at"], name="ticket_status_received"),
            models.Index(fields=["team", "status", "received_at"], name="ticket_team_status"),
            models.Index(fields=["kind", "received_at"], name="ticket_kind_received"),
            models.Index(fields=["channel", "received_at"], name="ticket_channel_received"),
            models.Index(fields=["priority", "received_at"], name="ticket_priority_received"),
            models.Index(fields=["received_at", "id"], name="ticket_received"),
            models.Index(fields=["responsible_unit", "status"], name="ticket_responsible_unit"),
            models.Index(fields=["reference"], name="ticket_reference_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["customer", "received_at"], name="ticket_customer_received"),
            models.Index(fields=["sla_due_at", "id"], name="ticket_sla_due",
                         condition=Q(status__in=["new", "assigned", "in_progress", "pending_customer"])),
            models.Index(fields=["sla_state", "sla_due_at"], name="ticket_sla_state"),
            # The dashboard's "at risk and breached" list, soonest first: it reads the 50 it shows.
            models.Index(fields=["sla_due_at", "id"], name="ticket_sla_alarm",
                         condition=Q(status__in=["new", "assigned", "in_progress", "pending_customer"],
                                     sla_state__in=["at_risk", "breached"])),
            # The ticket list and the search tab, most urgent first (the first page reads 26 rows).
            models.Index(DUE_ORDER, F("priority"), F("received_at"), F("id"), name="ticket_urgent"),
            # My queue, most urgent first. With the scope's other columns in it, the queue's capped count
            # reads its 1,001 entries and no table row (without them, every entry of the holder's).
            models.Index(F("assignee"), DUE_ORDER, F("priority"), F("received_at"), F("id"), name="ticket_mine_cover",
                         include=["team", "responsible_unit"],
                         condition=Q(status__in=["new", "assigned", "in_progress", "pending_customer"])),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="ticket_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def sla_clock_list(self) -> list:
        """The ticket's own clocks (not its callbacks', not cancelled), due first: from the selectors'
        prefetch (``sla_clocks_all``, every clock of the ticket), else one query."""
        prefetched = getattr(self, "sla_clocks_all", None)
        if prefetched is None:
            return list(own_clocks(self.clocks.all()))
        own = [c for c in prefetched if c.callback_id is None and c.state != "cancelled"]
        return sorted(own, key=lambda c: (c.due_at, c.id))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_confidential(self) -> bool:
        """Reports (举报) hide the reporter from everyone but the assignee and those above them."""
        return self.kind == Kind.REPORT

    def policy_customer(self) -> tuple[str, str]:
        """The customer class and area that choose the deadline policy. A report's deadlines never
        depend on its reporter (a class or an area that moved them would tell who reported), so a report
        is matched as if its customer had none."""
        if self.is_confidential or self.customer_id is None:
            return "", ""
        return self.customer.customer_class, self.customer.area


class ReferenceCounter(models.Model):
    """The last reference number handed out per day; an upsert makes it safe under concurrency."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class TicketEvent(models.Model):
    """One change to a ticket: who, when, what, old → new, and a comment or message body."""

    ticket = models.ForeignKey(Ticket, models.CASCADE, related_name="events", verbose_name=_("ticket"))
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    body = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="ticketevent_ticket_time")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.field}"


class WorkOrder(models.Model):
    """A repair dispatched (派单) to a field team, with dispatch, arrival and restoration times."""

    ticket = models.ForeignKey(Ticket, models.CASCADE, related_name="work_orders", verbose_name=_("ticket"))
    field_team = models.ForeignKey(
        "staff.Unit", models.PROTECT, related_name="work_orders", verbose_name=_("field team")
    )
    instructions = models.TextField(_("instructions"))
    status = models.CharField(
        _("status"), max_length=20, choices=WorkOrderStatus.choices, default=WorkOrderStatus.DISPATCHED
    )
    dispatched_at = models.DateTimeField(_("dispatched at"))
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("dispatched by"),
    )
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-dispatched_at", "-id"]
        indexes = [models.Index(fields=["field_team", "status"], name="workorder_team_status")]

    def __str__(self) -> str:
        return f"WO-{self.pk} {self.ticket_id}"


class Callback(models.Model):
    """A call back to the customer (回访) after a ticket is resolved."""

    ticket = models.ForeignKey(Ticket, models.CASCADE, related_name="callbacks", verbose_name=_("ticket"))
    assignee = models.ForeignKey(
        "staff.StaffMember", models.SET_NULL, null=True, blank=True, related_name="callbacks",
        verbose_name=_("assignee"),
    )
    state = models.CharField(_("state"), max_length=20, choices=CallbackState.choices, default=CallbackState.DUE)
    due_at = models.DateTimeField(_("due at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallbackOutcome.choices, blank=True)
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    raised_to = models.ForeignKey(
        "staff.StaffMember", models.SET_NULL, null=True, blank=True, related_name="raised_callbacks",
        verbose_name=_("raised to"),
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="callback_state_due"),
            models.Index(fields=["assignee", "state", "due_at"], name="callback_assignee_due"),
        ]
        constraints = [
            # One callback in progress per ticket, however often it is resolved and reopened.
            models.UniqueConstraint(fields=["ticket"], condition=Q(state="due"), name="callback_one_due_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.state}"


class CallbackAttempt(models.Model):
    callback = models.ForeignKey(Callback, models.CASCADE, related_name="attempts", verbose_name=_("callback"))
    number = models.PositiveSmallIntegerField(_("attempt"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallbackOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("made by")
    )

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        ordering = ["callback", "number"]
        constraints = [
            models.UniqueConstraint(fields=["callback", "number"], name="callback_attempt_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.callback_id} #{self.number} {self.outcome}"


class RoutingRule(models.Model):
    """Kind, channel, business line and customer class → a team queue. Ranked; blank matches any."""

    rank = models.PositiveIntegerField(_("rank"), default=100, help_text=_("Lower ranks are tried first."))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    business_line = models.ForeignKey(
        "staff.Skill", models.CASCADE, null=True, blank=True, related_name="+",
        limit_choices_to={"kind": "business_line"}, verbose_name=_("business line"),
    )
    customer_class = models.CharField(_("customer class"), max_length=20, choices=CustomerClass.choices, blank=True)
    team = models.ForeignKey("staff.Unit", models.CASCADE, related_name="routing_rules", verbose_name=_("team"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return self.name
