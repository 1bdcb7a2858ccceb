"""The org editor's API: /api/v1/org/changes/ (preview, create, dated, cancel) and
/api/v1/org/job-descriptions/ with versions and their steps; who may do what; refusals change nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from staff.models import JobDescription, JobDescriptionVersion, OrgChange, Position

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=TZ)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def api(api):
    """The API client, asking for English answers."""
    def make(name):
        client = api(name)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client
    return make


def move(units) -> dict:
    return {"kind": "unit_move", "payload": {"unit": units["tech-region-1"].pk, "parent": units["cs-dept"].pk,
                                             "reports_to": Position.objects.get(code="reception-dm").pk}}


def test_preview_writes_nothing_and_is_for_admins_and_leaders(shape_a, units, api, member):
    for name in ("admin", "director"):
        response = api(name).post("/api/v1/org/changes/preview/", move(units), format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["summary"].startswith("Move unit")
        assert [(r["name"], r["before"], r["after"]) for r in body["superiors"]] == [
            (member("lead1").name, member("director").name, member("supervisor1").name)]
        assert body["tickets"] == 0
    assert api("agent1").post("/api/v1/org/changes/preview/", move(units), format="json").status_code == 403
    assert api("agent1").get("/api/v1/org/changes/").status_code == 403
    assert OrgChange.objects.count() == 0


def test_a_dated_change_through_the_api_and_its_cancellation(shape_a, units, api):
    client = api("admin")
    with time_machine.travel(NOW, tick=False):
        created = client.post("/api/v1/org/changes/", {**move(units), "effective_on": "2026-12-01",
                                                       "reason": "片区调整"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["effective_on"], body["reason"], body["requested_by"]) == (
        "scheduled", "2026-12-01", "片区调整", "admin")
    assert body["impact"]["tickets"] == 0
    listed = client.get("/api/v1/org/changes/", {"state": "scheduled"}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert api("director").post(f"/api/v1/org/changes/{body['id']}/cancel/").status_code == 403
    cancelled = client.post(f"/api/v1/org/changes/{body['id']}/cancel/")
    assert (cancelled.status_code, cancelled.json()["state"]) == (200, "cancelled")
    again = client.post(f"/api/v1/org/changes/{body['id']}/cancel/")
    assert again.status_code == 409
    assert Position.objects.get(code="tech-dm-1").reports_to.code == "director"


def test_a_refused_change_is_400_with_the_reason_and_nothing_written(shape_a, api):
    receptionist = Position.objects.get(code="receptionist")
    response = api("admin").post("/api/v1/org/changes/", {
        "kind": "position_update", "reason": "缩编",
        "payload": {"position": receptionist.pk, "title": "接待专员", "headcount": 1}}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == ("The headcount cannot be below the 3 people who hold the post now; move "
                                         "them first.")
    assert OrgChange.objects.count() == 0
    assert Position.objects.get(pk=receptionist.pk).headcount == 4
    bad_kind = api("admin").post("/api/v1/org/changes/", {"kind": "explode", "payload": {}, "reason": "x"},
                                 format="json")
    assert bad_kind.status_code == 400


def test_job_description_versions_through_the_api(shape_a, api):
    jd = JobDescription.objects.get(position__code="receptionist")
    base = f"/api/v1/org/job-descriptions/{jd.pk}"
    manager = api("supervisor1")
    draft = manager.post(f"{base}/versions/", {"note": "补充首问负责"}, format="json")
    assert draft.status_code == 201, draft.content
    assert (draft.json()["number"], draft.json()["state"]) == (2, "draft")
    content = {**draft.json()["content"], "purpose": "首问负责，一次办结。"}
    edited = manager.patch(f"{base}/versions/2/", {"content": content}, format="json")
    assert (edited.status_code, edited.json()["content"]["purpose"]) == (200, "首问负责，一次办结。")
    # The holder reads published versions only, and writes none.
    agent = api("agent2")
    assert [v["number"] for v in agent.get(f"{base}/versions/").json()] == [1]
    assert agent.get(f"{base}/versions/2/").status_code == 404
    assert agent.post(f"{base}/versions/2/submit/").status_code == 404
    assert agent.post(f"{base}/versions/", {}, format="json").status_code == 403
    for step in ("submit", "approve"):
        response = manager.post(f"{base}/versions/2/{step}/", {}, format="json")
        assert response.status_code == 200, (step, response.content)
    early = manager.post(f"{base}/versions/2/publish/", {"effective_on": "2000-01-01"}, format="json")
    assert early.status_code == 400
    published = manager.post(f"{base}/versions/2/publish/", {}, format="json")
    assert (published.json()["state"], published.json()["in_effect"]) == ("published", True)
    assert [v["number"] for v in agent.get(f"{base}/versions/").json()] == [1, 2]
    rows = agent.get(f"{base}/compare/", {"a": 1, "b": 2}).json()
    purpose = next(r for r in rows if r["changed"] and r["new"].find("一次办结") >= 0)
    assert "<ins>" in purpose["new"]
    assert JobDescriptionVersion.objects.filter(job_description=jd, in_effect=True).get().number == 2
    listing = agent.get("/api/v1/org/job-descriptions/", {"page_size": 100}).json()
    assert next(r for r in listing["results"] if r["position"] == "receptionist")["version_in_effect"] == 2
