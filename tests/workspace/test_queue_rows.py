"""The queue's rows built in Python (``workspace/queuerows.py``) are the markup the template made,
row for row: every state of the badge (met on time, met late, paused, breached, none), a ticket
nobody holds, markup in a subject, each set of columns, in both languages. (The badge itself is one
function, ``sla_badge``, for the template and the rows alike; ``tests/sla/test_states.py`` checks its
markup word for word.)"""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation

from servicecenter.keyset import paginate
from sla.models import Clock, ClockState
from sla.selectors import default_calendar
from tickets.models import DUE_ORDER, URGENT_FIRST, Customer, Kind, Status, Ticket
from workspace.queuerows import queue_rows
from workspace.services import COLUMN_KEYS

pytestmark = pytest.mark.django_db

# The rows as the template wrote them before they were built in Python (the reference).
TEMPLATE = (Path(__file__).parent / "queue_rows_reference.html").read_text(encoding="utf-8")


def urgent():
    return Ticket.objects.select_related("assignee").annotate(due_order=DUE_ORDER).order_by(*URGENT_FIRST)


def squeeze(html: str) -> list[str]:
    """Rows without the template's indentation between tags."""
    return [" ".join(line.split()).replace("> <", "><") for line in
            html.replace("\n", " ").replace("<tr", "\n<tr").split("\n") if line.strip()]


@pytest.fixture
def tickets(shape_a, member):
    holder = member("agent1")
    customer = Customer.objects.create(name="行", phone="13900000002")
    now = timezone.now()
    made = []
    states = [("on_track", now + timedelta(hours=3)), ("at_risk", now + timedelta(minutes=20)),
              ("breached", now - timedelta(hours=1)), ("paused", None), ("met", None), ("met", None), ("", None)]
    for i, (state, due) in enumerate(states):
        made.append(Ticket.objects.create(
            reference=f"TS-R-{i:06d}", kind=list(Kind)[i % len(Kind)], channel="phone", customer=customer,
            subject=f'<b>行 {i}</b> & "引号"', assignee=None if i == 0 else holder, team=holder.position.unit,
            status=Status.NEW if i == 0 else Status.IN_PROGRESS, priority=1 + i % 4,
            received_at=now - timedelta(days=i), sla_state=state, sla_due_at=due))
    for ticket, late in ((made[4], False), (made[5], True)):
        Clock.objects.create(ticket=ticket, target="resolution", state=ClockState.MET, calendar=default_calendar(),
                             started_at=now - timedelta(days=2),
                             due_at=now - timedelta(days=1), warn_at=now - timedelta(days=1, hours=2),
                             met_at=now - timedelta(days=1) + (timedelta(hours=5) if late else -timedelta(hours=5)),
                             breached_at=now - timedelta(days=1) if late else None, amount=1, unit="working_days")
    return made


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("columns", [list(COLUMN_KEYS), ["subject"], []])
def test_the_rows_are_the_templates(tickets, language, columns):
    with translation.override(language), time_machine.travel(timezone.now(), tick=False):
        page = paginate(urgent(), None, 50)
        expected = Template(TEMPLATE).render(Context({"page": page, "columns": columns}))
        built = queue_rows(page, columns)
    assert squeeze(built) == squeeze(expected)
    assert len(squeeze(built)) == 7
    assert ("&lt;b&gt;行 0&lt;/b&gt; &amp; &quot;引号&quot;" in built) == ("subject" in columns)


def test_an_empty_page_says_nothing_here(shape_a):
    with translation.override("en"):
        page = paginate(urgent(), None, 50)
        assert str(queue_rows(page, ["kind", "subject"])) == '<tr><td colspan="5" class="muted">Nothing here.</td></tr>'
