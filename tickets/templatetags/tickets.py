from django import template

from tickets.models import Status

register = template.Library()
_STATUS = dict(Status.choices)


def _rating(value: str) -> str:
    from surveys.models import Rating

    return str(Rating(int(value)).label) if value.isdigit() and int(value) in Rating.values else value


@register.filter
def event_value(value: str, field: str) -> str:
    """An event's old or new value as people read it: status names in the reader's language."""
    if field == "status":
        return str(_STATUS.get(value, value))
    if field == "rating":
        return _rating(value)
    return value
