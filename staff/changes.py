"""Dated, reasoned changes to the org chart, with their impact shown before they are confirmed.

One change is one :class:`~staff.models.OrgChange`: what (``kind`` and ``payload``), why (``reason``)
and from when (``effective_on``). The flow, the same from the org page, the API and the tests:

1. :func:`change_check` turns what a person typed into a :class:`Change` against the org as it
   stands, or raises :class:`ChangeError` naming each bad field; nothing is written.
2. :func:`change_impact` tries it on a copy of the org in memory (``staff.graph``): whose direct
   superior changes, which units' leads change, which posts fall vacant or go over establishment, and
   how many open tickets' next escalation would reach someone else (asked of the apps above through
   ``staff.hooks``).
3. :func:`org_change_submit` records it with that impact; dated today it is applied at once, dated
   later it waits as *scheduled* and :func:`org_changes_apply_due` applies it on that date (a beat
   task, and the escalation sweep before every run, so escalation always uses the org of the moment).
   Applying checks the change again against the org of that day; one that no longer fits is marked
   *failed* with the reason, and nothing of it is written. Applying twice applies once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecenter.errors import ConflictError, DomainError, ForbiddenError
from servicecenter.periods import EffectiveDateError, effective_date
from staff.access import scope_for
from staff.graph import OrgGraph, Post
from staff.hooks import open_tickets_in_unit, tickets_rerouted
from staff.models import ConcurrentPost, OrgChange, OrgStamp, Position, Role, StaffMember, Unit
from staff.selectors import AnyUser, user_is_org_admin
from staff.services import staff_member_sync_groups

Kind = OrgChange.Kind

CODE_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
NEW_ID = -1  # what a unit or post being added is called in the graph before it exists


class ChangeError(DomainError):
    """A change that cannot be made; ``errors`` maps each field (as the form names it) to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


@dataclass
class Change:
    """A checked change: its kind, the clean payload (ids and values), what it is about, in words."""

    kind: str
    payload: dict[str, Any]
    summary: str
    unit: Unit | None = None
    position: Position | None = None
    staff: StaffMember | None = None


# --- reading what was typed --------------------------------------------------------------------------


