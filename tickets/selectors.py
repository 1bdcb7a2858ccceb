"""Reads of tickets, customers, work orders and callbacks, with row-level access applied.

Who sees what (``domain.md`` §7, issue 3):
- the director (and superusers) see every ticket;
- everyone else sees tickets held by themselves or by anyone below them in the org chart, and
  tickets queued for or passed to a unit where they or anyone below them holds a post. For an agent
  that is "my tickets and my team's"; for a team lead or supervisor it is their subtree;
- anonymous users and users without a post see nothing.
A report's (举报) reporter is shown only to the holder and those above them (and, while nobody
holds it, to leaders of the team it is queued for). That rule is written once, as
:func:`sees_reporter` for one ticket in hand and :func:`reporter_visible` for queries
(the ``reporter_visible`` annotation of every ticket list); filters, searches, the customer card and
customer edits all ask it, so no list, count or error tells anyone else who reported.

The scope (``staff/access.py``) is two small id lists computed once per request, so a list is one
indexed query however many tickets there are.
"""

from django.db.models import BooleanField, Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When

from staff.access import Scope, scope_for
from staff.models import Position, StaffMember, in_reader_language
from tickets.models import (
    DUE_ORDER,
    Callback,
    CallbackAttempt,
    CallbackState,
    Customer,
    Kind,
    Status,
    Ticket,
    TicketEvent,
    WorkOrder,
)


def sees_reporter(scope: Scope, ticket: Ticket) -> bool:
    """The reporter rule for one ticket; :func:`reporter_visible` is the same rule in SQL."""
    if ticket.kind != Kind.REPORT or scope.sees_all:
        return True
    if ticket.assignee_id is None:
        return scope.leads_team_of(ticket)
    return ticket.assignee_id in scope.staff_ids


def _visible(scope: Scope) -> Q:
    return (
        Q(assignee_id__in=scope.staff_ids)
        | Q(team_id__in=scope.unit_ids)
        | Q(responsible_unit_id__in=scope.unit_ids)
    )


def reporter_visible(scope: Scope, *, through: str = ""):
    """The reporter rule as an expression: true where this user may see the ticket's customer.
    ``through`` is the path to the ticket from another model (``"ticket__"`` for callbacks)."""
    if scope.sees_all:
        return Value(True, output_field=BooleanField())

    def on_ticket(**lookups) -> Q:
        return Q(**{through + name: value for name, value in lookups.items()})

    condition = ~on_ticket(kind=Kind.REPORT) | on_ticket(assignee_id__in=scope.staff_ids)
    if scope.is_leader:
        condition |= on_ticket(assignee__isnull=True, team_id__in=scope.unit_ids)
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def ticket_list_for(*, user=None, scope: Scope | None = None, with_clocks: bool = True) -> QuerySet[Ticket]:
    """Every ticket the user may see, with what a list shows joined in and ``reporter_visible``.

    ``with_clocks`` prefetches the SLA clocks (one more query); queues that show only the ticket's
    own ``sla_due_at`` and ``sla_state`` leave it off."""
    scope = scope or scope_for(user)
    qs = (Ticket.objects.select_related("customer", "team", "assignee", "business_line", "responsible_unit")
          .annotate(due_order=DUE_ORDER))
    if with_clocks:
        # The reverse relation a clock keeps to its ticket: no import of the app above (ARCHITECTURE.md);
        # the model's ``sla_clock_list`` keeps the ticket's own running and met clocks, due first.
        # Due first within each ticket; not the clock's own ordering, which sorts by ticket through a join.
        clocks = Ticket._meta.get_field("clocks").related_model._default_manager.order_by("due_at", "id")
        qs = qs.prefetch_related(Prefetch("clocks", queryset=clocks, to_attr="sla_clocks_all"))
    if not scope.is_staff_member:
        return qs.none()
    if not scope.sees_all:
        qs = qs.filter(_visible(scope))
    return qs.annotate(reporter_visible=reporter_visible(scope))


