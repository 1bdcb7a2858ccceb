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


def test_the_agent_queues_use_their_indexes(center):
    team_queue = selectors.team_queue_for(center[0])
    assert team_queue.count() == 50
    assert "ticket_team_queue" in index_names(plan(team_queue[:25]))
    my_queue = selectors.my_queue(center[0])
    assert my_queue.count() == 30
    assert "ticket_assignee_queue" in index_names(plan(my_queue[:25]))
