"""Every write to tickets: intake, the workflow actions, work orders and callbacks.

Each service is one transaction. A ticket action locks the ticket row (``select_for_update``),
checks the optional ``version`` and the state machine (``tickets/workflow.py``), then writes the
change, bumps ``version`` and records a :class:`TicketEvent`. A refused action raises before any
write, so nothing changes. Claims are compare-and-set updates.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.access import Scope, scope_for
from staff.models import Skill, StaffMember, Unit
from staff.selectors import superior_of
from tickets import hooks, workflow
from tickets.errors import TicketConflict, TicketError, TicketForbidden, TicketNotFound
from tickets.events import event_record
from tickets.models import (
    Callback,
    CallbackAttempt,
    CallbackOutcome,
    CallbackState,
    CancelReason,
    Customer,
    CustomerClass,
    EventKind,
    Kind,
    Priority,
    RoutingRule,
    Status,
    Ticket,
    WorkOrder,
    WorkOrderStatus,
)
from tickets.selectors import customer_in_scope, team_queue_for, ticket_list_for

MAX_UNREACHABLE_ATTEMPTS = 3
# Fields a PATCH may change; each change is an event with the old and new value. Moving a ticket to
# another team is a transfer (``ticket_transfer``), and making a ticket a report or no longer one is a
# reclassification by a leader (``ticket_reclassify``): both are actions with a reason, not edits.
EDITABLE_FIELDS = (
    "subject", "description", "kind", "channel", "priority", "business_line", "complaint_category",
    "responsible_unit", "investigation", "remedy", "customer_reply",
)


# --- customers -------------------------------------------------------------------------------------


def _lock_customer_keys(*keys: str) -> None:
    """Serialise intakes that could match or create the same customer: a transaction-scoped advisory
    lock per account number and phone, taken in a fixed order (no deadlock), held until commit. So ten
    intakes at once from one new number make one customer, as ten in a row do, and two accounts may
    still share a phone. SQLite needs none: its write transactions are serial (``IMMEDIATE`` mode)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted({k for k in keys if not k.endswith(":")}):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"customer:{key}"])


@transaction.atomic
def customer_match_or_create(
    *, name: str, phone: str = "", email: str = "", account_no: str = "",
    customer_class: str = CustomerClass.RESIDENTIAL, language: str = "", actor=None, public: bool = False,
) -> Customer:
    """The existing customer with this account number, else with this phone; otherwise a new one.

    A match keeps its stored name and class. Staff fill in its blank contact fields from the new data
    when they work with that customer (``customer_in_scope``). From the public form nothing is trusted:
    a customer is matched by phone only, and a match is never changed, since an account number anyone
    can type would otherwise attach the stranger's phone, tickets and survey links to someone's record.
    """
    phone, account_no, name = phone.strip(), account_no.strip(), name.strip()
    if not name:
        raise TicketError(_("The customer's name is required."), code="customer_name")
    if not (phone or account_no or email):
        raise TicketError(_("Give the customer's phone, account number or e-mail."), code="customer_contact")
    _lock_customer_keys(f"account:{account_no}", f"phone:{phone}")
    customer = None
    if account_no and not public:
        customer = Customer.objects.filter(account_no=account_no).first()
    if customer is None and phone:
        customer = Customer.objects.filter(Q(phone=phone) | Q(phone_alt=phone)).order_by("id").first()
    if customer is None:
        if public and account_no and Customer.objects.filter(account_no=account_no).exists():
            account_no = ""  # someone else's account: the new record does not claim it
        return Customer.objects.create(
            name=name, phone=phone, email=email, account_no=account_no, customer_class=customer_class,
            language=language or settings.LANGUAGE_CODE,
        )
    if public or (getattr(actor, "pk", None) and not customer_in_scope(customer_id=customer.pk,
                                                                       scope=scope_for(actor))):
        return customer
    changed = []
    for field_name, value in (("phone", phone), ("email", email), ("account_no", account_no)):
        if value and not getattr(customer, field_name):
            setattr(customer, field_name, value)
            changed.append(field_name)
    if changed:
        customer.save(update_fields=changed)
    return customer


CUSTOMER_FIELDS = ("name", "phone", "phone_alt", "email", "account_no", "customer_class", "area", "language")


def customer_access_for_edit(*, customer_id: int, scope: Scope) -> None:
    """Refuse (403) an edit of a customer the user does not work with; callers may ask before they
    validate the input, so that a stranger learns nothing from the validation either."""
    if not customer_in_scope(customer_id=customer_id, scope=scope):
        raise TicketForbidden(_("You can edit only the customers of tickets you work on."), code="customer_scope")


