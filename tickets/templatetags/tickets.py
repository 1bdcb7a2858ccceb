from django import template

from tickets.events import event_value_label
from tickets.models import TicketEvent
from tickets.timeline import Entry
from tickets.timeline import timeline_entries as _timeline_entries
from tickets.timeline import timeline_entry as _timeline_entry

register = template.Library()


@register.filter
def event_value(value: str, field: str) -> str:
    """An event's old or new value as people read it: status names in the reader's language."""
    return event_value_label(field, value)


@register.filter
def timeline_entry(event: TicketEvent) -> Entry:
    """A timeline entry as a sentence in the reader's language, with the body still to show."""
    return _timeline_entry(event)


@register.filter
def timeline_entries(events) -> list[tuple[TicketEvent, Entry]]:
    """A whole timeline as sentences, the units it names read in one query."""
    return _timeline_entries(events)
