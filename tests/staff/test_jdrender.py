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
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "岗位说明书：接待专员"
    assert "接听热线，记录诉求。" in texts
    duties = document.tables[2]
    assert [row.cells[2].text for row in duties.rows] == ["任务", "接听来电", "答复咨询", ""]
