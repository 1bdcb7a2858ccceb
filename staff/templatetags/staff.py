"""``person``: who a sign-in is, as people read it: their staff name, never the sign-in code."""

from typing import Any

from django import template

from staff.models import StaffMember

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """The staff member's name; a sign-in without one shows its full name, else its user name. Select
    ``…__staff_member`` with the rows, so a list asks no query per row."""
    if user is None:
        return "—"
    try:
        return user.staff_member.name
    except StaffMember.DoesNotExist:
        return user.get_full_name() or user.get_username()