@transaction.atomic
def customer_update(*, customer_id: int, actor, changes: dict) -> Customer:
    """Correct a customer's record: for those who work with the customer (a ticket of theirs in one's
    scope, whose customer one may see) and the leaders above them. A new customer class or area
    re-matches the SLA policy of their open tickets and recomputes the running clocks (recorded on
    each ticket); a report's deadlines never depend on its reporter, so reports are left alone."""
    customer_access_for_edit(customer_id=customer_id, scope=scope_for(actor))
    unknown = set(changes) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TicketError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
                          code="not_editable")
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    account_no = changes.get("account_no", customer.account_no)
    if account_no and Customer.objects.filter(account_no=account_no).exclude(pk=customer.pk).exists():
        raise TicketConflict(_("Another customer has account number %(account)s.") % {"account": account_no},
                             code="account_taken")
    changed = [name for name, value in changes.items() if getattr(customer, name) != value]
    for name in changed:
        setattr(customer, name, changes[name])
    if changed:
        customer.save(update_fields=changed)
    if {"customer_class", "area"} & set(changed):
        reason = _("The customer's class or area changed")
        for ticket in Ticket.objects.open().filter(customer=customer).exclude(kind=Kind.REPORT).select_related(
                "customer"):
            hooks.clocks_recompute(ticket=ticket, actor=actor, reason=reason)
    return customer


# --- intake ----------------------------------------------------------------------------------------


def next_reference(day) -> str:
    """``TS-YYYYMMDD-NNNNNN``: one counter row per day, bumped by an atomic upsert (PostgreSQL, SQLite)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_referencecounter (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = tickets_referencecounter.last + 1 RETURNING last",
            [day.isoformat()],
        )
        number = cursor.fetchone()[0]
    return f"TS-{day:%Y%m%d}-{number:06d}"


def route(*, kind: str, channel: str, customer_class: str, business_line_id: int | None) -> int | None:
    """The team of the first active routing rule that matches (blank fields match anything). A report
    is routed as if its reporter had no class: the team it lands in must not tell who reported."""
    if kind == Kind.REPORT:
        customer_class = ""
    return (
        RoutingRule.objects.filter(is_active=True)
        .filter(Q(kind="") | Q(kind=kind), Q(channel="") | Q(channel=channel))
        .filter(Q(customer_class="") | Q(customer_class=customer_class))
        .filter(Q(business_line__isnull=True) | Q(business_line_id=business_line_id))
        .order_by("rank", "id")
        .values_list("team_id", flat=True)
        .first()
    )



def _label(value) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def ticket_create(
    *, actor, kind: str, channel: str, subject: str, customer: dict, description: str = "",
    priority: int = Priority.NORMAL, received_at: datetime | None = None, team: Unit | None = None,
    business_line: Skill | None = None, assignee: StaffMember | None = None, complaint_category: str = "",
    responsible_unit: Unit | None = None, call_id: str = "", public: bool = False,
) -> Ticket:
    """Record a ticket: match or create the customer, route it to a team, give it a reference.
    ``public``: filed on the public form, so the customer's details are not trusted."""
    now = timezone.now()
    if received_at is None:
        received_at = now
    elif received_at > now:
        raise TicketError(_("The time received cannot be in the future."), code="received_in_future")
    if not subject.strip():
        raise TicketError(_("A subject is required."), code="subject")
    if assignee is not None and getattr(actor, "pk", None):
        scope = scope_for(actor)
        if assignee.pk != getattr(scope.staff, "pk", None) and not scope.may_assign_to(assignee):
            raise TicketForbidden(_("You can only assign to yourself or to people below you."),
                                  code="outside_subtree")
    the_customer = customer_match_or_create(**customer, actor=actor, public=public)
    if team is None:
        team_id = route(kind=kind, channel=channel, customer_class=the_customer.customer_class,
                        business_line_id=business_line.pk if business_line else None)
    else:
        team_id = team.pk
    if assignee is not None and team_id is None and assignee.position_id:
        team_id = assignee.position.unit_id
    if team_id is None:  # no rule matched: the queue of whoever logged it, so that it is never lost
        logger = getattr(actor, "staff_member", None) if getattr(actor, "pk", None) else None
        if logger is not None and logger.position_id:
            team_id = logger.position.unit_id
    ticket = Ticket.objects.create(
        reference=next_reference(timezone.localdate(now)),
        kind=kind, channel=channel, subject=subject.strip(), description=description, priority=priority,
        customer=the_customer, team_id=team_id, business_line=business_line, received_at=received_at,
        created_by=actor if getattr(actor, "pk", None) else None, complaint_category=complaint_category,
        responsible_unit=responsible_unit, call_id=call_id.strip()[:64],
        assignee=assignee, status=Status.ASSIGNED if assignee else Status.NEW,
    )
    event_record(ticket_id=ticket.pk, kind=EventKind.CREATED, actor=actor, field="status", new=ticket.status)
    if assignee is not None:
        event_record(ticket_id=ticket.pk, kind=EventKind.ASSIGNED, actor=actor, field="assignee", new=assignee.name)
    hooks.clocks_start(ticket=ticket)
    return ticket


