"""The ticket timeline's one writer: every ``TicketEvent`` row, whoever makes the change.

Ticket services, the SLA services and sweep, surveys and the demo all build their entries here, so an
entry always has the same shape: an actor only when a person acted (tasks and the sweep write none),
old and new values as text (``None`` is empty), and the time the change was recorded. Set-based code
that writes events inside one SQL statement takes its column list from :func:`event_insert_sql`, so a
column added to the model cannot be forgotten there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db import models

from tickets.choices import Status
from tickets.models import TicketEvent

if TYPE_CHECKING:
    from staff.selectors import AnyUser

_VALUE_LABELS: dict[str, dict[str, Any]] = {}


def value_labels_register(field: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """How an app above tickets names the values it writes into ``field`` (e.g. surveys: ratings)."""
    _VALUE_LABELS[field] = {str(value): label for value, label in choices}


def event_value_label(field: str, value: str) -> str:
    """An entry's old or new value as people read it, in the reader's language."""
    if field == "status":
        return str(dict(Status.choices).get(value, value))
    label = _VALUE_LABELS.get(field, {}).get(value)
    return value if label is None else str(label)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def event_build(*, ticket_id: int, kind: str, actor: AnyUser | None = None, field: str = "", old: Any = None,
                new: Any = None, body: str = "", created_at: datetime | None = None) -> TicketEvent:
    """An unsaved timeline entry, for :func:`events_record` to write in bulk."""
    # The person who acted; an anonymous visitor (no ``pk``) or a task (None) is no actor.
    person = actor if getattr(actor, "pk", None) and not isinstance(actor, AnonymousUser) else None
    event = TicketEvent(ticket_id=ticket_id, kind=kind, actor=person,
                        field=field, old_value=_text(old), new_value=_text(new), body=body)
    if created_at is not None:
        event.created_at = created_at
    return event


def event_record(**entry: Any) -> TicketEvent:
    """Write one timeline entry now; the arguments are :func:`event_build`'s."""
    event = event_build(**entry)
    event.save()
    return event


def events_record(events: Iterable[TicketEvent], *, batch_size: int = 2000) -> list[TicketEvent]:
    """Write entries built by :func:`event_build` in bulk (one statement per ``batch_size``)."""
    return TicketEvent.objects.bulk_create(list(events), batch_size=batch_size)


def event_insert_sql(**expressions: str) -> str:
    """``INSERT INTO <events table> (<every column>) SELECT <expressions>``, for one set-based statement.

    ``expressions`` maps field names to SQL expressions (placeholders included; they appear in the
    model's field order). A column not given is empty text, or NULL where the field is nullable;
    ``ticket``, ``kind`` and ``created_at`` are required."""
    fields = [f for f in TicketEvent._meta.concrete_fields if not f.primary_key]
    known = {f.name for f in fields}
    unknown = set(expressions) - known
    if unknown:
        raise ValueError(f"not a ticket event field: {', '.join(sorted(unknown))}")
    missing = {"ticket", "kind", "created_at"} - set(expressions)
    if missing:
        raise ValueError(f"required: {', '.join(sorted(missing))}")
    columns, values = [], []
    for f in fields:
        columns.append(f.column)
        if f.name in expressions:
            values.append(expressions[f.name])
        elif f.null:
            values.append("NULL")
        elif isinstance(f, models.TextField | models.CharField):
            values.append("''")
        else:
            raise ValueError(f"no value for {f.name}")
    return f"INSERT INTO {TicketEvent._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)}"
