"""The agent's queues use their indexes at 100,000 tickets (PostgreSQL's planner, real statistics)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.conftest import bench_module, require_service
from tests.factories import PositionFactory, StaffMemberFactory, UnitFactory
from tickets import selectors
from tickets.models import Customer

pytestmark = pytest.mark.django_db

TICKETS = 100_000


def plan(queryset) -> dict:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
    return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


def index_conditions(node: dict) -> dict[str, str]:
    """Index name → its Index Cond (the range the scan reads), over the whole plan."""
    found = {node["Index Name"]: node.get("Index Cond", "")} if "Index Name" in node else {}
    for child in node.get("Plans", []):
        found |= index_conditions(child)
    return found


def index_names(node: dict) -> set[str]:
    return set(index_conditions(node))


INSERT = """
INSERT INTO tickets_ticket (reference, kind, channel, status, priority, subject, description, customer_id,
    team_id, assignee_id, received_at, created_at, updated_at, resolution, cancel_reason, pause_reason,
    complaint_category, investigation, remedy, customer_reply, version, sla_state, sla_due_at)
SELECT 'TS-BENCH-' || g, 'inquiry', 'phone',
       CASE WHEN mod(g, 100) = 0 THEN 'new' WHEN mod(g, 100) < 4 THEN 'in_progress' ELSE 'closed' END,
       1 + mod(g, 4), 'subject ' || g, '', %(customer)s,
       (%(teams)s::bigint[])[1 + mod(g / 100, 100) / 5],
       CASE WHEN mod(g, 100) = 0 THEN NULL ELSE (%(agents)s::bigint[])[1 + mod(g / 100, 100)] END,
       now() - (g || ' minutes')::interval * 15, now(), now(), '', '', '', '', '', '', '', 1, '',
       CASE WHEN mod(g, 100) < 4 THEN now() + (g || ' minutes')::interval END
  FROM generate_series(%(first)s, %(last)s) AS g
"""


def add_tickets(agents, first: int, last: int) -> None:
    """Tickets ``first`` to ``last``, as in a real center: 96 % closed, 3 % in progress (with a
    deadline) and 1 % new and unclaimed, spread over 20 teams of 5 agents."""
    teams = list(dict.fromkeys(a.position.unit_id for a in agents))
    customer, _ = Customer.objects.get_or_create(name="客户", phone="13900000000")
    with connection.cursor() as cursor:
        cursor.execute(INSERT, {"customer": customer.pk, "teams": teams, "agents": [a.pk for a in agents],
                                "first": first, "last": last})
        cursor.execute("ANALYZE tickets_ticket")


@pytest.fixture
def agents():
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")
    teams = [UnitFactory() for _ in range(20)]
    return [StaffMemberFactory(position=PositionFactory(unit=team, headcount=5)) for team in teams for _ in range(5)]


@pytest.fixture
def center(agents):
    """20 teams of 5 agents and 100,000 tickets over 3 years. Each agent holds 1,000 of them, 30 open;
    each team's queue has 50."""
    add_tickets(agents, 1, TICKETS)
    return agents


def test_the_team_queue_uses_its_index(center):
    team_queue = selectors.team_queue_for(center[0])
    assert team_queue.count() == 50
    assert "ticket_team_queue" in index_names(plan(team_queue[:25]))


def test_the_lists_most_urgent_first_read_a_range_of_their_index_at_any_depth(center, django_user_model):
    """The ticket API's default order and my queue: the first page and a page deep in the list each
    start at their position in the index (``Index Cond``), not by reading and skipping the rows before."""
    from servicecenter.keyset import _beyond, keys_of
    from staff.access import scope_for
    from tickets.models import URGENT_FIRST
    from workspace.views.queue import queue_for

    director = django_user_model.objects.create_superuser("plan-director", password="x")
    everything = selectors.ticket_list_for(user=director).order_by(*URGENT_FIRST)
    assert "ticket_urgent" in index_names(plan(everything[:26]))
    middle = everything[50_000]
    keys = keys_of(everything)
    deep = everything.filter(_beyond(keys, [getattr(middle, k.name) for k in keys], True))
    assert index_conditions(plan(deep[:26])).get("ticket_urgent", "").startswith("(COALESCE(sla_due_at, ")
    mine = queue_for(scope_for(center[0].user), "mine")
    assert mine.count() == 30
    # My 30 open tickets: read from an index of the holder's tickets, in order (ticket_mine_cover) or by
    # status then sorted (ticket_assignee_queue); the planner's estimates from a sampled ANALYZE pick
    # either from run to run. The capped count's plan test below holds ticket_mine_cover where it counts.
    assert index_names(plan(mine[:51])) & {"ticket_mine_cover", "ticket_assignee_queue"}


