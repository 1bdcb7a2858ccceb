"""A person's scope is kept under the org chart's stamp (``staff.access._scope_facts``): asked once
while the org chart stands, and asked again after any write to it, whichever way it is written
(services, the ORM, SQL by hand), because triggers change the stamp (``staff.models.OrgStamp``)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from staff import services
from staff.access import scope_for
from staff.chain import scope_facts
from staff.models import ConcurrentPost, OrgStamp, Position, StaffMember
from staff.roles import LEADING_ROLES

pytestmark = pytest.mark.django_db


def fresh(username: str):
    """A user object as a new request has it (nothing cached on it; the ``user`` fixture's query, here
    for the module's helpers, which fixtures cannot reach)."""
    return get_user_model().objects.get(username=username)


def seen(username: str) -> tuple[bool, frozenset[int], frozenset[int]]:
    scope = scope_for(fresh(username))
    return scope.is_leader, scope.staff_ids, scope.unit_ids


def truth(username: str) -> tuple[bool, frozenset[int], frozenset[int]]:
    """The same, asked of the database with no cache."""
    member = StaffMember.objects.get(user__username=username)
    roles, below, units, _stamp = scope_facts(member.pk)
    return bool(roles & LEADING_ROLES), frozenset({member.pk, *below}), frozenset(units)


def stamp() -> int | None:
    return OrgStamp.objects.values_list("stamp", flat=True).first()


def test_a_scope_is_asked_once_while_the_org_chart_stands(shape_a, django_assert_num_queries):
    first = scope_for(fresh("lead1"))
    user = fresh("lead1")
    with django_assert_num_queries(1):  # the person's record with the stamp; the scope is kept
        again = scope_for(user)
    assert (again.is_leader, again.staff_ids, again.unit_ids) == (first.is_leader, first.staff_ids, first.unit_ids)
    assert again.is_leader
    assert len(again.staff_ids) == 3  # lead1, agent1, agent3


def _member(username: str) -> StaffMember:
    return StaffMember.objects.select_related("position").get(user__username=username)


def move_post_under_another_lead():
    services.position_save(instance=_member("agent4").position, reports_to=_member("lead1").position)


def add_concurrent_post():
    services.staff_member_set_concurrent_posts(staff=_member("lead1"), positions=[_member("agent2").position])


def remove_concurrent_post():
    ConcurrentPost.objects.filter(staff=_member("lead1")).delete()


def someone_leaves():
    StaffMember.objects.filter(user__username="agent1").update(is_active=False)


def someone_moves_post():
    agent = _member("agent2")
    agent.position = _member("agent1").position
    agent.save()


def by_hand_in_sql():
    with connection.cursor() as cursor:
        cursor.execute("UPDATE staff_position SET reports_to_id = %s WHERE id = %s",
                       [_member("lead1").position_id, _member("agent4").position_id])


def a_post_deleted():
    Position.objects.filter(pk=_member("agent3").position_id).delete()


@pytest.mark.parametrize("change", [move_post_under_another_lead, add_concurrent_post, remove_concurrent_post,
                                    someone_leaves, someone_moves_post, by_hand_in_sql, a_post_deleted])
def test_any_write_to_the_org_chart_is_seen_by_the_next_request(shape_a, change):
    if change is remove_concurrent_post:
        add_concurrent_post()
    before = seen("lead1")
    assert seen("lead1") == before == truth("lead1")  # kept
    old = stamp()
    change()
    assert stamp() != old
    assert seen("lead1") == truth("lead1") != before


def test_writes_that_do_not_touch_the_org_chart_keep_the_stamp(shape_a):
    old = stamp()
    StaffMember.objects.filter(user__username="agent1").update(on_leave=True, phone="13800000000")
    member = _member("agent1")
    member.name = "刘洋洋"
    member.save(update_fields=["name"])
    assert stamp() == old


def test_without_the_stamp_the_scope_is_asked_every_time_and_right(shape_a, django_assert_num_queries):
    OrgStamp.objects.all().delete()
    scope_for(fresh("lead1"))
    user = fresh("lead1")
    with django_assert_num_queries(2):  # the record, then the scope: nothing is kept without a stamp
        scope = scope_for(user)
    assert (scope.is_leader, scope.staff_ids, scope.unit_ids) == truth("lead1")
    someone_leaves()  # a write brings the stamp back
    assert stamp() is not None
    assert seen("lead1") == truth("lead1")


WATCHED = {"staff_position", "staff_concurrentpost", "staff_staffmember"}


def test_the_triggers_are_on_every_watched_table_after_all_the_migrations():
    """A later migration that rebuilds one of these tables (SQLite rebuilds a table for most changes)
    drops its triggers with it, and the stamp would never change again: it must put them back
    (``staff/migrations/0006_orgstamp.py``). The test database is made by every migration."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                           "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgname LIKE %s", ["%_org"])
            assert {name for (name,) in cursor.fetchall()} == WATCHED
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                           ["%_org_%"])
            found = cursor.fetchall()
            assert {table for table, _name in found} == WATCHED
            assert len(found) == 9  # insert, update and delete on each


def test_with_the_cache_down_the_scope_comes_from_the_database(shape_a, monkeypatch, django_assert_num_queries):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    user = fresh("lead1")
    with django_assert_num_queries(2):  # the record, then the scope
        scope = scope_for(user)
    assert (scope.is_leader, scope.staff_ids, scope.unit_ids) == truth("lead1")
