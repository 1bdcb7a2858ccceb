"""Job descriptions as versioned documents (staff/jd.py): drafted by the post's superiors, submitted,
approved, published with a date; staff read the version in effect; targets feed the scorecard."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reporting.scorecards import post_targets, weights, weights_for
from servicecenter.errors import ConflictError, ForbiddenError, NotFoundError
from staff import jd as jds
from staff.jobdoc import DocumentError
from staff.models import JobDescription, JobDescriptionVersion, Kpi, Position

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=TZ)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def receptionist(shape_a):
    return Position.objects.get(code="receptionist")


def state(position) -> list[tuple]:
    return list(JobDescriptionVersion.objects.filter(job_description__position=position).order_by("number")
                .values_list("number", "state", "in_effect", "effective_on", "content"))


def test_every_imported_job_description_is_its_version_1_in_effect(shape_a):
    described = JobDescription.objects.count()
    assert described == Position.objects.count() == 14
    assert JobDescriptionVersion.objects.filter(number=1, state="published", in_effect=True).count() == described
    assert JobDescriptionVersion.objects.count() == described


def test_the_superior_drafts_submits_approves_and_publishes_and_staff_read_it(receptionist, user):
    manager = user("supervisor1")  # holds reception-dm, the receptionist's superior post
    with time_machine.travel(NOW, tick=False):
        draft = jds.jd_version_draft(user=manager, position=receptionist, note="补充投诉处理职责")
        assert (draft.number, draft.state, draft.content) == (2, "draft", state(receptionist)[0][4])
        content = {**draft.content, "purpose": "热线与前台接待，一次解决客户诉求。"}
        jds.jd_version_edit(user=manager, version=draft, content=content)
        jds.jd_version_submit(user=manager, version=draft)
        jds.jd_version_approve(user=manager, version=draft)
        published = jds.jd_version_publish(user=manager, version=draft)
    assert (published.state, published.in_effect, published.effective_on) == ("published", True, date(2026, 11, 10))
    assert [(n, s, e) for n, s, e, _d, _c in state(receptionist)] == [(1, "published", False), (2, "published", True)]
    assert JobDescription.objects.get(position=receptionist).purpose == "热线与前台接待，一次解决客户诉求。"
    agent = user("agent2")
    assert [v.number for v in jds.versions_for(agent, receptionist)] == [1, 2]
    assert jds.version_get(agent, receptionist, 1).content["purpose"] != content["purpose"]


def test_a_draft_is_seen_and_touched_only_by_editors(receptionist, user):
    draft = jds.jd_version_draft(user=user("admin"), position=receptionist)
    agent = user("agent2")
    assert [v.number for v in jds.versions_for(agent, receptionist)] == [1]
    with pytest.raises(NotFoundError):
        jds.version_get(agent, receptionist, draft.number)
    before = state(receptionist)
    for name in ("agent2", "lead1"):  # the holder, and a leader of another team
        with pytest.raises(ForbiddenError):
            jds.jd_version_edit(user=user(name), version=draft, content={"purpose": "x"})
        with pytest.raises(ForbiddenError):
            jds.jd_version_draft(user=user(name), position=receptionist)
    assert state(receptionist) == before


def test_one_open_version_at_a_time_and_steps_in_order(receptionist, user):
    admin = user("admin")
    draft = jds.jd_version_draft(user=admin, position=receptionist)
    with pytest.raises(ConflictError):
        jds.jd_version_draft(user=admin, position=receptionist)
    with pytest.raises(ConflictError):
        jds.jd_version_approve(user=admin, version=draft)  # not submitted yet
    jds.jd_version_submit(user=admin, version=draft)
    with pytest.raises(ConflictError):
        jds.jd_version_edit(user=admin, version=draft, content=draft.content)  # submitted: no longer editable
    with pytest.raises(DocumentError) as refused:
        jds.jd_version_return(user=admin, version=draft, reason=" ")
    assert refused.value.errors == {"reason": "Say why it goes back, so the author knows what to change."}
    returned = jds.jd_version_return(user=admin, version=draft, reason="绩效标准缺少单位")
    assert (returned.state, returned.returned_reason) == ("draft", "绩效标准缺少单位")


def test_a_bad_document_names_each_field_and_saves_nothing(receptionist, user):
    admin = user("admin")
    draft = jds.jd_version_draft(user=admin, position=receptionist)
    before = state(receptionist)
    bad = {**draft.content, "years_experience": "三年",
           "duties": [{"title": "", "tasks": [{"name": "接听", "frequency": "随时"}]}],
           "standards": [{"indicator": "满意率", "figure": "satisfaction", "comparator": "gte", "target": "120",
                          "unit": "%"}, {"indicator": "差错", "figure": "", "comparator": "~", "target": "x"}]}
    with pytest.raises(DocumentError) as refused:
        jds.jd_version_edit(user=admin, version=draft, content=bad)
    assert refused.value.errors == {
        "years_experience": "Enter a whole number of years.",
        "duties.0.title": "A duty needs a title.",
        "standards.0.target": "A share's target is from 0 to 100 (%).",
        "standards.1.comparator": "Choose ≥, >, ≤, < or =.",
        "standards.1.target": "Enter the target as a number.",
    }
    assert state(receptionist) == before


def test_a_version_dated_later_takes_effect_on_its_day(receptionist, user):
    admin = user("admin")
    with time_machine.travel(NOW, tick=False):
        draft = jds.jd_version_draft(user=admin, position=receptionist)
        jds.jd_version_edit(user=admin, version=draft, content={**draft.content, "purpose": "2027年起的新职责"})
        jds.jd_version_submit(user=admin, version=draft)
        jds.jd_version_approve(user=admin, version=draft)
        jds.jd_version_publish(user=admin, version=draft, effective_on="2027-01-01")
    assert jds.in_effect(receptionist).number == 1
    assert jds.jd_versions_apply_due(now=datetime(2026, 12, 31, 23, 59, tzinfo=TZ)) == 0
    assert jds.jd_versions_apply_due(now=datetime(2027, 1, 1, 0, 1, tzinfo=TZ)) == 1
    assert jds.jd_versions_apply_due(now=datetime(2027, 1, 1, 0, 2, tzinfo=TZ)) == 0
    assert jds.in_effect(receptionist).number == 2
    assert JobDescription.objects.get(position=receptionist).purpose == "2027年起的新职责"


def test_a_standard_naming_a_product_figure_is_the_post_scorecard_target(receptionist, user):
    admin = user("admin")
    draft = jds.jd_version_draft(user=admin, position=receptionist)
    standards = [{"indicator": "工单按时办结率", "figure": "sla", "comparator": "gte", "target": "85", "unit": "%"},
                 {"indicator": "服务差错率", "figure": "errors", "comparator": "lte", "target": "3", "unit": "%"},
                 {"indicator": "重大投诉", "figure": "", "comparator": "lt", "target": "5", "unit": "起/年"}]
    jds.jd_version_edit(user=admin, version=draft, content={**draft.content, "standards": standards})
    jds.jd_version_submit(user=admin, version=draft)
    jds.jd_version_approve(user=admin, version=draft)
    jds.jd_version_publish(user=admin, version=draft)
    targets = post_targets()
    assert targets[receptionist.pk] == {Kpi.SLA: Decimal("0.85"), Kpi.ERRORS: Decimal("0.03")}
    table = weights_for(weights(), targets[receptionist.pk])
    assert table[Kpi.SLA][1] == Decimal("0.85")
    assert table[Kpi.SATISFACTION] == weights()[Kpi.SATISFACTION]


def test_an_admin_write_through_the_api_is_a_new_version_in_effect(receptionist, api):
    before = JobDescriptionVersion.objects.filter(job_description__position=receptionist).count()
    response = api("admin").patch(f"/api/v1/org/positions/{receptionist.pk}/", {"job_description": {
        "purpose": "前台接待与热线",
        "duties": [{"title": "接听热线", "tasks": "15秒内接听", "frequency": "any_time"}]}},
        format="json")
    assert response.status_code == 200, response.content
    latest = jds.in_effect(receptionist)
    assert (latest.number, latest.created_by.username) == (before + 1, "admin")
    assert latest.content["duties"] == [{"title": "接听热线", "tasks": [
        {"name": "15秒内接听", "key_process": "", "major_result": "", "frequency": "随时", "measures": ""}]}]


def test_shape_b_loads_with_a_job_description_for_every_post(db):
    import json

    from staff.services import org_import
    from tests.conftest import ROOT

    data = json.loads((ROOT / "staff" / "orgdata" / "shape_b.json").read_text(encoding="utf-8"))
    org_import(data=data)
    posts = Position.objects.all()
    assert posts.count() == JobDescription.objects.count() == 20
    roles = set(posts.values_list("role", flat=True))
    assert {"manager", "supervisor", "team_lead", "agent"} <= roles
    for jd in JobDescription.objects.prefetch_related("duties"):
        assert jd.purpose, jd.position.code
        assert all(d.tasks and all(t["name"] and t["frequency"] for t in d.tasks) for d in jd.duties.all())
    assert JobDescriptionVersion.objects.filter(number=1, in_effect=True).count() == 20
    org_import(data=data)  # again: nothing new
    assert JobDescriptionVersion.objects.count() == 20


def test_the_page_shows_each_holders_value_beside_the_target(receptionist, make_ticket, member):
    from django.test import Client

    from sla.models import Clock
    from tests.conftest import PASSWORD

    with time_machine.travel(NOW, tick=False):
        ticket = make_ticket(team="reception", by="agent2", assignee=member("agent2"), received_at=NOW)
    # Two of agent2's deadlines fell due this month: one met in time, one breached.
    clocks = list(Clock.objects.filter(ticket=ticket).order_by("pk"))
    Clock.objects.filter(pk=clocks[0].pk).update(state="met", due_at=datetime(2026, 11, 9, 17, 30, tzinfo=TZ))
    Clock.objects.filter(pk=clocks[1].pk).update(state="breached", due_at=datetime(2026, 11, 9, 17, 30, tzinfo=TZ),
                                                 breached_at=datetime(2026, 11, 9, 17, 30, tzinfo=TZ))
    with time_machine.travel(NOW, tick=False):
        client = Client(headers={"accept-language": "en"})
        assert client.login(username="agent5", password=PASSWORD)
        html = client.get("/org/positions/receptionist/").content.decode()
    assert f'<span class="figure-now">{member("agent2").name}: 50%</span>' in html
    assert f'<span class="figure-now">{member("agent5").name}: no data yet</span>' in html
