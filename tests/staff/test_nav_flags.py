"""The navigation's flags (leads, administers the org) come from the request's scope."""

import pytest
from django.contrib.auth.models import AnonymousUser

from sla.context_processors import sla
from staff.context_processors import staff_member

pytestmark = pytest.mark.django_db


def flags(request) -> tuple[bool, bool, list[int]]:
    shown = sla(request)["sla"]
    return staff_member(request)["current"].is_org_admin, shown.is_leader, shown.provisional_years


def test_a_page_rendered_before_authentication_or_signed_out_has_no_flags(rf):
    request = rf.get("/")  # an error page rendered before the authentication middleware ran
    assert flags(request) == (False, False, [])
    request.user = AnonymousUser()
    assert flags(request) == (False, False, [])


def test_the_flags_are_the_scopes_and_ask_no_query_of_their_own(rf, shape_a, user, member,
                                                                django_assert_num_queries):
    from staff.access import request_scope
    from staff.models import ConcurrentPost, Role
    from staff.selectors import user_is_org_admin
    from tests.factories import PositionFactory

    def shown(username: str) -> tuple[bool, bool]:
        request = rf.get("/")
        request.user = user(username)
        request_scope(request)  # as the page's view does first
        with django_assert_num_queries(0):
            return staff_member(request)["current"].is_org_admin, sla(request)["sla"].is_leader

    assert [shown(u) for u in ("director", "supervisor1", "agent2")] == [(False, True), (False, True), (False, False)]
    # An admin post held concurrently makes agent2 an org admin (the services ask the same scope), not a leader.
    ConcurrentPost.objects.create(staff=member("agent2"), position=PositionFactory(role=Role.ADMIN))
    assert shown("agent2") == (True, False)
    assert (user_is_org_admin(user("agent2")), user_is_org_admin(user("supervisor1"))) == (True, False)
