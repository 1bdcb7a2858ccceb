"""A person's scope in one statement (``staff.chain.scope_facts``) is what the ORM's three queries
said before it, for every person of both demo org shapes, with concurrent posts, someone inactive and
someone on leave."""

import pytest
from django.db.models import Q

from staff.access import scope_for
from staff.chain import subordinate_ids_sql
from staff.models import ConcurrentPost, Position, Role, StaffMember
from staff.roles import LEADING_ROLES
from tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


def reference(member: StaffMember) -> tuple[bool, bool, frozenset[int], frozenset[int], bool]:
    """The scope as the ORM worked it out (sees everything, leads, people, units, administers the org)."""
    roles = set(Position.objects.filter(Q(holders=member) | Q(concurrent_assignments__staff=member))
                .values_list("role", flat=True))
    admin = Role.ADMIN in roles or member.user.is_superuser
    if Role.DIRECTOR in roles or member.user.is_superuser:
        return True, True, frozenset(), frozenset(), admin
    below = subordinate_ids_sql(member.pk)
    units = (Position.objects.filter(Q(holders=member) | Q(concurrent_assignments__staff=member)
                                     | Q(holders__in=below) | Q(concurrent_assignments__staff__in=below))
             .values_list("unit_id", flat=True).distinct())
    staff_ids = {member.pk, *StaffMember.objects.filter(pk__in=below).values_list("pk", flat=True)}
    return False, bool(roles & LEADING_ROLES), frozenset(staff_ids), frozenset(units), admin


def actual(member: StaffMember) -> tuple[bool, bool, frozenset[int], frozenset[int], bool]:
    scope = scope_for(member.user)
    if scope.sees_all:
        return True, True, frozenset(), frozenset(), scope.is_org_admin
    return False, scope.is_leader, scope.staff_ids, scope.unit_ids, scope.is_org_admin


@pytest.mark.parametrize("shape", ["shape_a", "shape_b"])
def test_the_one_statement_scope_is_the_orms(request, shape):
    request.getfixturevalue(shape)
    people = list(StaffMember.objects.filter(user__isnull=False, is_active=True).select_related("user", "position")
                  .order_by("pk"))
    assert len(people) > 10
    # A lead who also sits in another team, someone inactive below a lead, someone on leave.
    agents = [p for p in people if p.position and p.position.role == Role.AGENT]
    leads = [p for p in people if p.position and p.position.role in LEADING_ROLES and p.position.role != Role.DIRECTOR]
    other = next(p for p in Position.objects.exclude(unit=leads[0].position.unit).filter(role=Role.AGENT))
    ConcurrentPost.objects.create(staff=leads[0], position=other)
    # An agent who also holds an admin post (the org editor's), as a concurrent post.
    ConcurrentPost.objects.create(staff=agents[2], position=PositionFactory(role=Role.ADMIN, unit=other.unit))
    StaffMember.objects.filter(pk=agents[0].pk).update(is_active=False)
    StaffMember.objects.filter(pk=agents[1].pk).update(on_leave=True)
    checked = 0
    for member in StaffMember.objects.filter(pk__in=[p.pk for p in people], is_active=True).select_related("user"):
        assert actual(member) == reference(member), member.name
        checked += 1
    assert checked == len(people) - 1
    assert any(actual(m)[3] and len(actual(m)[2]) > 3 for m in people[:5] + leads)  # someone leads several
    admins = [m.pk for m in people if actual(m)[4]]  # the agent, and in shape A its admin head's holder
    assert agents[2].pk in admins
    assert len(admins) == {"shape_a": 2, "shape_b": 1}[shape]
