"""Timeline entries read as sentences in the reader's language, old rows too; the API's events keep
their raw fields and add the sentence as ``text``."""

import pytest
from django.utils import translation

from tickets.events import event_build
from tickets.timeline import timeline_entry, timeline_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shape_a")]


def entry(kind, field="", old="", new="", body="", language="zh-hans"):
    event = event_build(ticket_id=1, kind=kind, field=field, old=old, new=new, body=body)
    with translation.override(language):
        found = timeline_entry(event)
        return found.text, found.body


@pytest.mark.parametrize(("event", "zh", "en"), [
    (("assigned", "assignee", "", "刘洋"), "分派给 刘洋", "Assigned to 刘洋"),
    (("assigned", "assignee", "刘洋", "陈静"), "由 刘洋 改派给 陈静", "Reassigned from 刘洋 to 陈静"),
    (("claimed", "assignee", "", "刘洋"), "刘洋 认领了工单", "Claimed by 刘洋"),
    (("status", "status", "assigned", "in_progress"), "状态由 已分派 变为 处理中",
     "Status changed from Assigned to In progress"),
    (("created", "status", "", "new"), "创建工单", "Ticket created"),
    (("dispatched", "work_order", "", "WO-393 → 技术服务一片区"), "派单 WO-393 至 技术服务一片区",
     "Work order WO-393 dispatched to Technical Service, Region 1"),
    (("dispatched", "work_order", "", "技术服务一片区"), "派单至 技术服务一片区",  # the demo's rows
     "Work order dispatched to Technical Service, Region 1"),
    (("work_order", "arrived_at", "", "2026-11-28T02:05:00+00:00"), "到达现场 11-28 10:05",
     "Arrived on site 11-28 10:05"),
    (("work_order", "restored_at", "", "2026-11-28T04:30:00+00:00"), "修复完成 11-28 12:30",
     "Repair completed 11-28 12:30"),
    (("callback", "callback", "", "2: Unreachable"), "第 2 次回访：无法接通", "Callback attempt 2: Unreachable"),
    (("callback", "callback", "", "满意"), "回访：满意", "Callback: Satisfied"),  # the demo's rows
    (("raised", "raised_to", "", "张伟"), "已上报给 张伟", "Raised to 张伟"),
    (("sla", "sla:resolution", "2026-11-20 17:30", "2026-11-23 17:30"),
     "办结（答复）时限由 11-20 17:30 调整为 11-23 17:30",
     "Resolution (reply) deadline moved from 11-20 17:30 to 11-23 17:30"),
    (("sla", "sla:arrival", "2026-11-20 17:30", ""), "到达现场时限已取消", "On-site arrival deadline cancelled"),
    (("changed", "priority", "3", "1"), "优先级由“普通”改为“紧急”", "Changed priority from “Normal” to “Urgent”"),
    (("changed", "team", "接待服务组", "技术服务一片区"), "班组由 接待服务组 改为 技术服务一片区",
     "Team changed from Reception Service to Technical Service, Region 1"),
    (("transferred", "team", "接待服务组", "技术服务一片区"), "由 接待服务组 转派至 技术服务一片区",
     "Transferred from Reception Service to Technical Service, Region 1"),
    (("reclassified", "kind", "complaint", "report"), "类型由 投诉 改为 举报", "Reclassified from Complaint to Report"),
    (("survey", "rating", "", "1"), "客户评价：非常不满意", "The customer rated the service: Very unsatisfied"),
    (("merged", "merged", "", "TS-20261128-000007"), "重复来电 TS-20261128-000007 已并入",
     "Repeat call TS-20261128-000007 merged in"),
])
def test_each_kind_of_entry_reads_as_a_sentence(event, zh, en):
    kind, field, old, new = event
    assert entry(kind, field, old, new)[0] == zh
    assert entry(kind, field, old, new, language="en")[0] == en


def test_the_callbacks_due_time_is_part_of_its_sentence_not_a_body():
    assert entry("callback", "callback", "", "due", "2026-11-29 17:30") == ("回访已安排，截止 11-29 17:30", "")


def test_escalations_name_whom_they_reached_and_warnings_read_as_reminders():
    assert entry("escalated", "sla:first_response", "", "1", "张伟") == ("首次响应超时：第 1 级升级至 张伟", "")
    assert entry("escalated", "sla:first_response", "", "0", "刘洋") == ("首次响应即将到期：已提醒 刘洋", "")


def test_the_body_of_a_reply_or_a_note_stays_under_the_sentence():
    assert entry("note", body="已电话联系客户") == ("内部备注", "已电话联系客户")
    assert entry("status", "status", "in_progress", "pending_customer", "等客户确认") == (
        "状态由 处理中 变为 待客户补充", "等客户确认")


def test_an_unknown_value_is_shown_as_stored_never_dropped():
    assert entry("sla", "sla:later_target", "", "2026-11-20 17:30")[0] == "later_target时限设为 11-20 17:30"
    assert entry("assigned", "assignee", "", "某人")[0] == "分派给 某人"


def test_the_api_keeps_the_raw_fields_and_adds_the_sentence(make_ticket, member, api):
    from tickets import services

    ticket = make_ticket(kind="repair", assignee=member("agent1"))
    services.ticket_start(ticket_id=ticket.pk, actor=member("agent1").user)
    events = api("agent1").get(f"/api/v1/tickets/{ticket.pk}/events/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert [(e["kind"], e["field"], e["old_value"], e["new_value"]) for e in events] == [
        ("created", "status", "", "assigned"), ("assigned", "assignee", "", "刘洋"),
        ("status", "status", "assigned", "in_progress")]
    assert list(events[0]) == ["id", "kind", "actor", "actor_name", "created_at", "field", "old_value", "new_value",
                               "body", "text"]
    assert [e["text"] for e in events] == ["创建工单", "分派给 刘洋", "状态由 已分派 变为 处理中"]


def test_timeline_text_is_the_entrys_sentence():
    event = event_build(ticket_id=1, kind="assigned", field="assignee", new="刘洋")
    with translation.override("zh-hans"):
        assert timeline_text(event) == "分派给 刘洋"


def test_a_whole_timeline_reads_its_teams_in_one_query(django_assert_num_queries):
    from tickets.timeline import timeline_entries

    events = [event_build(ticket_id=1, kind="transferred", field="team", old="接待服务组", new="技术服务一片区"),
              event_build(ticket_id=1, kind="dispatched", field="work_order", new="WO-1 → 技术服务二片区"),
              event_build(ticket_id=1, kind="changed", field="team", old="Reception Service", new="技术服务一片区"),
              event_build(ticket_id=1, kind="note", body="备注")]
    with translation.override("en"), django_assert_num_queries(1):
        texts = [entry.text for _, entry in timeline_entries(events)]
    assert texts == ["Transferred from Reception Service to Technical Service, Region 1",
                     "Work order WO-1 dispatched to Technical Service, Region 2",
                     "Team changed from Reception Service to Technical Service, Region 1", "Internal note"]
    with translation.override("zh-hans"), django_assert_num_queries(1):
        texts = [entry.text for _, entry in timeline_entries(events)]
    assert texts[2] == "班组由 接待服务组 改为 技术服务一片区"  # stored by an English reader, read in Chinese
