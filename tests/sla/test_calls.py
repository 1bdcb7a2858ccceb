"""Call logs: a hand-made queue_log with every event type, re-imports, broken lines, the ICMI oracle."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.calls import FORMULAS, _rates, call_import_create, call_import_run, service_level
from sla.models import CallRecord

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
T0 = int(datetime(2026, 11, 16, 9, 0, tzinfo=TZ).timestamp())

QUEUE_LOG = "\n".join(f"{T0 + dt}|{line}" for dt, line in [
    (0, "NONE|NONE|NONE|QUEUESTART|"),
    (1, "NONE|95598|Agent/1001|AGENTLOGIN|SIP/1001"),
    # c1: answered after 8 s, the agent picked up after 6 s of ringing, talked 120 s
    (10, "c1|95598|NONE|ENTERQUEUE||13900000001|1"),
    (14, "c1|95598|Agent/1002|RINGNOANSWER|15000"),
    (18, "c1|95598|Agent/1001|CONNECT|8|c1-agent|6"),
    (138, "c1|95598|Agent/1001|COMPLETECALLER|8|120|1"),
    # c2: answered after 20 s (late), ring 20 s, agent hung up after 60 s
    (20, "c2|95598|NONE|ENTERQUEUE||13900000002|2"),
    (40, "c2|95598|Agent/1003|CONNECT|20|c2-agent|20"),
    (100, "c2|95598|Agent/1003|COMPLETEAGENT|20|60|2"),
    # c3: abandoned after 3 s (a short abandon); c4 abandoned after 30 s
    (30, "c3|95598|NONE|ENTERQUEUE||13900000003|1"),
    (33, "c3|95598|NONE|ABANDON|1|1|3"),
    (31, "c4|95598|NONE|ENTERQUEUE||13900000004|1"),
    (61, "c4|95598|NONE|ABANDON|2|1|30"),
    # c5 timed out of 95598 after 60 s and overflowed into repair, where it was answered after 5 s
    (40, "c5|95598|NONE|ENTERQUEUE||13900000005|3"),
    (100, "c5|95598|NONE|EXITWITHTIMEOUT|3|3|60"),
    (100, "c5|repair|NONE|ENTERQUEUE||13900000005|1"),
    (105, "c5|repair|Agent/1004|CONNECT|5|c5-agent|4"),
    (200, "c5|repair|Agent/1004|TRANSFER|8001|from-internal|5|95|1"),
    # c6 pressed a key after 12 s; c7 left an empty queue at once
    (50, "c6|95598|NONE|ENTERQUEUE||13900000006|1"),
    (62, "c6|95598|NONE|EXITWITHKEY|1|1|1|12"),
    (70, "c7|repair|NONE|ENTERQUEUE||13900000007|1"),
    (70, "c7|repair|NONE|EXITEMPTY|1|1|0"),
])


def run(text: str, fmt: str = "queue_log"):
    return call_import_run(import_id=call_import_create(name="queue_log", content=text, fmt=fmt).pk)


def test_every_event_type_gives_exact_records():
    job = run(QUEUE_LOG)
    assert (job.status, job.imported, job.duplicates, job.errors) == ("done", 8, 0, [])
    records = {(r.call_id, r.queue): r for r in CallRecord.objects.all()}
    assert {k: r.outcome for k, r in records.items()} == {
        ("c1", "95598"): "answered", ("c2", "95598"): "answered", ("c3", "95598"): "abandoned",
        ("c4", "95598"): "abandoned", ("c5", "95598"): "timeout", ("c5", "repair"): "transferred",
        ("c6", "95598"): "exit_key", ("c7", "repair"): "exit_empty"}
    c1 = records[("c1", "95598")]
    assert (c1.wait_seconds, c1.ring_seconds, c1.talk_seconds, c1.agent, c1.caller) == (8, 6, 120, "Agent/1001",
                                                                                       "13900000001")
    assert records[("c5", "repair")].talk_seconds == 95


def test_the_figures_of_the_hand_made_log():
    run(QUEUE_LOG)
    row = service_level(date_from=date(2026, 11, 16), date_to=date(2026, 11, 16))["results"][0]
    assert {k: row[k] for k in ("records", "offered", "answered", "answered_within", "abandoned", "short_abandons")} == {
        "records": 8, "offered": 7, "answered": 3, "answered_within": 2, "abandoned": 2, "short_abandons": 1}
    assert row["service_level"] == round(2 / (7 - 1), 4)  # answered ≤ 15 s / (offered - short abandons)
    assert (row["answer_rate"], row["abandonment_rate"]) == (round(3 / 7, 4), round(2 / 7, 4))
    assert row["asa_seconds"] == round((8 + 20 + 5) / 3, 1)
    assert row["pickup_within_rate"] == round(2 / 3, 4)  # rings of 6 and 4 s within 15, 20 s not
    by_queue = {r["group"]: r["offered"] for r in service_level(date_from=date(2026, 11, 16),
                                                                date_to=date(2026, 11, 16), group_by="queue")["results"]}
    assert by_queue == {"95598": 6, "repair": 2}
    by_hour = service_level(date_from=date(2026, 11, 16), date_to=date(2026, 11, 16), group_by="hour")["results"]
    assert [(r["group"], r["records"]) for r in by_hour] == [(9, 8)]


def test_the_same_file_twice_adds_nothing():
    run(QUEUE_LOG)
    again = run(QUEUE_LOG)
    assert (again.imported, again.duplicates) == (0, 8)
    assert CallRecord.objects.count() == 8


def test_broken_lines_are_reported_by_number_and_the_rest_is_kept():
    lines = QUEUE_LOG.splitlines()
    lines.insert(2, "not-a-time|x1|95598|NONE|ENTERQUEUE||1|1")
    lines.insert(5, f"{T0}|c9|95598|Agent/1|CONNECT|8|c9|6")
    lines.insert(7, "garbage")
    job = run("\n".join(lines))
    assert job.imported == 8
    assert [(e["line"], e["reason"].split(":")[0]) for e in job.errors] == [
        (3, "the time is not a whole number"), (6, "CONNECT for a call that never entered queue 95598"),
        (8, "fewer than 5 fields")]


def icmi_csv() -> str:
    """The ICMI example: 1,000 answered (860 within T), 60 abandoned (20 within T)."""
    start = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)
    rows = ["call_id,queue,enqueued_at,outcome,wait_seconds"]
    for i in range(1000):
        rows.append(f"a{i},95598,{(start + timedelta(seconds=i)).isoformat()},answered,{10 if i < 860 else 40}")
    for i in range(60):
        rows.append(f"b{i},95598,{(start + timedelta(seconds=i)).isoformat()},abandoned,{10 if i < 20 else 40}")
    return "\n".join(rows)


@pytest.mark.parametrize(("formula", "expected"), [
    ("answered_only", 0.86), ("abandons_against", 0.8113), ("abandons_for", 0.8302), ("late_abandons_against", 0.8269),
])
def test_the_icmi_oracle(formula, expected):
    job = run(icmi_csv(), fmt="csv")
    assert (job.imported, job.errors) == (1060, [])
    row = service_level(date_from=date(2026, 11, 16), date_to=date(2026, 11, 16), threshold=15, short_abandon=5,
                        formula=formula)["results"][0]
    assert row["service_level"] == expected


def test_upload_through_the_api_then_the_figures(api, shape_a, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sla.models import CallImport

    client = api("supervisor1")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/api/v1/calls/imports/", {
            "file": SimpleUploadedFile("queue_log", QUEUE_LOG.encode("utf-8")), "format": "queue_log"},
            format="multipart")
    assert (response.status_code, response.json()["status"]) == (202, "pending")
    assert len(callbacks) == 1  # the import task goes to a worker after commit
    call_import_run(import_id=response.json()["id"])
    job = client.get(f"/api/v1/calls/imports/{response.json()['id']}/").json()
    assert (job["status"], job["imported"], job["duplicates"]) == ("done", 8, 0)
    body = client.get("/api/v1/calls/service-level/?from=2026-11-16&to=2026-11-16&group_by=day").json()
    assert body["formula"] == "answered ≤ T / (offered - abandoned ≤ S)"
    assert [(r["group"], r["offered"], r["service_level"]) for r in body["results"]] == [("2026-11-16", 7, 0.3333)]
    assert api("agent1").get("/api/v1/calls/service-level/").status_code == 403
    assert api("agent1").post("/api/v1/calls/imports/", {}, format="multipart").status_code == 403
    bad = client.post("/api/v1/calls/imports/", {"file": SimpleUploadedFile("x", b"\xff\xfe\x00bad")},
                      format="multipart")
    assert bad.status_code == 400
    assert CallImport.objects.count() == 1


def test_manage_py_import_calls(tmp_path):
    import io

    from django.core.management import call_command

    path = tmp_path / "queue_log"
    path.write_text(QUEUE_LOG, encoding="utf-8")
    out = io.StringIO()
    call_command("import_calls", str(path), stdout=out)
    call_command("import_calls", str(path), stdout=out)
    assert out.getvalue().splitlines() == ["lines=22 imported=8 duplicates=0 errors=0",
                                           "lines=22 imported=0 duplicates=8 errors=0"]


def test_a_ticket_logged_during_a_call_shows_the_call(api, shape_a):
    from tests.conftest import signed_in

    run(QUEUE_LOG)
    created = api("agent2").post("/api/v1/tickets/", {
        "kind": "complaint", "channel": "phone", "subject": "排队太久", "call_id": "c4",
        "customer": {"name": "客户", "phone": "13900000004"}}, format="json").json()
    assert created["call_id"] == "c4"
    page = signed_in("supervisor1").get(f"/tickets/{created['id']}/").content.decode()
    assert 'id="call"' in page and "95598" in page
    assert [c.outcome for c in signed_in("supervisor1").get(f"/tickets/{created['id']}/").context["calls"]] == [
        "abandoned"]


def test_the_demo_queue_log_imports_cleanly_and_looks_like_a_hotline(shape_a):
    from sla.demo import seed_calls

    imported = seed_calls(days=7)
    assert imported > 500
    assert seed_calls(days=7) == 0  # once
    row = service_level(date_from=timezone_today() - timedelta(days=7), date_to=timezone_today())["results"][0]
    assert row["records"] == imported and row["offered"] < row["records"]  # overflows counted once
    assert 0.7 < row["service_level"] < 0.98
    assert 0.03 < row["abandonment_rate"] < 0.12
    from sla.models import CallImport

    assert CallImport.objects.get().errors == []


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


@settings(max_examples=300, deadline=None)
@given(answered_within=st.integers(0, 500), answered_late=st.integers(0, 500), abandoned_short=st.integers(0, 100),
       abandoned_within=st.integers(0, 100), abandoned_late=st.integers(0, 100), others=st.integers(0, 100),
       formula=st.sampled_from(sorted(FORMULAS)))
def test_the_service_level_never_leaves_0_1(answered_within, answered_late, abandoned_short, abandoned_within,
                                            abandoned_late, others, formula):
    """Whatever the mix of calls (short abandons are within T too), every formula gives a share."""
    abandoned = abandoned_short + abandoned_within + abandoned_late
    answered = answered_within + answered_late
    row = {"answered": answered, "answered_within": answered_within, "abandoned": abandoned,
           "abandoned_within": abandoned_short + abandoned_within, "short_abandons": abandoned_short,
           "offered": answered + abandoned + others, "picked_up_within": 0, "ring_known": 0, "asa_seconds": None}
    _rates(row, formula)
    for name in ("service_level", "answer_rate", "abandonment_rate"):
        assert row[name] is None or 0.0 <= row[name] <= 1.0
