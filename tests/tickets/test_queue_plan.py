"""The agent's queues use their indexes at 100,000 tickets (PostgreSQL's planner, real statistics)."""

import json

import pytest
from django.db import connection

from tests.conftest import require_service
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


def index_names(node: dict) -> set[str]:
    names = {node["Index Name"]} if "Index Name" in node else set()
    for child in node.get("Plans", []):
        names |= index_names(child)
    return names


@pytest.fixture
def center():
    """20 teams of 5 agents and 100,000 tickets over 3 years, as in a real center: 96 % closed, 3 % in
    progress and 1 % new and unclaimed. Each agent holds 1,000 of them, 30 open; each team's queue has 50."""
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (make test starts one)")
    teams = [UnitFactory() for _ in range(20)]
    agents = [StaffMemberFactory(position=PositionFactory(unit=team, headcount=5)) for team in teams for _ in range(5)]
    customer = Customer.objects.create(name="客户", phone="13900000000")
    agent_ids = [a.pk for a in agents]
    team_ids = [t.pk for t in teams]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tickets_ticket (reference, kind, channel, status, priority, subject, description, customer_id,
                team_id, assignee_id, received_at, created_at, updated_at, resolution, cancel_reason, pause_reason,
                complaint_category, investigation, remedy, customer_reply, version, sla_state)
            SELECT 'TS-BENCH-' || g, 'inquiry', 'phone',
                   CASE WHEN mod(g, 100) = 0 THEN 'new' WHEN mod(g, 100) < 4 THEN 'in_progress' ELSE 'closed' END,
                   1 + mod(g, 4), 'subject ' || g, '', %s,
                   (%s::bigint[])[1 + mod(g / 100, 100) / 5],
                   CASE WHEN mod(g, 100) = 0 THEN NULL ELSE (%s::bigint[])[1 + mod(g / 100, 100)] END,
                   now() - (g || ' minutes')::interval * 15, now(), now(), '', '', '', '', '', '', '', 1, ''
              FROM generate_series(1, %s) AS g
            """,
            [customer.pk, team_ids, agent_ids, TICKETS],
        )
        cursor.execute("ANALYZE tickets_ticket")
    return agents


def test_the_team_queue_uses_its_index(center):
    team_queue = selectors.team_queue_for(center[0])
    assert team_queue.count() == 50
    assert "ticket_team_queue" in index_names(plan(team_queue[:25]))


def index_conditions(node: dict) -> dict[str, str]:
    """Index name → its Index Cond (the range the scan reads), over the whole plan."""
    found = {node["Index Name"]: node.get("Index Cond", "")} if "Index Name" in node else {}
    for child in node.get("Plans", []):
        found |= index_conditions(child)
    return found


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
    assert "ticket_mine_urgent" in index_names(plan(mine[:51]))