class _Reader:
    """Reads one change's fields, collecting an error per bad field instead of stopping at the first."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def _raw(self, name: str) -> Any:
        value = self.data.get(name)
        return value.strip() if isinstance(value, str) else value

    def text(self, name: str, *, required: bool = False, limit: int = 100) -> str:
        value = self._raw(name)
        text = "" if value is None else str(value)
        if required and not text:
            self.errors[name] = _("This field is required.")
        elif len(text) > limit:
            self.errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
        return text

    def code(self, name: str) -> str:
        code = self.text(name, required=True, limit=50)
        if code and not CODE_RE.match(code):
            self.errors[name] = _("Use letters, digits, hyphens and underscores only.")
        return code

    def flag(self, name: str, default: bool = False) -> bool:
        value = self._raw(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("1", "true", "on", "yes")

    def number(self, name: str, *, low: int = 0, high: int = 999) -> int | None:
        value = self._raw(name)
        if value in (None, ""):
            self.errors[name] = _("This field is required.")
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.errors[name] = _("Enter a whole number.")
            return None
        if not low <= number <= high:
            self.errors[name] = _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
            return None
        return number

    def _pk(self, name: str) -> int | None:
        value = self._raw(name)
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return 0

    def unit(self, name: str, *, required: bool = True) -> Unit | None:
        pk = self._pk(name)
        if pk is None:
            if required:
                self.errors[name] = _("Choose a unit.")
            return None
        unit: Unit | None = Unit.objects.filter(pk=pk, closed_at__isnull=True).first()
        if unit is None:
            self.errors[name] = _("No such open unit.")
        return unit

    def position(self, name: str, *, required: bool = True) -> Position | None:
        pk = self._pk(name)
        if pk is None:
            if required:
                self.errors[name] = _("Choose a post.")
            return None
        position = Position.objects.select_related("unit").filter(pk=pk, closed_at__isnull=True).first()
        if position is None:
            self.errors[name] = _("No such open post.")
        return position

    def person(self, name: str) -> StaffMember | None:
        pk = self._pk(name)
        person = StaffMember.objects.select_related("position").filter(pk=pk, is_active=True).first() if pk else None
        if person is None:
            self.errors[name] = _("Choose a person.") if pk is None else _("No such active person.")
        return person

    def choice(self, name: str, choices: Any, default: str) -> str:
        value = self.text(name, limit=30) or default
        if value not in choices.values:
            self.errors[name] = _("Not one of the choices.")
        return value


def _superior_loop(position_id: int, superior: Position | None) -> bool:
    """Whether reporting to ``superior`` would close a loop through ``position_id``."""
    seen: set[int] = set()
    current = superior
    while current is not None and current.pk not in seen:
        if current.pk == position_id:
            return True
        seen.add(current.pk)
        current = current.reports_to
    return False


def _holders_count(position: Position) -> int:
    return (StaffMember.objects.filter(position=position, is_active=True).count()
            + ConcurrentPost.objects.filter(position=position, staff__is_active=True).count())


def _check_unit_add(r: _Reader) -> Change:
    parent = r.unit("parent")
    code, name = r.code("code"), r.text("name", required=True)
    name_en, kind = r.text("name_en"), r.choice("kind", Unit.Kind, Unit.Kind.TEAM)
    if code and Unit.objects.filter(code=code).exists():
        r.errors["code"] = _("A unit with this code exists already.")
    payload = {"parent": parent.pk if parent else None, "code": code, "name": name, "name_en": name_en,
               "kind": kind, "field_team": r.flag("field_team")}
    return Change(Kind.UNIT_ADD, payload, _("Add unit %(name)s under %(parent)s") % {
        "name": name, "parent": parent}, unit=parent)


def _check_unit_update(r: _Reader) -> Change:
    unit = r.unit("unit")
    name, name_en = r.text("name", required=True), r.text("name_en")
    payload = {"unit": unit.pk if unit else None, "name": name, "name_en": name_en,
               "field_team": r.flag("field_team", default=bool(unit and unit.field_team))}
    return Change(Kind.UNIT_UPDATE, payload, _("Rename unit %(old)s to %(new)s") % {"old": unit, "new": name},
                  unit=unit)


def _check_unit_move(r: _Reader) -> Change:
    unit, parent = r.unit("unit"), r.unit("parent")
    superior = r.position("reports_to", required=False)
    if unit and parent:
        if Unit.objects.descendants(unit, include_self=True).filter(pk=parent.pk).exists():
            r.errors["parent"] = _("A unit cannot be placed under itself or one of its own sub-units.")
        elif unit.parent_id == parent.pk and superior is None:
            r.errors["parent"] = _("The unit is already there.")
    if unit and superior and superior.unit_id in set(
            Unit.objects.descendants(unit, include_self=True).values_list("pk", flat=True)):
        r.errors["reports_to"] = _("The unit's posts cannot report to a post inside the unit itself.")
    payload = {"unit": unit.pk if unit else None, "parent": parent.pk if parent else None,
               "reports_to": superior.pk if superior else None}
    summary = _("Move unit %(unit)s under %(parent)s") % {"unit": unit, "parent": parent}
    if superior:
        summary += _(", its posts reporting to %(post)s") % {"post": superior}
    return Change(Kind.UNIT_MOVE, payload, summary, unit=unit)


def _check_unit_close(r: _Reader) -> Change:
    unit = r.unit("unit")
    if unit:
        below = list(Unit.objects.descendants(unit, include_self=True).values_list("pk", flat=True))
        if Unit.objects.filter(parent=unit, closed_at__isnull=True).exists():
            r.errors["unit"] = _("This unit still has open sub-units; close or move them first.")
        elif Position.objects.filter(unit_id__in=below, closed_at__isnull=True).exists():
            r.errors["unit"] = _("This unit still has open posts; close or move them first.")
        elif (tickets := sum(open_tickets_in_unit(unit_ids=below))):
            r.errors["unit"] = _("%(count)d open tickets are in this unit's queue; transfer them first.") % {
                "count": tickets}
    return Change(Kind.UNIT_CLOSE, {"unit": unit.pk if unit else None}, _("Close unit %(unit)s") % {"unit": unit},
                  unit=unit)


def _post_fields(r: _Reader, position: Position | None) -> dict[str, Any]:
    title = r.text("title", required=True)
    superior = r.position("reports_to", required=False)
    if position and superior and _superior_loop(position.pk, superior):
        r.errors["reports_to"] = _("A position cannot report to itself or to its own subordinate.")
    headcount = r.number("headcount", low=0, high=999)
    if position and headcount is not None and headcount < (holders := _holders_count(position)):
        r.errors["headcount"] = _("The headcount cannot be below the %(holders)d people who hold the post now; "
                                  "move them first.") % {"holders": holders}
    return {"title": title, "title_en": r.text("title_en"), "grade": r.text("grade", limit=20),
            "role": r.choice("role", Role, position.role if position else Role.AGENT),
            "reports_to": superior.pk if superior else None, "headcount": headcount,
            "in_establishment": r.flag("in_establishment", default=position.in_establishment if position else True),
            "concurrent_allowed": r.flag("concurrent_allowed",
                                         default=position.concurrent_allowed if position else False)}


def _check_position_add(r: _Reader) -> Change:
    unit = r.unit("unit")
    code = r.code("code")
    if code and Position.objects.filter(code=code).exists():
        r.errors["code"] = _("A post with this code exists already.")
    payload = {"unit": unit.pk if unit else None, "code": code, **_post_fields(r, None)}
    return Change(Kind.POSITION_ADD, payload, _("Add post %(title)s in %(unit)s") % {
        "title": payload["title"], "unit": unit}, unit=unit)


def _check_position_update(r: _Reader) -> Change:
    position = r.position("position")
    unit = r.unit("unit", required=False) or (position.unit if position else None)
    payload = {"position": position.pk if position else None, "unit": unit.pk if unit else None,
               **_post_fields(r, position)}
    return Change(Kind.POSITION_UPDATE, payload, _("Change post %(post)s") % {"post": position},
                  position=position, unit=unit)


def _check_position_close(r: _Reader) -> Change:
    position = r.position("position")
    if position:
        if holders := _holders_count(position):
            r.errors["position"] = _("%(count)d people hold this post; move them or end their concurrent posts "
                                     "first.") % {"count": holders}
        elif Position.objects.filter(reports_to=position, closed_at__isnull=True).exists():
            r.errors["position"] = _("Other posts report to this post; give them another superior first.")
    return Change(Kind.POSITION_CLOSE, {"position": position.pk if position else None},
                  _("Close post %(post)s") % {"post": position}, position=position)


def _check_staff_assign(r: _Reader) -> Change:
    person = r.person("staff")
    position = r.position("position", required=False)
    if person and position and person.position_id == position.pk:
        r.errors["position"] = _("%(name)s already holds this post.") % {"name": person.name}
    if person and position and ConcurrentPost.objects.filter(staff=person, position=position).exists():
        r.errors["position"] = _("%(name)s holds this post concurrently; end that first.") % {"name": person.name}
    summary = (_("Move %(name)s to %(post)s") % {"name": person, "post": position} if position
               else _("Take %(name)s off their post") % {"name": person})
    return Change(Kind.STAFF_ASSIGN, {"staff": person.pk if person else None,
                                      "position": position.pk if position else None}, summary,
                  staff=person, position=position)


def _check_concurrent(r: _Reader, *, add: bool) -> Change:
    person, position = r.person("staff"), r.position("position")
    if person and position:
        holds = ConcurrentPost.objects.filter(staff=person, position=position).exists()
        if add and holds:
            r.errors["position"] = _("%(name)s already holds this post concurrently.") % {"name": person.name}
        elif add and person.position_id == position.pk:
            r.errors["position"] = _("This is %(name)s's own post.") % {"name": person.name}
        elif add and not position.concurrent_allowed:
            r.errors["position"] = _("This post may not be held concurrently.")
        elif not add and not holds:
            r.errors["position"] = _("%(name)s does not hold this post concurrently.") % {"name": person.name}
    words = _("Give %(name)s the concurrent post %(post)s") if add else _("End %(name)s's concurrent post %(post)s")
    return Change(Kind.CONCURRENT_ADD if add else Kind.CONCURRENT_END,
                  {"staff": person.pk if person else None, "position": position.pk if position else None},
                  words % {"name": person, "post": position}, staff=person, position=position)


def _check_leave(r: _Reader) -> Change:
    person = r.person("staff")
    on_leave = r.flag("on_leave", default=True)
    if person and person.on_leave == on_leave:
        r.errors["on_leave"] = (_("%(name)s is already on leave.") if on_leave
                                else _("%(name)s is not on leave.")) % {"name": person.name}
    words = _("%(name)s goes on leave") if on_leave else _("%(name)s is back from leave")
    return Change(Kind.LEAVE, {"staff": person.pk if person else None, "on_leave": on_leave},
                  words % {"name": person}, staff=person)


_CHECKS = {
    Kind.UNIT_ADD: _check_unit_add,
    Kind.UNIT_UPDATE: _check_unit_update,
    Kind.UNIT_MOVE: _check_unit_move,
    Kind.UNIT_CLOSE: _check_unit_close,
    Kind.POSITION_ADD: _check_position_add,
    Kind.POSITION_UPDATE: _check_position_update,
    Kind.POSITION_CLOSE: _check_position_close,
    Kind.STAFF_ASSIGN: _check_staff_assign,
    Kind.CONCURRENT_ADD: lambda r: _check_concurrent(r, add=True),
    Kind.CONCURRENT_END: lambda r: _check_concurrent(r, add=False),
    Kind.LEAVE: _check_leave,
}


def change_check(*, kind: str, data: dict[str, Any]) -> Change:
    """What was typed, checked against the org as it stands: a :class:`Change`, or :class:`ChangeError`."""
    check = _CHECKS.get(kind)  # type: ignore[call-overload]
    if check is None:
        raise ChangeError({"kind": _("Not a kind of org change.")})
    reader = _Reader(data)
    change: Change = check(reader)
    if reader.errors:
        raise ChangeError(reader.errors)
    return change


# --- trying it in memory ----------------------------------------------------------------------------


def _try_unit_move(graph: OrgGraph, p: dict[str, Any]) -> None:
    graph.unit_parent[p["unit"]] = p["parent"]
    if p["reports_to"] is not None:
        for post in graph.posts.values():
            inside = post.unit_id == p["unit"]
            if inside and not post.closed and (post.reports_to is None
                                               or graph.posts[post.reports_to].unit_id != p["unit"]):
                post.reports_to = p["reports_to"]


def _try_position(graph: OrgGraph, p: dict[str, Any], pk: int) -> None:
    graph.posts[pk] = Post(p["reports_to"], p["unit"], p["role"], p["headcount"], p["in_establishment"])


def change_try(graph: OrgGraph, change: Change) -> OrgGraph:
    """The org after the change, on a copy of ``graph``."""
    after = graph.copy()
    p = change.payload
    kind = change.kind
    if kind == Kind.UNIT_ADD:
        after.unit_parent[NEW_ID] = p["parent"]
    elif kind == Kind.UNIT_MOVE:
        _try_unit_move(after, p)
    elif kind == Kind.UNIT_CLOSE:
        after.closed_units.add(p["unit"])
    elif kind == Kind.POSITION_ADD:
        _try_position(after, p, NEW_ID)
    elif kind == Kind.POSITION_UPDATE:
        _try_position(after, p, p["position"])
    elif kind == Kind.POSITION_CLOSE:
        after.posts[p["position"]].closed = True
    elif kind == Kind.STAFF_ASSIGN:
        after.people[p["staff"]].position_id = p["position"]
    elif kind in (Kind.CONCURRENT_ADD, Kind.CONCURRENT_END):
        positions = after.concurrent[p["staff"]]
        (positions.add if kind == Kind.CONCURRENT_ADD else positions.discard)(p["position"])
    elif kind == Kind.LEAVE:
        after.people[p["staff"]].on_leave = p["on_leave"]
    after.changed()
    return after


@dataclass
class Impact:
    """What a change does, as shown before it is confirmed and kept on the change."""

    superiors: list[dict[str, Any]] = field(default_factory=list)  # person, before, after
    leads: list[dict[str, Any]] = field(default_factory=list)  # unit, before, after
    vacant: list[dict[str, Any]] = field(default_factory=list)  # posts falling vacant
    over: list[dict[str, Any]] = field(default_factory=list)  # posts going over establishment
    tickets: int = 0  # open tickets whose next escalation reaches someone else

    def as_dict(self) -> dict[str, Any]:
        return {"superiors": self.superiors, "leads": self.leads, "vacant": self.vacant, "over": self.over,
                "tickets": self.tickets}


def _name(graph: OrgGraph, staff_id: int | None) -> str | None:
    return graph.people[staff_id].name if staff_id is not None and staff_id in graph.people else None


def _post_states(before: OrgGraph, after: OrgGraph) -> tuple[list[int], list[int]]:
    vacant, over = [], []
    for pk, post in after.posts.items():
        if post.closed:
            continue
        was = before.posts.get(pk)
        filled_before = before.filled(pk) if was else 0
        headcount_before = was.headcount if was and not was.closed else 0
        filled = after.filled(pk)
        if filled < post.headcount and (was is None or filled_before >= headcount_before or filled < filled_before):
            vacant.append(pk)
        if filled > post.headcount and filled_before <= headcount_before:
            over.append(pk)
    return vacant, over


def change_impact(change: Change, *, graph: OrgGraph | None = None) -> Impact:
    """Whose superior, which leads, which posts and how many tickets the change touches. The org is read
    in four queries, the tickets asked of the apps above in two, whatever the size."""
    before = graph if graph is not None else OrgGraph.load()
    after = change_try(before, change)
    impact = Impact()
    for staff_id, person in sorted(before.people.items(), key=lambda item: item[1].name):
        old, new = before.superior(staff_id), after.superior(staff_id)
        if old != new:
            impact.superiors.append({"staff": staff_id, "name": person.name, "before": _name(before, old),
                                     "after": _name(after, new)})
    for unit_id in sorted(set(before.unit_parent) - before.closed_units):
        old, new = before.lead_of(unit_id), after.lead_of(unit_id)
        if old != new:
            impact.leads.append({"unit": unit_id, "before": _name(before, old), "after": _name(after, new)})
    vacant, over = _post_states(before, after)
    names = dict(Position.objects.filter(pk__in=vacant + over).values_list("pk", "title")) if vacant or over else {}
    new_title = change.payload.get("title", "")
    for key, pks in (("vacant", vacant), ("over", over)):
        getattr(impact, key).extend(
            {"position": pk, "title": names.get(pk, new_title), "headcount": after.posts[pk].headcount,
             "filled": after.filled(pk)} for pk in pks)
    _unit_titles(impact)
    impact.tickets = sum(tickets_rerouted(before=before, after=after))
    return impact


def _unit_titles(impact: Impact) -> None:
    if impact.leads:
        names = dict(Unit.objects.filter(pk__in=[row["unit"] for row in impact.leads]).values_list("pk", "name"))
        for row in impact.leads:
            row["name"] = names.get(row["unit"], "")


# --- recording and applying ---------------------------------------------------------------------------


def may_edit_org(user: AnyUser | None) -> bool:
    return user_is_org_admin(user)


def _effective(value: date | str | None, today: date) -> date:
    try:
        return effective_date(value, today)
    except EffectiveDateError as exc:
        raise ChangeError({"effective_on": _("Enter a date as YYYY-MM-DD.") if exc.reason == "format"
                           else _("A change cannot take effect in the past.")}) from None


def may_preview(user: AnyUser | None) -> bool:
    """Org admins, and leaders (who see what a proposed change would do to their people before asking)."""
    return may_edit_org(user) or scope_for(user).may_lead


def change_preview(*, user: AnyUser | None, kind: str, data: dict[str, Any]) -> tuple[Change, Impact]:
    if not may_preview(user):
        raise ForbiddenError(_("Only org administrators and leaders may see what an org change would do."))
    change = change_check(kind=kind, data=data)
    return change, change_impact(change)


def org_change_submit(*, user: AnyUser, kind: str, data: dict[str, Any], reason: str,
                      effective_on: date | str | None = None, now: datetime | None = None) -> OrgChange:
    """Record a confirmed change with its reason and impact; apply it now if it is dated today."""
    if not may_edit_org(user):
        raise ForbiddenError(_("Only org administrators may change the org chart."))
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the change; it is kept with it.")
    elif len(reason) > 500:
        errors["reason"] = _("At most %(limit)d characters.") % {"limit": 500}
    try:
        effective = _effective(effective_on, today)
    except ChangeError as exc:
        errors.update(exc.errors)
        effective = today
    try:
        change = change_check(kind=kind, data=data)
    except ChangeError as exc:
        raise ChangeError({**exc.errors, **errors}) from None
    if errors:
        raise ChangeError(errors)
    impact = change_impact(change)
    with transaction.atomic():
        record = OrgChange.objects.create(
            kind=change.kind, payload=change.payload, summary=change.summary[:400], effective_on=effective,
            reason=reason, impact=impact.as_dict(), requested_by=user if user.is_authenticated else None,
            requested_at=now, unit=change.unit, position=change.position, staff=change.staff)
        if effective <= today:
            _apply(record, now=now)
            if record.state == OrgChange.State.FAILED:
                raise ChangeError({"": record.failure})
    return record


def org_change_cancel(*, user: AnyUser, change: OrgChange) -> OrgChange:
    if not may_edit_org(user):
        raise ForbiddenError(_("Only org administrators may change the org chart."))
    with transaction.atomic():
        change = OrgChange.objects.select_for_update().get(pk=change.pk)
        if change.state != OrgChange.State.SCHEDULED:
            raise ConflictError(_("Only a scheduled change can be cancelled; this one is %(state)s.")
                                % {"state": change.get_state_display()})
        change.state = OrgChange.State.CANCELLED
        change.cancelled_by = user if user.is_authenticated else None
        change.save(update_fields=["state", "cancelled_by"])
    return change


def org_change_apply(*, change_id: int, now: datetime | None = None) -> OrgChange:
    """Apply one scheduled change (idempotent: a change applied, failed or cancelled is left as it is)."""
    with transaction.atomic():
        change = OrgChange.objects.select_for_update().get(pk=change_id)
        if change.state == OrgChange.State.SCHEDULED:
            _apply(change, now=now or timezone.now())
    return change


def org_changes_apply_due(*, now: datetime | None = None) -> int:
    """Apply every scheduled change whose date has come, oldest date first; returns how many were applied."""
    now = now or timezone.now()
    due = list(OrgChange.objects.filter(state=OrgChange.State.SCHEDULED, effective_on__lte=timezone.localdate(now))
               .order_by("effective_on", "requested_at", "id").values_list("pk", flat=True))
    return sum(org_change_apply(change_id=pk, now=now).state == OrgChange.State.APPLIED for pk in due)


def _apply(change: OrgChange, *, now: datetime) -> None:
    """Check the change against the org of today and write it, or mark it failed; the row is locked."""
    change.applied_at = now
    try:
        with transaction.atomic():
            OrgStamp.lock()  # before the rows the change locks (staff.models.OrgStamp.lock)
            checked = change_check(kind=change.kind, data=change.payload)
            _write(checked, change)
    except DomainError as exc:
        change.state = OrgChange.State.FAILED
        change.failure = exc.message[:500]
        change.applied_at = None
    else:
        change.state = OrgChange.State.APPLIED
    change.save(update_fields=["state", "failure", "applied_at"])


def _stamp(instance: Any, change: OrgChange) -> Any:
    """The history row of this write names the person who asked for the change and why."""
    instance._history_user = change.requested_by
    instance._change_reason = change.reason[:100]
    return instance


def _write(checked: Change, change: OrgChange) -> None:
    p = checked.payload
    kind = checked.kind
    if kind in (Kind.UNIT_ADD, Kind.UNIT_UPDATE, Kind.UNIT_MOVE, Kind.UNIT_CLOSE):
        _write_unit(checked, change)
    elif kind in (Kind.POSITION_ADD, Kind.POSITION_UPDATE):
        _write_position(checked, change)
    elif kind == Kind.POSITION_CLOSE:
        position = _stamp(Position.objects.get(pk=p["position"]), change)
        position.closed_at = change.applied_at
        position.save()
    else:
        person = _stamp(StaffMember.objects.select_for_update().get(pk=p["staff"]), change)
        if kind == Kind.STAFF_ASSIGN:
            person.position_id = p["position"]
            person.save()
        elif kind == Kind.LEAVE:
            person.on_leave = p["on_leave"]
            person.save()
        elif kind == Kind.CONCURRENT_ADD:
            ConcurrentPost.objects.create(staff=person, position_id=p["position"], note=change.reason[:200])
        else:
            ConcurrentPost.objects.filter(staff=person, position_id=p["position"]).delete()
        staff_member_sync_groups(staff=person)


def _write_unit(checked: Change, change: OrgChange) -> None:
    p = checked.payload
    if checked.kind == Kind.UNIT_ADD:
        unit = _stamp(Unit(code=p["code"], name=p["name"], name_en=p["name_en"], kind=p["kind"],
                           field_team=p["field_team"], parent_id=p["parent"],
                           sort_order=Unit.objects.filter(parent_id=p["parent"]).count()), change)
        unit.save()
        change.unit = unit
        change.save(update_fields=["unit"])
        return
    unit = _stamp(Unit.objects.get(pk=p["unit"]), change)
    if checked.kind == Kind.UNIT_UPDATE:
        unit.name, unit.name_en, unit.field_team = p["name"], p["name_en"], p["field_team"]
    elif checked.kind == Kind.UNIT_MOVE:
        unit.parent_id = p["parent"]
        if p["reports_to"] is not None:
            inside = Q(unit_id=unit.pk, closed_at__isnull=True)
            for position in Position.objects.filter(inside).exclude(reports_to__unit_id=unit.pk):
                position.reports_to_id = p["reports_to"]
                _stamp(position, change).save()
    else:
        unit.closed_at = change.applied_at
    unit.save()


def _write_position(checked: Change, change: OrgChange) -> None:
    p = checked.payload
    fields = {k: p[k] for k in ("title", "title_en", "grade", "role", "headcount", "in_establishment",
                                "concurrent_allowed")}
    if checked.kind == Kind.POSITION_ADD:
        position = Position(code=p["code"], unit_id=p["unit"], reports_to_id=p["reports_to"],
                            sort_order=Position.objects.filter(unit_id=p["unit"]).count(), **fields)
    else:
        position = Position.objects.get(pk=p["position"])
        for name, value in fields.items():
            setattr(position, name, value)
        position.unit_id, position.reports_to_id = p["unit"], p["reports_to"]
    _stamp(position, change).save()
    if checked.kind == Kind.POSITION_ADD:
        change.position = position
        change.save(update_fields=["position"])
    else:
        for person in StaffMember.objects.filter(Q(position=position) | Q(concurrent_assignments__position=position)):
            staff_member_sync_groups(staff=person)

