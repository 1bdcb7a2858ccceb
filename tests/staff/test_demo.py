"""``seed_demo`` runs at every start of ``make demo``: it adds what is missing and changes nothing else.

An admin's moves, headcounts, job descriptions, deletions, a renamed unit, a changed password and a
corrected calendar day all survive a second run, which writes nothing at all and no history version.
"""

import copy
import io
import json
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from simple_history.models import HistoricalChanges

from demo.management.commands import seed_demo
from sla import services as sla_services
from sla.models import Calendar, CalendarDay, DaySource
from staff import services
from staff.models import (
    ConcurrentPost,
    Duty,
    JobDescription,
    PerformanceStandard,
    Position,
    Skill,
    StaffMember,
    Unit,
)
from tests.conftest import SHAPE_A

pytestmark = pytest.mark.django_db

User = get_user_model()
NATIONAL_DAY = date(2025, 10, 1)  # a holiday in chinesecalendar's data


@pytest.fixture
def org_only(monkeypatch):
    """seed_demo without its tickets, calls and surveys (tests/tickets/test_demo.py runs it whole)."""
    for name in ("seed_tickets", "seed_calls", "seed_surveys"):
        monkeypatch.setattr(seed_demo, name, lambda **kwargs: 0)


def run_seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def history_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if issubclass(m, HistoricalChanges)}


def snapshot() -> dict[str, list[dict]]:
    models = [Skill, Unit, Unit.skills.through, Position, JobDescription, Duty, PerformanceStandard, StaffMember,
              StaffMember.skills.through, ConcurrentPost, User, Group, Group.permissions.through, Calendar, CalendarDay]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def writes(queries) -> list[str]:
    statements = ("INSERT", "UPDATE", "DELETE", "REPLACE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(statements)]


def test_a_second_run_keeps_an_admins_org_chart_and_writes_nothing(org_only):
    run_seed_demo()
    # An admin at work: moves a team under another department and renames another one's code, moves
    # a post to another unit under another superior, plans two more receptionists, edits a job
    # description, removes a cleaner and their post, changes a password and corrects a holiday.
    units = {u.code: u for u in Unit.objects.all()}
    services.unit_save(instance=units["reception"], parent=units["admin-dept"])
    services.unit_save(instance=units["tech-region-2"], code="tech-east")
    purchasing = Position.objects.get(code="purchasing")
    services.position_save(instance=purchasing, unit=units["cs-dept"],
                           reports_to=Position.objects.get(code="deputy-director"))
    services.position_save(instance=Position.objects.get(code="receptionist"), headcount=6)
    description = JobDescription.objects.get(position__code="receptionist")
    description.purpose = "接听来电，受理业务，首问负责。"
    description.save()
    duty = description.duties.first()
    duty.title = "首问负责"
    duty.save()
    description.standards.last().delete()
    cleaner = StaffMember.objects.get(employee_no="B0005")
    cleaner.user.delete()
    services.position_delete(position=Position.objects.get(code="cleaner"))
    agent1 = User.objects.get(username="agent1")
    agent1.set_password("changed-by-agent1")
    agent1.save()
    sla_services.calendar_days_set(calendar=Calendar.objects.get(is_default=True),
                                   days={NATIONAL_DAY: (True, "调整")}, source=DaySource.OFFICIAL)
    before, history = snapshot(), history_counts()

    with CaptureQueriesContext(connection) as queries:
        out = run_seed_demo()

    assert writes(queries.captured_queries) == []
    assert history_counts() == history
    assert snapshot() == before
    assert "已补充缺少的内容：单位 0 个，岗位 0 个，岗位说明书 0 份，员工 0 人" in out  # zh_Hans is the default
    assert "新增日期：正式 0 天，暂定 0 天" in out
    # Spelled out, the edits that the old seed put back:
    assert Unit.objects.get(code="reception").parent.code == "admin-dept"
    assert not Unit.objects.filter(code="tech-region-2").exists()
    assert Position.objects.get(code="purchasing").unit.code == "cs-dept"
    assert Position.objects.get(code="purchasing").reports_to.code == "deputy-director"
    assert Position.objects.get(code="receptionist").headcount == 6
    assert JobDescription.objects.get(position__code="receptionist").purpose == "接听来电，受理业务，首问负责。"
    assert not Position.objects.filter(code="cleaner").exists()
    assert not StaffMember.objects.filter(employee_no="B0005").exists()
    assert User.objects.get(username="agent1").check_password("changed-by-agent1")
    assert CalendarDay.objects.filter(date=NATIONAL_DAY, is_workday=True, name="调整").count() == 1


def test_what_the_data_has_and_the_database_never_had_is_added_alone(org_only):
    run_seed_demo()
    before, history = snapshot(), history_counts()
    data = json.loads(SHAPE_A.read_text(encoding="utf-8"))
    extra = copy.deepcopy(data)
    extra["units"][0]["children"].append({
        "code": "complaints", "name": "投诉处理组", "kind": "team",
        "positions": [{"code": "complaints-lead", "title": "投诉处理组组长", "role": "team_lead",
                       "reports_to": "director", "job_description": {"purpose": "处理投诉。"}}],
    })
    extra["staff"].append({"employee_no": "A0401", "username": "lead4", "name": "周敏", "position": "complaints-lead"})

    added = services.org_add_missing(data=extra, password="pw-for-lead4")

    assert added == {"skills": 0, "units": 1, "positions": 1, "job_descriptions": 1, "staff": 1}
    unit = Unit.objects.get(code="complaints")
    assert (unit.parent.code, unit.sort_order) == ("center", 2)
    lead = StaffMember.objects.get(employee_no="A0401")
    assert (lead.position.code, lead.position.reports_to.code) == ("complaints-lead", "director")
    assert lead.user.check_password("pw-for-lead4")
    assert lead.position.job_description.purpose == "处理投诉。"
    after = snapshot()
    for label, rows in before.items():  # what was there is untouched
        assert [r for r in after[label] if r in rows] == rows, label
    grown = {label: n - history[label] for label, n in history_counts().items() if n != history[label]}
    assert grown == {"staff.HistoricalUnit": 1, "staff.HistoricalPosition": 1, "staff.HistoricalJobDescription": 1,
                     "staff.HistoricalStaffMember": 1}


def test_a_post_whose_superior_comes_later_in_the_data_gets_it(db):
    data = {"units": [{"code": "hq", "name": "总部", "kind": "center", "positions": [
        {"code": "clerk", "title": "文员", "reports_to": "boss"},
        {"code": "boss", "title": "主任", "role": "director"},
    ]}]}

    assert services.org_add_missing(data=data)["positions"] == 2

    assert Position.objects.get(code="clerk").reports_to.code == "boss"
    assert services.org_add_missing(data=data) == {"skills": 0, "units": 0, "positions": 0, "job_descriptions": 0,
                                                   "staff": 0}
