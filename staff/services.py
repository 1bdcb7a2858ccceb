"""Every write to the org chart."""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from servicecenter.errors import DomainError
from staff.jd import jd_publish_direct
from staff.models import (
    ConcurrentPost,
    JobDescription,
    OrgStamp,
    Position,
    Role,
    Skill,
    StaffMember,
    Unit,
)
from staff.roles import group_name

User = get_user_model()


class StaffError(DomainError):
    pass


def _validated_save(instance: models.Model, **kwargs: Any) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise StaffError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    instance.save()


def staff_member_sync_groups(*, staff: StaffMember) -> set[str]:
    """Put the user in the groups of the roles of every post held (primary and concurrent)."""
    roles = set(
        Position.objects.filter(pk__in=[staff.position_id, *staff.concurrent_posts.values_list("pk", flat=True)])
        .values_list("role", flat=True)
    ) if staff.is_active else set()
    user = staff.user
    role_groups = Group.objects.filter(name__startswith="role:")
    wanted = [g for g in role_groups if g.name in {group_name(r) for r in roles}]
    user.groups.remove(*[g for g in role_groups if g not in wanted])
    user.groups.add(*wanted)
    is_staff = user.is_superuser or Role.ADMIN in roles
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    return roles


@transaction.atomic
def staff_member_set_concurrent_posts(*, staff: StaffMember, positions: Iterable[Position]) -> None:
    OrgStamp.lock()
    wanted = {p.pk for p in positions}
    ConcurrentPost.objects.filter(staff=staff).exclude(position_id__in=wanted).delete()
    for position_id in wanted - set(staff.concurrent_assignments.values_list("position_id", flat=True)):
        ConcurrentPost.objects.create(staff=staff, position_id=position_id)
    staff_member_sync_groups(staff=staff)


def _job_description_import(*, position: Position, data: dict[str, Any], user: Any = None) -> JobDescription:
    """Write a whole job description (import, or an admin through the API): a new version, published and
    in effect at once, unless it is what is in effect already."""
    jd = JobDescription.objects.filter(position=position).first() or JobDescription(position=position)
    jd_publish_direct(jd=jd, document=data, user=user)
    return jd


@transaction.atomic
def org_import(*, data: dict[str, Any], password: str | None = None,
               log: Callable[[str], object] | None = None) -> dict[str, int]:
    """Load an org shape from plain data (units with positions and children, then staff).

    Idempotent: everything is matched by its code (staff by employee number), so running it again
    updates in place and adds nothing. ``reports_to`` names a position code anywhere in the data.
    """
    OrgStamp.lock()
    say = log or (lambda _msg: None)
    counts = {"skills": 0, "units": 0, "positions": 0, "staff": 0}
    for skill in data.get("skills", []):
        Skill.objects.update_or_create(code=skill["code"], defaults={k: v for k, v in skill.items() if k != "code"})
        counts["skills"] += 1

    reports_to: dict[str, str | None] = {}

    def load_unit(node: dict[str, Any], parent: Unit | None, order: int) -> None:
        unit, _c = Unit.objects.update_or_create(
            code=node["code"],
            defaults={"name": node["name"], "name_en": node.get("name_en", ""), "kind": node["kind"],
                      "field_team": node.get("field_team", False), "parent": parent, "sort_order": order},
        )
        if node.get("skills"):
            unit.skills.set(Skill.objects.filter(code__in=node["skills"]))
        counts["units"] += 1
        for index, raw in enumerate(node.get("positions", [])):
            spec = dict(raw)
            jd = spec.pop("job_description", None)
            reports_to[spec["code"]] = superior_code = spec.pop("reports_to", None)
            # A superior loaded earlier is set at once, so a new post is saved (and versioned) once.
            superior = Position.objects.filter(code=superior_code).first() if superior_code else None
            position, _c = Position.objects.update_or_create(
                code=spec.pop("code"),
                defaults={**spec, "unit": unit, "sort_order": index, "reports_to": superior},
            )
            if jd is not None:
                _job_description_import(position=position, data=dict(jd))
            counts["positions"] += 1
        for index, child in enumerate(node.get("children", [])):
            load_unit(child, unit, index)

    for index, root in enumerate(data.get("units", [])):
        load_unit(root, None, index)
    say(_("Units and positions loaded: %(units)d units, %(positions)d positions.") % counts)

    by_code = {p.code: p for p in Position.objects.filter(code__in=reports_to)}
    superiors = {p.code: p for p in Position.objects.filter(code__in=[c for c in reports_to.values() if c])}
    for code, superior_code in reports_to.items():
        if superior_code and superior_code not in superiors:
            raise StaffError(_("Position %(code)s reports to an unknown position %(superior)s.")
                             % {"code": code, "superior": superior_code})
        position = by_code[code]
        superior = superiors.get(superior_code) if superior_code else None
        if position.reports_to_id != (superior.pk if superior else None):
            position.reports_to = superior
            _validated_save(position)

    for person in data.get("staff", []):
        staff_member_import(data=person, password=password)
        counts["staff"] += 1
    say(_("Staff loaded: %(staff)d people.") % counts)
    return counts


