"""The compliance rollup stays right when a ticket's team changes while one of its clocks is met, in
either order, each in its own transaction on the real PostgreSQL (``sla/rollup.py``: the clock trigger
reads the ticket FOR SHARE)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from sla import rollup
from sla.models import Clock, ClockState
from tests.conftest import require_service
from tests.factories import UnitFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def hold_open(write, held: threading.Event) -> None:
    """``write`` in a transaction kept open half a second after it, its row locks held."""
    try:
        with transaction.atomic():
            write()
            held.set()
            time.sleep(0.5)
    finally:
        connections.close_all()


@pytest.mark.parametrize("first", ["team change", "clock met"])
def test_a_team_change_and_a_met_clock_at_once_are_both_counted(sla_presets, first):
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")
    before, after = UnitFactory(code="race-before"), UnitFactory(code="race-after")
    ticket = services.ticket_create(actor=None, kind="inquiry", channel="phone", subject="并发",
                                    customer={"name": "客户", "phone": "13900000001"}, team=before)
    clock = Clock.objects.get(ticket=ticket, target="first_response")

    def change_team():
        Ticket.objects.filter(pk=ticket.pk).update(team=after)

    def meet():
        Clock.objects.filter(pk=clock.pk).update(state=ClockState.MET, met_at=timezone.now(), elapsed_wall=60.0,
                                                 elapsed_working=60.0)

    writes = [change_team, meet] if first == "team change" else [meet, change_team]
    held = threading.Event()
    holder = threading.Thread(target=hold_open, args=(writes[0], held))
    holder.start()
    assert held.wait(10)
    started = time.monotonic()
    with transaction.atomic():
        writes[1]()  # waits for the first transaction's commit
    waited = time.monotonic() - started
    holder.join(10)
    assert waited > 0.3  # the two did overlap: the second write waited for the first's lock
    assert Clock.objects.get(pk=clock.pk).state == ClockState.MET
    assert rollup.differences() == []
    day = timezone.localdate(clock.started_at)
    figures = rollup.rolled(day, day)
    teams = {(r["team_id"], r["target"]): (r["clocks"], r["met_on_time"]) for r in figures
             if r["grain"] == rollup.TEAM_KIND}
    assert teams == {(after.pk, "first_response"): (1, 1), (after.pk, "resolution"): (1, 0)}
