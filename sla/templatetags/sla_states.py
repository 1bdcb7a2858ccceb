"""The words a deadline's state is told in, on the SLA badge and the ticket page's deadlines panel.

A met deadline says whether it was met on time or late, and when (a late one also by how much): the
stored state of a late clock is ``met`` with its breach kept (``Clock.met_late``), and the ticket's
``sla_state`` is ``met`` either way, so these words come from the clocks. The badge in a queue has no
clocks at hand: given the page it is on, the first met ticket's badge reads the met clocks of every met
ticket on the page in one query, kept on the page for the others.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

from django import template
from django.core.paginator import Page
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from servicecenter.keyset import Page as KeysetPage
from sla.models import Clock, ClockState

register = template.Library()

@dataclass(frozen=True)
class StateWords:
    key: str  # on_track, at_risk, breached, paused, met_on_time, met_late, cancelled: the CSS class
    text: str
    title: str = ""


def _when(moment: datetime) -> str:
    """11-28 14:05: the day and the time in the center's zone (the year is the reader's own)."""
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def late_text(late: timedelta) -> str:
    """How late, in whole minutes: "2 h 5 min", "1 d 3 h", "40 min"."""
    minutes = max(int(late.total_seconds() // 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


def met_words(*, late: bool, met_at: datetime | None, late_by: timedelta | None) -> StateWords:
    if not late:
        if met_at is None:
            return StateWords("met_on_time", _("Met on time"))
        return StateWords("met_on_time", _("Met on time · %(when)s") % {"when": _when(met_at)})
    if met_at is None:
        return StateWords("met_late", _("Met late"))
    if late_by is None:
        return StateWords("met_late", _("Met late · %(when)s") % {"when": _when(met_at)})
    return StateWords("met_late", _("Met late · %(when)s (%(late)s late)") % {
        "when": _when(met_at), "late": late_text(late_by)})


def clock_words(clock: Clock, now: datetime | None = None) -> StateWords:
    """One clock's state as the deadlines panel tells it."""
    now = now or timezone.now()
    if clock.state == ClockState.MET:
        return met_words(late=clock.met_late, met_at=clock.met_at, late_by=clock.late_by)
    if clock.state == ClockState.PAUSED:
        return StateWords("paused", _("Paused"))
    if clock.state == ClockState.CANCELLED:
        return StateWords("cancelled", _("Cancelled"))
    if clock.state == ClockState.BREACHED or clock.due_at <= now:
        return StateWords("breached", _("Breached"))
    if clock.warn_at <= now:
        return StateWords("at_risk", _("At risk"))
    return StateWords("on_track", _("On track"))


def _met_summary(rows: list[tuple[datetime | None, datetime, datetime | None]]) -> dict:
    """A met ticket from its met clocks (met_at, due_at, breached_at): late if any was met late, told with
    the late clock met last; else on time, with the last met."""
    late = [(met_at, due_at) for met_at, due_at, breached_at in rows if breached_at is not None and met_at]
    if late:
        met_at, due_at = max(late)
        return {"late": True, "met_at": met_at, "late_by": met_at - due_at if met_at > due_at else None}
    moments = [met_at for met_at, _due, _breached in rows if met_at]
    return {"late": False, "met_at": max(moments) if moments else None, "late_by": None}


def _met_rows(ticket_ids: list[int]) -> dict[int, list]:
    rows: dict[int, list] = {pk: [] for pk in ticket_ids}
    for ticket_id, met_at, due_at, breached_at in Clock.objects.filter(
            ticket_id__in=ticket_ids, callback__isnull=True, state=ClockState.MET).values_list(
            "ticket_id", "met_at", "due_at", "breached_at"):
        rows[ticket_id].append((met_at, due_at, breached_at))
    return rows


