"""The tickets' vocabulary: kinds, channels, statuses, priorities, reasons and states, as choices
that models, forms, filters and the apps above share."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactPreference(models.TextChoices):
    """How replies reach a customer; automatic is SMS to a mobile number, else e-mail."""

    AUTOMATIC = "", _("Automatic: SMS to a mobile, else e-mail")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class CustomerClass(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    LOW_VOLTAGE = "low_voltage", _("Low-voltage non-residential")
    HV_SINGLE = "hv_single", _("High-voltage, single source")
    HV_DUAL = "hv_dual", _("High-voltage, dual source")
    BUSINESS = "business", _("Business")
    OTHER = "other", _("Other")


class Area(models.TextChoices):
    """Where the customer is: repair arrival and restoration targets depend on it (95598)."""

    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")
    REMOTE = "remote", _("Remote")


class Kind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    REPAIR = "repair", _("Repair")
    REPORT = "report", _("Report")
    APPLICATION = "application", _("Service application")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form")
    LETTER = "letter", _("Letter or fax")
    CHAT = "chat", _("Online chat")


class Priority(models.IntegerChoices):
    """Stored as a number so that the most urgent sorts first; the API speaks the names."""

    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER)


class CancelReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    SPAM = "spam", _("Spam")
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer")


class ComplaintCategory(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", _("Product quality")
    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    AFTER_SALES = "after_sales", _("After-sales")
    BILLING = "billing", _("Billing")
    POWER_QUALITY = "power_quality", _("Supply quality")
    OUTAGE = "outage", _("Outage")
    OTHER = "other", _("Other")


class SlaState(models.TextChoices):
    """A ticket's overall state, for badges and filters."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    TRANSFERRED = "transferred", _("Transferred to another team")
    RECLASSIFIED = "reclassified", _("Reclassified")
    CLAIMED = "claimed", _("Claimed")
    REPLY = "reply", _("Reply to the customer")
    NOTE = "note", _("Internal note")
    DISPATCHED = "dispatched", _("Work order dispatched")
    WORK_ORDER = "work_order", _("Work order updated")
    CALLBACK = "callback", _("Callback")
    RAISED = "raised", _("Raised to a supervisor")
    SLA = "sla", _("Deadline changed")
    ESCALATED = "escalated", _("Escalated")
    SURVEY = "survey", _("Satisfaction survey")
    MERGED = "merged", _("A repeat call merged in")
    CUSTOMER = "customer", _("Message from the customer")


class WorkOrderStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    ON_SITE = "on_site", _("On site")
    RESTORED = "restored", _("Restored")
    CANCELLED = "cancelled", _("Cancelled")


class CallbackState(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class CallbackOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")
    UNREACHABLE = "unreachable", _("Unreachable")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
