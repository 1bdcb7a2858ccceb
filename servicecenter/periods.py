"""Periods people type: a month as ``YYYY-MM``. The shared kernel: imports no app."""

import re
from datetime import date


def parse_month(text: str | None) -> date | None:
    """``YYYY-MM`` → the first day of that month; None for anything else (years 2000–2100)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        return None
    return date(int(match[1]), int(match[2]), 1)