def ticket_receipt(ticket_id: int) -> dict:
    """What anyone who just filed or passed on a ticket may know of it: reference, status, its team."""
    row = Ticket.objects.filter(pk=ticket_id).values("id", "reference", "status", "team_id", "team__name",
                                                     "team__name_en").get()
    english = row.pop("team__name_en")
    row["team_name"] = in_reader_language(row["team__name"], english) or ""
    row.pop("team__name")
    return row


def ticket_detail_for(*, user=None, scope: Scope | None = None) -> QuerySet[Ticket]:
    return ticket_list_for(user=user, scope=scope).prefetch_related(
        Prefetch("work_orders", queryset=WorkOrder.objects.select_related("field_team")),
        Prefetch("callbacks", queryset=Callback.objects.select_related("assignee").prefetch_related("attempts")),
    )


def team_queue_for(staff: StaffMember) -> QuerySet[Ticket]:
    """Unclaimed new tickets queued for the units where this person holds a post, most urgent first."""
    units = Position.objects.filter(
        Q(holders=staff) | Q(concurrent_assignments__staff=staff)
    ).values("unit_id")
    return (
        Ticket.objects.filter(status=Status.NEW, assignee__isnull=True, team_id__in=units)
        .order_by("priority", "received_at", "id")
    )


def ticket_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor", "actor__staff_member").order_by("created_at", "id")


def customer_list_for(*, scope: Scope) -> QuerySet[Customer]:
    """The customer directory as this user may see it: customers with a ticket anywhere in the center
    whose customer this user may see, i.e. all but those known only as the reporter of reports hidden
    from them. Otherwise a new name in the directory, appearing as a hidden report appears in the
    queue, would say who reported. To such a user a hidden reporter is exactly like no customer at all
    (the look-up finds nothing, the card is a 404), and stays so whichever report is theirs."""
    if scope.sees_all:
        return Customer.objects.order_by("name", "id")
    shown = Ticket.objects.filter(customer=OuterRef("pk")).annotate(shown=reporter_visible(scope)).filter(shown=True)
    return Customer.objects.filter(Exists(shown)).order_by("name", "id")


def customer_in_scope(*, customer_id: int, scope: Scope) -> bool:
    """Whether this user works with the customer: a ticket of theirs that the user may see, and whose
    customer the user may see (a report that hides its reporter does not count, or a refusal would
    tell who reported)."""
    if scope.sees_all:
        return True
    return ticket_list_for(scope=scope, with_clocks=False).filter(customer_id=customer_id,
                                                                  reporter_visible=True).exists()


def customer_tickets_for(*, customer: Customer, scope: Scope) -> QuerySet[Ticket]:
    """The customer card's history: their tickets this user may see, without reports that hide them."""
    return (
        ticket_list_for(scope=scope)
        .filter(customer=customer, reporter_visible=True)
        .order_by("-received_at", "-id")
    )


def work_order_list_for(*, scope: Scope) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.select_related("ticket", "field_team", "dispatched_by")
    if not scope.is_staff_member:
        return qs.none()
    if scope.sees_all:
        return qs
    visible = Q(field_team_id__in=scope.unit_ids) | Q(ticket__in=ticket_list_for(scope=scope).values("pk"))
    return qs.filter(visible)


def callback_list_for(*, scope: Scope) -> QuerySet[Callback]:
    qs = Callback.objects.select_related("ticket", "ticket__customer", "assignee", "raised_to").prefetch_related(
        Prefetch("attempts", queryset=CallbackAttempt.objects.order_by("number"))
    )
    if not scope.is_staff_member:
        return qs.none()
    qs = qs.annotate(reporter_visible=reporter_visible(scope, through="ticket__"))
    if scope.sees_all:
        return qs
    return qs.filter(Q(assignee_id__in=scope.staff_ids) | Q(ticket__in=ticket_list_for(scope=scope).values("pk")))


def due_callbacks(qs: QuerySet[Callback]) -> QuerySet[Callback]:
    return qs.filter(state=CallbackState.DUE)