# --- the workflow ----------------------------------------------------------------------------------


def _lock(ticket_id: int, version: int | None) -> Ticket:
    try:
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise TicketError(_("No such ticket."), code="not_found") from None
    if version is not None and ticket.version != version:
        raise TicketConflict(
            _("Someone changed this ticket meanwhile (version %(stored)s, yours %(yours)s). Reload it and try again.")
            % {"stored": ticket.version, "yours": version},
            code="stale_version",
        )
    return ticket


def _require_sight(ticket: Ticket, scope: Scope) -> None:
    """A ticket outside the user's sight is not found, whoever calls: the page, the API or a task."""
    if not scope.sees_all and not ticket_list_for(scope=scope, with_clocks=False).filter(pk=ticket.pk).exists():
        raise TicketNotFound(_("No such ticket."), code="not_found")


def _require_queue(ticket: Ticket, scope: Scope) -> None:
    if not scope.in_queue(ticket):
        raise TicketForbidden(_("This ticket waits in another team's queue; it was only passed to yours."),
                              code="not_in_queue")


def _require_work(ticket: Ticket, scope: Scope) -> None:
    if not scope.may_work(ticket):
        raise TicketForbidden(_("Only the person holding this ticket or those above them may do that."),
                              code="not_holder")


def _set_status(ticket: Ticket, target: str, actor, *, comment: str = "", now: datetime) -> list[str]:
    if target == ticket.status:
        return []
    old = ticket.status
    ticket.status = target
    fields = ["status"]
    if target == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif target == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif old in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["resolved_at", "closed_at"]
    event_record(ticket_id=ticket.pk, kind=EventKind.STATUS, actor=actor, field="status", old=old, new=target, body=comment)
    return fields


def _save(ticket: Ticket, fields: list[str]) -> Ticket:
    ticket.version += 1
    ticket.save(update_fields=sorted({*fields, "version", "updated_at"}))
    return ticket


def ticket_claim(*, ticket_id: int, actor) -> Ticket:
    """Take an unclaimed ticket: a compare-and-set, so of many at once exactly one wins."""
    scope = scope_for(actor)
    if scope.staff is None:
        raise TicketForbidden(_("Only staff with a post can claim tickets."), code="no_post")
    with transaction.atomic():
        claimable = Ticket.objects.filter(pk=ticket_id, assignee__isnull=True, status=Status.NEW)
        if not scope.is_leader:
            # A report's holder learns who reported, so reports are given out by a leader, not taken.
            claimable = claimable.exclude(kind=Kind.REPORT)
        ticket = Ticket.objects.select_related("assignee").filter(pk=ticket_id).first()
        if ticket is None:
            raise TicketNotFound(_("No such ticket."), code="not_found")
        _require_sight(ticket, scope)
        _require_queue(ticket, scope)
        won = claimable.update(
            assignee=scope.staff, status=Status.ASSIGNED, version=F("version") + 1, updated_at=timezone.now()
        )
        ticket = Ticket.objects.select_related("assignee").get(pk=ticket_id)
        if not won:
            if ticket.kind == Kind.REPORT and ticket.assignee_id is None and not scope.is_leader:
                raise TicketForbidden(_("Reports are given out by a team lead; ask yours to assign it."),
                                      code="report_assigned_by_leader")
            if ticket.assignee_id is not None:
                raise TicketConflict(
                    _("%(name)s has already claimed this ticket.") % {"name": ticket.assignee.name},
                    code="already_claimed",
                )
            workflow.check(ticket, "claim")  # raises with the reason
        event_record(ticket_id=ticket.pk, kind=EventKind.CLAIMED, actor=actor, field="assignee", new=scope.staff.name)
        event_record(ticket_id=ticket.pk, kind=EventKind.STATUS, actor=actor, field="status", old=Status.NEW, new=Status.ASSIGNED)
    return ticket


