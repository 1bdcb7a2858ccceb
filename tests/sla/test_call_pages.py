from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from calls.imports import call_import_run
from calls.models import CallImport
from tests.conftest import signed_in
from tests.sla.test_calls import QUEUE_LOG, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")


def test_the_calls_page_shows_the_rate_the_heat_map_and_the_agents():
    run(QUEUE_LOG)
    page = signed_in("supervisor1").get("/calls/?from=2026-11-16&to=2026-11-16")
    assert page.status_code == 200
    assert page.context["overall"]["service_level"] == round(2 / 6, 4)
    heat = page.context["heat"]
    assert [row["day"].isoformat() for row in heat] == ["2026-11-16"]
    assert heat[0]["hours"][9] == (round(2 / 3, 4), 3)
    assert heat[0]["hours"][10] == (None, 0)
    assert {r["group"] for r in page.context["agents"]} == {"Agent/1001", "Agent/1003", "Agent/1004", ""}
    assert signed_in("agent1").get("/calls/").status_code == 403


def test_the_staffing_planner_on_the_page():
    page = signed_in("supervisor1").get("/calls/?calls=100&interval_minutes=30&aht_seconds=180&target=0.8"
                                         "&target_seconds=20&shrinkage=0.3")
    staffing = page.context["staffing"]
    assert (staffing["best"].agents, staffing["scheduled"]) == (14, 20)
    assert 'id="staffing-result"' in page.content.decode()


def test_uploading_in_the_browser_shows_the_import_progress(django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in("supervisor1")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/calls/", {"file": SimpleUploadedFile("queue_log", QUEUE_LOG.encode()),
                                           "format": "queue_log"})
    job = CallImport.objects.get()
    assert response["Location"] == f"/calls/imports/{job.pk}/"
    assert len(callbacks) == 1
    waiting = client.get(f"/calls/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in waiting  # polls while the worker runs
    call_import_run(import_id=job.pk)
    done = client.get(f"/calls/imports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger' not in done
    assert "8" in done


def test_the_dashboard_shows_the_calls_tile_once_there_are_calls():
    with time_machine.travel(datetime(2026, 11, 16, 18, 0, tzinfo=TZ), tick=False):
        client = signed_in("supervisor1")  # at the same time: a session begun on today's date may have expired
        dashboard = client.get("/dashboard/")
        assert dashboard.status_code == 200
        assert 'id="tile-calls"' not in dashboard.content.decode()
        run(QUEUE_LOG)
        assert 'id="tile-calls"' in client.get("/dashboard/").content.decode()
