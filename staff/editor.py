"""The org editor's pages: a change's form, its impact and confirmation, the list of changes, history.

Every change goes the same way (``staff/changes.py``): the form (in place on the org chart, loaded by
htmx, or as a page of its own without JavaScript) → the impact, with the reason and the date it takes
effect → confirmed. A refused step shows the form again with what was typed and the reason beside the
field. Only org admins reach these pages; everyone else reads the chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from servicecenter.errors import DomainError
from staff.changes import (
    ChangeError,
    change_preview,
    may_edit_org,
    may_preview,
    org_change_cancel,
    org_change_submit,
)
from staff.models import ConcurrentPost, OrgChange, Position, Role, StaffMember, Unit, open_units

Kind = OrgChange.Kind


@dataclass(frozen=True)
class FieldSpec:
    label: str | Promise
    type: str  # unit, position, staff, text, number, check, choice
    required: bool = False
    help: str | Promise = ""


FIELD_SPECS: dict[str, FieldSpec] = {
    "unit": FieldSpec(gettext_lazy("Unit"), "unit", True),
    "parent": FieldSpec(gettext_lazy("Under unit"), "unit", True),
    "position": FieldSpec(gettext_lazy("Post"), "position", True),
    "staff": FieldSpec(gettext_lazy("Person"), "staff", True),
    "name": FieldSpec(gettext_lazy("Name"), "text", True),
    "name_en": FieldSpec(gettext_lazy("English name"), "text"),
    "title": FieldSpec(gettext_lazy("Title"), "text", True),
    "title_en": FieldSpec(gettext_lazy("English title"), "text"),
    "code": FieldSpec(gettext_lazy("Code"), "text", True, gettext_lazy("Letters, digits and hyphens; never changes.")),
    "kind": FieldSpec(gettext_lazy("Kind of unit"), "choice", True),
    "role": FieldSpec(gettext_lazy("Role"), "choice", True),
    "grade": FieldSpec(gettext_lazy("Grade"), "text"),
    "reports_to": FieldSpec(gettext_lazy("Reports to (superior post)"), "position"),
    "headcount": FieldSpec(gettext_lazy("Headcount (planned)"), "number", True),
    "in_establishment": FieldSpec(gettext_lazy("Counts toward the unit's headcount"), "check"),
    "concurrent_allowed": FieldSpec(gettext_lazy("May be held concurrently"), "check"),
    "field_team": FieldSpec(gettext_lazy("Field team (repairs can be dispatched to it)"), "check"),
    "on_leave": FieldSpec(gettext_lazy("On leave"), "check",
                          help=gettext_lazy("Escalations pass over a person on leave to the next person up.")),
}

KIND_FIELDS: dict[str, list[str]] = {
    Kind.UNIT_ADD: ["parent", "name", "name_en", "code", "kind", "field_team"],
    Kind.UNIT_UPDATE: ["unit", "name", "name_en", "field_team"],
    Kind.UNIT_MOVE: ["unit", "parent", "reports_to"],
    Kind.UNIT_CLOSE: ["unit"],
    Kind.POSITION_ADD: ["unit", "title", "title_en", "code", "role", "grade", "reports_to", "headcount",
                        "in_establishment", "concurrent_allowed"],
    Kind.POSITION_UPDATE: ["position", "title", "title_en", "unit", "role", "grade", "reports_to", "headcount",
                           "in_establishment", "concurrent_allowed"],
    Kind.POSITION_CLOSE: ["position"],
    Kind.STAFF_ASSIGN: ["staff", "position"],
    Kind.CONCURRENT_ADD: ["staff", "position"],
    Kind.CONCURRENT_END: ["staff", "position"],
    Kind.LEAVE: ["staff", "on_leave"],
}

# The field a change is about: fixed when the form is opened from that row of the chart.
SUBJECT = {Kind.UNIT_UPDATE: "unit", Kind.UNIT_MOVE: "unit", Kind.UNIT_CLOSE: "unit", Kind.POSITION_ADD: "unit",
           Kind.UNIT_ADD: "parent", Kind.POSITION_UPDATE: "position", Kind.POSITION_CLOSE: "position",
           Kind.STAFF_ASSIGN: "staff", Kind.CONCURRENT_ADD: "staff", Kind.CONCURRENT_END: "staff",
           Kind.LEAVE: "staff"}

# Help shown above a form, saying what the change does.
KIND_HELP: dict[str, str | Promise] = {
    Kind.UNIT_MOVE: gettext_lazy("To put a team under another manager, choose the post its posts will report to; "
                                 "the posts inside the unit keep their own superiors."),
    Kind.UNIT_CLOSE: gettext_lazy("A unit can be closed once it has no open posts, sub-units or tickets. Its "
                                  "tickets' history keeps its name."),
    Kind.POSITION_CLOSE: gettext_lazy("A post can be closed once nobody holds it and no post reports to it."),
    Kind.LEAVE: gettext_lazy("While someone is on leave, escalations go to the next person up."),
}


def _admin_only(request: HttpRequest) -> None:
    if not may_edit_org(request.user):
        raise PermissionDenied(_("Only org administrators may change the org chart."))


def _initial(kind: str, query: Any) -> dict[str, Any]:
    """The form's first values: the row it was opened from and, for an edit, what that row holds now."""
    data: dict[str, Any] = {name: query.get(name, "") for name in KIND_FIELDS[kind] if query.get(name)}
    if kind == Kind.UNIT_UPDATE and (unit := open_units().filter(pk=_int(data.get("unit"))).first()):
        data.update(name=unit.name, name_en=unit.name_en, field_team=unit.field_team)
    elif kind == Kind.UNIT_MOVE and (unit := open_units().filter(pk=_int(data.get("unit"))).first()):
        data.setdefault("parent", unit.parent_id or "")
    elif kind == Kind.POSITION_UPDATE and (post := Position.objects.filter(pk=_int(data.get("position"))).first()):
        data.update(title=post.title, title_en=post.title_en, unit=post.unit_id, role=post.role, grade=post.grade,
                    reports_to=post.reports_to_id or "", headcount=post.headcount,
                    in_establishment=post.in_establishment, concurrent_allowed=post.concurrent_allowed)
    elif kind == Kind.POSITION_ADD:
        data.update(headcount=1, in_establishment=True)
    elif kind == Kind.LEAVE and (person := StaffMember.objects.filter(pk=_int(data.get("staff"))).first()):
        data["on_leave"] = not person.on_leave
    return data


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _typed(kind: str, post: Any) -> dict[str, Any]:
    """What the person typed, for this kind's fields (a checkbox not sent is off)."""
    data: dict[str, Any] = {}
    for name in KIND_FIELDS[kind]:
        if FIELD_SPECS[name].type == "check":
            data[name] = post.get(name) in ("on", "1", "true")
        else:
            data[name] = post.get(name, "")
    return data


