"""The org editor on the page: menus in place for admins only, the form, the impact, the confirmation with a
reason and a date, refusals that keep what was typed, the list of changes, history, and fixed query counts."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from sla.models import Clock, ClockState
from staff.models import OrgChange, Position, StaffMember, Unit
from tests.conftest import PASSWORD
from tickets.models import Kind

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=TZ)


def client_for(username: str, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    assert client.login(username=username, password=PASSWORD)
    return client


def move_form(units) -> dict:
    return {"unit": units["tech-region-1"].pk, "parent": units["cs-dept"].pk,
            "reports_to": Position.objects.get(code="reception-dm").pk, "fixed": "unit"}


def test_only_admins_get_the_edit_menus_and_forms(shape_a, units):
    with time_machine.travel(NOW, tick=False):
        admin = client_for("admin").get("/org/").content.decode()
        agent_client = client_for("agent1")
        agent = agent_client.get("/org/").content.decode()
        assert f'<a class="row-edit no-print" href="/org/menu/unit/{units["tech-region-1"].pk}/"' in admin
        menu = client_for("admin").get(f"/org/menu/unit/{units['tech-region-1'].pk}/?fragment=1").content.decode()
        assert menu.startswith('<tr class="edit-row"><td colspan="5"><ul class="row-links">')
        assert f'href="/org/change/unit_move/?unit={units["tech-region-1"].pk}"' in menu
        assert "row-edit" not in agent
        assert "/org/menu/" not in agent
        assert agent_client.get(f"/org/menu/unit/{units['tech-region-1'].pk}/").status_code == 403
        assert agent_client.get("/org/change/unit_move/").status_code == 403
        posted = agent_client.post("/org/change/unit_move/", {**move_form(units), "confirm": "1", "reason": "x"})
        assert posted.status_code == 403
    assert OrgChange.objects.count() == 0
    assert Position.objects.get(code="tech-dm-1").reports_to.code == "director"


def test_the_form_opens_in_place_with_its_subject_fixed(shape_a, units):
    with time_machine.travel(NOW, tick=False):
        html = client_for("admin").get(f"/org/change/unit_move/?unit={units['tech-region-1'].pk}&fragment=1")
    body = html.content.decode()
    assert body.startswith('<tr class="edit-row"><td colspan="5">')
    assert f'<input type="hidden" name="unit" value="{units["tech-region-1"].pk}">' in body
    assert '<span class="label">Unit</span> <strong>Technical Service, Region 1</strong>' in body
    assert f'<option value="{units["cs-dept"].pk}" selected>' in body  # where it is now


def test_preview_confirm_and_schedule_from_the_page(shape_a, units, member, make_ticket):
    with time_machine.travel(NOW, tick=False):
        ticket = make_ticket(kind=Kind.COMPLAINT, assignee=member("agent1"), received_at=NOW)
    Clock.objects.filter(ticket=ticket).update(state=ClockState.BREACHED, escalation_level=1)
    with time_machine.travel(NOW, tick=False):
        client = client_for("admin")
        preview = client.post("/org/change/unit_move/", move_form(units))
        html = preview.content.decode()
        assert preview.status_code == 200
        assert "1 open ticket's next escalation goes to someone else." in html
        row = re.search(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)
        assert row.groups() == (member("lead1").name, member("director").name, member("supervisor1").name)
        assert OrgChange.objects.count() == 0

        refused = client.post("/org/change/unit_move/", {**move_form(units), "confirm": "1", "reason": "",
                                                         "effective_on": "2026-12-01"})
        body = refused.content.decode()
        assert refused.status_code == 400
        assert "Give the reason for the change; it is kept with it." in body
        assert 'value="2026-12-01"' in body  # what was typed is kept
        assert OrgChange.objects.count() == 0

        done = client.post("/org/change/unit_move/", {**move_form(units), "confirm": "1", "reason": "片区调整",
                                                      "effective_on": "2026-12-01"})
        assert (done.status_code, done["Location"]) == (302, "/org/")
        change = OrgChange.objects.get()
        assert (change.state, change.effective_on, change.reason) == ("scheduled", date(2026, 12, 1), "片区调整")
        assert change.requested_by.username == "admin"
        chart = client.get("/org/").content.decode()
        assert "From 2026-12-01: Move unit" in chart
        listing = client.get("/org/changes/").content.decode()
        assert f"/org/changes/{change.pk}/cancel/" in listing
        assert "1 ticket rerouted" in listing
    assert Position.objects.get(code="tech-dm-1").reports_to.code == "director"


def test_a_refused_form_keeps_what_was_typed_and_names_the_field(shape_a, units):
    receptionist = Position.objects.get(code="receptionist")
    with time_machine.travel(NOW, tick=False):
        response = client_for("admin").post("/org/change/position_update/", {
            "position": receptionist.pk, "title": "前台接待", "headcount": "1", "unit": receptionist.unit_id,
            "role": "agent", "in_establishment": "on"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "The headcount cannot be below the 3 people who hold the post now; move them first." in body
    assert 'value="前台接待"' in body
    assert 'aria-invalid="true" aria-describedby="e-position_update-headcount"' in body
    receptionist.refresh_from_db()
    assert (receptionist.title, receptionist.headcount) == ("接待专员", 4)


def test_history_of_a_post_says_who_why_and_what(shape_a, units, member):
    # Today's date, not a travelled one: the edits' diffs follow the order of their dates.
    client = client_for("admin")
    client.post("/org/change/unit_move/", {**move_form(units), "confirm": "1", "reason": "片区调整",
                                           "effective_on": timezone.localdate().isoformat()})
    html = client.get("/org/history/position/tech-dm-1/").content.decode()
    edit = re.search(r"<tr><td>[^<]*</td><td>(.*?)</td><td>(.*?)</td>\s*<td>\s*<div>(.*?)</div>", html)
    assert edit.groups() == (member("admin").name, "片区调整",
                             "reports to: Center Director → Deputy Manager, Reception Service")
    assert "<div>reports to: Deputy Manager, Reception Service → Center Director</div>" not in html


def _grow(posts: int) -> None:
    unit = Unit.objects.create(name="大组", code=f"big-{posts}", kind="team", parent=Unit.objects.get(code="cs-dept"))
    lead = Position.objects.get(code="reception-dm")
    Position.objects.bulk_create(Position(unit=unit, title=f"岗位{i}", code=f"p{posts}-{i}", reports_to=lead)
                                 for i in range(posts))
    from tests.factories import StaffMemberFactory

    for position in Position.objects.filter(unit=unit)[:5]:
        StaffMemberFactory(position=position)


def test_the_org_page_costs_the_same_queries_at_10_and_500_posts(shape_a, count_queries):
    with time_machine.travel(NOW, tick=False):
        admin, agent = client_for("admin"), client_for("agent1")
        small = (count_queries(lambda: admin.get("/org/")), count_queries(lambda: agent.get("/org/")))
        _grow(500)
        assert Position.objects.count() >= 510
        large = (count_queries(lambda: admin.get("/org/")), count_queries(lambda: agent.get("/org/")))
    assert small == large == (11, 10)  # the agent's "may I edit the org" is their scope's answer
    assert StaffMember.objects.count() > 17
