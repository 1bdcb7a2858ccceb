"""The ticket API's faster representation (``servicecenter/fastread.py``) is DRF's own, key for key,
on the demo's tickets of every kind, status and channel, as an agent (reporters hidden) and as the
director; lists and details."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from rest_framework import mixins, serializers

from demo.tickets import seed_tickets
from servicecenter.fastread import FastReadMixin
from staff.models import Unit
from tickets.api.views import TicketViewSet
from tickets.models import Kind, Ticket

pytestmark = pytest.mark.django_db


def everything(client, url: str) -> list[dict]:
    rows = []
    while url:
        body = client.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


@pytest.mark.parametrize(("who", "language"), [("agent1", "zh-hans"), ("director", "en"), ("lead1", "en")])
@time_machine.travel(datetime(2026, 11, 18, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_the_fast_representation_is_drfs_own(shape_a, api, monkeypatch, make_ticket, member, who, language):
    """The list's plain rows (``tickets/api/listrows.py``) and the details' fast fields
    (``servicecenter/fastread.py``) against DRF's serializer over model instances."""
    # Seeded at a fixed Wednesday morning: the demo's mix of tickets depends on when it is seeded.
    assert seed_tickets(count=120, days=30) == 120
    # A report agent1 and lead1 see (its responsible unit is theirs) but whose reporter they may not.
    hidden = make_ticket(kind=Kind.REPORT, team="tech-region-2", assignee=member("agent4"),
                         responsible_unit=Unit.objects.get(code="tech-region-1"))
    client = api(who)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    details = [f"/api/v1/tickets/{pk}/" for pk in Ticket.objects.order_by("pk").values_list("pk", flat=True)[:40]]
    fast = (everything(client, "/api/v1/tickets/"), [client.get(url).json() for url in details])
    monkeypatch.setattr(FastReadMixin, "to_representation",
                        lambda self, instance: serializers.Serializer.to_representation(self, instance))
    monkeypatch.setattr(TicketViewSet, "list", mixins.ListModelMixin.list)
    monkeypatch.setattr(TicketViewSet, "page_rows", None)  # model instances, for the serializer
    plain = (everything(client, "/api/v1/tickets/"), [client.get(url).json() for url in details])
    assert fast == plain
    listed = fast[0]
    assert len(listed) == (121 if who == "director" else len(listed)) > 10
    kinds = {Kind.INQUIRY, Kind.COMPLAINT, Kind.REPAIR, Kind.REPORT} if who == "director" else {Kind.REPAIR}
    assert {row["kind"] for row in listed} >= kinds
    assert any(row["sla"] for row in listed)
    assert any(clock["met_at"] for row in listed for clock in row["sla"])
    assert all(isinstance(row["allowed_actions"], list) for row in listed)
    report = next(row for row in listed if row["id"] == hidden.pk)
    assert report["confidential"] is True
    if who == "director":
        assert (report["customer"]["name"], report["customer"]["phone"]) == (hidden.customer.name,
                                                                             hidden.customer.phone)
    else:
        assert report["customer"] is None
    names = {row["team_name"] for row in listed}
    assert ("Technical Service, Region 2" in names) == (language == "en")


def _described(fields) -> dict[str, str]:
    return {name: repr(field) for name, field in fields.items()}


def test_the_fields_kept_per_class_are_the_ones_drf_builds():
    """``FastReadMixin.get_fields`` makes a model serializer's fields from what it kept of the first
    build; they are DRF's own, field for field, with their arguments (nested ones included)."""
    from tickets.api import serializers as s

    for language in ("en", "zh-hans"):  # a field's label depends on the language it is built in
        for cls in (s.CustomerSerializer, s.ReporterSerializer, s.TicketSerializer, s.TicketDetailSerializer):
            with translation.override(language):
                first = cls().get_fields()  # builds and keeps
                again = cls().get_fields()  # made from what was kept
                drf = serializers.ModelSerializer.get_fields(cls())
            assert _described(first) == _described(again) == _described(drf), cls
            assert len(again) > 8
            assert all(again[name] is not first[name] for name in again)  # new fields for every instance
    with translation.override("zh-hans"):
        assert "label='电话'" in _described(s.CustomerSerializer().get_fields())["phone"]
    with translation.override("en"):
        assert "label=" not in _described(s.CustomerSerializer().get_fields())["phone"]


@time_machine.travel(datetime(2026, 11, 18, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_a_list_without_filters_is_the_list_the_filters_give_by_default(shape_a, api):
    """The API's filter backend leaves a request without filter parameters alone
    (``servicecenter.api.FilterBackend``); the filter set, asked for the default order, gives the same."""
    assert seed_tickets(count=60, days=30) == 60
    client = api("director")
    plain = everything(client, "/api/v1/tickets/")
    filtered = everything(client, "/api/v1/tickets/?ordering=due_at,priority,received_at")
    assert len(plain) == 60
    assert [row["id"] for row in plain] == [row["id"] for row in filtered]
