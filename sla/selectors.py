"""Reads for the SLA engine: the calendar arithmetic for a calendar, the policy for a ticket."""

from datetime import date, time
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from sla.calendar import WorkCalendar
from sla.models import Calendar, CalendarDay, DaySource, Policy

DEFAULT_HOURS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 5  # beyond the data, dates follow the weekday rule (provisional) this far ahead

_ENGINES: dict[int, tuple[str, WorkCalendar]] = {}  # calendar id: (its version, its arithmetic)


def default_calendar() -> Calendar:
    calendar = Calendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar, _ = Calendar.objects.get_or_create(code="default", defaults={"name": "默认日历", "is_default": True})
    return calendar


def work_calendar(calendar: Calendar) -> WorkCalendar:
    """The precomputed arithmetic of a calendar, rebuilt only when its ``version`` changes.

    Two queries on a rebuild (days, hours), none otherwise.
    """
    cached = _ENGINES.get(calendar.pk)
    if cached is not None and cached[0] == calendar.version:
        return cached[1]
    rows = CalendarDay.objects.filter(calendar=calendar).values_list("date", "is_workday", "source")
    days = {d: (is_workday, source == DaySource.PROVISIONAL) for d, is_workday, source in rows}
    hours = list(calendar.intervals.values_list("start", "end")) or list(DEFAULT_HOURS)
    today = timezone.localdate()
    last = max([*days, today]).replace(month=12, day=31)
    last = last.replace(year=max(last.year, today.year + YEARS_AHEAD))
    engine = WorkCalendar(days, tz=ZoneInfo(calendar.time_zone), intervals=hours,
                          first=min([*days, EARLIEST]), last=last)
    _ENGINES[calendar.pk] = (calendar.version, engine)
    return engine


def policy_for(*, kind: str, priority: int, customer_class: str, channel: str, area: str = "") -> Policy | None:
    """The first active policy, by rank, whose non-blank fields all match. One query."""
    return (
        Policy.objects.filter(is_active=True)
        .filter(Q(kind="") | Q(kind=kind), Q(priority__isnull=True) | Q(priority=priority))
        .filter(Q(customer_class="") | Q(customer_class=customer_class), Q(channel="") | Q(channel=channel))
        .filter(Q(area="") | Q(area=area))
        .select_related("calendar")
        .prefetch_related("targets")
        .order_by("rank", "id")
        .first()
    )


def kinds_without_fallback() -> list[str]:
    """Ticket kinds that no active policy catches whatever their priority, class and channel."""
    from tickets.choices import Kind

    covered = set(
        Policy.objects.filter(is_active=True, priority__isnull=True, customer_class="", channel="", area="")
        .values_list("kind", flat=True)
    )
    if "" in covered:
        return []
    return [k for k in Kind.values if k not in covered]
