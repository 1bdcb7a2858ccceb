"""A job description (岗位说明书) as a document: the content of one version, as plain data.

Everything about the post itself (name, code, department, superior, subordinates, headcount, grade)
is read from the org chart, never stored here, so the two cannot disagree. The document holds::

    {
      "purpose": str, "working_conditions": str, "difficulties": str, "taboos": str,
      "career_path": str,
      "education": str, "major": str, "years_experience": int | None, "certificates": str,
      "skills": str, "abilities": str, "attitude": str,
      "duties": [{"title": str,
                  "tasks": [{"name": str, "key_process": str, "major_result": str,
                             "frequency": str, "measures": str}]}],
      "standards": [{"indicator": str, "figure": "" | Figure, "comparator": "gte|gt|lte|lt|eq",
                     "target": "95" (a decimal as text), "unit": str}],
    }

``frequency`` is free text as real documents write it (随时, 每月, 每年2月). A standard that names a
product ``figure`` (staff.models.Figure) is a share: its unit is ``%`` and its target 0–100.
:func:`normalize` is the one gate every document passes (import, forms, API): it returns the clean
document or raises :class:`DocumentError` naming each bad field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicecenter.errors import DomainError
from staff.models import Figure, PerformanceStandard

TEXT_FIELDS = ("purpose", "working_conditions", "difficulties", "taboos", "career_path", "education", "major",
               "certificates", "skills", "abilities", "attitude")
TASK_FIELDS = ("name", "key_process", "major_result", "frequency", "measures")
STANDARD_FIELDS = ("indicator", "figure", "comparator", "target", "unit")

# Labels of the document's parts, for forms, the comparison and the DOCX (in the reader's language).
LABELS = {
    "purpose": gettext_lazy("Purpose of the post"),
    "working_conditions": gettext_lazy("Working conditions"),
    "difficulties": gettext_lazy("Difficulties"),
    "taboos": gettext_lazy("Taboos"),
    "career_path": gettext_lazy("Career path"),
    "education": gettext_lazy("Education"),
    "major": gettext_lazy("Major"),
    "years_experience": gettext_lazy("Years of experience"),
    "certificates": gettext_lazy("Certificates"),
    "skills": gettext_lazy("Skills"),
    "abilities": gettext_lazy("Abilities"),
    "attitude": gettext_lazy("Attitude"),
    "duties": gettext_lazy("Duties"),
    "standards": gettext_lazy("Performance standards"),
    "title": gettext_lazy("Duty"),
    "name": gettext_lazy("Task"),
    "key_process": gettext_lazy("Key process"),
    "major_result": gettext_lazy("Major result"),
    "frequency": gettext_lazy("Frequency"),
    "measures": gettext_lazy("Measures"),
    "indicator": gettext_lazy("Indicator"),
    "figure": gettext_lazy("Product figure"),
    "comparator": gettext_lazy("Comparator"),
    "target": gettext_lazy("Target"),
    "unit": gettext_lazy("Unit"),
}

LEGACY_FREQUENCY = {"any_time": "随时", "daily": "每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度",
                    "yearly": "每年"}
MAX_TEXT = 4000
MAX_LINE = 300


class DocumentError(DomainError):
    """A document that cannot be saved; ``errors`` maps a field path (``duties.0.tasks.1.name``) to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{path}: {why}" for path, why in errors.items()))


def blank() -> dict[str, Any]:
    return {**dict.fromkeys(TEXT_FIELDS, ""), "years_experience": None, "duties": [], "standards": []}