def ticket_next(*, actor) -> Ticket | None:
    """Claim the most urgent unclaimed ticket of my team; rows others are taking are skipped."""
    scope = scope_for(actor)
    if scope.staff is None:
        raise TicketForbidden(_("Only staff with a post can take tickets."), code="no_post")
    with transaction.atomic():
        queue = team_queue_for(scope.staff)
        if not scope.is_leader:
            queue = queue.exclude(kind=Kind.REPORT)  # given out by a leader (see ``ticket_claim``)
        candidate = queue.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True).first()
        if candidate is None:
            return None
        return ticket_claim(ticket_id=candidate, actor=actor)


@transaction.atomic
def ticket_assign(*, ticket_id: int, actor, assignee: StaffMember, version: int | None = None,
                  comment: str = "") -> Ticket:
    """A lead gives a ticket to someone in their subtree (or to themselves); the team follows the person."""
    scope = scope_for(actor)
    ticket = _lock(ticket_id, version)
    _require_sight(ticket, scope)
    target = workflow.check(ticket, "assign")
    if not scope.may_assign_to(assignee):
        raise TicketForbidden(_("You can only assign to yourself or to people below you."), code="outside_subtree")
    if not scope.may_work(ticket):  # the holder's leaders (or the queue's, while unheld), not any who see it
        raise TicketForbidden(_("Only those above the person holding this ticket may reassign it."),
                              code="not_holders_leader")
    if not assignee.is_active:
        raise TicketError(_("%(name)s is not active.") % {"name": assignee.name}, code="inactive")
    if ticket.assignee_id == assignee.pk:
        raise TicketConflict(_("The ticket is already assigned to %(name)s.") % {"name": assignee.name},
                             code="same_assignee")
    old_name = ticket.assignee.name if ticket.assignee else ""
    ticket.assignee = assignee
    fields = ["assignee"]
    event_record(ticket_id=ticket.pk, kind=EventKind.ASSIGNED, actor=actor, field="assignee", old=old_name, new=assignee.name, body=comment)
    if assignee.position_id and ticket.team_id != assignee.position.unit_id:
        old_team = ticket.team
        ticket.team_id = assignee.position.unit_id
        fields.append("team")
        event_record(ticket_id=ticket.pk, kind=EventKind.CHANGED, actor=actor, field="team", old=_label(old_team), new=_label(assignee.position.unit))
    fields += _set_status(ticket, target, actor, now=timezone.now())
    return _save(ticket, fields)


@transaction.atomic
def ticket_start(*, ticket_id: int, actor, version: int | None = None) -> Ticket:
    ticket = _lock(ticket_id, version)
    target = workflow.check(ticket, "start")
    _require_work(ticket, scope_for(actor))
    return _save(ticket, _set_status(ticket, target, actor, now=timezone.now()))


@transaction.atomic
def ticket_reply(*, ticket_id: int, actor, body: str, version: int | None = None) -> Ticket:
    """A reply to the customer; the first one is the first response."""
    if not body.strip():
        raise TicketError(_("The reply is empty."), code="empty")
    ticket = _lock(ticket_id, version)
    target = workflow.check(ticket, "reply")
    _require_work(ticket, scope_for(actor))
    now = timezone.now()
    event_record(ticket_id=ticket.pk, kind=EventKind.REPLY, actor=actor, body=body.strip())
    fields = _set_status(ticket, target, actor, now=now)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
        hooks.clock_meet(ticket_id=ticket.pk, target="first_response", at=now, actor=actor)
    return _save(ticket, fields)


@transaction.atomic
def ticket_note(*, ticket_id: int, actor, body: str, version: int | None = None) -> Ticket:
    """An internal note: never shown to the customer, never a response."""
    if not body.strip():
        raise TicketError(_("The note is empty."), code="empty")
    ticket = _lock(ticket_id, version)
    workflow.check(ticket, "note")
    event_record(ticket_id=ticket.pk, kind=EventKind.NOTE, actor=actor, body=body.strip())
    return _save(ticket, [])


