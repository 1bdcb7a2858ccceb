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


def test_the_flags_are_the_scopes_and_ask_no_query_of_their_own(rf, shape_a, user, django_assert_num_queries):
    from staff.access import request_scope

    expected = {"director": (False, True), "supervisor1": (False, True), "agent2": (False, False)}
    for username, (admin, leads) in expected.items():
        request = rf.get("/")
        request.user = user(username)
        request_scope(request)  # as the page's view does first
        with django_assert_num_queries(0):
            assert (staff_member(request)["current"].is_org_admin, sla(request)["sla"].is_leader) == (admin, leads)
