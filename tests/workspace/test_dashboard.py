"""The supervisors' SLA dashboard: tiles, drill-down, department view, export, bulk reassign, query count."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from sla.sweep import sweep
from tests.conftest import signed_in
from tests.tickets.conftest import snapshot
from tickets import services
from tickets.models import Customer, Kind, Status, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)  # a Friday



@pytest.fixture
def reception(make_ticket, member, user):
    """Reception's tickets: one breached, one at risk, one paused, one on track, one unclaimed."""
    def received(days_ago: float, **extra):
        at = NOW - timedelta(days=days_ago)
        with time_machine.travel(at, tick=False):
            return make_ticket(team="reception", by="agent2", received_at=at, **extra)

    tickets = {
        "breached": received(10, kind=Kind.COMPLAINT, assignee=member("agent2")),
        "at_risk": received(3, kind=Kind.INQUIRY, assignee=member("agent5")),  # due today 17:30, warned at 01:36
        "paused": received(1, kind=Kind.COMPLAINT, assignee=member("agent2")),
        "on_track": received(0.1, kind=Kind.COMPLAINT, assignee=member("agent6")),
        "unclaimed": received(0.05, kind=Kind.SUGGESTION),
    }
    with time_machine.travel(NOW - timedelta(hours=20), tick=False):
        services.ticket_reply(ticket_id=tickets["paused"].pk, actor=user("agent2"), body="您好")
        services.ticket_pause(ticket_id=tickets["paused"].pk, actor=user("agent2"), reason="等待资料")
    with time_machine.travel(NOW - timedelta(days=3) + timedelta(hours=1), tick=False):
        services.ticket_reply(ticket_id=tickets["at_risk"].pk, actor=user("agent5"), body="您好")
    sweep(now=NOW)
    return tickets


def test_tiles_count_what_is_open_at_risk_breached_and_paused(reception):
    with time_machine.travel(NOW, tick=False):
        page = signed_in("supervisor1").get("/dashboard/")
    assert page.status_code == 200
    states = {name: Ticket.objects.get(pk=t.pk).sla_state for name, t in reception.items()}
    assert states == {"breached": "breached", "at_risk": "at_risk", "paused": "paused", "on_track": "on_track",
                      "unclaimed": "on_track"}
    tiles = page.context["board"].tiles
    assert tiles == {"open": 5, "at_risk": 1, "breached": 1, "paused": 1, "due_today": 1, "unassigned": 1}
    assert [n for _, n in page.context["board"].ageing] == [2, 1, 1, 1, 0]  # 0.05 and 0.1 d, 1 d, 3 d, 10 d
    assert [t.pk for t in page.context["board"].at_risk] == [reception["breached"].pk, reception["at_risk"].pk]


def test_a_tile_drills_down_to_its_tickets(reception):
    client = signed_in("supervisor1")
    drill = client.get("/tickets/?tab=all&is_open=true&sla_state=breached")
    assert [t.pk for t in drill.context["page"]] == [reception["breached"].pk]


def test_the_dashboard_is_for_leaders(reception):
    assert signed_in("agent2").get("/dashboard/").status_code == 403
    assert Client().get("/dashboard/").status_code == 302
    assert signed_in("lead1").get("/dashboard/").context["board"].tiles["open"] == 0  # not their tickets


def test_the_director_sees_the_center_by_department(reception):
    with time_machine.travel(NOW, tick=False):
        board = signed_in("director").get("/dashboard/").context["board"]
    rows = {row["unit"].code if row["unit"] else None: (row["open"], row["at_risk"], row["breached"])
            for row in board.departments}
    assert rows == {"cs-dept": (5, 1, 1), "admin-dept": (0, 0, 0)}


def test_export_as_csv_and_xlsx(reception, user):
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        services.ticket_resolve(ticket_id=reception["on_track"].pk, actor=user("agent6"), resolution="已处理")
    with time_machine.travel(NOW, tick=False):
        client = signed_in("supervisor1")
        text = client.get("/dashboard/export.csv?from=2026-11-01&to=2026-11-30").content.decode("utf-8-sig")
        book = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx?from=2026-11-01&to=2026-11-30").content))
        pdf = client.get("/dashboard/export.pdf")
    rows = list(csv.reader(io.StringIO(text)))
    by_kind = {r[1]: r for r in rows[1:] if r[0] == "类型"}  # the grouping and the kind as people read them
    # Met on time: the resolved one's two clocks and the paused one's first response; breached: the old one's two.
    assert by_kind["投诉"][4:6] == ["3", "2"]
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert len(sheet) == len(rows)
    assert sheet[1][0] == rows[1][0]
    assert pdf.status_code == 404


