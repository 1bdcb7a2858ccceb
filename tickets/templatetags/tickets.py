from django import template

from tickets.events import event_value_label

register = template.Library()


@register.filter
def event_value(value: str, field: str) -> str:
    """An event's old or new value as people read it: status names in the reader's language."""
    return event_value_label(field, value)
