"""The comparison of two job-description versions and the DOCX of one (staff/jdrender.py)."""

import io

from django.utils import translation

from staff.jdrender import compare, compare_summary, docx_bytes
from staff.jobdoc import normalize

OLD = normalize({
    "purpose": "接听热线，记录诉求。",
    "duties": [{"title": "接听服务热线", "tasks": [{"name": "接听来电", "frequency": "随时"}]}],
    "standards": [{"indicator": "客户满意率", "figure": "satisfaction", "comparator": "gte", "target": "90",
                   "unit": "%"}],
    "education": "大专",
})


def rows_by_label(a, b):
    return {row.label: row for row in compare(a, b)}


def test_changed_text_is_marked_inside_the_text_and_escaped():
    new = {**OLD, "purpose": "接听热线，一次办结客户诉求。<script>"}
    with translation.override("en"):
        row = rows_by_label(OLD, new)["Purpose of the post"]
    assert row.changed
    assert str(row.old) == "接听热线，<del>记录</del>诉求。"
    assert str(row.new) == "接听热线，<ins>一次办结客户</ins>诉求。<ins>&lt;script&gt;</ins>"


def test_an_added_duty_and_a_changed_standard_are_changes_and_the_rest_is_not():
    task = {"name": "投诉受理", "key_process": "记录→分类", "major_result": "", "frequency": "随时", "measures": ""}
    new = {**OLD, "duties": [*OLD["duties"], {"title": "受理投诉", "tasks": [task]}],
           "standards": [{**OLD["standards"][0], "target": "95"}]}
    with translation.override("en"):
        rows = rows_by_label(OLD, new)
        assert str(rows["Duty 2"].old) == ""
        assert str(rows["Duty 2"].new) == "<ins>受理投诉</ins>"
        assert str(rows["Duty 2 · Task 1 · Key process"].new) == "<ins>记录→分类</ins>"
        assert str(rows["Standard 1"].old) == "客户满意率 ≥ 9<del>0</del>% (Satisfaction rate)"
        assert str(rows["Standard 1"].new) == "客户满意率 ≥ 9<ins>5</ins>% (Satisfaction rate)"
        unchanged = rows["Education"]
        assert (unchanged.changed, str(unchanged.old), str(unchanged.new)) == (False, "大专", "大专")
        # duty 2, its task's name, key process and frequency, and the standard
        assert compare_summary(list(rows.values())) == 5


def test_the_docx_is_a4_in_chinese_with_a_row_per_task():
    from docx import Document
    from docx.shared import Cm

    doc = {**OLD, "duties": [{"title": "接听服务热线", "tasks": [{"name": "接听来电", "frequency": "随时"},
                                                               {"name": "答复咨询", "frequency": "随时"}]},
                             {"title": "接待来访", "tasks": []}]}
    with translation.override("zh-hans"):
        post = {"title": "接待专员", "code": "receptionist", "unit": "接待服务组", "superior": "接待服务副经理",
                "subordinates": [], "headcount": 4, "grade": "S2"}
        body = docx_bytes(post=post,
                          content=normalize(doc), version={"number": 2, "state_label": "已发布", "effective_on": None,
                                                           "approved_by": "supervisor1", "published_at": None})
    document = Document(io.BytesIO(body))
    section = document.sections[0]
    assert abs(int(section.page_width) - int(Cm(21))) < int(Cm(0.01))
    assert abs(int(section.page_height) - int(Cm(29.7))) < int(Cm(0.01))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "岗位说明书：接待专员"
    assert "接听热线，记录诉求。" in texts
    duties = document.tables[2]
    assert [row.cells[2].text for row in duties.rows] == ["任务", "接听来电", "答复咨询", ""]


def test_identical_documents_have_no_changes_and_no_marks():
    with translation.override("zh-hans"):
        rows = compare(OLD, normalize(dict(OLD)))
    assert rows
    assert compare_summary(rows) == 0
    assert all(not row.changed and row.old == row.new for row in rows)
    assert not any("<ins>" in row.new or "<del>" in row.old for row in rows)
    by_label = {row.label: row for row in rows}
    assert (by_label["岗位目的"].section, by_label["岗位目的"].old) == ("post", "接听热线，记录诉求。")
    assert by_label["职责 1 · 任务 1 · 关键流程"].section == "duties"
    assert str(by_label["业绩标准 1"].old) == "客户满意率 ≥ 90% (满意率)"
    assert by_label["业绩标准 1"].section == "standards"
    assert (by_label["工作年限"].section, str(by_label["工作年限"].old)) == ("qualifications", "")


def test_marks_cover_whole_runs_and_keep_line_breaks():
    old = {**OLD, "working_conditions": "第一行\n第二行", "taboos": "每月统计投诉", "years_experience": None}
    new = {**OLD, "working_conditions": "第一行\n第三行", "taboos": "每周汇总投诉", "years_experience": 3}
    with translation.override("en"):
        rows = rows_by_label(old, new)
    conditions, taboos, years = rows["Working conditions"], rows["Taboos"], rows["Years of experience"]
    assert (str(conditions.old), str(conditions.new)) == ("第一行<br>第<del>二行</del>", "第一行<br>第<ins>三行</ins>")
    # the one shared character 每 does not split the change into single-character marks
    assert (str(taboos.old), str(taboos.new)) == ("<del>每月统计</del>投诉", "<ins>每周汇总</ins>投诉")
    assert (years.changed, str(years.old), str(years.new)) == (True, "", "<ins>3</ins>")


def test_a_removed_duty_is_all_deleted_on_the_old_side():
    with translation.override("en"):
        rows = rows_by_label(OLD, {**OLD, "duties": []})
    duty = rows["Duty 1"]
    assert (duty.changed, str(duty.old), str(duty.new)) == (True, "<del>接听服务热线</del>", "")
    assert str(rows["Duty 1 · Task 1 · Frequency"].old) == "<del>随时</del>"
    assert str(rows["Duty 1 · Task 1 · Key process"].old) == ""


def test_the_docx_sets_the_cjk_font_shows_local_times_and_follows_the_language():
    from datetime import UTC, date, datetime

    from docx import Document
    from docx.oxml.ns import qn

    post = {"title": "Receptionist", "code": "receptionist", "unit": "Reception", "superior": "", "subordinates": [],
            "headcount": 1, "grade": ""}
    version = {"number": 3, "state_label": "Published", "effective_on": date(2025, 3, 1), "approved_by": "",
               "published_at": datetime(2025, 3, 1, 2, 30, tzinfo=UTC)}
    with translation.override("en"):
        document = Document(io.BytesIO(docx_bytes(post=post, content=OLD, version=version)))
    assert document.paragraphs[0].text == "Job description: Receptionist"
    # Asia/Shanghai (settings.TIME_ZONE) is UTC+8
    assert document.paragraphs[1].text == ("Version 3 · Published · effective on 2025-03-01 · approved by — · "
                                           "published 2025-03-01 10:30")
    for name in ("Normal", "Heading 1", "Heading 2"):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == "Noto Sans CJK SC"
        assert fonts.get(qn("w:eastAsiaTheme")) is None
    standards = document.tables[3]
    assert [cell.text for cell in standards.rows[0].cells] == ["Indicator", "Target", "Product figure"]
    assert [cell.text for cell in standards.rows[1].cells] == ["客户满意率", "≥ 90%", "Satisfaction rate"]
