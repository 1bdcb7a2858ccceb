"""Job-description pages: the version in effect, any version (A4 print, DOCX), the draft's editor, the
approval steps and the side-by-side comparison. The rules are in ``staff/jd.py``; pages only ask."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from servicecenter.errors import DomainError
from staff import jd as jds
from staff import jobdoc, selectors
from staff.hooks import figure_values
from staff.models import Figure, JobDescriptionVersion, PerformanceStandard, Position, Role
from staff.templatetags.staff import person

State = JobDescriptionVersion.State
BLANK_TASKS = 2  # empty task rows offered under each duty, and in the new duty
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _position(code: str) -> Position:
    position = selectors.position_list().filter(code=code).first()
    if position is None:
        raise Http404
    return position


def _version(request: HttpRequest, code: str, number: int) -> tuple[Position, JobDescriptionVersion]:
    """The post and one of its versions the reader may see, or 404."""
    position = _position(code)
    try:
        return position, jds.version_get(request.user, position, number)
    except DomainError as exc:
        raise Http404 from exc


def _may_edit(request: HttpRequest, position: Position) -> None:
    if not jds.may_edit_jd(request.user, position):
        raise PermissionDenied(_("Only the post's superiors and org administrators may edit its job description."))


def _post_context(position: Position) -> dict[str, Any]:
    return {"position": position,
            "subordinates": list(position.direct_reports.filter(closed_at__isnull=True).select_related("unit")),
            "holders": list(position.holders.filter(is_active=True))}


def _standards(doc: dict[str, Any], holders: list[Any], *, personal: bool) -> list[dict[str, Any]]:
    """The document's standards, each with its comparator's sign and, for a product figure, each holder's
    value now (asked of the apps that measure it). Only for posts that hold tickets themselves
    (``personal``): a lead's standard is about the team, whose figures are on the dashboard."""
    figures = {s["figure"] for s in doc.get("standards", []) if s.get("figure")} if personal else set()
    values: dict[int, dict[str, Any]] = {}
    if figures and holders:
        for answer in figure_values(staff_ids=[h.pk for h in holders], figures=figures, today=timezone.localdate()):
            for pk, row in answer.items():
                values.setdefault(pk, {}).update(row)
    signs = dict(PerformanceStandard.Comparator.choices)
    rows = []
    for s in doc.get("standards", []):
        row = {**s, "sign": signs.get(s["comparator"], s["comparator"]), "figure_label":
               Figure(s["figure"]).label if s.get("figure") else "", "values": []}
        if figures and s.get("figure"):
            for holder in holders:
                value = values.get(holder.pk, {}).get(s["figure"])
                row["values"].append({"name": holder.name, "value": value,
                                      "month": values.get(holder.pk, {}).get("month")})
        rows.append(row)
    return rows


def _document_context(request: HttpRequest, position: Position, version: JobDescriptionVersion | None):
    context = _post_context(position)
    doc = version.content if version is not None else None
    personal = position.role == Role.AGENT
    context.update(version=version, doc=doc,
                   standards=_standards(doc, context["holders"], personal=personal) if doc else [],
                   editor=jds.may_edit_jd(request.user, position),
                   versions=list(jds.versions_for(request.user, position)), labels=jobdoc.LABELS)
    context["open_version"] = next((v for v in context["versions"] if v.state in JobDescriptionVersion.OPEN_STATES),
                                   None)
    return context


@login_required
def job_description(request: HttpRequest, code: str) -> HttpResponse:
    """The version in effect: what staff read."""
    position = _position(code)
    return render(request, "staff/job_description.html",
                  _document_context(request, position, jds.in_effect(position)))


@login_required
def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    position, version = _version(request, code, number)
    context = _document_context(request, position, version)
    context["today"] = timezone.localdate().isoformat()
    return render(request, "staff/job_description.html", context)


