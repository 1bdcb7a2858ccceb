"""Working-day arithmetic over China's statutory calendar, in O(1)/O(log n) per deadline.

Written here rather than taken from a library: ``chinesecalendar`` answers "is this date a working
day" one date at a time and ``holidays`` knows no make-up working days (调休上班); neither adds N
working days or business minutes, pauses a clock, or says whether a deadline rests on provisional
data. This module does, over arrays precomputed once per calendar version:

- ``is_work[i]``, ``prov[i]`` for every date from ``first`` on (index ``i = ordinal - first``);
- ``before[i]``: working days strictly before date ``i`` (a prefix count), so "the N-th working day
  after d" is ``workdays[before[d + 1] + N - 1]`` without a loop;
- ``prov_before[i]``: provisional dates before ``i``, so "does this window touch provisional data"
  is one subtraction.

Three time axes map a moment to a number of seconds and back, monotonically:
``wall`` (24×7), ``working`` (only the hours of working dates count) and ``business`` (only the
business intervals of working dates count). A pause shifts a due time by the paused span measured
on the target's axis.

A date outside the loaded range is computed from weekdays (provisional), so nothing crashes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

DAY = 86_400
MINUTES = "minutes"
BUSINESS_MINUTES = "business_minutes"
WORKING_DAYS = "working_days"
UNITS = (MINUTES, BUSINESS_MINUTES, WORKING_DAYS)


@dataclass(frozen=True)
class Deadline:
    at: datetime
    provisional: bool


class WorkCalendar:
    """An immutable, precomputed calendar.

    ``days`` maps a date to ``(is_workday, is_provisional)`` for the dates the data covers; dates
    from ``first`` to ``last`` that it does not name follow the weekday rule and are provisional.
    ``intervals`` are business hours as ``(start, end)`` times, the same on every working day.
    """

    def __init__(
        self,
        days: Mapping[date, tuple[bool, bool]],
        *,
        tz: tzinfo,
        intervals: Iterable[tuple[time, time]] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))),
        first: date | None = None,
        last: date | None = None,
    ) -> None:
        self.tz = tz
        spans = sorted((a.hour * 3600 + a.minute * 60, b.hour * 3600 + b.minute * 60) for a, b in intervals)
        overlapping = any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1))
        if not spans or any(a >= b for a, b in spans) or overlapping:
            raise ValueError("business hours must be non-empty, ordered, non-overlapping intervals")
        self.spans = spans
        self.span_starts = [a for a, _ in spans]
        # Business seconds elapsed at the start of each interval, and per working day.
        self.span_before = []
        total = 0
        for a, b in spans:
            self.span_before.append(total)
            total += b - a
        self.business_per_day = total
        self.close_of_business = spans[-1][1]
        known = sorted(days)
        self.first = (first or (known[0] if known else date(2000, 1, 1))).toordinal()
        self.last = (last or (known[-1] if known else date(2000, 1, 1))).toordinal()
        n = self.last - self.first + 1
        is_work = bytearray(n)
        prov = bytearray(n)
        for i in range(n):
            d = date.fromordinal(self.first + i)
            entry = days.get(d)
            if entry is None:
                is_work[i], prov[i] = d.weekday() < 5, True
            else:
                is_work[i], prov[i] = entry
        self.is_work = is_work
        self.prov = prov
        before = [0] * (n + 1)
        prov_before = [0] * (n + 1)
        workdays: list[int] = []
        for i in range(n):
            before[i + 1] = before[i] + is_work[i]
            prov_before[i + 1] = prov_before[i] + prov[i]
            if is_work[i]:
                workdays.append(self.first + i)
        self.before = before
        self.prov_before = prov_before
        self.workdays = workdays

    # -- dates ---------------------------------------------------------------------------------

    def _index(self, ordinal: int) -> int:
        if ordinal < self.first or ordinal > self.last:
            raise OutOfRange(date.fromordinal(ordinal))
        return ordinal - self.first

    def is_workday(self, day: date) -> bool:
        return bool(self.is_work[self._index(day.toordinal())])

    def is_provisional(self, day: date) -> bool:
        return bool(self.prov[self._index(day.toordinal())])

    def touches_provisional(self, start: date, end: date) -> bool:
        """Whether any date in ``[start, end]`` rests on provisional data."""
        i, j = self._index(start.toordinal()), self._index(end.toordinal())
        return self.prov_before[j + 1] - self.prov_before[i] > 0

    def nth_workday_after(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n ≥ 1); ``day`` itself is not counted."""
        k = self.before[self._index(day.toordinal()) + 1] + n - 1
        if k >= len(self.workdays):
            raise OutOfRange(day + timedelta(days=n))
        return date.fromordinal(self.workdays[k])

    # -- the axes ------------------------------------------------------------------------------

    def _local(self, moment: datetime) -> tuple[int, int]:
        local = moment.astimezone(self.tz)
        return local.toordinal(), local.hour * 3600 + local.minute * 60 + local.second

    def _at(self, ordinal: int, seconds: float) -> datetime:
        d = date.fromordinal(ordinal)
        return datetime(d.year, d.month, d.day, tzinfo=self.tz) + timedelta(seconds=seconds)

    def _business_in_day(self, seconds: int) -> int:
        k = bisect_right(self.span_starts, seconds) - 1
        if k < 0:
            return 0
        a, b = self.spans[k]
        return self.span_before[k] + min(seconds, b) - a

    def to_axis(self, moment: datetime, unit: str) -> float:
        """Seconds on the unit's axis; equal values mean "no working time passed between"."""
        if unit == MINUTES:
            return moment.timestamp()
        ordinal, seconds = self._local(moment)
        i = self._index(ordinal)
        if unit == WORKING_DAYS:
            return self.before[i] * DAY + (seconds if self.is_work[i] else 0)
        return self.before[i] * self.business_per_day + (self._business_in_day(seconds) if self.is_work[i] else 0)

    def from_axis(self, value: float, unit: str) -> datetime:
        """The earliest moment at which the axis reaches ``value`` (a working day's end, not the next start)."""
        if unit == MINUTES:
            return datetime.fromtimestamp(value, tz=self.tz)
        per_day = DAY if unit == WORKING_DAYS else self.business_per_day
        k, rest = divmod(value, per_day)
        k = int(k)
        if rest == 0 and k > 0:
            k, rest = k - 1, per_day
        if k >= len(self.workdays):
            raise OutOfRange(date.fromordinal(self.last))
        ordinal = self.workdays[k]
        if unit == WORKING_DAYS:
            return self._at(ordinal, rest)
        for (a, b), done in zip(self.spans, self.span_before, strict=True):
            if rest <= done + (b - a):
                return self._at(ordinal, a + rest - done)
        raise AssertionError("unreachable: rest exceeds a business day")

    def working_seconds(self, start: datetime, end: datetime, unit: str) -> float:
        return self.to_axis(end, unit) - self.to_axis(start, unit)

    # -- deadlines -----------------------------------------------------------------------------

    def due(self, start: datetime, amount: int, unit: str, *, end_of_day: str = "close") -> Deadline:
        """The deadline of a target of ``amount`` ``unit`` started at ``start``.

        ``working_days``: the end of the N-th working day after the day of receipt (close of
        business, or 24:00 with ``end_of_day="midnight"``). ``business_minutes``: N minutes inside
        business hours. ``minutes``: wall-clock minutes.
        """
        if unit == WORKING_DAYS:
            local_day = start.astimezone(self.tz).date()
            day = self.nth_workday_after(local_day, amount) if amount > 0 else local_day
            at = self._at(day.toordinal(), DAY if end_of_day == "midnight" else self.close_of_business)
            return Deadline(at, self.touches_provisional(local_day, day))
        if unit == BUSINESS_MINUTES:
            at = self.from_axis(self.to_axis(start, unit) + amount * 60, unit)
        elif unit == MINUTES:
            at = start + timedelta(minutes=amount)
        else:
            raise ValueError(f"unknown unit {unit!r}")
        a, b = start.astimezone(self.tz).date(), at.astimezone(self.tz).date()
        return Deadline(at, self.touches_provisional(a, b) if unit == BUSINESS_MINUTES else False)

    def shift(self, moment: datetime, seconds: float, unit: str) -> datetime:
        """``moment`` moved later by ``seconds`` of the unit's working time (a pause's length)."""
        if seconds <= 0:
            return moment
        if unit == MINUTES:
            return moment + timedelta(seconds=seconds)
        return self.from_axis(self.to_axis(moment, unit) + seconds, unit)

    def fraction(self, start: datetime, due: datetime, share: float, unit: str) -> datetime:
        """The moment when ``share`` of the working time between start and due has passed (warn_at)."""
        a, b = self.to_axis(start, unit), self.to_axis(due, unit)
        return self.from_axis(a + (b - a) * share, unit) if b > a else due


class OutOfRange(LookupError):
    """A date beyond the precomputed calendar; callers extend the calendar and retry."""

    def __init__(self, day: date) -> None:
        super().__init__(f"{day} is outside the calendar")
        self.day = day
