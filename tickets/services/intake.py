"""Intake: the reference, routing to a team, and the new ticket with its clocks."""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.access import scope_for
from staff.models import Skill, StaffMember, Unit
from tickets import hooks
from tickets.errors import TicketError, TicketForbidden
from tickets.events import event_record
from tickets.models import (
    Customer,
    EventKind,
    Kind,
    Priority,
    RoutingRule,
    Status,
    Ticket,
)
from tickets.services.customers import customer_match_or_create


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


def _team_for(*, actor, kind: str, channel: str, customer: Customer, team: Unit | None, business_line: Skill | None,
              assignee: StaffMember | None) -> int | None:
    """The team a new ticket is queued for: the one given, else the routing rules', else its holder's,
    else (no rule matched) the queue of whoever logged it, so that it is never lost."""
    if team is not None:
        return team.pk
    team_id = route(kind=kind, channel=channel, customer_class=customer.customer_class,
                    business_line_id=business_line.pk if business_line else None)
    if assignee is not None and team_id is None and assignee.position_id:
        team_id = assignee.position.unit_id
    if team_id is None:
        logger = getattr(actor, "staff_member", None) if getattr(actor, "pk", None) else None
        if logger is not None and logger.position_id:
            team_id = logger.position.unit_id
    return team_id


@transaction.atomic
def ticket_create(
    *, actor, kind: str, channel: str, subject: str, customer: dict | Customer, description: str = "",
    priority: int = Priority.NORMAL, received_at: datetime | None = None, team: Unit | None = None,
    business_line: Skill | None = None, assignee: StaffMember | None = None, complaint_category: str = "",
    responsible_unit: Unit | None = None, call_id: str = "", public: bool = False, follows: Ticket | None = None,
) -> Ticket:
    """Record a ticket: match or create the customer (or take the one given), route it to a team, give
    it a reference. ``public``: filed on the public form, so the customer's details are not trusted."""
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
    if isinstance(customer, Customer):
        the_customer = customer
    else:
        the_customer = customer_match_or_create(**customer, actor=actor, public=public)
    team_id = _team_for(actor=actor, kind=kind, channel=channel, customer=the_customer, team=team,
                        business_line=business_line, assignee=assignee)
    ticket = Ticket.objects.create(
        reference=next_reference(timezone.localdate(now)),
        kind=kind, channel=channel, subject=subject.strip(), description=description, priority=priority,
        customer=the_customer, team_id=team_id, business_line=business_line, received_at=received_at,
        created_by=actor if getattr(actor, "pk", None) else None, complaint_category=complaint_category,
        responsible_unit=responsible_unit, call_id=call_id.strip()[:64], follows=follows,
        assignee=assignee, status=Status.ASSIGNED if assignee else Status.NEW,
    )
    event_record(ticket_id=ticket.pk, kind=EventKind.CREATED, actor=actor, field="status", new=ticket.status)
    if assignee is not None:
        event_record(ticket_id=ticket.pk, kind=EventKind.ASSIGNED, actor=actor, field="assignee", new=assignee.name)
    hooks.clocks_start(ticket=ticket)
    if public:
        hooks.ticket_received(ticket=ticket)
    return ticket