def _rows_for(ticket: Any, page: Any) -> list:
    prefetched = getattr(ticket, "sla_clocks_all", None)
    if prefetched is not None:
        return [(c.met_at, c.due_at, c.breached_at) for c in prefetched
                if c.callback_id is None and c.state == ClockState.MET]
    if not isinstance(page, Page | KeysetPage):
        return _met_rows([ticket.pk])[ticket.pk]
    loaded = getattr(page, "_sla_met_rows", None)
    if loaded is None or ticket.pk not in loaded:
        ids = [t.pk for t in page if getattr(t, "sla_state", "") == "met"]
        loaded = _met_rows(ids if ticket.pk in ids else [*ids, ticket.pk])
        page._sla_met_rows = loaded
    return loaded[ticket.pk]


# The states a badge tells in a word (translated when shown: one lookup a badge, not four).
SIMPLE_STATES = {"on_track": gettext_noop("On track"), "at_risk": gettext_noop("At risk"),
                 "breached": gettext_noop("Breached"), "paused": gettext_noop("Paused")}


def ticket_words(ticket: Any, page: Any = None) -> StateWords | None:
    """A ticket's overall deadline state as its badge tells it (None: no deadline applies)."""
    state = ticket.sla_state
    if not state:
        return None
    if state in SIMPLE_STATES:
        return StateWords(state, _(SIMPLE_STATES[state]))
    summary = _met_summary(_rows_for(ticket, page))
    full = met_words(**summary)
    # The badge is short: on time, or late and when; its title tells the rest.
    if not summary["late"]:
        return StateWords(full.key, _("Met on time"), full.text)
    return StateWords(full.key, met_words(late=True, met_at=summary["met_at"], late_by=None).text, full.text)


@register.simple_tag
def sla_ticket_state(ticket: Any, page: Any = None) -> StateWords | None:
    """``{% sla_ticket_state ticket page as sla %}``: pass the queue's page so that a page of met tickets
    costs one query; without it a ticket whose clocks were not prefetched costs one."""
    return ticket_words(ticket, page)


@register.simple_tag
def sla_clock_state(clock: Clock) -> StateWords:
    """``{% sla_clock_state clock as state %}``"""
    return clock_words(clock)


def local_moment(moment: datetime, fmt: str, *, named: bool = False) -> str:
    """A moment in the center's zone as the ``date`` filter writes it (``named``: a format setting's name)."""
    if fmt == "c":  # ISO 8601, as the filter writes it; digits and signs only
        return timezone.localtime(moment).isoformat()
    return _formatted(moment, fmt, named, get_language(), timezone.get_current_timezone_name())


@functools.lru_cache(maxsize=20_000)
def _formatted(moment: datetime, fmt: str, named: bool, language: str | None, zone: str) -> str:
    """Kept per moment, format, language and zone: a queue shows the same tickets' moments on every
    refresh, and Django's date format reads its format string letter by letter on every call."""
    local = timezone.localtime(moment)
    return escape(formats.date_format(local, fmt) if named else dateformat.format(local, fmt))


@register.simple_tag
def sla_badge(ticket: Any, page: Any = None) -> SafeString:
    """``{% sla_badge ticket page %}``: a ticket's deadline badge (empty when no deadline applies), the
    one markup of every page that shows it; the queue's rows call it directly (``workspace/queuerows.py``)."""
    if not ticket.sla_state:
        return mark_safe("")
    sla = ticket_words(ticket, page)
    late = " sla-met_late" if sla is not None and sla.key == "met_late" else ""
    due = ""
    if ticket.sla_due_at and ticket.sla_state not in ("met", "paused"):
        due = f' data-due="{local_moment(ticket.sla_due_at, "c")}"'
    if sla is not None and sla.title:
        title = escape(sla.title)
    elif ticket.sla_due_at:
        title = f"{escape(_('Due'))} {local_moment(ticket.sla_due_at, 'SHORT_DATETIME_FORMAT', named=True)}"
    else:
        title = ""
    text = escape(sla.text) if sla is not None else ""
    return mark_safe(f'<span class="sla sla-{escape(ticket.sla_state)}{late}"{due} title="{title}">{text}'  # noqa: S308
                     f'<span class="countdown" aria-live="off"></span></span>')