def _options(kind: str) -> dict[str, list[tuple[Any, str]]]:
    """The choices of the form's lists, each one query."""
    names = {FIELD_SPECS[n].type for n in KIND_FIELDS[kind]}
    options: dict[str, list[tuple[Any, str]]] = {}
    if "unit" in names:
        options["unit"] = [(u.pk, "　" * u.tree_depth + u.display_name) for u in
                           open_units().with_tree_fields().order_siblings_by("sort_order", "id")]
    if "position" in names:
        options["position"] = [(p.pk, f"{p.unit.display_name} · {p.display_name}") for p in
                               Position.objects.filter(closed_at__isnull=True).select_related("unit")
                               .order_by("unit__sort_order", "unit_id", "sort_order", "id")]
    if "staff" in names:
        options["staff"] = [(s.pk, f"{s.name} ({s.employee_no})") for s in
                            StaffMember.objects.filter(is_active=True).order_by("name", "employee_no")]
    options["kind"] = list(Unit.Kind.choices)
    options["role"] = list(Role.choices)
    return options


def _fields(kind: str, data: dict[str, Any], errors: dict[str, str], *, fixed: str | None) -> list[dict[str, Any]]:
    options = _options(kind)
    rows = []
    for name in KIND_FIELDS[kind]:
        spec = FIELD_SPECS[name]
        value = data.get(name, "")
        choices = options.get(spec.type if spec.type in ("unit", "position", "staff") else name, [])
        row = {"name": name, "spec": spec, "value": "" if value is None else str(value), "checked": value is True,
               "error": errors.get(name, ""), "choices": choices, "fixed": name == fixed and bool(value)}
        if row["fixed"]:
            row["fixed_label"] = next((label.strip("　") for pk, label in choices if str(pk) == str(value)), value)
        rows.append(row)
    return rows


