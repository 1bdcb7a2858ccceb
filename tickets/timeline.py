"""The ticket timeline as people read it: each ``TicketEvent`` becomes one sentence in the reader's
language (``分派给 刘洋``, ``派单 WO-393 至 抢修一班``, ``到达现场 11-28 10:05``).

What the services store is left as it is (field, old, new, body: the API's events endpoint serves
those raw); this module only reads them, so rows written before it existed read as sentences too.
A value it does not know is shown as it was stored, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.choices import CallbackOutcome, CallbackState, EventKind, Status
from tickets.events import event_value_label
from tickets.models import Ticket, TicketEvent

# The deadlines a clock keeps (``sla.models.Target``; ``sla`` is above ``tickets``, so its labels are
# named here with the same msgids).
TARGETS = {
    "first_response": gettext_lazy("First response"),
    "resolution": gettext_lazy("Resolution (reply)"),
    "dispatch": gettext_lazy("Dispatch"),
    "arrival": gettext_lazy("On-site arrival"),
    "restoration": gettext_lazy("Restoration"),
    "callback": gettext_lazy("Callback"),
}

_WORK_ORDER = re.compile(r"^(WO-\d+)\s*→\s*(.*)$")
_ATTEMPT = re.compile(r"^(\d+):\s*(.*)$")
UNIT_FIELDS = ("team", "responsible_unit")


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: the sentence, and the body still to show under it (if any)."""

    text: str
    body: str