@transaction.atomic
def ticket_update(*, ticket_id: int, actor, version: int, changes: dict) -> Ticket:
    """Edit fields; the version must be the one the editor read. Each changed field is an event."""
    ticket = _lock(ticket_id, version)
    scope = scope_for(actor)
    _require_sight(ticket, scope)
    workflow.check(ticket, "edit")
    if ticket.assignee_id is not None:
        _require_work(ticket, scope)
    else:
        _require_queue(ticket, scope)
    if "team" in changes:
        raise TicketError(_("Moving a ticket to another team is a transfer, with a reason."), code="use_transfer")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TicketError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
                          code="not_editable")
    if "kind" in changes and changes["kind"] != ticket.kind and Kind.REPORT in (ticket.kind, changes["kind"]):
        raise TicketForbidden(_("Making a ticket a report, or no longer one, is a reclassification by a leader "
                                "above the holder."), code="use_reclassify")
    if "subject" in changes and not str(changes["subject"]).strip():
        raise TicketError(_("A subject is required."), code="subject")
    fields = []
    for name, value in changes.items():
        old = getattr(ticket, name)
        if old == value:
            continue
        setattr(ticket, name, value)
        fields.append(name)
        event_record(ticket_id=ticket.pk, kind=EventKind.CHANGED, actor=actor, field=name, old=_label(old), new=_label(value))
    if not fields:
        return ticket
    _save(ticket, fields)
    if {"kind", "priority", "channel"} & set(fields):
        hooks.clocks_recompute(ticket=ticket, actor=actor, reason=_("The ticket's %(fields)s changed")
                             % {"fields": ", ".join(f for f in fields if f in ("kind", "priority", "channel"))})
    return ticket


@transaction.atomic
def ticket_transfer(*, ticket_id: int, actor, team: Unit, reason: str, version: int | None = None) -> Ticket:
    """Transfer (转派) a ticket to another team's queue, with a reason: for the holder and those above
    them (a leader, while nobody holds it). Nobody there holds it yet; its deadlines run on."""
    if not reason.strip():
        raise TicketError(_("Say why the ticket goes to another team."), code="empty")
    scope = scope_for(actor)
    ticket = _lock(ticket_id, version)
    _require_sight(ticket, scope)
    target = workflow.check(ticket, "transfer")
    _require_work(ticket, scope)
    if team.pk == ticket.team_id:
        raise TicketConflict(_("The ticket is already in %(team)s's queue.") % {"team": team}, code="same_team")
    old_team = ticket.team
    ticket.team = team
    fields = ["team"]
    event_record(ticket_id=ticket.pk, kind=EventKind.TRANSFERRED, actor=actor, field="team", old=_label(old_team), new=_label(team),
           body=reason.strip())
    if ticket.assignee_id is not None:
        event_record(ticket_id=ticket.pk, kind=EventKind.ASSIGNED, actor=actor, field="assignee", old=ticket.assignee.name, new="")
        ticket.assignee = None
        fields.append("assignee")
    fields += _set_status(ticket, target, actor, now=timezone.now())
    return _save(ticket, fields)


def reclassify_access(*, ticket: Ticket, scope: Scope) -> None:
    """Refuse (403) a reclassification by anyone but a leader above the holder; callers may ask before
    they validate the input."""
    if not scope.leads_holder_of(ticket):
        raise TicketForbidden(_("Only a leader above the person holding this ticket may reclassify it."),
                              code="not_leader")


@transaction.atomic
def ticket_reclassify(*, ticket_id: int, actor, kind: str, reason: str, version: int | None = None) -> Ticket:
    """Change a ticket's kind as a recorded decision of a leader above the holder. This is the only way
    a ticket becomes a report (举报), whose reporter is then hidden, or stops being one, which shows the
    reporter to everyone who sees the ticket."""
    if kind not in Kind.values:
        raise TicketError(_("Unknown kind."), code="kind")
    if not reason.strip():
        raise TicketError(_("Say why the ticket is reclassified."), code="empty")
    scope = scope_for(actor)
    ticket = _lock(ticket_id, version)
    _require_sight(ticket, scope)
    workflow.check(ticket, "reclassify")
    reclassify_access(ticket=ticket, scope=scope)
    if kind == ticket.kind:
        raise TicketConflict(_("The ticket is already of that kind."), code="same_kind")
    old = ticket.kind
    ticket.kind = kind
    event_record(ticket_id=ticket.pk, kind=EventKind.RECLASSIFIED, actor=actor, field="kind", old=old, new=kind, body=reason.strip())
    _save(ticket, ["kind"])
    hooks.clocks_recompute(ticket=ticket, actor=actor, reason=_("The ticket was reclassified"))
    return ticket


