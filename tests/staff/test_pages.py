"""Login, the org chart in both languages, the printable job description, and fixed query counts."""

import pytest
from django.test import Client

from staff.models import Position, Unit
from tests.conftest import PASSWORD
from tests.factories import PositionFactory, StaffMemberFactory, UnitFactory

DEMO_USERS = ["admin", "director", "supervisor1", "lead1", "agent1", "agent2"]


def client_for(username: str, language: str = "zh-hans") -> Client:
    client = Client(headers={"accept-language": language})
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_anonymous_gets_the_login_page():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    page = Client().get("/login/")
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()


@pytest.mark.parametrize("username", DEMO_USERS)
def test_each_demo_user_logs_in(shape_a, username):
    response = Client().post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_is_refused(shape_a):
    response = Client().post("/login/", {"username": "agent1", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_org_chart_in_chinese(shape_a):
    html = client_for("agent1").get("/org/").content.decode()
    assert "客服部" in html
    assert "行政部" in html
    assert "组织架构" in html  # the page title, translated
    assert "编制外" in html  # drivers, outside the establishment


def test_org_chart_in_english(shape_a):
    html = client_for("agent1", "en").get("/org/").content.decode()
    assert "Customer Service Dept" in html
    assert "Administration Dept" in html
    assert "Org chart" in html
    assert "Headcount: 19 planned, 16 filled, 3 vacant." in html


def test_language_switch_sets_the_cookie(shape_a):
    client = client_for("agent1")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/org/"})
    assert response.status_code == 302
    assert "Customer Service Dept" in client.get("/org/").content.decode()


def test_org_chart_query_count_is_fixed(shape_a, count_queries):
    client = client_for("director")
    small = count_queries(lambda: client.get("/org/"))
    for _ in range(5):
        unit = UnitFactory(parent=Unit.objects.get(code="cs-dept"))
        for _ in range(4):
            StaffMemberFactory(position=PositionFactory(unit=unit))
    assert (small, count_queries(lambda: client.get("/org/"))) == (11, 11)  # with the job descriptions waiting for them


def test_job_description_page_is_printable(shape_a):
    html = client_for("agent2").get("/org/positions/receptionist/").content.decode()
    assert "接听服务热线" in html
    assert "15秒内接听→标准问候语“您好，**号为您服务”" in html  # a task's key process
    assert "≥ 95%" in html
    assert "接待服务副经理" in html  # the direct superior, read from the org chart
    assert 'media="print"' in html


def test_unknown_position_is_404(shape_a):
    assert client_for("agent2").get("/org/positions/nope/").status_code == 404


def test_admin_sees_job_description_history(shape_a):
    from staff.services import position_save

    position = Position.objects.get(code="receptionist")
    position_save(instance=position, job_description={"purpose": "新的工作目的"})
    client = client_for("admin")
    jd = position.job_description
    response = client.get(f"/admin/staff/jobdescription/{jd.pk}/history/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr") >= 3  # header + two versions
