"""Satisfaction and quality figures: the formulas on fixed sets, grouped, scoped, in the API."""

from datetime import date, datetime

import pytest
import time_machine

from sla.models import Clock
from staff.access import scope_for
from surveys.metrics import satisfaction_rate, survey_metrics
from tests.conftest import signed_in
from tests.surveys.factories import review, survey
from tickets.models import Kind, Status, Ticket
from tickets.selectors import ticket_list_for

from .conftest import TZ

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
NOV = {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}
AT = datetime(2026, 11, 10, 11, 0, tzinfo=TZ)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)  # after AT and the deadlines below, whatever today's date


def test_the_satisfaction_formula_on_a_fixed_set():
    # 45 very satisfied, 40 satisfied, 10 neutral, 3 unsatisfied, 2 very unsatisfied: (45 + 40) / 100
    assert satisfaction_rate({5: 45, 4: 40, 3: 10, 2: 3, 1: 2}) == 0.85
    assert satisfaction_rate({5: 1, 4: 0, 3: 0, 2: 0, 1: 2}) == 0.3333
    assert satisfaction_rate({5: 0, 4: 0, 3: 0, 2: 0, 1: 0}) is None


@pytest.fixture
def center(make_ticket, member):
    """agent1: 10 surveys sent, 8 answered (5, 5, 5, 4, 4, 3, 2, 1); agent2: 4 sent, 4 answered (5, 4, 4, 4).
    agent1 also has 3 complaints (2 resolved; resolution deadlines due this month, 1 breached) and 4
    reviewed tickets, 1 with an error. The test runs with the clock stopped at ``NOW``."""
    with time_machine.travel(NOW, tick=False):
        yield _center(make_ticket, member)


def _center(make_ticket, member):
    def ticket(agent, team, kind=Kind.INQUIRY):
        return make_ticket(kind=kind, team=team, by=agent, assignee=member(agent), received_at=AT)

    for rating in (5, 5, 5, 4, 4, 3, 2, 1, None, None):
        survey(ticket("agent1", "tech-region-1"), sent_at=AT, rating=rating)
    for rating in (5, 4, 4, 4):
        survey(ticket("agent2", "reception"), sent_at=AT, rating=rating)
    complaints = [ticket("agent1", "tech-region-1", Kind.COMPLAINT) for _ in range(3)]
    Ticket.objects.filter(pk__in=[c.pk for c in complaints[:2]]).update(status=Status.RESOLVED, resolved_at=AT)
    resolution = Clock.objects.filter(ticket__in=complaints, target="resolution")
    resolution.update(due_at=datetime(2026, 11, 15, 17, 30, tzinfo=TZ), breached_at=None)
    resolution.filter(ticket=complaints[2]).update(breached_at=datetime(2026, 11, 15, 17, 30, tzinfo=TZ))
    reviewed = Ticket.objects.filter(assignee=member("agent1"), kind=Kind.INQUIRY)[:4]
    for n, t in enumerate(reviewed):
        review(t, at=AT, error=n == 0, reviewer=member("lead1"))
    return complaints


def figures(username, user, **kwargs):
    scope = scope_for(user(username))
    return survey_metrics(tickets=ticket_list_for(scope=scope, with_clocks=False), **NOV, **kwargs)


def test_figures_by_agent_and_totals(center, user, member):
    report = figures("director", user, group_by="agent")
    rows = {r["group_key"]: r for r in report["results"]}
    assert sorted(rows) == sorted([member("agent1").pk, member("agent2").pk])
    a1, a2 = rows[member("agent1").pk], rows[member("agent2").pk]
    assert a1["group_name"] == member("agent1").name
    assert (a1["sent"], a1["responses"], a1["satisfied"], a1["unhappy"]) == (10, 8, 5, 2)
    assert (a1["response_rate"], a1["satisfaction_rate"]) == (0.8, 0.625)
    assert (a1["complaints"], a1["complaints_resolved"], a1["complaint_resolution_rate"]) == (3, 2, 0.6667)
    assert (a1["complaints_due"], a1["complaints_on_time"], a1["complaint_timeliness"]) == (3, 2, 0.6667)
    assert (a1["reviewed"], a1["with_error"], a1["error_rate"]) == (4, 1, 0.25)
    assert (a2["sent"], a2["responses"], a2["satisfaction_rate"], a2["error_rate"]) == (4, 4, 1.0, None)
    totals = report["totals"]
    assert (totals["sent"], totals["responses"], totals["satisfied"], totals["satisfaction_rate"]) == (14, 12, 9, 0.75)
    assert (totals["r5"], totals["r4"], totals["r3"], totals["r2"], totals["r1"]) == (4, 5, 1, 1, 1)


