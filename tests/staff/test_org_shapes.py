"""Both real org shapes of domain.md §1 load as plain data and give the documented headcounts."""

import json

import pytest

from staff.models import Position, StaffMember, Unit
from staff.selectors import org_tree, unit_headcount
from staff.services import StaffError, org_import
from tests.conftest import SHAPE_A, load_shape


def test_shape_a_headcount_matches_the_domain(shape_a):
    assert shape_a == {"skills": 5, "units": 6, "positions": 14, "staff": 17}
    cs = unit_headcount("cs-dept")
    assert (cs.planned, cs.filled, cs.vacant) == (11, 9, 2)
    admin = unit_headcount("admin-dept")
    # 6 excluding drivers; the two drivers are outside the establishment and counted apart.
    assert (admin.planned, admin.filled, admin.vacant) == (6, 5, 1)
    assert (admin.outside_planned, admin.outside_filled) == (2, 2)
    center = unit_headcount("center")
    assert (center.planned, center.filled, center.vacant) == (19, 16, 3)


def test_shape_a_tree_order_and_depths(shape_a):
    assert [(n.unit.code, n.depth) for n in org_tree()] == [
        ("center", 0), ("cs-dept", 1), ("tech-region-1", 2), ("tech-region-2", 2), ("reception", 2),
        ("admin-dept", 1),
    ]


def test_concurrent_post_fills_the_admin_head(shape_a):
    node = unit_headcount("admin-dept")
    head = next(p for p in node.positions if p.code == "admin-head")
    assert (head.filled_primary, head.filled_concurrent, head.vacant) == (0, 1, 0)
    assert [a.staff.name for a in head.active_concurrent] == ["李秀梅"]


def test_shape_b_fits_the_same_model(shape_b):
    specialists = Position.objects.filter(code__endswith="-specialist")
    assert specialists.count() == 8
    assert sum(p.headcount for p in specialists) == 80
    assert StaffMember.objects.filter(position__in=specialists).count() == 10
    service = unit_headcount("b-service")
    # manager 1 + supervisors 2 + team leads 8 + specialists 80
    assert (service.planned, service.filled) == (91, 14)
    assert Position.objects.filter(role="supervisor").values_list("code", flat=True).count() == 2
    # teams split by business line, then by channel: four levels below the company
    assert max(n.depth for n in org_tree()) == 4


def test_both_shapes_live_side_by_side(shape_a, shape_b):
    assert Unit.objects.filter(parent=None).count() == 2
    assert unit_headcount("cs-dept").planned == 11


def test_an_imported_post_is_saved_once(shape_a):
    assert Position.objects.get(code="tech-staff-1").history.count() == 1


def test_import_twice_adds_nothing(shape_a):
    before = (Unit.objects.count(), Position.objects.count(), StaffMember.objects.count())
    again = load_shape(SHAPE_A)
    assert again["staff"] == 17
    assert (Unit.objects.count(), Position.objects.count(), StaffMember.objects.count()) == before


def test_unknown_superior_is_refused_and_nothing_is_written(db):
    data = json.loads(SHAPE_A.read_text(encoding="utf-8"))
    data["units"][0]["positions"][1]["reports_to"] = "no-such-post"
    with pytest.raises(StaffError, match="no-such-post"):
        org_import(data=data)
    assert (Unit.objects.count(), Position.objects.count(), StaffMember.objects.count()) == (0, 0, 0)
