"""The chain of command: one level at a time, vacant posts skipped, ends at the director."""

import pytest

from staff.chain import chain_of_command
from staff.models import Position, StaffMember
from staff.selectors import chain_of, subordinates_of, superior_of
from staff.services import StaffError, position_save
from tests.factories import PositionFactory, StaffMemberFactory, UnitFactory


def names(links):
    return [link.name for link in links]


def test_agent_reports_to_team_lead_then_director(shape_a, member):
    assert superior_of(member("agent1")).name == "张伟"
    assert names(chain_of(member("agent1"))) == ["张伟", "王建国"]
    assert [link.depth for link in chain_of(member("agent1"))] == [1, 2]


def test_chain_goes_through_a_concurrent_post(shape_a):
    cleaner = StaffMember.objects.get(name="何梅")
    chain = chain_of(cleaner)
    assert names(chain) == ["林娜", "李秀梅", "王建国"]
    assert chain[1].position_title == "行政部负责人"


def test_vacant_superior_is_skipped(shape_a, member):
    lead2 = member("lead2")
    lead2.is_active = False
    lead2.save(update_fields=["is_active"])
    assert names(chain_of(StaffMember.objects.get(name="赵磊"))) == ["王建国"]


def test_director_has_no_superior(shape_a, member):
    assert superior_of(member("director")) is None
    assert chain_of(member("director")) == []


def test_subordinates(shape_a, member):
    assert set(subordinates_of(member("lead1")).values_list("name", flat=True)) == {"刘洋", "陈静"}
    assert set(subordinates_of(member("deputy")).values_list("name", flat=True)) == {
        "马超", "林娜", "胡军", "郭涛", "何梅"}
    assert subordinates_of(member("director")).count() == 15  # everyone but the admin and the director
    assert not subordinates_of(member("agent1")).exists()


@pytest.fixture
def ladder(db):
    """Nine posts, each reporting to the one before: a chain eight levels deep."""
    unit = UnitFactory()
    people, above = [], None
    for level in range(9):
        above = PositionFactory(unit=unit, reports_to=above, code=f"level-{level}")
        people.append(StaffMemberFactory(position=above, name=f"L{level}"))
    return people


def test_chain_and_subtree_are_one_query_at_depth_eight(ladder, django_assert_num_queries):
    people = ladder
    with django_assert_num_queries(1):
        chain = chain_of(people[-1])
    assert names(chain) == [f"L{level}" for level in range(7, -1, -1)]
    assert [link.depth for link in chain] == list(range(1, 9))
    with django_assert_num_queries(1):
        below = list(subordinates_of(people[0]).order_by("name"))
    assert [s.name for s in below] == [f"L{level}" for level in range(1, 9)]


def test_two_vacancies_in_a_row_are_skipped(ladder):
    people = ladder
    for person in people[6:8]:
        person.position = None
        person.save(update_fields=["position"])
    assert names(chain_of(people[-1]))[:2] == ["L5", "L4"]


def test_chain_of_unplaced_person_is_empty(db):
    assert chain_of_command(None) == []


def test_reporting_loop_is_refused(shape_a):
    director = Position.objects.get(code="director")
    agent_post = Position.objects.get(code="tech-staff-1")
    with pytest.raises(StaffError, match="reports_to"):
        position_save(instance=director, reports_to=agent_post)
    director.refresh_from_db()
    assert director.reports_to_id is None