@transaction.atomic
def ticket_pause(*, ticket_id: int, actor, reason: str, version: int | None = None) -> Ticket:
    """Wait for the customer (待客户补充); the resolution clock pauses."""
    if not reason.strip():
        raise TicketError(_("Say what the customer is to provide."), code="empty")
    ticket = _lock(ticket_id, version)
    target = workflow.check(ticket, "pause")
    _require_work(ticket, scope_for(actor))
    ticket.pause_reason = reason.strip()
    now = timezone.now()
    hooks.clocks_pause(ticket_id=ticket.pk, at=now)
    return _save(ticket, ["pause_reason", *_set_status(ticket, target, actor, comment=reason.strip(), now=now)])


@transaction.atomic
def ticket_resume(*, ticket_id: int, actor, version: int | None = None, comment: str = "") -> Ticket:
    ticket = _lock(ticket_id, version)
    target = workflow.check(ticket, "resume")
    _require_work(ticket, scope_for(actor))
    ticket.pause_reason = ""
    now = timezone.now()
    hooks.clocks_resume(ticket_id=ticket.pk, at=now, actor=actor)
    return _save(ticket, ["pause_reason", *_set_status(ticket, target, actor, comment=comment, now=now)])


@transaction.atomic
def ticket_dispatch(*, ticket_id: int, actor, field_team: Unit, instructions: str,
                    version: int | None = None) -> WorkOrder:
    """Dispatch a repair work order (派单) to a field team."""
    if not instructions.strip():
        raise TicketError(_("Instructions for the field team are required."), code="empty")
    ticket = _lock(ticket_id, version)
    target = workflow.check(ticket, "dispatch")
    _require_work(ticket, scope_for(actor))
    if ticket.work_orders.filter(status__in=[WorkOrderStatus.DISPATCHED, WorkOrderStatus.ON_SITE]).exists():
        raise TicketConflict(_("A work order for this ticket is still open."), code="work_order_open")
    now = timezone.now()
    order = WorkOrder.objects.create(
        ticket=ticket, field_team=field_team, instructions=instructions.strip(), dispatched_at=now,
        dispatched_by=actor if getattr(actor, "pk", None) else None,
    )
    event_record(ticket_id=ticket.pk, kind=EventKind.DISPATCHED, actor=actor, field="work_order", new=f"WO-{order.pk} → {field_team}",
           body=instructions.strip())
    hooks.clock_meet(ticket_id=ticket.pk, target="dispatch", at=now, actor=actor)
    _save(ticket, _set_status(ticket, target, actor, now=now))
    return order


def _work_order_time(at: datetime | None, earliest: datetime, now: datetime) -> datetime:
    at = at or now
    if at > now:
        raise TicketError(_("That time is in the future."), code="in_future")
    if at < earliest:
        raise TicketError(_("That time is before the previous step."), code="out_of_order")
    return at


@transaction.atomic
def work_order_arrive(*, work_order_id: int, actor, at: datetime | None = None) -> WorkOrder:
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=work_order_id)
    if order.status != WorkOrderStatus.DISPATCHED:
        raise TicketConflict(_("Only a dispatched work order can record arrival."), code="illegal_transition")
    order.arrived_at = _work_order_time(at, order.dispatched_at, timezone.now())
    order.status = WorkOrderStatus.ON_SITE
    order.save(update_fields=["arrived_at", "status"])
    hooks.clock_meet(ticket_id=order.ticket_id, target="arrival", at=order.arrived_at, actor=actor)
    event_record(ticket_id=order.ticket.pk, kind=EventKind.WORK_ORDER, actor=actor, field="arrived_at", new=order.arrived_at.isoformat())
    return order


@transaction.atomic
def work_order_restore(*, work_order_id: int, actor, at: datetime | None = None, notes: str = "") -> WorkOrder:
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=work_order_id)
    if order.status not in (WorkOrderStatus.DISPATCHED, WorkOrderStatus.ON_SITE):
        raise TicketConflict(_("This work order is already finished."), code="illegal_transition")
    order.restored_at = _work_order_time(at, order.arrived_at or order.dispatched_at, timezone.now())
    if order.arrived_at is None:
        order.arrived_at = order.restored_at
    order.status = WorkOrderStatus.RESTORED
    order.notes = notes.strip()
    order.save(update_fields=["arrived_at", "restored_at", "status", "notes"])
    hooks.clock_meet(ticket_id=order.ticket_id, target="arrival", at=order.arrived_at, actor=actor)
    hooks.clock_meet(ticket_id=order.ticket_id, target="restoration", at=order.restored_at, actor=actor)
    event_record(ticket_id=order.ticket.pk, kind=EventKind.WORK_ORDER, actor=actor, field="restored_at", new=order.restored_at.isoformat(),
           body=order.notes)
    return order


