from functools import cached_property

from staff.selectors import staff_for_user, user_is_org_admin


class _CurrentStaff:
    """Evaluated only when a template asks, at most once per request."""

    def __init__(self, user) -> None:
        self._user = user

    @cached_property
    def member(self):
        return staff_for_user(self._user)

    @cached_property
    def is_org_admin(self) -> bool:
        return user_is_org_admin(self._user)


def staff_member(request):
    return {"current": _CurrentStaff(getattr(request, "user", None))}
