"""Call logs: a hand-made queue_log with every event type, re-imports, broken lines, the ICMI oracle."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calls.imports import call_import_create, call_import_run
from calls.metrics import FORMULAS, _rates, service_level
from calls.models import CallRecord

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
    c5 = records[("c5", "repair")]
    assert (c5.wait_seconds, c5.talk_seconds, c5.transfer_kind, c5.transfer_exten, c5.transfer_context) == (
        5, 95, "transfer", "8001", "from-internal")


def test_the_figures_of_the_hand_made_log():
    run(QUEUE_LOG)
    row = service_level(date_from=date(2026, 11, 16), date_to=date(2026, 11, 16))["results"][0]
    counted = ("records", "offered", "answered", "answered_within", "abandoned", "short_abandons")
    assert {k: row[k] for k in counted} == {
        "records": 8, "offered": 7, "answered": 3, "answered_within": 2, "abandoned": 2, "short_abandons": 1}
    assert row["service_level"] == round(2 / (7 - 1), 4)  # answered ≤ 15 s / (offered - short abandons)
    assert (row["answer_rate"], row["abandonment_rate"]) == (round(3 / 7, 4), round(2 / 7, 4))
    assert row["asa_seconds"] == round((8 + 20 + 5) / 3, 1)
    assert row["pickup_within_rate"] == round(2 / 3, 4)  # rings of 6 and 4 s within 15, 20 s not
    by_queue = {r["group"]: r["offered"]
                for r in service_level(date_from=date(2026, 11, 16), date_to=date(2026, 11, 16),
                                       group_by="queue")["results"]}
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
    rows += [f"a{i},95598,{(start + timedelta(seconds=i)).isoformat()},answered,{10 if i < 860 else 40}"
             for i in range(1000)]
    rows += [f"b{i},95598,{(start + timedelta(seconds=i)).isoformat()},abandoned,{10 if i < 20 else 40}"
             for i in range(60)]
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

    from calls.models import CallImport

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
    assert 'id="call"' in page
    assert "95598" in page
    assert [c.outcome for c in signed_in("supervisor1").get(f"/tickets/{created['id']}/").context["calls"]] == [
        "abandoned"]


def test_the_demo_queue_log_imports_cleanly_and_looks_like_a_hotline(shape_a):
    from demo.calls import seed_calls

    imported = seed_calls(days=7)
    assert imported > 500
    assert seed_calls(days=7) == 0  # once
    row = service_level(date_from=timezone_today() - timedelta(days=7), date_to=timezone_today())["results"][0]
    assert row["records"] == imported
    assert row["offered"] < row["records"]  # overflows counted once
    assert 0.7 < row["service_level"] < 0.98
    assert 0.03 < row["abandonment_rate"] < 0.12
    from calls.models import CallImport

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


REENTRY = "\n".join(f"{T0 + dt}|{line}" for dt, line in [
    # r1 waited 60 s, timed out, chose to wait again, and was answered after 4 s of its second attempt
    (0, "r1|95598|NONE|ENTERQUEUE||13900000011|1"),
    (60, "r1|95598|NONE|EXITWITHTIMEOUT|1|1|60"),
    (65, "r1|95598|NONE|ENTERQUEUE||13900000011|1"),
    (69, "r1|95598|Agent/1001|CONNECT|4|r1-agent|4"),
    (129, "r1|95598|Agent/1001|COMPLETEAGENT|4|60|1"),
    # r2 pressed a key (a callback menu) in Asterisk 1.4's short form, went back, and hung up
    (10, "r2|95598|NONE|ENTERQUEUE||13900000012"),
    (22, "r2|95598|NONE|EXITWITHKEY|1|2"),
    (30, "r2|95598|NONE|ENTERQUEUE||13900000012"),
    (33, "r2|95598|NONE|ABANDON|1|1|3"),
    # r3 is still waiting when the log is copied
    (140, "r3|95598|NONE|ENTERQUEUE||13900000013|1"),
])


def test_a_caller_sent_back_into_the_same_queue_has_two_attempts_and_is_offered_once():
    job = run(REENTRY)
    assert (job.imported, job.duplicates, job.errors) == (4, 0, [])
    assert list(CallRecord.objects.order_by("call_id", "attempt").values_list(
        "call_id", "attempt", "outcome", "wait_seconds", "talk_seconds")) == [
        ("r1", 1, "timeout", 60, None), ("r1", 2, "answered", 4, 60),
        ("r2", 1, "exit_key", 12, None), ("r2", 2, "abandoned", 3, None)]
    row = service_level(date_from=date(2026, 11, 16), date_to=date(2026, 11, 16))["results"][0]
    assert {k: row[k] for k in ("records", "offered", "answered", "answered_within", "abandoned",
                                "short_abandons")} == {"records": 4, "offered": 2, "answered": 1,
                                                       "answered_within": 1, "abandoned": 1, "short_abandons": 1}
    assert row["service_level"] == 1.0  # 1 answered within 15 s / (2 offered - 1 short abandon)
    assert (run(REENTRY).imported, CallRecord.objects.count()) == (0, 4)


def test_a_longer_copy_of_the_same_log_adds_only_what_is_new():
    run(REENTRY)
    grown = REENTRY + "\n" + "\n".join([f"{T0 + 150}|r3|95598|Agent/1002|CONNECT|10|r3-agent|3",
                                         f"{T0 + 210}|r3|95598|Agent/1002|COMPLETECALLER|10|60|1",
                                         f"{T0 + 300}|r1|95598|NONE|ENTERQUEUE||13900000011|1",
                                         f"{T0 + 301}|r1|95598|NONE|ABANDON|1|1|1"])
    job = run(grown)
    assert (job.imported, job.duplicates, job.errors) == (2, 4, [])
    assert list(CallRecord.objects.filter(source=job).order_by("enqueued_at").values_list(
        "call_id", "attempt", "outcome", "wait_seconds")) == [("r3", 1, "answered", 10), ("r1", 3, "abandoned", 1)]


def test_csv_rows_of_one_call_in_one_queue_are_its_attempts():
    at = datetime(2026, 11, 16, 9, 0, tzinfo=TZ)
    text = "\n".join(["call_id,queue,enqueued_at,outcome,wait_seconds,talk_seconds",
                      f"k1,95598,{(at + timedelta(seconds=70)).isoformat()},answered,3,50",
                      f"k1,95598,{at.isoformat()},timeout,60,",
                      f"k2,95598,{at.isoformat()},withdrawn,30,"])
    job = run(text, fmt="csv")
    assert (job.imported, job.errors) == (3, [])
    assert list(CallRecord.objects.order_by("call_id", "attempt").values_list("call_id", "attempt", "outcome")) == [
        ("k1", 1, "timeout"), ("k1", 2, "answered"), ("k2", 1, "withdrawn")]
    assert run(text, fmt="csv").imported == 0


# The reaper: imports that lost their worker or their message.

def stale_by(seconds: float) -> datetime:
    from django.conf import settings
    from django.utils import timezone

    return timezone.now() - timedelta(seconds=settings.CALLS_IMPORT_STALE_SECONDS + seconds)


def test_the_reaper_queues_again_an_import_whose_worker_died(django_capture_on_commit_callbacks):
    from calls.imports import call_imports_reap
    from calls.models import CallImport

    died = call_import_create(name="died", content=QUEUE_LOG, fmt="queue_log")
    lost = call_import_create(name="lost message", content=QUEUE_LOG, fmt="queue_log")
    slow = call_import_create(name="working", content=QUEUE_LOG, fmt="queue_log")
    CallImport.objects.filter(pk=died.pk).update(status="running", attempts=1, updated_at=stale_by(1))
    CallImport.objects.filter(pk=lost.pk).update(updated_at=stale_by(1))  # queued, never started
    CallImport.objects.filter(pk=slow.pk).update(status="running", attempts=1, updated_at=stale_by(-30))
    with django_capture_on_commit_callbacks() as callbacks:
        assert call_imports_reap() == {"requeued": [died.pk, lost.pk], "failed": []}
    assert len(callbacks) == 1  # the tasks go out after commit
    assert dict(CallImport.objects.values_list("name", "status")) == {
        "died": "pending", "lost message": "pending", "working": "running"}
    with django_capture_on_commit_callbacks() as callbacks:
        assert call_imports_reap() == {"requeued": [], "failed": []}  # progress was just reset
    assert callbacks == []
    job = call_import_run(import_id=died.pk)  # what the worker does with the message
    assert (job.status, job.attempts, job.imported, job.failure_reason) == ("done", 2, 8, "")
    assert call_import_run(import_id=lost.pk).attempts == 1


def test_the_reaper_gives_up_after_the_last_attempt_and_says_why(api, shape_a):
    from django.conf import settings
    from django.utils import translation

    from calls.imports import call_imports_reap
    from calls.models import CallImport, CallImportFailure
    from tests.conftest import signed_in

    job = call_import_create(name="poison", content=QUEUE_LOG, fmt="queue_log")
    CallImport.objects.filter(pk=job.pk).update(status="running", attempts=settings.CALLS_IMPORT_MAX_ATTEMPTS,
                                                updated_at=stale_by(1))
    assert call_imports_reap() == {"requeued": [], "failed": [job.pk]}
    job.refresh_from_db()
    assert (job.status, job.failure_reason, job.finished_at is not None) == ("failed", "worker_lost", True)
    assert call_import_run(import_id=job.pk).status == "failed"  # a late copy of the task changes nothing
    assert not CallRecord.objects.exists()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            reason = str(CallImportFailure.WORKER_LOST.label)
        body = api("supervisor1").get(f"/api/v1/calls/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
        assert (body["status"], body["attempts"], body["failure_reason"], body["failure_message"]) == (
            "failed", settings.CALLS_IMPORT_MAX_ATTEMPTS, "worker_lost", reason)
        client = signed_in("supervisor1")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(f"/calls/imports/{job.pk}/").content.decode()
        assert 'id="import-failure"' in page
        assert reason in page
        assert 'hx-trigger' not in page
        assert reason in client.get("/calls/").content.decode()


def test_a_second_delivery_while_a_run_is_alive_does_nothing():
    """On PostgreSQL the run holds a lock its connection lets go of when the worker dies; elsewhere a
    running import is taken over only once its progress is stale."""
    from django.db import connection

    from calls.imports import RUN_LOCK, call_imports_reap
    from calls.models import CallImport

    job = call_import_create(name="busy", content=QUEUE_LOG, fmt="queue_log")
    other = None
    if connection.vendor == "postgresql":  # a live worker elsewhere holds the run's lock
        other = connection.get_new_connection(connection.get_connection_params())
        other.autocommit = True
        other.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK, job.pk])
        CallImport.objects.filter(pk=job.pk).update(status="running", attempts=1, updated_at=stale_by(1))
    else:
        CallImport.objects.filter(pk=job.pk).update(status="running", attempts=1, updated_at=stale_by(-30))
    try:
        again = call_import_run(import_id=job.pk)
        assert (again.status, again.attempts, CallRecord.objects.count()) == ("running", 1, 0)
        assert call_imports_reap() == {"requeued": [], "failed": []}
    finally:
        if other is not None:
            other.close()  # the worker dies: PostgreSQL lets its lock go
    if other is not None:
        assert call_imports_reap()["requeued"] == [job.pk]
    CallImport.objects.filter(pk=job.pk).update(updated_at=stale_by(1))
    assert call_import_run(import_id=job.pk).status == "done"


def test_a_run_past_its_soft_time_limit_fails_with_its_reason():
    from calls.imports import call_import_fail
    from calls.models import CallImport, CallImportFailure

    job = call_import_create(name="huge", content=QUEUE_LOG, fmt="queue_log")
    CallImport.objects.filter(pk=job.pk).update(status="running", attempts=1)
    assert call_import_fail(import_id=job.pk, reason=CallImportFailure.TIME_LIMIT) == 1
    job.refresh_from_db()
    assert (job.status, job.failure_reason) == ("failed", "time_limit")
    assert call_import_run(import_id=job.pk).status == "failed"