def callback_kinds() -> tuple[str, ...]:
    return tuple(settings.TICKETS_CALLBACK_KINDS)


def callback_due_at(resolved_at: datetime) -> datetime:
    """Close of business on the next working day of the default calendar; a policy with a callback
    target sets the callback's own clock (``sla.services.callback_clock_start``)."""
    return hooks.working_deadline(resolved_at, 1)


@transaction.atomic
def ticket_resolve(*, ticket_id: int, actor, resolution: str, version: int | None = None) -> Ticket:
    """Resolve with what was done; kinds that need a callback (回访) get one, due the next working day."""
    if not resolution.strip():
        raise TicketError(_("Say how the ticket was resolved."), code="empty")
    ticket = _lock(ticket_id, version)
    target = workflow.check(ticket, "resolve")
    _require_work(ticket, scope_for(actor))
    if ticket.work_orders.filter(status__in=[WorkOrderStatus.DISPATCHED, WorkOrderStatus.ON_SITE]).exists():
        raise TicketConflict(_("The field team has not restored the fault yet."), code="work_order_open")
    now = timezone.now()
    ticket.resolution = resolution.strip()
    fields = ["resolution", *_set_status(ticket, target, actor, comment=resolution.strip(), now=now)]
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
        hooks.clock_meet(ticket_id=ticket.pk, target="first_response", at=now, actor=actor)
    hooks.clock_meet(ticket_id=ticket.pk, target="resolution", at=now, actor=actor)
    hooks.clocks_stop_unused(ticket_id=ticket.pk)
    if ticket.kind in callback_kinds():
        callback = Callback.objects.create(ticket=ticket, assignee=ticket.assignee, due_at=callback_due_at(now))
        hooks.callback_clock_start(callback=callback)
        event_record(ticket_id=ticket.pk, kind=EventKind.CALLBACK, actor=actor, field="callback", new=CallbackState.DUE,
               body=timezone.localtime(callback.due_at).strftime("%Y-%m-%d %H:%M"))
    _save(ticket, fields)
    hooks.survey_plan(ticket=ticket, trigger="resolved", now=now)
    return ticket


@transaction.atomic
def ticket_close(*, ticket_id: int, actor, version: int | None = None) -> Ticket:
    ticket = _lock(ticket_id, version)
    target = workflow.check(ticket, "close")
    _require_work(ticket, scope_for(actor))
    if ticket.callbacks.filter(state=CallbackState.DUE).exists():
        raise TicketConflict(_("A callback is still due; record it first."), code="callback_due")
    return _save(ticket, _set_status(ticket, target, actor, now=timezone.now()))


def _reopen(ticket: Ticket, actor, reason: str) -> list[str]:
    target = workflow.check(ticket, "reopen")
    now = timezone.now()
    for callback in Callback.objects.filter(ticket=ticket, state=CallbackState.DUE):
        callback.state = CallbackState.CANCELLED
        callback.save(update_fields=["state"])
        hooks.clocks_cancel(ticket_id=ticket.pk, callback=callback)
    hooks.clocks_reopen(ticket_id=ticket.pk, at=now, actor=actor)
    return _set_status(ticket, target, actor, comment=reason, now=now)


@transaction.atomic
def ticket_reopen(*, ticket_id: int, actor, reason: str, version: int | None = None) -> Ticket:
    if not reason.strip():
        raise TicketError(_("Say why the ticket is reopened."), code="empty")
    ticket = _lock(ticket_id, version)
    scope = scope_for(actor)
    _require_sight(ticket, scope)
    workflow.check(ticket, "reopen")
    _require_queue(ticket, scope)
    return _save(ticket, _reopen(ticket, actor, reason.strip()))


