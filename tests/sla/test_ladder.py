"""The sweep's in-memory chain of command (``sla.sweep.OrgLadder``) is the same chain as the one query
of ``staff.chain`` (``chain_of``), for every person, in every org these tests know: so the rule is
defined once, and the ladder is a faster reading of it, not a second rule."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.sweep import OrgLadder
from staff.graph import OrgGraph
from staff.models import ConcurrentPost, StaffMember
from staff.selectors import chain_of
from tests.factories import PositionFactory, StaffMemberFactory, UnitFactory

pytestmark = pytest.mark.django_db


def assert_same_chains(people=None) -> int:
    ladder = OrgLadder()
    people = list(people if people is not None else StaffMember.objects.filter(is_active=True).order_by("pk"))
    for person in people:
        chain = [link.staff_id for link in chain_of(person)]
        assert OrgGraph.load().superior(person.pk) == (chain[0] if chain else None), person.name  # the short walk
        assert ladder.chain(person.pk) == chain, person.name
    return len(people)


def test_the_two_demo_shapes(shape_a):
    assert assert_same_chains() == 17


def test_shape_b(shape_b):
    assert assert_same_chains() == StaffMember.objects.filter(is_active=True).count() > 0


def test_vacancies_leave_and_concurrent_posts(shape_a, member):
    """A lead on leave (inactive), a post emptied, a second post held above one's own."""
    lead2 = member("lead2")
    lead2.is_active = False
    lead2.save(update_fields=["is_active"])
    agent1 = member("agent1")
    ConcurrentPost.objects.create(staff=agent1, position=member("supervisor1").position)
    emptied = member("lead1")
    emptied.position = None
    emptied.save(update_fields=["position"])
    assert assert_same_chains() == 16


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shape=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 3)), min_size=1, max_size=12),
    concurrent=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=4),
    inactive=st.sets(st.integers(0, 11), max_size=4),
)
def test_any_tree_of_posts(db, shape, concurrent, inactive):
    """Random trees: post i reports to an earlier post (or to none), held by 0–3 people, some on leave,
    some holding a second post anywhere. Each example is a new unit of its own."""
    unit = UnitFactory()
    posts, holders = [], []
    for index, (parent, count) in enumerate(shape):
        above = posts[parent % index] if index and parent < index * 2 else None
        post = PositionFactory(unit=unit, reports_to=above, code=f"u{unit.pk}-p{index}", headcount=max(count, 1))
        posts.append(post)
        holders += [StaffMemberFactory(position=post, name=f"s{index}-{n}") for n in range(count)]
    for who, where in concurrent:
        if holders:
            ConcurrentPost.objects.get_or_create(staff=holders[who % len(holders)], position=posts[where % len(posts)])
    for who in inactive:
        if holders:
            StaffMember.objects.filter(pk=holders[who % len(holders)].pk).update(is_active=False)
    mine = StaffMember.objects.filter(position__unit=unit, is_active=True).order_by("pk")
    assert assert_same_chains(mine) == mine.count()
