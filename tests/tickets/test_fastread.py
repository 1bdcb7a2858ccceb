"""The ticket API's faster representation (``servicecenter/fastread.py``) is DRF's own, key for key,
on the demo's tickets of every kind, status and channel, as an agent (reporters hidden) and as the
director; lists and details."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework import serializers

from demo.tickets import seed_tickets
from servicecenter.fastread import FastReadMixin
from tickets.models import Kind, Ticket

pytestmark = pytest.mark.django_db


def everything(client, url: str) -> list[dict]:
    rows = []
    while url:
        body = client.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


@pytest.mark.parametrize("who", ["agent1", "director"])
@time_machine.travel(datetime(2026, 11, 18, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_the_fast_representation_is_drfs_own(shape_a, api, monkeypatch, who):
    # Seeded at a fixed Wednesday morning: the demo's mix of tickets depends on when it is seeded.
    assert seed_tickets(count=120, days=30) == 120
    client = api(who)
    details = [f"/api/v1/tickets/{pk}/" for pk in Ticket.objects.order_by("pk").values_list("pk", flat=True)[:40]]
    fast = (everything(client, "/api/v1/tickets/"), [client.get(url).json() for url in details])
    monkeypatch.setattr(FastReadMixin, "to_representation",
                        lambda self, instance: serializers.Serializer.to_representation(self, instance))
    plain = (everything(client, "/api/v1/tickets/"), [client.get(url).json() for url in details])
    assert fast == plain
    listed = fast[0]
    assert len(listed) == (120 if who == "director" else len(listed)) > 10
    kinds = {Kind.INQUIRY, Kind.COMPLAINT, Kind.REPAIR, Kind.REPORT} if who == "director" else {Kind.REPAIR}
    assert {row["kind"] for row in listed} >= kinds
    assert any(row["sla"] for row in listed)
    assert all(isinstance(row["allowed_actions"], list) for row in listed)