def test_reassigning_several_at_risk_tickets_at_once(reception, member):
    client = signed_in("supervisor1")
    picked = [reception["breached"].pk, reception["at_risk"].pk]
    client.post("/dashboard/reassign/", {"tickets": picked, "assignee": member("agent6").pk})
    assert [Ticket.objects.get(pk=pk).assignee for pk in picked] == [member("agent6")] * 2
    before = snapshot(reception["paused"].pk)
    refused = client.post("/dashboard/reassign/",
                          {"tickets": [reception["paused"].pk], "assignee": member("agent1").pk}, follow=True)
    assert any("下属" in str(m) or "below you" in str(m) for m in refused.context["messages"])
    assert snapshot(reception["paused"].pk) == before


def many(n: int, holder) -> None:
    customer, _ = Customer.objects.get_or_create(name="批量", phone="13900000000")
    now, first = timezone.now(), Ticket.objects.count()
    Ticket.objects.bulk_create([
        Ticket(reference=f"TS-D-{i:06d}", kind=Kind.INQUIRY, channel="phone", subject="批量", customer=customer,
               assignee=holder, team=holder.position.unit, received_at=now - timedelta(days=i % 40),
               status=Status.IN_PROGRESS, sla_state=["on_track", "at_risk", "breached"][i % 3],
               sla_due_at=now + timedelta(hours=i % 50 - 25))
        for i in range(first, first + n)
    ], batch_size=500)


@pytest.mark.parametrize(("username", "queries"), [("supervisor1", 12), ("director", 13)])
def test_the_dashboard_query_count_is_the_same_at_10_and_1000_tickets(member, count_queries, username, queries):
    if username == "director" and connection.vendor == "postgresql":
        queries += 1  # the met clocks' figures from the rollup, the others' from the clocks (sla/rollup.py)
    client = signed_in(username)
    many(10, member("agent2"))
    client.get("/dashboard/")  # the scope is then kept for this org chart (staff.access)
    small = count_queries(lambda: client.get("/dashboard/"))
    many(990, member("agent2"))
    response = client.get("/dashboard/")
    assert response.context["board"].tiles["open"] == 1000
    assert (small, count_queries(lambda: client.get("/dashboard/"))) == (queries, queries)


# The at-risk rows as the template wrote them before they were built in Python (reporting/templatetags).
ALARM_ROWS_TEMPLATE = """{% load i18n sla_states %}{% for ticket in tickets %}<tr data-ticket="{{ ticket.pk }}"><td><input type="checkbox" name="tickets" value="{{ ticket.pk }}" aria-label="{{ ticket.reference }}"></td>
    <td>{% sla_badge ticket %}</td><td class="reference"><a href="{% url 'workspace:detail' ticket.pk %}">{{ ticket.reference }}</a></td><td>{{ ticket.subject }}</td><td>{{ ticket.assignee.name|default:"—" }}</td></tr>
  {% empty %}<tr><td colspan="5" class="muted">{% translate "Nothing at risk." %}</td></tr>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_at_risk_rows_are_the_templates(reception, language):
    """Row for row, character for character: a subject to escape, a ticket held by nobody, no ticket."""
    from django.template import Context, Template
    from django.utils import translation

    from reporting.templatetags.dashboard_rows import alarm_rows

    Ticket.objects.filter(pk=reception["at_risk"].pk).update(subject='<b>"停电" & 抢修</b>', assignee=None)
    with time_machine.travel(NOW, tick=False), translation.override(language):
        page = signed_in("supervisor1").get("/dashboard/")
        shown = list(page.context["board"].at_risk)
        assert len(shown) == 2
        for tickets in (shown, []):
            assert str(alarm_rows(tickets)) == Template(ALARM_ROWS_TEMPLATE).render(Context({"tickets": tickets}))
    assert '&lt;b&gt;&quot;停电&quot; &amp; 抢修&lt;/b&gt;</td><td>—</td>' in page.content.decode()


@pytest.mark.parametrize("shape", ["shape_a", "shape_b"])
def test_the_departments_are_listed_in_the_org_charts_order(shape, request):
    """Depth first, siblings by their order, as the org chart's tree query lists them; a unit's tickets
    count for its nearest department up the tree."""
    from reporting.dashboard import _by_department
    from staff.models import Unit

    request.getfixturevalue(shape)
    departments = [u for u in Unit.objects.filter(kind=Unit.Kind.DEPARTMENT)]
    assert len(departments) >= 2
    # Siblings out of their id order, so that the order is the chart's, not the table's.
    for n, unit in enumerate(reversed(Unit.objects.order_by("id"))):
        Unit.objects.filter(pk=unit.pk).update(sort_order=n)
    expected = [u for u in Unit.objects.with_tree_fields() if u.kind == Unit.Kind.DEPARTMENT]
    team = Unit.objects.exclude(kind=Unit.Kind.DEPARTMENT).filter(parent__kind=Unit.Kind.DEPARTMENT).first()
    rows = _by_department([{"team_id": team.pk, "open": 3, "at_risk": 2, "breached": 1}])
    assert [r["unit"] for r in rows] == expected
    assert [(r["unit"], r["open"]) for r in rows if r["open"]] == [(team.parent, 3)]
