"""Periods: a month people type as ``YYYY-MM``, and a month's bounds in the center's time zone. The
shared kernel: imports no app."""

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone


def parse_month(text: str | None) -> date | None:
    """``YYYY-MM`` → the first day of that month; None for anything else (years 2000–2100)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        return None
    return date(int(match[1]), int(match[2]), 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(today: date | None = None) -> date:
    first = month_start(today or timezone.localdate())
    return month_start(first - timedelta(days=1))


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    first = month_start(month)
    following = month_start(first + timedelta(days=31))
    return datetime.combine(first, time(0), tzinfo=tz), datetime.combine(following, time(0), tzinfo=tz)


class EffectiveDateError(ValueError):
    """``effective_date``'s refusal: ``reason`` is "format" (not YYYY-MM-DD) or "past"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def effective_date(value: date | str | None, today: date) -> date:
    """The date a dated change takes effect: today when not given, never earlier than today."""
    if value is None or value == "":
        return today
    if isinstance(value, datetime):
        value = value.date()
    elif isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise EffectiveDateError("format") from None
    if value < today:
        raise EffectiveDateError("past")
    return value
