"""Two renderings of job-description documents (``staff/jobdoc.py``): the side-by-side comparison of two
versions with the changes marked, and the DOCX of one version for the HR file (python-docx)."""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from staff import jobdoc
from staff.models import Figure, PerformanceStandard

POST_FIELDS = ("purpose", "working_conditions", "difficulties", "taboos", "career_path")
QUALIFICATIONS = ("education", "major", "years_experience", "certificates", "skills", "abilities", "attitude")


@dataclass(frozen=True)
class CompareRow:
    label: str
    old: SafeString
    new: SafeString
    changed: bool
    section: str  # post, duties, standards, qualifications


def _html(text: str) -> str:
    return str(escape(text)).replace("\n", "<br>")


def _marked(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both texts, escaped, the removed runs of ``old`` in <del> and the added runs of ``new`` in <ins>.

    Compared character by character (Chinese has no spaces between words); runs of equal text shorter
    than two characters between two changes are folded into the change, so the marks read as words."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 2 or b.size == len(old) == len(new)]
    left, right = [], []
    i = j = 0
    for block in [*blocks, difflib.Match(len(old), len(new), 0)]:
        if block.a > i:
            left.append(f"<del>{_html(old[i:block.a])}</del>")
        if block.b > j:
            right.append(f"<ins>{_html(new[j:block.b])}</ins>")
        left.append(_html(old[block.a:block.a + block.size]))
        right.append(_html(new[block.b:block.b + block.size]))
        i, j = block.a + block.size, block.b + block.size
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - every piece is escaped above


def _row(label: str, old: Any, new: Any, section: str) -> CompareRow:
    old_text = "" if old is None else str(old)
    new_text = "" if new is None else str(new)
    if old_text == new_text:
        same = mark_safe(_html(old_text))  # noqa: S308 - escaped
        return CompareRow(label, same, same, False, section)
    left, right = _marked(old_text, new_text)
    return CompareRow(label, left, right, True, section)


def standard_text(standard: dict[str, Any] | None) -> str:
    """A standard as a person reads it: 客户满意率 ≥ 90% (Satisfaction rate)."""
    if not standard:
        return ""
    signs = dict(PerformanceStandard.Comparator.choices)
    text = f"{standard.get('indicator', '')} {signs.get(standard.get('comparator', ''), '')} " \
           f"{standard.get('target', '')}{standard.get('unit', '')}"
    if standard.get("figure"):
        text += f" ({_figure_label(standard['figure'])})"
    return text


def _figure_label(code: str) -> str:
    """The figure's name in the reader's language; a code no longer known is shown as stored."""
    return str(dict(Figure.choices).get(code, code))


def _label(*parts: str) -> str:
    return " · ".join(parts)


def _duty_rows(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[CompareRow]:
    rows = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else {"title": "", "tasks": []}
        b = new[i] if i < len(new) else {"title": "", "tasks": []}
        duty = _("Duty %(n)d") % {"n": i + 1}
        rows.append(_row(duty, a.get("title"), b.get("title"), "duties"))
        for j in range(max(len(a["tasks"]), len(b["tasks"]))):
            ta = a["tasks"][j] if j < len(a["tasks"]) else {}
            tb = b["tasks"][j] if j < len(b["tasks"]) else {}
            task = _("Task %(n)d") % {"n": j + 1}
            rows.extend(_row(_label(duty, task, str(jobdoc.LABELS[name])), ta.get(name, ""), tb.get(name, ""),
                             "duties") for name in jobdoc.TASK_FIELDS)
    return rows


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[CompareRow]:
    """Every part of two documents side by side (``a`` the older), in the document's order."""
    rows = [_row(str(jobdoc.LABELS[name]), a.get(name, ""), b.get(name, ""), "post") for name in POST_FIELDS]
    rows += _duty_rows(a.get("duties", []), b.get("duties", []))
    old_standards, new_standards = a.get("standards", []), b.get("standards", [])
    for i in range(max(len(old_standards), len(new_standards))):
        rows.append(_row(_("Standard %(n)d") % {"n": i + 1},
                         standard_text(old_standards[i] if i < len(old_standards) else None),
                         standard_text(new_standards[i] if i < len(new_standards) else None), "standards"))
    rows += [_row(str(jobdoc.LABELS[name]), a.get(name), b.get(name), "qualifications") for name in QUALIFICATIONS]
    return rows


def compare_summary(rows: list[CompareRow]) -> int:
    return sum(1 for row in rows if row.changed)


# --- DOCX --------------------------------------------------------------------------------------------

CJK_FONT = "Noto Sans CJK SC"


def _when(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _document() -> Any:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    normal = document.styles["Normal"]
    normal.font.name = CJK_FONT
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    # The headings name the theme's East Asian font, which wins over w:eastAsia and is empty in the
    # default template: they get the CJK font by name instead.
    for name in ("Heading 1", "Heading 2"):
        fonts = document.styles[name].element.get_or_add_rPr().get_or_add_rFonts()
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), CJK_FONT)
    return document


def _table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text


def _text_section(document: Any, title: str, text: str) -> None:
    document.add_heading(title, level=2)
    document.add_paragraph(text or "—")


def docx_bytes(*, post: dict[str, Any], content: dict[str, Any], version: dict[str, Any]) -> bytes:
    """One version as a Word document on A4, in the reader's language, Chinese set in a CJK font."""
    document = _document()
    document.add_heading(_("Job description: %(title)s") % {"title": post["title"]}, level=1)
    document.add_paragraph(_("Version %(number)d · %(state)s · effective on %(date)s · approved by %(who)s · "
                             "published %(published)s") % {
        "number": version["number"], "state": version.get("state_label", ""), "date": _when(version.get(
            "effective_on")), "who": version.get("approved_by") or "—", "published": _when(version.get(
            "published_at"))})
    _table(document, [_("Position"), _("Code"), _("Department"), _("Grade")],
           [[post["title"], post["code"], post.get("unit", ""), post.get("grade") or "—"]])
    _table(document, [_("Direct superior"), _("Direct subordinates"), _("Headcount")],
           [[post.get("superior") or "—", "、".join(post.get("subordinates", [])) or "—", str(post.get("headcount",
                                                                                                     ""))]])
    _text_section(document, str(jobdoc.LABELS["purpose"]), content.get("purpose", ""))
    _text_section(document, str(jobdoc.LABELS["working_conditions"]), content.get("working_conditions", ""))
    document.add_heading(str(jobdoc.LABELS["duties"]), level=2)
    duty_rows = [[str(n), duty.get("title", ""), *[task.get(name, "") for name in jobdoc.TASK_FIELDS]]
                 for n, duty in enumerate(content.get("duties", []), start=1) for task in duty.get("tasks") or [{}]]
    _table(document, ["#", _("Duty"), *[str(jobdoc.LABELS[name]) for name in jobdoc.TASK_FIELDS]], duty_rows)
    document.add_heading(str(jobdoc.LABELS["standards"]), level=2)
    signs = dict(PerformanceStandard.Comparator.choices)
    _table(document, [_("Indicator"), _("Target"), _("Product figure")],
           [[s.get("indicator", ""), f"{signs.get(s.get('comparator', ''), '')} {s.get('target', '')}"
             f"{s.get('unit', '')}", _figure_label(s["figure"]) if s.get("figure") else "—"]
            for s in content.get("standards", [])])
    for name in ("difficulties", "taboos", "career_path"):
        _text_section(document, str(jobdoc.LABELS[name]), content.get(name, ""))
    document.add_heading(_("Qualifications"), level=2)
    _table(document, [_("Requirement"), _("Detail")],
           [[str(jobdoc.LABELS[name]), "—" if content.get(name) in (None, "") else str(content.get(name))]
            for name in QUALIFICATIONS])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
