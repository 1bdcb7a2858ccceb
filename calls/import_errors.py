"""The lines an import could not read, told in the reader's language: the line, the field and what is
wrong with it (the parsers store a code, the field and the value beside the English reason)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELDS = {
    "time": gettext_lazy("time"),
    "hold_time": gettext_lazy("hold time"),
    "ring_time": gettext_lazy("ring time"),
    "talk_time": gettext_lazy("talk time"),
    "wait_time": gettext_lazy("wait time"),
    "call_id": gettext_lazy("call id"),
    "queue": gettext_lazy("queue"),
    "enqueued_at": gettext_lazy("entered the queue"),
    "outcome": gettext_lazy("outcome"),
    "wait_seconds": gettext_lazy("wait (s)"),
    "ring_seconds": gettext_lazy("ring (s)"),
    "talk_seconds": gettext_lazy("talk (s)"),
}

MESSAGES = {
    "number": gettext_lazy("Line %(line)s, %(field)s: “%(value)s” is not a whole number."),
    "negative": gettext_lazy("Line %(line)s, %(field)s: %(value)s is negative."),
    "time": gettext_lazy("Line %(line)s, %(field)s: “%(value)s” is not a date and time such as "
                         "2026-11-28T10:05:00+08:00."),
    "offset": gettext_lazy("Line %(line)s, %(field)s: “%(value)s” lacks its offset from UTC, such as +08:00."),
    "outcome": gettext_lazy("Line %(line)s, %(field)s: “%(value)s” is not an outcome this import knows."),
    "required": gettext_lazy("Line %(line)s, %(field)s: a value is required."),
    "columns": gettext_lazy("Line %(line)s: the header lacks the columns %(value)s."),
    "fields": gettext_lazy("Line %(line)s: fewer than 5 fields separated by “|”."),
    "unknown_call": gettext_lazy("Line %(line)s: %(value)s for a call that never entered the queue."),
    "incomplete": gettext_lazy("Line %(line)s: %(value)s lacks the fields it needs."),
}


def import_error_text(error: dict) -> str:
    """One stored error as a sentence; an error stored before codes existed keeps its own reason."""
    field = error.get("field", "")
    values = {"line": error.get("line", "?"), "field": str(FIELDS.get(field, field)),
              "value": error.get("value", ""), "reason": error.get("reason", "")}
    message = MESSAGES.get(error.get("code", ""))
    if message is None:
        return _("Line %(line)s: %(reason)s") % values
    return str(message) % values
