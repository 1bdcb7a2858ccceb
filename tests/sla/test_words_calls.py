"""The calls page names agents by the staff member behind their agent number, and an import's broken
lines are told in the reader's language with the line and the field."""

import pytest

from calls.agents import agent_names, agent_number
from calls.import_errors import import_error_text
from tests.conftest import signed_in
from tests.sla.test_calls import T0, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]

# Agent/1101 is agent1 (刘洋), SIP/1102 is agent3 (陈静); nobody has 9999.
LOG = "\n".join(f"{T0 + dt}|{line}" for dt, line in [
    (10, "c1|95598|NONE|ENTERQUEUE||13900000001|1"),
    (18, "c1|95598|Agent/1101|CONNECT|8|c1-agent|6"),
    (138, "c1|95598|Agent/1101|COMPLETECALLER|8|120|1"),
    (20, "c2|95598|NONE|ENTERQUEUE||13900000002|1"),
    (30, "c2|95598|SIP/1102|CONNECT|10|c2-agent|5"),
    (90, "c2|95598|SIP/1102|COMPLETEAGENT|10|60|1"),
    (40, "c3|95598|NONE|ENTERQUEUE||13900000003|1"),
    (45, "c3|95598|Agent/9999|CONNECT|5|c3-agent|2"),
    (95, "c3|95598|Agent/9999|COMPLETEAGENT|5|50|1"),
])


def test_agent_numbers_are_read_from_the_phone_systems_names():
    assert [agent_number(a) for a in ("Agent/1101", "SIP/1101", "PJSIP/1101-00000a3f", "Local/1101@agents",
                                      "1101")] == ["1101"] * 5


def test_agents_are_shown_by_name_and_the_unknown_by_their_id():
    run(LOG)
    page = signed_in("supervisor1").get("/calls/?from=2026-11-16&to=2026-11-16")
    rows = {r["group"]: r["name"] for r in page.context["agents"] if r["group"]}
    assert rows == {"Agent/1101": "刘洋", "SIP/1102": "陈静", "Agent/9999": "Agent/9999"}
    html = page.content.decode()
    assert "<td>刘洋</td>" in html
    assert "<td>Agent/1101</td>" not in html
    assert agent_names([]) == {}


def test_a_bad_csv_says_which_line_and_field_in_the_readers_language():
    job = run("call_id,queue,enqueued_at,outcome,wait_seconds\n"
              "a1,95598,2026-11-16 10:00,answered,5\n"
              "a2,95598,yesterday,answered,5\n"
              "a3,95598,2026-11-16T10:00:00+08:00,answered,five\n"
              "a4,95598,2026-11-16T10:00:00+08:00,hung_up,5\n"
              ",95598,2026-11-16T10:00:00+08:00,answered,5\n", fmt="csv")
    assert job.imported == 0
    assert [(e["line"], e["code"], e["field"]) for e in job.errors] == [
        (2, "offset", "enqueued_at"), (3, "time", "enqueued_at"), (4, "number", "wait_seconds"),
        (5, "outcome", "outcome"), (6, "required", "call_id")]
    assert "Invalid isoformat" not in str(job.errors)
    page = signed_in("supervisor1").get(f"/calls/imports/{job.pk}/").content.decode()
    texts = [import_error_text(e) for e in job.errors]
    assert texts[1] == "第 3 行，进入队列时间：“yesterday”不是日期时间，应形如 2026-11-28T10:05:00+08:00。"
    assert texts[2] == "第 4 行，等待（秒）：“five”不是整数。"
    assert [f"<li>{text}</li>" in page for text in texts] == [True] * 5
    assert "Invalid isoformat" not in page


def test_a_bad_queue_log_line_names_the_field():
    job = run(f"{T0}|c1|95598|NONE|ENTERQUEUE||1|1\nsoon|c1|95598|Agent/1101|CONNECT|8|c1-agent|6\n")
    assert [(e["line"], e["code"], e["field"], e["value"]) for e in job.errors] == [(2, "number", "time", "soon")]
    assert import_error_text(job.errors[0]) == "第 2 行，时间：“soon”不是整数。"


def test_an_error_stored_before_codes_keeps_its_reason():
    assert import_error_text({"line": 7, "reason": "fewer than 5 fields"}) == "第 7 行：fewer than 5 fields"