@transaction.atomic
def org_add_missing(*, data: dict[str, Any], password: str | None = None,
                    log: Callable[[str], object] | None = None) -> dict[str, int]:
    """Add from org data what the database has never had; change nothing that is there.

    ``seed_demo`` runs this at every start of ``make demo``, so an admin's work must survive it. Units
    and positions are matched by code, staff by employee number, a job description by its position:
    one that exists is left exactly as it is (where an admin moved it, its headcount, its superior, its
    text, its holders), and one that ever existed (its history has it: deleted, or its code changed)
    is not made again. A missing part of a unit that is gone is not made either. Skills, which keep no
    history, are added when their code is missing. Writes nothing, and no history, when nothing is
    missing. Returns how many of each were added.
    """
    OrgStamp.lock()
    say = log or (lambda _msg: None)
    added = {"skills": 0, "units": 0, "positions": 0, "job_descriptions": 0, "staff": 0}
    added["skills"] = _skills_add_missing(data.get("skills", []))
    org = _MissingOrg(data.get("units", []), added)
    for index, root in enumerate(data.get("units", [])):
        org.add_unit(root, None, index)
    org.link_later_superiors()
    added["staff"] = _staff_add_missing(data.get("staff", []), password=password)
    say(_("Added what was missing: %(units)d units, %(positions)d positions, %(job_descriptions)d job "
          "descriptions, %(staff)d staff; what exists is left as it is.") % added)
    return added


def _skills_add_missing(specs: list[dict[str, Any]]) -> int:
    skills = set(Skill.objects.values_list("code", flat=True))
    count = 0
    for skill in specs:
        if skill["code"] not in skills:
            Skill.objects.create(**skill)
            count += 1
    return count


def _position_codes(nodes: list[dict[str, Any]]) -> set[str]:
    """The codes of the positions in these units and all their sub-units."""
    codes: set[str] = set()
    for node in nodes:
        codes.update(spec["code"] for spec in node.get("positions", []))
        codes |= _position_codes(node.get("children", []))
    return codes


class _MissingOrg:
    """``org_add_missing``'s walk of the units: what exists, what ever existed, and what it added."""

    def __init__(self, roots: list[dict[str, Any]], added: dict[str, int]) -> None:
        self.added = added
        self.units = {u.code: u for u in Unit.objects.all()}
        self.positions = {p.code: p for p in Position.objects.all()}
        # Everything that ever was, including what exists now (history keeps the creation of each row).
        self.ever_units = set(Unit.history.values_list("code", flat=True)) | set(self.units)
        self.ever_positions = set(Position.history.values_list("code", flat=True)) | set(self.positions)
        self.ever_described = set(JobDescription.history.values_list("position_id", flat=True)) | set(
            JobDescription.objects.values_list("position_id", flat=True))
        self.in_data = _position_codes(roots)
        self.later: list[tuple[Position, str]] = []  # new posts whose superior comes later in the data

    def add_unit(self, node: dict[str, Any], parent: Unit | None, order: int) -> None:
        unit = self.units.get(node["code"])
        if unit is None:
            if node["code"] in self.ever_units:
                return  # an admin removed it (or renamed it): so stays what was in it
            unit = Unit.objects.create(code=node["code"], name=node["name"], name_en=node.get("name_en", ""),
                                       kind=node["kind"], field_team=node.get("field_team", False), parent=parent,
                                       sort_order=order)
            if node.get("skills"):
                unit.skills.set(Skill.objects.filter(code__in=node["skills"]))
            self.units[unit.code] = unit
            self.added["units"] += 1
        for index, raw in enumerate(node.get("positions", [])):
            self.add_position(raw, unit, index)
        for index, child in enumerate(node.get("children", [])):
            self.add_unit(child, unit, index)

    def add_position(self, raw: dict[str, Any], unit: Unit, index: int) -> None:
        spec = dict(raw)
        description = spec.pop("job_description", None)
        superior_code = spec.pop("reports_to", None)
        code = spec.pop("code")
        if superior_code and superior_code not in self.in_data and superior_code not in self.positions:
            raise StaffError(_("Position %(code)s reports to an unknown position %(superior)s.")
                             % {"code": code, "superior": superior_code})
        position = self.positions.get(code)
        if position is None:
            if code in self.ever_positions:
                return
            position = Position.objects.create(code=code, unit=unit, sort_order=index,
                                               reports_to=self.positions.get(superior_code), **spec)
            self.positions[code] = position
            self.added["positions"] += 1
            if superior_code and position.reports_to_id is None:
                self.later.append((position, superior_code))
        if description is not None and position.pk not in self.ever_described:
            _job_description_import(position=position, data=dict(description))
            self.added["job_descriptions"] += 1

    def link_later_superiors(self) -> None:
        """New posts whose superior came later in the data report to it now, if it was added."""
        for position, superior_code in self.later:
            if superior_code in self.positions:
                position.reports_to = self.positions[superior_code]
                _validated_save(position)


