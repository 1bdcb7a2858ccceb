"""The admin's unit list is the org tree, depth first: each team right under its department, in the
reader's language."""

import pytest
from django.test import Client

from staff.models import Unit
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


def depth_first() -> list[str]:
    children: dict = {}
    for unit in Unit.objects.order_by("sort_order", "id"):
        children.setdefault(unit.parent_id, []).append(unit)
    order: list[str] = []

    def walk(parent_id):
        for unit in children.get(parent_id, []):
            order.append(unit.code)
            walk(unit.pk)

    walk(None)
    return order


def test_the_unit_list_is_the_tree_depth_first():
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    page = client.get("/admin/staff/unit/")
    assert page.status_code == 200
    listed = [unit.code for unit in page.context["cl"].result_list]
    assert listed == depth_first()
    assert len(listed) == Unit.objects.count()
    # A unit added later under the first department still sits under it, not at the end.
    department = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by("sort_order", "id").first()
    Unit.objects.create(name="新班组", name_en="New team", code="new-team", kind=Unit.Kind.TEAM, parent=department)
    listed = [unit.code for unit in client.get("/admin/staff/unit/").context["cl"].result_list]
    assert listed == depth_first()
    assert listed[-1] != "new-team"  # (the model's ordering, by sort order and id, put it last)


def test_in_english_the_list_shows_english_names():
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    client.cookies["django_language"] = "en"
    html = client.get("/admin/staff/unit/").content.decode()
    reception = Unit.objects.get(code="reception")
    assert reception.name_en in html
    assert f"— {reception.name}" not in html
