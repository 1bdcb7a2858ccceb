from functools import cached_property

from staff.access import request_scope
from staff.selectors import staff_for_user


class _CurrentStaff:
    """Evaluated only when a template asks, at most once per request."""

    def __init__(self, request) -> None:
        self._request = request

    @cached_property
    def member(self):
        return staff_for_user(getattr(self._request, "user", None))

    @cached_property
    def is_org_admin(self) -> bool:
        """From the request's scope (kept per org chart): no query of its own."""
        if getattr(self._request, "user", None) is None:  # a page rendered before authentication (an error)
            return False
        return request_scope(self._request).is_org_admin


def staff_member(request):
    return {"current": _CurrentStaff(request)}