def _text(value: Any, path: str, errors: dict[str, str], *, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        errors[path] = _("Must be text.")
        return ""
    text = str(value).strip()
    if len(text) > limit:
        errors[path] = _("At most %(limit)d characters.") % {"limit": limit}
    return text


def _years(value: Any, errors: dict[str, str]) -> int | None:
    if value in (None, ""):
        return None
    try:
        years = int(str(value).strip())
    except ValueError:
        errors["years_experience"] = _("Enter a whole number of years.")
        return None
    if not 0 <= years <= 60:
        errors["years_experience"] = _("Enter a number of years from 0 to 60.")
        return None
    return years


def _task(raw: Any, path: str, errors: dict[str, str]) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        errors[path] = _("Must be a task.")
        return None
    task = {name: _text(raw.get(name), f"{path}.{name}", errors, limit=MAX_LINE if name in ("name", "frequency")
                        else MAX_TEXT) for name in TASK_FIELDS}
    if not any(task.values()):
        return None  # an empty row of a form
    if not task["name"]:
        errors[f"{path}.name"] = _("A task needs a name.")
    return task


def _duty(raw: Any, path: str, errors: dict[str, str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        errors[path] = _("Must be a duty.")
        return None
    title = _text(raw.get("title"), f"{path}.title", errors, limit=200)
    raw_tasks = raw.get("tasks") or []
    if isinstance(raw_tasks, str):  # the first format: the tasks as text, the frequency on the duty
        frequency = str(raw.get("frequency_detail") or LEGACY_FREQUENCY.get(str(raw.get("frequency")), ""))
        raw_tasks = [{"name": part.strip(), "frequency": frequency}
                     for line in raw_tasks.splitlines() for part in line.replace(";", "；").split("；") if part.strip()]
    if not isinstance(raw_tasks, list):
        errors[f"{path}.tasks"] = _("Must be a list of tasks.")
        raw_tasks = []
    built = (_task(raw_task, f"{path}.tasks.{i}", errors) for i, raw_task in enumerate(raw_tasks))
    tasks = [task for task in built if task is not None]
    if not title and not tasks:
        return None
    if not title:
        errors[f"{path}.title"] = _("A duty needs a title.")
    return {"title": title, "tasks": tasks}


def _standard(raw: Any, path: str, errors: dict[str, str]) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        errors[path] = _("Must be a performance standard.")
        return None
    indicator = _text(raw.get("indicator"), f"{path}.indicator", errors, limit=200)
    figure = _text(raw.get("figure"), f"{path}.figure", errors, limit=20)
    comparator = _text(raw.get("comparator") or PerformanceStandard.Comparator.GTE, f"{path}.comparator", errors)
    unit = _text(raw.get("unit"), f"{path}.unit", errors, limit=30)
    target_text = _text(raw.get("target"), f"{path}.target", errors, limit=20)
    if not (indicator or figure or target_text):
        return None
    if not indicator:
        errors[f"{path}.indicator"] = _("A standard needs an indicator.")
    if figure and figure not in Figure.values:
        errors[f"{path}.figure"] = _("Not one of the product's figures.")
    if comparator not in PerformanceStandard.Comparator.values:
        errors[f"{path}.comparator"] = _("Choose ≥, >, ≤, < or =.")
    try:
        target = Decimal(target_text)
        if not target.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors[f"{path}.target"] = _("Enter the target as a number.")
        target = Decimal(0)
    if figure:
        if unit not in ("", "%"):
            errors[f"{path}.unit"] = _("A product figure is a share: its unit is %.")
        if not Decimal(0) <= target <= Decimal(100):
            errors[f"{path}.target"] = _("A share's target is from 0 to 100 (%).")
        unit = "%"
    return {"indicator": indicator, "figure": figure, "comparator": comparator,
            "target": format(target.normalize(), "f") if target else "0", "unit": unit}


def normalize(raw: Any) -> dict[str, Any]:
    """The clean document, or :class:`DocumentError`. Empty rows (as forms send them) are dropped."""
    if not isinstance(raw, dict):
        raise DocumentError({"": _("A job description must be an object.")})
    errors: dict[str, str] = {}
    doc = blank()
    for name in TEXT_FIELDS:
        doc[name] = _text(raw.get(name), name, errors,
                          limit=MAX_LINE if name in ("education", "major") else MAX_TEXT)
    doc["years_experience"] = _years(raw.get("years_experience"), errors)
    for key, build in (("duties", _duty), ("standards", _standard)):
        items = raw.get(key) or []
        if not isinstance(items, list):
            errors[key] = _("Must be a list.")
            items = []
        built = (build(raw_item, f"{key}.{i}", errors) for i, raw_item in enumerate(items))
        doc[key] = [item for item in built if item is not None]
    if errors:
        raise DocumentError(errors)
    return doc


def from_description(jd: Any) -> dict[str, Any]:
    """The document a ``JobDescription`` (with its duties and standards) holds now."""
    doc = blank()
    for name in TEXT_FIELDS:
        doc[name] = getattr(jd, name, "") or ""
    doc["years_experience"] = jd.years_experience
    doc["duties"] = [{"title": d.title, "tasks": [dict(t) for t in d.tasks]} for d in jd.duties.all()]
    doc["standards"] = [{"indicator": s.indicator, "figure": s.figure, "comparator": s.comparator,
                         "target": format(s.target.normalize(), "f"), "unit": s.unit} for s in jd.standards.all()]
    return doc