def test_figures_by_team_kind_and_month(center, user):
    teams = {r["group_name"]: r["satisfaction_rate"] for r in figures("director", user, group_by="team")["results"]}
    assert sorted(teams.values()) == [0.625, 1.0]
    kinds = {r["group_key"]: r for r in figures("director", user, group_by="kind")["results"]}
    assert (kinds["inquiry"]["sent"], kinds["complaint"]["complaints"]) == (14, 3)
    months = figures("director", user, group_by="month")["results"]
    assert [(r["group_key"], r["sent"], r["reviewed"]) for r in months] == [("2026-11", 14, 4)]


def test_the_surveys_part_alone_counts_the_surveys_in_one_query(center, user, count_queries):
    """The dashboard's satisfaction tile asks for the surveys only: the same survey figures, the
    complaint and review figures 0, in one query instead of four."""
    whole = figures("director", user, group_by="month")["totals"]
    scope = scope_for(user("director"))
    run = lambda: survey_metrics(tickets=ticket_list_for(scope=scope, with_clocks=False), group_by="month",  # noqa: E731
                                 parts=("surveys",), **NOV)
    assert count_queries(run) == 1
    alone = run()["totals"]
    surveyed = ("sent", "responses", "r5", "r4", "r3", "r2", "r1", "satisfied", "response_rate", "satisfaction_rate")
    assert {k: alone[k] for k in surveyed} == {k: whole[k] for k in surveyed}
    assert (alone["sent"], alone["responses"], alone["satisfaction_rate"]) == (14, 12, 0.75)
    assert (whole["complaints"], whole["reviewed"]) == (3, 4)
    assert (alone["complaints"], alone["complaints_due"], alone["reviewed"], alone["error_rate"]) == (0, 0, 0, None)


def test_a_leader_sees_the_figures_of_their_team_only(center, user):
    rows = figures("lead1", user, group_by="agent")["results"]
    assert [(r["sent"], r["responses"]) for r in rows] == [(10, 8)]
    assert figures("lead2", user, group_by="agent")["totals"]["sent"] == 0


def test_the_figures_take_the_same_queries_at_any_size(center, user, count_queries, make_ticket, member):
    scope = scope_for(user("director"))
    run = lambda: survey_metrics(tickets=ticket_list_for(scope=scope, with_clocks=False), **NOV)  # noqa: E731
    before = count_queries(run)
    for _ in range(20):
        survey(make_ticket(by="agent4", team="tech-region-2", assignee=member("agent4"), received_at=AT),
               sent_at=AT, rating=4)
    assert count_queries(run) == before == 4


def test_the_metrics_api(center, api):
    response = api("director").get("/api/v1/surveys/metrics/?from=2026-11-01&to=2026-11-30&group_by=team")
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"], body["group_by"]) == ("2026-11-01", "2026-11-30", "team")
    assert (body["totals"]["sent"], body["totals"]["satisfaction_rate"]) == (14, 0.75)
    for bad in ("group_by=shoe", "from=2026-11-30&to=2026-11-01", "from=yesterday"):
        assert api("director").get(f"/api/v1/surveys/metrics/?{bad}").status_code == 400, bad
    assert api(None).get("/api/v1/surveys/metrics/").status_code == 403


def test_the_quality_page_and_the_dashboard_tile(center, member):
    page = signed_in("lead1").get("/quality/?from=2026-11-01&to=2026-11-30&group_by=agent")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<span class="n" id="tile-satisfaction">62.5%</span>' in html
    assert page.context["figures"]["totals"]["error_rate"] == 0.25
    assert signed_in("agent1").get("/quality/").status_code == 403


def test_the_dashboard_shows_this_months_satisfaction(make_ticket, member):
    now = datetime.now(tz=TZ)
    for rating in (5, 4, 2):
        survey(make_ticket(by="agent2", team="reception", assignee=member("agent2")), sent_at=now, rating=rating)
    html = signed_in("supervisor1").get("/dashboard/").content.decode()
    assert '<span class="n" id="tile-satisfaction">66.7%</span>' in html