def _form_context(kind: str, data: dict[str, Any], errors: dict[str, str], fixed: str | None) -> dict[str, Any]:
    return {"kind": kind, "kind_label": Kind(kind).label, "kind_help": KIND_HELP.get(kind, ""),
            "fields": _fields(kind, data, errors, fixed=fixed), "fixed": fixed or "",
            "general_error": errors.get("", "") or errors.get("kind", "")}


@login_required
def change_form(request: HttpRequest, kind: str) -> HttpResponse:
    """GET: the form. POST: check it and show the impact (or the form again, with the reasons)."""
    _admin_only(request)
    if kind not in KIND_FIELDS:
        raise Http404
    fragment = request.GET.get("fragment") == "1"
    if request.method != "POST":
        fixed = SUBJECT.get(kind) if request.GET.get(SUBJECT.get(kind, "")) else None
        context = _form_context(kind, _initial(kind, request.GET), {}, fixed)
        return render(request, "staff/change_fragment.html" if fragment else "staff/change_form.html", context)
    data = _typed(kind, request.POST)
    fixed = request.POST.get("fixed") or None
    if "back" in request.POST:
        return render(request, "staff/change_form.html", _form_context(kind, data, {}, fixed))
    if "confirm" in request.POST:
        return _confirm(request, kind, data, fixed)
    try:
        change, impact = change_preview(user=request.user, kind=kind, data=data)
    except ChangeError as exc:
        return render(request, "staff/change_form.html", _form_context(kind, data, exc.errors, fixed), status=400)
    return render(request, "staff/change_confirm.html", _confirm_context(kind, data, fixed, change, impact, {
        "effective_on": timezone.localdate().isoformat(), "reason": ""}, {}))


def _confirm_context(kind, data, fixed, change, impact, typed, errors) -> dict[str, Any]:
    return {"kind": kind, "kind_label": Kind(kind).label, "summary": change.summary, "impact": impact,
            "hidden": [(k, "on" if v is True else v) for k, v in data.items() if v not in (False, None, "")],
            "fixed": fixed or "", "typed": typed, "errors": errors, "today": timezone.localdate().isoformat()}


CONFIRM_FIELDS = ("reason", "effective_on")


def _confirm(request, kind, data, fixed) -> HttpResponse:
    """Record the change; refused, the confirmation comes back with what was typed (or, when the org
    changed meanwhile so the change no longer fits, the form with the reasons)."""
    typed = {"effective_on": request.POST.get("effective_on", ""), "reason": request.POST.get("reason", "")}
    try:
        record = org_change_submit(user=request.user, kind=kind, data=data, reason=typed["reason"],
                                   effective_on=typed["effective_on"])
    except ChangeError as exc:
        if set(exc.errors) - set(CONFIRM_FIELDS):
            return render(request, "staff/change_form.html", _form_context(kind, data, exc.errors, fixed), status=400)
        change, impact = change_preview(user=request.user, kind=kind, data=data)
        context = _confirm_context(kind, data, fixed, change, impact, typed, exc.errors)
        return render(request, "staff/change_confirm.html", context, status=400)
    if record.state == OrgChange.State.APPLIED:
        messages.success(request, _("Done: %(summary)s.") % {"summary": record.summary})
    else:
        messages.success(request, _("Scheduled for %(date)s: %(summary)s.") % {
            "date": record.effective_on.isoformat(), "summary": record.summary})
    return redirect("staff:org-chart")


def _menu(subject: str, obj: Any, position_id: str) -> list[tuple[str, str, Any]]:
    """The changes offered for one row of the chart: (kind, query, label)."""
    if subject == "unit":
        q = f"unit={obj.pk}"
        return [(Kind.POSITION_ADD, q, _("Add a post")), (Kind.UNIT_ADD, f"parent={obj.pk}", _("Add a sub-unit")),
                (Kind.UNIT_UPDATE, q, _("Rename")), (Kind.UNIT_MOVE, q, _("Move")), (Kind.UNIT_CLOSE, q, _("Close"))]
    if subject == "position":
        q = f"position={obj.pk}"
        return [(Kind.POSITION_UPDATE, q, _("Change the post")), (Kind.POSITION_CLOSE, q, _("Close")),
                (Kind.STAFF_ASSIGN, f"position={obj.pk}", _("Assign a person to a post"))]
    q = f"staff={obj.pk}"
    items = [(Kind.STAFF_ASSIGN, q, _("Move to another post")), (Kind.CONCURRENT_ADD, q, _("Give a concurrent post"))]
    if position_id and ConcurrentPost.objects.filter(staff=obj, position_id=_int(position_id)).exists():
        items.append((Kind.CONCURRENT_END, f"{q}&position={_int(position_id)}", _("End this concurrent post")))
    items.append((Kind.LEAVE, q, _("Back from leave") if obj.on_leave else _("Mark leave")))
    return items


