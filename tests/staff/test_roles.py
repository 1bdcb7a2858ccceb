"""Roles come from positions and map to groups whose permissions the migration created."""

import pytest
from django.contrib.auth.models import Group

from staff.models import Position, Role
from staff.roles import group_name
from staff.services import staff_member_set_concurrent_posts


@pytest.mark.django_db
def test_every_role_has_a_group_with_the_declared_permissions():
    assert set(Group.objects.filter(name__startswith="role:").values_list("name", flat=True)) == {
        group_name(role) for role in Role}
    agent = Group.objects.get(name="role:agent")
    codenames = set(agent.permissions.values_list("codename", flat=True))
    assert "view_position" in codenames
    assert "change_position" not in codenames
    admin = Group.objects.get(name="role:admin")
    assert admin.permissions.filter(codename="change_jobdescription").exists()


def test_users_get_the_groups_of_their_posts(shape_a, member):
    agent = member("agent1").user
    assert list(agent.groups.values_list("name", flat=True)) == ["role:agent"]
    assert agent.has_perm("staff.view_position")
    assert not agent.has_perm("staff.change_position")
    assert not agent.is_staff
    deputy = member("deputy").user
    assert list(deputy.groups.values_list("name", flat=True)) == ["role:manager"]


def test_a_concurrent_post_adds_its_role_and_losing_it_removes_it(shape_a, member):
    agent = member("agent2")
    staff_member_set_concurrent_posts(staff=agent, positions=[Position.objects.get(code="reception-dm")])
    assert set(agent.user.groups.values_list("name", flat=True)) == {"role:agent", "role:supervisor"}
    staff_member_set_concurrent_posts(staff=agent, positions=[])
    assert set(agent.user.groups.values_list("name", flat=True)) == {"role:agent"}