@pytest.fixture(scope="module")
def rows_read():
    """``bench/plans.py``'s, which the bench prints."""
    return bench_module("plans").rows_read


def test_the_ticket_list_reads_as_many_rows_at_100000_tickets_as_at_20000(agents, rows_read):
    """The ticket API's first page with its capped count, as the director: the rows read do not grow
    with the table (issue 18 asks at most 1.2×). (An agent's do yet: their capped count reads every
    index entry of their team's tickets, see the issue's note; and at these sizes an agent's own queue
    holds more tickets at 100,000 than at 20,000, so it shows more.)"""
    from rest_framework.test import APIClient

    add_tickets(agents, 1, 20_000)
    director = APIClient()
    director.force_authenticate(get_user_model().objects.create_superuser("rows-director", password="x"))
    small = rows_read(director, "/api/v1/tickets/")
    add_tickets(agents, 20_001, 100_000)
    large = rows_read(director, "/api/v1/tickets/")
    assert small > 1000, small  # the count reads its 1,001 rows, the page its 26
    assert large <= 1.2 * small, (small, large)


@pytest.mark.django_db(transaction=True)
def test_my_queues_count_is_an_index_only_scan_of_its_cap(agents):
    """The queue page's capped count reads 1,001 entries of my queue's index, however many open tickets
    I hold: the index carries the scope's other columns (team, responsible unit), so the count is an
    index-only scan. Without them it read every open ticket the holder has (9,334 index entries at
    1,000,000 tickets in the bench). Committed and vacuumed, as a live table is. (Whether the scan
    also skips the table depends on the visibility map, which another open transaction on the server
    can keep unset, so the heap fetches are not asserted.)"""
    from servicecenter.keyset import COUNT_CAP
    from staff.access import scope_for
    from workspace.views.queue import queue_for

    add_tickets(agents, 1, 20_000)
    holder = agents[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tickets_ticket SET assignee_id = %s, status = 'in_progress', "
                       "sla_due_at = now() + id * interval '1 minute' "
                       "WHERE id IN (SELECT id FROM tickets_ticket ORDER BY id LIMIT 5000)", [holder.pk])
        cursor.execute("VACUUM ANALYZE tickets_ticket")
    counted = queue_for(scope_for(holder.user), "mine").order_by().values("pk")[: COUNT_CAP + 1]
    sql, params = counted.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
    found = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    scans = []

    def walk(node: dict) -> None:
        if "Scan" in node["Node Type"]:
            scans.append((node["Node Type"], node.get("Index Name"), node["Actual Rows"]))
        for child in node.get("Plans", []):
            walk(child)

    walk(found)
    assert scans == [("Index Only Scan", "ticket_mine_cover", COUNT_CAP + 1)]


def test_the_dashboards_alarm_list_reads_the_rows_it_shows(center, django_user_model):
    """The director's "at risk and breached" list: of 4,000 such open tickets, the 50 due first are
    read from their index in order, not all of them sorted."""
    from reporting.dashboard import alarms
    from tickets.models import OPEN_STATUSES

    with connection.cursor() as cursor:
        cursor.execute("UPDATE tickets_ticket SET sla_state = CASE WHEN mod(id, 3) = 0 THEN 'at_risk' "
                       "ELSE 'breached' END WHERE status IN ('new', 'in_progress')")
        cursor.execute("ANALYZE tickets_ticket")
    director = django_user_model.objects.create_superuser("alarm-director", password="x")
    open_tickets = selectors.ticket_list_for(user=director, with_clocks=False).filter(status__in=OPEN_STATUSES)
    shown = alarms(open_tickets)
    assert open_tickets.filter(sla_state__in=["at_risk", "breached"]).count() == 4000
    assert len(shown) == 50
    found = plan(shown)
    assert "ticket_sla_alarm" in index_names(found)
    assert found["Node Type"] == "Limit"
    assert found["Plans"][0]["Node Type"] != "Sort", found


def test_the_directors_dashboard_reads_as_many_rows_at_100000_tickets_as_at_20000(agents, rows_read):
    """Its open tickets' counts come from the backlog rollup and its compliance from the clocks' (issue
    18 asks that it stays flat as the volume grows): the rows read do not grow with the tickets. The
    scan it replaced read every open ticket (800 here, then 4,000)."""
    from django.test import Client

    from tests.factories import StaffMemberFactory

    add_tickets(agents, 1, 20_000)
    director = get_user_model().objects.create_superuser("dashboard-director", password="x")
    StaffMemberFactory(user=director, position=PositionFactory(unit=agents[0].position.unit))
    client = Client()
    client.force_login(director)
    small = rows_read(client, "/dashboard/")
    add_tickets(agents, 20_001, 100_000)
    large = rows_read(client, "/dashboard/")
    assert small > 0
    assert large <= 1.2 * small, (small, large)
