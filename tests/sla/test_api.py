from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sla.models import CalendarDay, Clock
from sla.selectors import default_calendar
from sla.sweep import sweep
from tickets.models import Kind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]
TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("start=2026-09-30&working_days=3", {"date": "2026-10-10", "provisional": False}),
        ("start=2026-09-30&working_days=5", {"date": "2026-10-13", "provisional": False}),
        ("start=2026-02-13&working_days=3", {"date": "2026-02-25", "provisional": False}),
        ("start=2026-04-30&working_days=10", {"date": "2026-05-18", "provisional": False}),
        ("start=2026-12-28&working_days=5", {"date": "2027-01-05", "provisional": True}),
        ("start=2026-09-30&working_days=3&end_of_day=midnight", {"date": "2026-10-10", "provisional": False}),
    ],
)
def test_calendar_add(api, query, expected):
    body = api("agent1").get(f"/api/v1/sla/calendar/add/?{query}").json()
    assert {k: body[k] for k in expected} == expected


def test_calendar_add_business_minutes_and_bad_input(api):
    body = api("agent1").get("/api/v1/sla/calendar/add/?start=2026-09-30T16:00%2B08:00&business_minutes=120").json()
    assert body["at"] == "2026-10-08T09:00:00+08:00"
    for bad in ("start=2026-09-30", "start=nope&working_days=1", "start=2026-09-30&working_days=-1",
                "start=2026-09-30&working_days=1&minutes=5"):
        assert api("agent1").get(f"/api/v1/sla/calendar/add/?{bad}").status_code == 400, bad


def test_calendar_days_by_year_and_only_admins_write(api, make_ticket, member, shape_a):
    days = api("agent1").get("/api/v1/sla/calendar/days/?year=2026").json()
    assert len(days) == 365
    assert sum(d["is_workday"] for d in days) == 248
    assert api("agent1").put("/api/v1/sla/calendar/days/2026-11-04/", {"is_workday": False}, format="json"
                             ).status_code == 403
    assert CalendarDay.objects.get(calendar=default_calendar(), date="2026-11-04").is_workday is True


def test_an_admin_correcting_a_day_recomputes_deadlines(make_ticket, member, shape_a):
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
    admin = APIClient()
    admin.force_authenticate(get_user_model().objects.get(username="admin"))
    response = admin.put("/api/v1/sla/calendar/days/2026-11-04/", {"is_workday": False, "name": "停工"},
                         format="json")
    assert response.status_code == 200, response.data
    assert response.json() == {"date": "2026-11-04", "is_workday": False, "name": "停工", "source": "official",
                               "provisional": False}
    assert Clock.objects.get(ticket=ticket, target="resolution").due_at == at("2026-11-10T17:30")


def test_the_ticket_shows_its_clocks_and_filters_by_sla(api, make_ticket, member):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        late = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
    with time_machine.travel(at("2026-11-20T09:00"), tick=False):
        fresh = make_ticket(kind=Kind.INQUIRY, assignee=member("agent1"), received_at=at("2026-11-20T09:00"))
        sweep(now=at("2026-11-20T09:00"))
        client = api("lead1")
        body = client.get(f"/api/v1/tickets/{late.pk}/").json()
        assert body["sla_state"] == "breached"
        assert [(c["target"], c["state"], c["due_at"]) for c in body["sla"]] == [
            ("first_response", "breached", "2026-11-03T17:30:00+08:00"),
            ("resolution", "breached", "2026-11-09T17:30:00+08:00"),
        ]
        ids = lambda q: [t["id"] for t in client.get(f"/api/v1/tickets/?{q}").json()["results"]]  # noqa: E731
        assert ids("sla_state=breached") == [late.pk]
        assert ids("sla_state=on_track") == [fresh.pk]
        assert ids("ordering=due_at") == [late.pk, fresh.pk]
        assert ids("due_before=2026-11-10T00:00:00%2B08:00") == [late.pk]
        assert ids("due_after=2026-11-10T00:00:00%2B08:00") == [fresh.pk]


def test_metrics_by_team_and_kind(api, make_ticket, member, user):
    from tickets import services

    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        on_time = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
        late = make_ticket(kind=Kind.INQUIRY, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
    with time_machine.travel(at("2026-11-02T11:00"), tick=False):
        services.ticket_reply(ticket_id=on_time.pk, actor=user("agent1"), body="您好")
        services.ticket_resolve(ticket_id=on_time.pk, actor=user("agent1"), resolution="已解决")
    with time_machine.travel(at("2026-11-10T09:00"), tick=False):
        services.ticket_resolve(ticket_id=late.pk, actor=user("agent1"), resolution="晚了")
        body = api("lead1").get("/api/v1/sla/metrics/?from=2026-11-01&to=2026-11-30&group_by=kind").json()
    rows = {r["group_key"]: r for r in body["results"]}
    assert (rows["complaint"]["met_on_time"], rows["complaint"]["breached"], rows["complaint"]["compliance"]) == (
        2, 0, 1.0)
    assert (rows["inquiry"]["met_on_time"], rows["inquiry"]["breached"], rows["inquiry"]["compliance"]) == (0, 2, 0.0)
    assert rows["complaint"]["response_wall_seconds"] == 7200.0
    assert rows["complaint"]["response_working_seconds"] == 7200.0
    assert rows["complaint"]["resolution_wall_seconds"] == 7200.0
    assert api("agent4").get("/api/v1/sla/metrics/?from=2026-11-01&to=2026-11-30").json()["results"] == []


def test_notifications_list_and_read(api, make_ticket, member):
    with time_machine.travel(at("2026-11-02T09:00"), tick=False):
        make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=at("2026-11-02T09:00"))
    sweep(now=at("2026-11-03T17:31"))
    agent = api("agent1")
    unread = agent.get("/api/v1/notifications/?unread=true").json()
    assert [n["level"] for n in unread["results"]] == [0]
    assert "TS-" in unread["results"][0]["text"]
    assert api("lead1").get("/api/v1/notifications/").json()["count"] == 1
    assert api("lead1").post(f"/api/v1/notifications/{unread['results'][0]['id']}/read/").status_code == 404
    assert agent.post(f"/api/v1/notifications/{unread['results'][0]['id']}/read/").status_code == 204
    assert agent.get("/api/v1/notifications/?unread=true").json()["count"] == 0
