"""The Organisation part of api.md: staff read, org admins write, bad input is a 400 and changes nothing."""

import pytest

from staff.models import JobDescription, Position, Unit
from tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_refused(shape_a, api):
    for url in ["/api/v1/org/units/", "/api/v1/org/positions/", "/api/v1/org/staff/"]:
        assert api().get(url).status_code in (401, 403)


def test_units_tree(shape_a, api):
    body = api("agent1").get("/api/v1/org/units/").json()
    assert body["count"] == 6
    by_code = {u["code"]: u for u in body["results"]}
    assert by_code["cs-dept"]["parent"] == by_code["center"]["id"]
    assert by_code["cs-dept"]["kind"] == "department"
    assert by_code["admin-dept"]["name"] == "行政部"


def test_positions_carry_headcount_filled_and_job_description(shape_a, api):
    body = api("agent2").get("/api/v1/org/positions/", {"page_size": 100}).json()
    receptionist = next(p for p in body["results"] if p["code"] == "receptionist")
    assert (receptionist["headcount"], receptionist["filled"], receptionist["vacant"]) == (4, 3, 1)
    jd = receptionist["job_description"]
    assert [d["title"] for d in jd["duties"]] == ["接听服务热线", "受理投诉与建议", "收发邮件与传真", "接待来访客户"]
    assert jd["duties"][0]["tasks"][0]["frequency"] == "随时"
    assert jd["standards"][0] == {"indicator": "工单按时办结率", "figure": "sla", "comparator": "gte",
                                  "target": "95.00", "unit": "%"}
    driver = next(p for p in body["results"] if p["code"] == "driver")
    assert driver["in_establishment"] is False
    assert [s["indicator"] for s in driver["job_description"]["standards"]] == ["安全责任事故", "车辆完好率"]


def test_chain_endpoint(shape_a, api, member):
    agent = member("agent1")
    body = api("agent2").get(f"/api/v1/org/staff/{agent.pk}/chain/").json()
    assert [(link["level"], link["name"], link["role"]) for link in body] == [
        (1, "张伟", "team_lead"), (2, "王建国", "director")]


def test_agent_cannot_write_and_nothing_changes(shape_a, api):
    client = api("agent1")
    assert client.post("/api/v1/org/units/", {"name": "新组", "code": "new", "kind": "team"}).status_code == 403
    position = Position.objects.get(code="receptionist")
    response = client.patch(f"/api/v1/org/positions/{position.pk}/", {"headcount": 9}, format="json")
    assert response.status_code == 403
    position.refresh_from_db()
    assert position.headcount == 4
    assert not Unit.objects.filter(code="new").exists()


def test_admin_writes_and_history_records_who(shape_a, api, member):
    client = api("admin")
    center = Unit.objects.get(code="center")
    created = client.post("/api/v1/org/units/", {"name": "质检组", "name_en": "Quality team", "code": "qa",
                                                  "kind": "team", "parent": center.pk}, format="json")
    assert created.status_code == 201, created.content
    assert Unit.objects.get(code="qa").parent_id == center.pk

    position = Position.objects.get(code="receptionist")
    versions_before = position.history.count()
    response = client.patch(
        f"/api/v1/org/positions/{position.pk}/",
        {"headcount": 5, "job_description": {"purpose": "前台接待与热线", "duties": [
            {"title": "接听热线", "tasks": "15秒内接听", "frequency": "any_time", "frequency_detail": ""}]}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["headcount"] == 5
    jd = JobDescription.objects.get(position=position)
    assert jd.purpose == "前台接待与热线"
    assert list(jd.duties.values_list("title", flat=True)) == ["接听热线"]
    assert position.history.count() == versions_before + 1
    latest = position.history.first()
    assert (latest.headcount, latest.history_user) == (5, member("admin").user)
    assert latest.prev_record.headcount == 4
    assert jd.history.first().history_user == member("admin").user


def test_a_unit_cannot_move_under_its_own_child(shape_a, api):
    center = Unit.objects.get(code="center")
    team = Unit.objects.get(code="reception")
    response = api("admin").patch(f"/api/v1/org/units/{center.pk}/", {"parent": team.pk}, format="json")
    assert response.status_code == 400
    assert "detail" in response.json()
    center.refresh_from_db()
    assert center.parent_id is None


def test_deleting_a_unit_in_use_is_a_400_not_a_500(shape_a, api):
    unit = Unit.objects.get(code="cs-dept")
    response = api("admin").delete(f"/api/v1/org/units/{unit.pk}/")
    assert response.status_code == 400
    assert Unit.objects.filter(pk=unit.pk).exists()


def test_bad_headcount_is_a_field_error(shape_a, api):
    position = Position.objects.get(code="receptionist")
    response = api("admin").patch(f"/api/v1/org/positions/{position.pk}/", {"headcount": -1}, format="json")
    assert response.status_code == 400
    assert "headcount" in response.json()
    position.refresh_from_db()
    assert position.headcount == 4


@pytest.mark.parametrize(("url", "queries"), [("/api/v1/org/units/", 2), ("/api/v1/org/positions/", 4),
                                              ("/api/v1/org/staff/", 4)])
def test_list_query_count_does_not_grow_with_rows(shape_a, api, count_queries, url, queries):
    client = api("director")
    small = count_queries(lambda: client.get(url).json())
    unit = Unit.objects.get(code="reception")
    for _ in range(20):
        position = PositionFactory(unit=unit)
        JobDescription.objects.create(position=position, purpose="x")
    from tests.factories import StaffMemberFactory

    for position in Position.objects.filter(code__startswith="position-")[:20]:
        StaffMemberFactory(position=position)
    large = count_queries(lambda: client.get(url).json())
    assert (small, large) == (queries, queries)
