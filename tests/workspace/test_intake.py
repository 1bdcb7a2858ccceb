"""Logging a ticket on the page: the business line and team reach routing, and the preview shows the
deadlines the ticket will really get (the customer's area, the time received, the rule that matches)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from staff.models import Skill
from tests.conftest import signed_in
from tickets.models import Customer, RoutingRule, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a", "sla_presets")]
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)
REPAIR = {"kind": "repair", "channel": "phone", "priority": "3", "customer_class": "residential"}


def preview(client, **params):
    response = client.get("/tickets/lookup/route/", {**REPAIR, **params})
    assert response.status_code == 200, response.content
    return response.context


def dues(context) -> dict:
    return {target.target: deadline.at for target, deadline in context["targets"]}


@time_machine.travel(MONDAY, tick=False)
def test_the_preview_counts_from_the_area_of_the_customer():
    client = signed_in("agent1")
    urban, rural = preview(client, area="urban"), preview(client, area="rural")
    assert (urban["policy"].name, rural["policy"].name) == ("报修·城区", "报修·农村")
    assert dues(urban)["arrival"] == datetime(2026, 11, 16, 10, 45, tzinfo=TZ)
    assert dues(rural)["arrival"] == datetime(2026, 11, 16, 11, 30, tzinfo=TZ)


@time_machine.travel(MONDAY, tick=False)
def test_a_known_customer_keeps_their_area_as_the_ticket_will(make_ticket):
    make_ticket(phone="13955550000", name="边远客户")
    Customer.objects.filter(phone="13955550000").update(area="remote")
    context = preview(signed_in("agent1"), area="urban", phone="13955550000")
    assert (context["known"].name, context["policy"].name) == ("边远客户", "报修·边远")
    assert dues(context)["arrival"] == datetime(2026, 11, 16, 12, 0, tzinfo=TZ)


@time_machine.travel(MONDAY, tick=False)
def test_the_preview_counts_from_the_time_received():
    context = preview(signed_in("agent1"), area="urban", received_at="2026-11-16T08:30")
    assert dues(context)["dispatch"] == datetime(2026, 11, 16, 8, 40, tzinfo=TZ)
    assert "2026" in context["received_at"].isoformat()


@time_machine.travel(MONDAY, tick=False)
def test_the_business_line_reaches_routing_in_the_preview_and_the_ticket(units):
    technical = Skill.objects.get(code="technical")
    RoutingRule.objects.create(rank=1, name="技术类报修", kind="repair", business_line=technical,
                               team=units["tech-region-2"])
    RoutingRule.objects.create(rank=2, name="其他报修", kind="repair", team=units["tech-region-1"])
    client = signed_in("agent1")
    assert preview(client)["team"] == units["tech-region-1"]
    routed = preview(client, business_line=technical.pk)
    assert (routed["team"], routed["by_rule"]) == (units["tech-region-2"], True)
    chosen = preview(client, business_line=technical.pk, team=units["reception"].pk)
    assert (chosen["team"], chosen["by_rule"]) == (units["reception"], False)
    response = client.post("/tickets/new/", {**REPAIR, "area": "urban", "name": "钱先生", "phone": "13911112222",
                                             "subject": "停电", "business_line": technical.pk})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.team, ticket.business_line) == (units["tech-region-2"], technical)
    assert ticket.customer.area == "urban"


@time_machine.travel(MONDAY, tick=False)
def test_a_new_customer_gets_the_area_given():
    response = signed_in("agent1").post("/tickets/new/", {**REPAIR, "area": "rural", "name": "孙女士",
                                                          "phone": "13922223333", "subject": "停电"})
    assert response.status_code == 302
    assert Customer.objects.get(phone="13922223333").area == "rural"


def test_a_bad_choice_in_the_preview_is_a_400_with_the_reason(units):
    response = signed_in("agent1").get("/tickets/lookup/route/", {**REPAIR, "team": "999999"})
    assert response.status_code == 400
    assert "选择" in response.content.decode()