@login_required
def version_docx(request: HttpRequest, code: str, number: int) -> HttpResponse:
    position, version = _version(request, code, number)
    post = {"title": position.display_name, "code": position.code, "unit": position.unit.display_name,
            "superior": position.reports_to.display_name if position.reports_to else "",
            "subordinates": [p.display_name for p in position.direct_reports.filter(closed_at__isnull=True)],
            "headcount": position.headcount, "grade": position.grade}
    meta = {"number": version.number, "state_label": str(version.get_state_display()),
            "effective_on": version.effective_on,
            "approved_by": person(version.approved_by) if version.approved_by else "",
            "published_at": version.published_at}
    from staff import jdrender  # python-docx is loaded only when a DOCX is asked for

    body = jdrender.docx_bytes(post=post, content=version.content, version=meta)
    response = HttpResponse(body, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="jd-{position.code}-v{version.number}.docx"'
    return response


@login_required
@require_POST
def version_new(request: HttpRequest, code: str) -> HttpResponse:
    position = _position(code)
    _may_edit(request, position)
    try:
        version = jds.jd_version_draft(user=request.user, position=position, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("staff:job-description", code)
    return redirect("staff:jd-edit", code, version.number)


def _typed_document(post: Any) -> dict[str, Any]:
    """The editor's fields as a document (rows left empty are dropped by ``jobdoc.normalize``)."""
    doc: dict[str, Any] = {name: post.get(name, "") for name in jobdoc.TEXT_FIELDS}
    doc["years_experience"] = post.get("years_experience", "")
    doc["duties"] = []
    for i in range(min(_count(post, "duty-count"), 100)):
        tasks = [{name: post.get(f"duty-{i}-task-{j}-{name}", "") for name in jobdoc.TASK_FIELDS}
                 for j in range(min(_count(post, f"duty-{i}-task-count"), 100))]
        doc["duties"].append({"title": post.get(f"duty-{i}-title", ""), "tasks": tasks})
    doc["standards"] = [{name: post.get(f"std-{i}-{name}", "") for name in jobdoc.STANDARD_FIELDS}
                        for i in range(min(_count(post, "std-count"), 100))]
    return doc


def _count(post: Any, name: str) -> int:
    try:
        return max(int(post.get(name, 0)), 0)
    except (TypeError, ValueError):
        return 0


def _with_blank_rows(doc: dict[str, Any]) -> dict[str, Any]:
    blank_task = dict.fromkeys(jobdoc.TASK_FIELDS, "")
    duties = [{"title": d.get("title", ""), "tasks": [*d.get("tasks", []), dict(blank_task)]}
              for d in doc.get("duties", [])]
    duties.append({"title": "", "tasks": [dict(blank_task) for _i in range(BLANK_TASKS)]})
    standards = [*doc.get("standards", []), {"indicator": "", "figure": "", "comparator": "gte", "target": "",
                                             "unit": ""}]
    return {**doc, "duties": duties, "standards": standards}


def _editor_context(request, position, version, doc, errors) -> dict[str, Any]:
    """The editor's rows, each field with its value and, after a refused save, its reason."""
    doc = _with_blank_rows(doc)

    def fields(prefix: str, values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
        return {name: {"value": values.get(name, ""), "error": errors.get(f"{prefix}.{name}", "")} for name in names}

    duties = [{"title": {"value": d["title"], "error": errors.get(f"duties.{i}.title", "")},
               "tasks": [fields(f"duties.{i}.tasks.{j}", t, jobdoc.TASK_FIELDS) for j, t in enumerate(d["tasks"])]}
              for i, d in enumerate(doc["duties"])]
    standards = [fields(f"standards.{i}", st, jobdoc.STANDARD_FIELDS) for i, st in enumerate(doc["standards"])]
    text = [{"name": n, "label": jobdoc.LABELS[n], "value": doc.get(n, ""), "error": errors.get(n, ""),
             "short": n in ("education", "major")} for n in jobdoc.TEXT_FIELDS]
    return {**_post_context(position), "version": version, "errors": errors, "text": text, "duties": duties,
            "standards": standards, "years": {"value": doc.get("years_experience"),
                                              "error": errors.get("years_experience", "")},
            "figures": Figure.choices, "comparators": PerformanceStandard.Comparator.choices}


@login_required
def version_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    position, version = _version(request, code, number)
    _may_edit(request, position)
    if version.state != State.DRAFT:
        messages.info(request, _("Version %(number)d is %(state)s; only a draft is edited.") % {
            "number": version.number, "state": version.get_state_display()})
        return redirect("staff:jd-version", code, number)
    if request.method != "POST":
        return render(request, "staff/jd_edit.html", _editor_context(request, position, version, version.content, {}))
    typed = _typed_document(request.POST)
    try:
        jds.jd_version_edit(user=request.user, version=version, content=typed, note=request.POST.get("note", ""))
    except jobdoc.DocumentError as exc:
        version.note = request.POST.get("note", "")
        return render(request, "staff/jd_edit.html", _editor_context(request, position, version, typed, exc.errors),
                      status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "staff/jd_edit.html", _editor_context(request, position, version, typed, {}),
                      status=409)
    if "submit" in request.POST:
        return version_action(request, code, number, "submit")
    messages.success(request, _("Draft saved."))
    return redirect("staff:jd-edit", code, number)


ACTIONS = {
    "submit": lambda user, version, post: jds.jd_version_submit(user=user, version=version),
    "approve": lambda user, version, post: jds.jd_version_approve(user=user, version=version),
    "return": lambda user, version, post: jds.jd_version_return(user=user, version=version,
                                                                reason=post.get("reason", "")),
    "publish": lambda user, version, post: jds.jd_version_publish(user=user, version=version,
                                                                  effective_on=post.get("effective_on") or None),
}
DONE = {"submit": gettext_lazy("Submitted for approval."), "approve": gettext_lazy("Approved."),
        "return": gettext_lazy("Sent back to draft."), "publish": gettext_lazy("Published.")}


@login_required
@require_POST
def version_action(request: HttpRequest, code: str, number: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    position, version = _version(request, code, number)
    _may_edit(request, position)
    try:
        version = ACTIONS[action](request.user, version, request.POST)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(DONE[action]))
        if action == "publish" and not version.in_effect:
            messages.info(request, _("It takes effect on %(date)s; until then staff read the version in effect.")
                          % {"date": version.effective_on.isoformat()})
    return redirect("staff:jd-version", code, number)


@login_required
def compare(request: HttpRequest, code: str) -> HttpResponse:
    position = _position(code)
    versions = list(jds.versions_for(request.user, position))
    numbers = [v.number for v in versions]
    a = request.GET.get("a") or (numbers[-2] if len(numbers) > 1 else None)
    b = request.GET.get("b") or (numbers[-1] if numbers else None)
    try:
        first, second = jds.compare_pair(request.user, position, a, b)
    except DomainError as exc:
        return render(request, "staff/jd_compare.html", {**_post_context(position), "versions": versions,
                                                         "error": exc.message}, status=400)
    from staff import jdrender

    rows = jdrender.compare(first.content, second.content)
    return render(request, "staff/jd_compare.html", {
        **_post_context(position), "versions": versions, "a": first, "b": second, "rows": rows,
        "changed": jdrender.compare_summary(rows), "show_all": request.GET.get("all") == "1"})