def _staff_add_missing(people: list[dict[str, Any]], *, password: str | None) -> int:
    """Import the people who never had a staff record and whose user has none; keep existing users as they are."""
    staff_numbers = set(StaffMember.objects.values_list("employee_no", flat=True))
    ever_staff = set(StaffMember.history.values_list("employee_no", flat=True)) | staff_numbers
    users_with_staff = set(StaffMember.objects.values_list("user__username", flat=True))
    count = 0
    for person in people:
        username = person.get("username") or person["employee_no"].lower()
        if person["employee_no"] in ever_staff or username in users_with_staff:
            continue
        staff_member_import(data=person, password=password, keep_existing_user=True)
        count += 1
    return count


@transaction.atomic
def staff_member_import(*, data: dict[str, Any], password: str | None = None,
                        keep_existing_user: bool = False) -> StaffMember:
    """Create or update a staff member (and their user) from org data. With ``keep_existing_user`` an
    account that already exists keeps its password and rights, and posts that are gone are skipped."""
    OrgStamp.lock()
    username = data.get("username") or data["employee_no"].lower()
    user, created = User.objects.get_or_create(username=username, defaults={"email": data.get("email", "")})
    if keep_existing_user and not created:
        password = None
        data = {**data, "superuser": False}
    if password and (created or not user.has_usable_password()):
        user.set_password(password)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if data.get("superuser") and not user.is_superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    code, position = data.get("position"), None
    if code:
        position = Position.objects.filter(code=code).first() if keep_existing_user else Position.objects.get(code=code)
    agent_no = data.get("agent_no")
    if keep_existing_user and agent_no and StaffMember.objects.filter(agent_no=agent_no).exists():
        agent_no = None  # an admin gave that agent number to someone else
    staff, _c = StaffMember.objects.update_or_create(
        employee_no=data["employee_no"],
        defaults={"user": user, "name": data["name"], "agent_no": agent_no, "position": position,
                  "phone": data.get("phone", ""), "is_active": data.get("is_active", True)},
    )
    if "skills" in data:
        staff.skills.set(Skill.objects.filter(code__in=data["skills"]))
    staff_member_set_concurrent_posts(
        staff=staff, positions=Position.objects.filter(code__in=data.get("concurrent", []))
    )
    return staff


def unit_save(*, instance: Unit | None = None, **fields: Any) -> Unit:
    unit = instance or Unit()
    for name, value in fields.items():
        setattr(unit, name, value)
    if unit.pk and unit.parent_id and (
        Unit.objects.descendants(unit, include_self=True).filter(pk=unit.parent_id).exists()
    ):
        raise StaffError(_("A unit cannot be placed under itself or one of its own sub-units."))
    with transaction.atomic():
        _validated_save(unit)
    return unit


def position_save(*, instance: Position | None = None, job_description: dict[str, Any] | None = None,
                  user: Any = None, **fields: Any) -> Position:
    position = instance or Position()
    for name, value in fields.items():
        setattr(position, name, value)
    with transaction.atomic():
        OrgStamp.lock()
        _validated_save(position)
        if job_description is not None:
            _job_description_import(position=position, data=dict(job_description), user=user)
    return position


def position_delete(*, position: Position) -> None:
    if position.holders.exists() or position.concurrent_assignments.exists() or position.direct_reports.exists():
        raise StaffError(_("This position still has holders or subordinate positions; move them first."))
    with transaction.atomic():
        OrgStamp.lock()
        position.delete()


def unit_delete(*, unit: Unit) -> None:
    if unit.children.exists() or unit.positions.exists():
        raise StaffError(_("This unit still has sub-units or positions; move them first."))
    unit.delete()
