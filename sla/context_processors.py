from functools import cached_property

from django.utils import timezone

from sla.models import CalendarDay, DaySource
from staff.access import request_scope


class _SlaContext:
    """Whether the reader leads, and the provisional-calendar warning, evaluated only when shown."""

    def __init__(self, request) -> None:
        self._request = request
        self._user = getattr(request, "user", None)

    @cached_property
    def is_leader(self) -> bool:
        """From the request's scope (kept per org chart): no query of its own."""
        if self._user is None:  # a page rendered before authentication (an error)
            return False
        return request_scope(self._request).may_lead

    @cached_property
    def provisional_years(self) -> list[int]:
        """Years within the next twelve months whose working days are still provisional, for the
        people who must see it: admins and leaders."""
        user = self._user
        if not getattr(user, "is_authenticated", False):
            return []
        if not (self.is_leader or request_scope(self._request).is_org_admin):
            return []
        today = timezone.localdate()
        # A year from 29 February is 28 February (date.replace(year=…) has no 29th and failed every page).
        a_year_on = today.replace(year=today.year + 1, day=min(today.day, 28) if today.month == 2 else today.day)
        days = CalendarDay.objects.filter(calendar__is_default=True, source=DaySource.PROVISIONAL,
                                          date__gte=today, date__lte=a_year_on)
        return sorted({d.year for d in days.dates("date", "year")})


def sla(request):
    return {"sla": _SlaContext(request)}
