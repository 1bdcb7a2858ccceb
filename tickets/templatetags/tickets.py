from django import template

from tickets.models import Status

register = template.Library()
_STATUS = dict(Status.choices)


@register.filter
def event_value(value: str, field: str) -> str:
    """An event's old or new value as people read it: status names in the reader's language."""
    if field == "status":
        return str(_STATUS.get(value, value))
    return value