def _moment(value: str) -> str:
    """A stored time (ISO 8601, or the clocks' ``YYYY-MM-DD HH:MM`` in the center's zone) as ``11-28 10:05``."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return formats.date_format(timezone.localtime(moment), "m-d H:i")


# Unit names read for a whole timeline at once (``timeline_entries``): stored name → the reader's.
_UNITS: ContextVar[dict[str, str] | None] = ContextVar("timeline_units", default=None)


def _units_named(names: set[str]) -> dict[str, str]:
    """Stored unit names (Chinese, or English when an English reader made the change) → display names."""
    from staff.models import Unit

    names.discard("")
    if not names:
        return {}
    found: dict[str, str] = {}
    for unit in Unit.objects.filter(Q(name__in=names) | Q(name_en__in=names)).order_by("id"):
        for stored in (unit.name, unit.name_en):
            if stored in names:
                found.setdefault(stored, unit.display_name)
    return found


def _unit_name(value: str) -> str:
    """A team's name as stored (in whichever language the writer read) in the reader's language."""
    if not value:
        return value
    known = _UNITS.get()
    if known is None:
        known = _units_named({value})
    return known.get(value, value)


def _unit_values(event: TicketEvent) -> set[str]:
    if event.field in UNIT_FIELDS:
        return {event.old_value, event.new_value}
    if event.kind == EventKind.DISPATCHED:
        match = _WORK_ORDER.match(event.new_value)
        return {match[2].strip()} if match else {event.new_value}
    return set()


def _outcome(label: str) -> str:
    """A callback outcome stored as its label (in the writer's language), in the reader's."""
    for outcome in CallbackOutcome:
        written = {outcome.value}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                written.add(str(outcome.label))
        if label in written:
            return str(outcome.label)
    return label


def _field_label(name: str) -> str:
    try:
        return str(Ticket._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _field_value(name: str, value: str) -> str:
    if name in UNIT_FIELDS:
        return _unit_name(value)
    try:
        field = Ticket._meta.get_field(name)
    except FieldDoesNotExist:
        return event_value_label(name, value)
    choices = {str(key): label for key, label in (field.choices or [])}
    return str(choices.get(value, value))


def _status(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


def _created(event: TicketEvent) -> str:
    return _("Ticket created")


def _status_changed(event: TicketEvent) -> str:
    if event.old_value:
        return _("Status changed from %(old)s to %(new)s") % {"old": _status(event.old_value),
                                                                "new": _status(event.new_value)}
    return _("Status set to %(new)s") % {"new": _status(event.new_value)}


def _assigned(event: TicketEvent) -> str:
    old, new = event.old_value, event.new_value
    if new and old:
        return _("Reassigned from %(old)s to %(new)s") % {"old": old, "new": new}
    if new:
        return _("Assigned to %(name)s") % {"name": new}
    if old:
        return _("No longer assigned to %(name)s") % {"name": old}
    return _("Assignee cleared")


def _claimed(event: TicketEvent) -> str:
    return _("Claimed by %(name)s") % {"name": event.new_value} if event.new_value else str(EventKind.CLAIMED.label)


def _team_move(event: TicketEvent) -> str:
    old, new = _unit_name(event.old_value), _unit_name(event.new_value)
    if old and new:
        return _("Transferred from %(old)s to %(new)s") % {"old": old, "new": new}
    return _("Transferred to %(new)s") % {"new": new or "—"}


def _changed(event: TicketEvent) -> str:
    name = event.field
    if name == "team":
        old, new = _unit_name(event.old_value), _unit_name(event.new_value)
        if old:
            return _("Team changed from %(old)s to %(new)s") % {"old": old, "new": new or "—"}
        return _("Team set to %(new)s") % {"new": new or "—"}
    label = _field_label(name)
    old, new = _field_value(name, event.old_value), _field_value(name, event.new_value)
    if old and new:
        return _("Changed %(field)s from “%(old)s” to “%(new)s”") % {"field": label, "old": old, "new": new}
    if new:
        return _("Set %(field)s to “%(new)s”") % {"field": label, "new": new}
    return _("Cleared %(field)s") % {"field": label}


def _reclassified(event: TicketEvent) -> str:
    old, new = _field_value("kind", event.old_value), _field_value("kind", event.new_value)
    return _("Reclassified from %(old)s to %(new)s") % {"old": old or "—", "new": new or "—"}


def _dispatched(event: TicketEvent) -> str:
    match = _WORK_ORDER.match(event.new_value)
    if match:
        return _("Work order %(number)s dispatched to %(team)s") % {"number": match[1],
                                                                    "team": _unit_name(match[2].strip())}
    if event.new_value:
        return _("Work order dispatched to %(team)s") % {"team": _unit_name(event.new_value)}
    return str(EventKind.DISPATCHED.label)


def _work_order(event: TicketEvent) -> str:
    at = _moment(event.new_value) if event.new_value else "—"
    if event.field == "arrived_at":
        return _("Arrived on site %(time)s") % {"time": at}
    if event.field == "restored_at":
        return _("Repair completed %(time)s") % {"time": at}
    return str(EventKind.WORK_ORDER.label)


def _callback(event: TicketEvent) -> Entry:
    new = event.new_value
    if new == CallbackState.DUE:
        due = _moment(event.body) if event.body else ""
        if due:
            return Entry(_("Callback scheduled, due %(time)s") % {"time": due}, "")
        return Entry(_("Callback scheduled"), "")
    match = _ATTEMPT.match(new)
    if match:
        return Entry(_("Callback attempt %(number)s: %(outcome)s") % {"number": match[1],
                                                                       "outcome": _outcome(match[2])}, event.body)
    if new:
        return Entry(_("Callback: %(outcome)s") % {"outcome": _outcome(new)}, event.body)
    return Entry(str(EventKind.CALLBACK.label), event.body)


def _raised(event: TicketEvent) -> str:
    if event.new_value:
        return _("Raised to %(name)s") % {"name": event.new_value}
    return str(EventKind.RAISED.label)


def _target(field: str) -> str:
    code = field.removeprefix("sla:")
    return str(TARGETS.get(code, code))


def _deadline(event: TicketEvent) -> str:
    target = _target(event.field)
    old = _moment(event.old_value) if event.old_value else ""
    new = _moment(event.new_value) if event.new_value else ""
    if old and new:
        return _("%(target)s deadline moved from %(old)s to %(new)s") % {"target": target, "old": old, "new": new}
    if new:
        return _("%(target)s deadline set to %(new)s") % {"target": target, "new": new}
    return _("%(target)s deadline cancelled") % {"target": target}


def _escalated(event: TicketEvent) -> Entry:
    """The sweep's steps: level 0 warns the holder the deadline is near; level 1 and up are escalations
    of a missed deadline up the chain of command (the body is whom it reached)."""
    values = {"target": _target(event.field), "level": event.new_value or "?", "name": event.body or "—"}
    if event.new_value == "0":
        return Entry(_("%(target)s deadline near: %(name)s reminded") % values, "")
    return Entry(_("%(target)s deadline missed: escalated to %(name)s (level %(level)s)") % values, "")


def _survey(event: TicketEvent) -> str:
    if event.field == "rating":
        return _("The customer rated the service: %(rating)s") % {
            "rating": event_value_label("rating", event.new_value)}
    if event.field == "follow_up":
        return _("Follow-up of the unhappy customer closed")
    return str(EventKind.SURVEY.label)


def _merged(event: TicketEvent) -> str:
    if event.field == "unmerged":
        return _("%(reference)s taken back out: a separate matter") % {"reference": event.old_value or "—"}
    return _("Repeat call %(reference)s merged in") % {"reference": event.new_value or "—"}


def _customer(event: TicketEvent) -> str:
    if event.field == "follow_up":
        return _("The customer wrote after the ticket was closed: follow-up %(reference)s opened") % {
            "reference": event.new_value or "—"}
    if event.field == "follows":
        return _("The customer wrote again about %(reference)s") % {"reference": event.old_value or "—"}
    return str(EventKind.CUSTOMER.label)


def _plain(event: TicketEvent) -> str:
    return str(dict(EventKind.choices).get(event.kind, event.kind))


SENTENCES = {
    EventKind.CREATED: _created,
    EventKind.STATUS: _status_changed,
    EventKind.ASSIGNED: _assigned,
    EventKind.CLAIMED: _claimed,
    EventKind.TRANSFERRED: _team_move,
    EventKind.CHANGED: _changed,
    EventKind.RECLASSIFIED: _reclassified,
    EventKind.DISPATCHED: _dispatched,
    EventKind.WORK_ORDER: _work_order,
    EventKind.RAISED: _raised,
    EventKind.SLA: _deadline,
    EventKind.SURVEY: _survey,
    "merged": _merged,
    EventKind.CUSTOMER: _customer,
}


def timeline_entry(event: TicketEvent) -> Entry:
    """The sentence for one entry, in the active language, and the body to show under it."""
    if event.kind == EventKind.CALLBACK:
        return _callback(event)
    if event.kind == EventKind.ESCALATED:
        return _escalated(event)
    sentence = SENTENCES.get(event.kind, _plain)
    return Entry(sentence(event), event.body)


@contextmanager
def timeline_units(events: Iterable[TicketEvent]) -> Iterator[None]:
    """While it lasts, the units that ``events`` name are known (one query for all of them)."""
    names: set[str] = set()
    for event in events:
        names |= _unit_values(event)
    token = _UNITS.set(_units_named(names))
    try:
        yield
    finally:
        _UNITS.reset(token)


def timeline_entries(events: Iterable[TicketEvent]) -> list[tuple[TicketEvent, Entry]]:
    """A whole timeline: each entry with its sentence; the units it names are read in one query."""
    events = list(events)
    with timeline_units(events):
        return [(event, timeline_entry(event)) for event in events]


def timeline_text(event: TicketEvent) -> str:
    """The sentence alone (the API's ``text``)."""
    return timeline_entry(event).text
