"""The timeline has one writer, tickets/events.py, and its SQL form covers every column."""

import re
from pathlib import Path

import pytest

from tickets.events import event_build, event_insert_sql
from tickets.models import EventKind, TicketEvent

ROOT = Path(__file__).resolve().parents[2]
WRITES = re.compile(r"(?<!class )TicketEvent\("
                    r"|TicketEvent\.objects\.(create|bulk_create|get_or_create|update_or_create)"
                    r"|INSERT INTO tickets_ticketevent", re.IGNORECASE)


def test_no_module_but_the_timeline_writer_builds_ticket_events():
    writers = sorted(
        str(path.relative_to(ROOT)) for path in ROOT.glob("[a-z]*/**/*.py")
        if path.parts[len(ROOT.parts)] not in {"tests", "bench", ".venv"} and "migrations" not in path.parts
        and WRITES.search(path.read_text(encoding="utf-8"))
    )
    assert writers == ["tickets/events.py"]


def test_the_insert_names_every_column_in_the_models_order_and_fills_the_rest():
    sql = event_insert_sql(ticket="t.id", kind="%s", created_at="%s", body="t.note")
    assert sql == ("INSERT INTO tickets_ticketevent (ticket_id, kind, actor_id, created_at, field, old_value, "
                   "new_value, body) SELECT t.id, %s, NULL, %s, '', '', '', t.note")
    columns = [f.column for f in TicketEvent._meta.concrete_fields if not f.primary_key]
    assert sql.split("(", 1)[1].split(")", 1)[0].split(", ") == columns


@pytest.mark.parametrize(("given", "reason"), [
    ({"ticket": "1", "kind": "%s"}, "required: created_at"),
    ({"ticket": "1", "kind": "%s", "created_at": "%s", "colour": "1"}, "not a ticket event field: colour"),
])
def test_a_wrong_insert_is_refused_with_the_reason(given, reason):
    with pytest.raises(ValueError, match=reason):
        event_insert_sql(**given)


def test_an_entry_keeps_a_person_but_not_a_task_and_writes_missing_values_as_empty_text():
    class Task:
        pk = None

    entry = event_build(ticket_id=7, kind=EventKind.SLA, actor=Task(), field="sla:resolution", old=None, new=3)
    assert (entry.ticket_id, entry.actor, entry.old_value, entry.new_value, entry.body) == (7, None, "", "3", "")