# What a row of the chart is about: its model and the key its history page is named by. The org change's
# field naming it has the same name as the subject.
SUBJECTS = {"unit": (Unit, "code"), "position": (Position, "code"), "staff": (StaffMember, "employee_no")}


@login_required
def row_menu(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    """The changes for one unit, post or person: below its row of the chart (htmx), or as a page."""
    _admin_only(request)
    if subject not in SUBJECTS:
        raise Http404
    model, key = SUBJECTS[subject]
    obj = get_object_or_404(model, pk=pk)
    context = {"subject": subject, "name": str(obj), "items": _menu(subject, obj, request.GET.get("position", "")),
               "history_key": getattr(obj, key)}
    fragment = request.GET.get("fragment") == "1"
    return render(request, "staff/row_menu_fragment.html" if fragment else "staff/row_menu.html", context)


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    """Every change, newest first: scheduled ones (with cancel), applied, failed and cancelled."""
    _admin_only(request)
    changes = OrgChange.objects.select_related("requested_by__staff_member").order_by("-requested_at", "-id")
    state = request.GET.get("state", "")
    if state in OrgChange.State.values:
        changes = changes.filter(state=state)
    return render(request, "staff/changes.html", {"changes": changes[:200], "state": state,
                                                  "states": OrgChange.State.choices})


@login_required
@require_POST
def change_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    change = get_object_or_404(OrgChange, pk=pk)
    try:
        org_change_cancel(user=request.user, change=change)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cancelled: %(summary)s.") % {"summary": change.summary})
    return redirect("staff:changes")


@login_required
def history(request: HttpRequest, subject: str, key: str) -> HttpResponse:
    """A unit's, post's or person's history: the org changes about it (who, when, why, effective when) and
    every recorded edit of its fields, with what changed."""
    if not may_preview(request.user):
        raise PermissionDenied(_("The org's history is for org administrators and leaders."))
    if subject not in SUBJECTS:
        raise Http404
    model, key_field = SUBJECTS[subject]
    records = model.history.filter(**{key_field: key}).select_related("history_user__staff_member").order_by(
        "-history_date",
                                                                                                 "-history_id")
    rows = list(records[:200])
    if not rows:
        raise Http404
    entries = []
    diffs = [(record, record.diff_against(record.prev_record).changes if record.prev_record is not None else [])
             for record in rows]
    names = _names_of([c for _r, diff in diffs for c in diff], model)
    for record, diff in diffs:
        entries.append({"record": record, "changes": [
            {"field": _verbose(model, c.field), "old": names.get((c.field, c.old), c.old),
             "new": names.get((c.field, c.new), c.new)} for c in diff if not isinstance(c.new, list)]})
    changes = OrgChange.objects.filter(**{f"{subject}_id": rows[0].id}).select_related(
        "requested_by__staff_member")
    return render(request, "staff/history.html", {
        "subject": subject, "name": str(rows[0].instance), "key": key, "entries": entries,
        "changes": changes.order_by("-requested_at", "-id")})


# Fields that hold the id of a unit or a post: shown by name, in one query per kind.
_REFERENCES = {"parent": Unit, "unit": Unit, "reports_to": Position, "position": Position}


def _names_of(changes: list[Any], model: Any) -> dict[tuple[str, Any], str]:
    wanted: dict[Any, set[int]] = {}
    for c in changes:
        target = _REFERENCES.get(c.field)
        if target is not None:
            wanted.setdefault(target, set()).update(v for v in (c.old, c.new) if isinstance(v, int))
    names: dict[tuple[str, Any], str] = {}
    for target, pks in wanted.items():
        found = {obj.pk: str(obj) for obj in target.objects.filter(pk__in=pks)}
        for c in changes:
            if _REFERENCES.get(c.field) is target:
                for v in (c.old, c.new):
                    if v in found:
                        names[(c.field, v)] = found[v]
    return names


def _verbose(model: Any, field: str) -> str:
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:
        return field
