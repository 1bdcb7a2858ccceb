"""Reads of the org chart shared by pages, the API and tasks."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from staff.chain import ChainLink, chain_of_command, subordinate_ids_sql
from staff.models import ConcurrentPost, Position, StaffMember, Unit

# Who a request, a task or a service acts as: ``request.user`` (or no one).
AnyUser: TypeAlias = User | AnonymousUser


# The org chart's stamp (``staff.models.OrgStamp``), read with a person's record; NULL without the row.
ORG_STAMP = RawSQL("SELECT stamp FROM staff_orgstamp WHERE id = 1", [])


def staff_for_user(user: AnyUser | None) -> StaffMember | None:
    """The user's staff record, with the org chart's stamp as ``org_stamp`` (one query, once per user
    object: kept as ``user.staff_member``)."""
    if user is None or not user.is_authenticated:
        return None
    related = User.staff_member.related
    if not related.is_cached(user):
        member = StaffMember.objects.annotate(org_stamp=ORG_STAMP).filter(user_id=user.pk).first()
        related.set_cached_value(user, member)
        if member is not None:
            StaffMember.user.field.set_cached_value(member, user)
    cached = related.get_cached_value(user)
    return cached if isinstance(cached, StaffMember) else None


def active_staff_for_user(user: AnyUser | None) -> StaffMember | None:
    """The user's staff record if they are signed in and active; superusers are checked apart."""
    member = staff_for_user(user)
    return member if member is not None and member.is_active else None


def user_is_org_admin(user: AnyUser | None) -> bool:
    """Superusers and holders of an admin post (primary or concurrent): the scope's answer
    (``staff.access.Scope.is_org_admin``, kept per org chart), asked once per user object."""
    if user is None or not user.is_authenticated:
        return False
    known = getattr(user, "_is_org_admin", None)
    if known is None:
        from staff.access import scope_for  # the scope is built on these selectors

        known = user._is_org_admin = scope_for(user).is_org_admin  # type: ignore[attr-defined]
    return bool(known)


def _count(model: type[StaffMember | ConcurrentPost], field_name: str, **filters: Any) -> Coalesce:
    return Coalesce(
        Subquery(
            model.objects.filter(**{field_name: OuterRef("pk")}, **filters)
            .order_by()
            .values(field_name)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _open_posts_with_filled() -> QuerySet[Position]:
    """Open posts with ``filled`` (active holders, primary and concurrent) computed in the database."""
    return Position.objects.filter(closed_at__isnull=True).annotate(
        filled_primary=_count(StaffMember, "position", is_active=True),
        filled_concurrent=_count(ConcurrentPost, "position", staff__is_active=True),
    )


def position_list() -> QuerySet[Position]:
    """Positions with their unit, superior, job description and ``filled``, for the API and the post's page."""
    return (
        _open_posts_with_filled()
        .select_related("unit", "reports_to", "job_description")
        .prefetch_related("job_description__duties", "job_description__standards")
        .order_by("unit__sort_order", "unit_id", "sort_order", "id")
    )


def staff_list() -> QuerySet[StaffMember]:
    return StaffMember.objects.select_related("user", "position", "position__unit").prefetch_related(
        "concurrent_posts", "skills"
    )


def superior_of(staff: StaffMember) -> ChainLink | None:
    """The direct superior: the nearest non-vacant post up the reports-to chain. One query."""
    chain = chain_of(staff)
    return chain[0] if chain else None


def chain_of(staff: StaffMember) -> list[ChainLink]:
    """Everyone above, nearest first, up to the director. One query whatever the depth."""
    return chain_of_command(staff.position_id, exclude_staff_id=staff.pk)


def subordinates_of(staff: StaffMember) -> QuerySet[StaffMember]:
    """Everyone in the subtree below the posts this person holds; composable, one query."""
    return StaffMember.objects.filter(pk__in=subordinate_ids_sql(staff.pk))


@dataclass
class UnitNode:
    unit: Unit
    depth: int
    positions: list[Position] = field(default_factory=list)
    planned: int = 0  # headcount inside the establishment, this unit and below
    filled: int = 0  # holders of those posts
    outside_planned: int = 0  # posts outside the establishment (drivers …)
    outside_filled: int = 0

    @property
    def vacant(self) -> int:
        return max(self.planned - self.filled, 0)


def org_tree() -> list[UnitNode]:
    """Every unit in tree order with its positions, holders and rolled-up headcount. Each position has
    ``active_holders`` (staff) and ``active_concurrent`` (concurrent posts with their staff) as lists.

    A fixed number of queries (units, positions, holders, concurrent holders), whatever the size.
    """
    units = list(Unit.objects.with_tree_fields().filter(closed_at__isnull=True).order_siblings_by("sort_order", "id"))
    positions = list(
        _open_posts_with_filled().order_by("sort_order", "id").prefetch_related(
            # Plain lists (``to_attr``): a related manager per post costs more than the post's row.
            Prefetch("holders", queryset=StaffMember.objects.filter(is_active=True).order_by("employee_no")
                     .only("pk", "name", "on_leave", "position_id"), to_attr="active_holders"),
            Prefetch(
                "concurrent_assignments",
                queryset=ConcurrentPost.objects.filter(staff__is_active=True).select_related("staff")
                .only("pk", "position_id", "staff_id", "staff__name", "staff__on_leave"),
                to_attr="active_concurrent",
            ),
        )
    )
    nodes = {u.pk: UnitNode(unit=u, depth=u.tree_depth) for u in units}
    by_unit: dict[int, list[Position]] = defaultdict(list)
    for row in positions:
        by_unit[row.unit_id].append(row)
    for unit in units:
        node = nodes[unit.pk]
        node.positions = by_unit.get(unit.pk, [])
        for position in node.positions:
            for ancestor_id in unit.tree_path:
                ancestor = nodes[ancestor_id]
                if position.in_establishment:
                    ancestor.planned += position.headcount
                    ancestor.filled += min(position.filled, position.headcount)
                else:
                    ancestor.outside_planned += position.headcount
                    ancestor.outside_filled += position.filled
    return [nodes[u.pk] for u in units]


def unit_headcount(unit_code: str) -> UnitNode:
    return next(node for node in org_tree() if node.unit.code == unit_code)


def org_summary() -> dict[str, int]:
    return {"units": Unit.objects.count(), "positions": Position.objects.count(),
            "staff": StaffMember.objects.filter(is_active=True).count()}