@transaction.atomic
def ticket_cancel(*, ticket_id: int, actor, reason: str, duplicate_of: Ticket | None = None,
                  comment: str = "", version: int | None = None) -> Ticket:
    if reason not in CancelReason.values:
        raise TicketError(_("Choose why the ticket is cancelled."), code="cancel_reason")
    if reason == CancelReason.DUPLICATE and duplicate_of is None:
        raise TicketError(_("Name the ticket this one duplicates."), code="duplicate_of")
    ticket = _lock(ticket_id, version)
    target = workflow.check(ticket, "cancel")
    _require_work(ticket, scope_for(actor))
    if duplicate_of is not None and duplicate_of.pk == ticket.pk:
        raise TicketError(_("A ticket cannot duplicate itself."), code="duplicate_of")
    ticket.cancel_reason = reason
    ticket.duplicate_of = duplicate_of
    label = str(CancelReason(reason).label)
    if duplicate_of is not None:
        label = f"{label}: {duplicate_of.reference}"
    fields = ["cancel_reason", "duplicate_of", *_set_status(ticket, target, actor, comment=comment or label,
                                                            now=timezone.now())]
    hooks.clocks_cancel(ticket_id=ticket.pk)
    return _save(ticket, fields)


# --- callbacks -------------------------------------------------------------------------------------


@transaction.atomic
def callback_attempt(*, callback_id: int, actor, outcome: str, notes: str = "",
                     unsatisfied_action: str = "reopen") -> Callback:
    """Record one attempt to call the customer back.

    satisfied → done, and a resolved ticket is closed; unsatisfied → done, and the ticket is
    reopened or raised to the holder's superior; unreachable → retried, failed after three attempts;
    wrong number → failed. Each is an event on the ticket.
    """
    if outcome not in CallbackOutcome.values:
        raise TicketError(_("Unknown outcome."), code="outcome")
    if unsatisfied_action not in ("reopen", "raise"):
        raise TicketError(_("An unsatisfied customer's ticket is reopened or raised."), code="unsatisfied_action")
    try:
        callback = Callback.objects.select_for_update(of=("self",)).get(pk=callback_id)
    except Callback.DoesNotExist:
        raise TicketError(_("No such callback."), code="not_found") from None
    ticket = _lock(callback.ticket_id, None)
    scope = scope_for(actor)
    if not (scope.may_work(ticket) or callback.assignee_id in scope.staff_ids):
        raise TicketForbidden(_("Only the person holding this callback or those above them may record it."),
                              code="not_holder")
    if callback.state != CallbackState.DUE:
        raise TicketConflict(_("This callback is already finished."), code="callback_finished")
    now = timezone.now()
    callback.attempt_count += 1
    CallbackAttempt.objects.create(callback=callback, number=callback.attempt_count, outcome=outcome,
                                   notes=notes.strip(), made_by=actor if getattr(actor, "pk", None) else None)
    fields = ["attempt_count"]
    ticket_fields: list[str] = []
    if outcome == CallbackOutcome.UNREACHABLE and callback.attempt_count < MAX_UNREACHABLE_ATTEMPTS:
        callback.due_at = max(callback.due_at, now + timedelta(hours=settings.TICKETS_CALLBACK_RETRY_HOURS))
        fields.append("due_at")
    else:
        callback.outcome = outcome
        callback.completed_at = now
        done = outcome in (CallbackOutcome.SATISFIED, CallbackOutcome.UNSATISFIED)
        callback.state = CallbackState.DONE if done else CallbackState.FAILED
        fields += ["outcome", "completed_at", "state"]
        hooks.clock_meet(ticket_id=ticket.pk, target="callback", at=now, actor=actor, callback=callback)
    event_record(ticket_id=ticket.pk, kind=EventKind.CALLBACK, actor=actor, field="callback",
           new=f"{callback.attempt_count}: {CallbackOutcome(outcome).label}", body=notes.strip())
    if outcome == CallbackOutcome.SATISFIED and ticket.status == Status.RESOLVED:
        ticket_fields += _set_status(ticket, Status.CLOSED, actor, now=now)
    elif outcome == CallbackOutcome.UNSATISFIED:
        if unsatisfied_action == "reopen":
            callback.save(update_fields=fields)  # done first: reopening cancels callbacks still due
            fields = []
            ticket_fields += _reopen(ticket, actor, _("Customer unsatisfied at callback"))
        else:
            holder = ticket.assignee or callback.assignee
            superior = None
            if holder is not None:
                link = superior_of(holder)
                superior = StaffMember.objects.filter(pk=link.staff_id).first() if link else None
            callback.raised_to = superior
            fields.append("raised_to")
            event_record(ticket_id=ticket.pk, kind=EventKind.RAISED, actor=actor, field="raised_to", new=superior.name if superior else "",
                   body=notes.strip())
    if fields:
        callback.save(update_fields=fields)
    _save(ticket, ticket_fields)
    if callback.state != CallbackState.DUE and outcome != CallbackOutcome.WRONG_NUMBER:
        hooks.survey_plan(ticket=ticket, trigger="callback", now=now)
    return callback
