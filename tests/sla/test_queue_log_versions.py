"""Every form of every call event of Asterisk 1.2 to 20 imports: one hand-written queue_log per version
family (``tests/sla/queue_logs/``), each with its exact records and figures.

The forms come from ``apps/app_queue.c`` of each version (see ``sla/queue_log.py``): CONNECT with one,
two or three fields; EXITWITHTIMEOUT and EXITWITHKEY in their short (1.2, 1.4, 1.6, 10, some paths of
12) and long forms; TRANSFER with two, four and five fields; BLINDTRANSFER and ATTENDEDTRANSFER (to a
bridge, an application, a link of local channels) from 12; RINGCANCELED from 15, WITHDRAW from 16.25
and 18.11, ENTERQUEUE with the caller's name from 20.14; and the agent and queue events each version
writes, which are skipped. A caller sent back into the same queue has one record per attempt and is
offered once.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.db.models import Count

from calls.imports import call_import_create, call_import_run
from calls.metrics import service_level
from calls.models import CallRecord

pytestmark = pytest.mark.django_db
LOGS = Path(__file__).parent / "queue_logs"
Q, R = "95598", "repair"


@dataclass
class Expected:
    day: date  # the day of the log, center time
    base: int  # the epoch the offsets below count from
    lines: int
    # (offset entered, call id, queue, attempt, outcome, wait, talk, ring, agent)
    records: list[tuple]
    # call id, queue, attempt → (kind, extension, context, target)
    transfers: dict[tuple, tuple]
    figures: dict  # records, offered, answered, answered_within, abandoned, short_abandons
    service_level: float
    asa_seconds: float
    pickup_within_rate: float | None


VERSIONS = {
    "asterisk-1.2": Expected(
        day=date(2006, 3, 14), base=1142298000, lines=33,
        records=[
            (60, "1142298060.3", Q, 1, "answered", 8, 120, None, "Agent/1001"),
            (90, "1142298090.6", Q, 1, "timeout", 60, None, None, ""),  # EXITWITHTIMEOUT|position
            (100, "1142298100.9", Q, 1, "exit_key", 25, None, None, ""),  # EXITWITHKEY|key|position
            (130, "1142298130.12", Q, 1, "abandoned", 3, None, None, ""),
            (152, "1142298090.6", Q, 2, "answered", 6, 90, None, "Agent/1002"),  # sent back after the timeout
            (200, "1142298200.15", Q, 1, "abandoned", 45, None, None, ""),
            (300, "1142298300.18", R, 1, "transferred", 12, 88, None, "SIP/8003-0a1b2c3d"),  # talk from the times
            (310, "1142298310.21", R, 1, "exit_empty", 0, None, None, ""),
            (400, "1142298400.24", Q, 1, "answered", 20, 60, None, "Agent/1002"),  # after an AGENTDUMP
            (600, "1142298600.27", Q, 1, "dropped", 7, None, None, ""),  # SYSCOMPAT
        ],
        transfers={("1142298300.18", R, 1): ("transfer", "8100", "from-internal", "")},
        figures={"records": 10, "offered": 9, "answered": 4, "answered_within": 3, "abandoned": 2,
                 "short_abandons": 1},
        service_level=0.375, asa_seconds=11.5, pickup_within_rate=None),
    "asterisk-1.4": Expected(
        day=date(2008, 6, 2), base=1212368400, lines=29,
        records=[
            (30, "1212368430.3", Q, 1, "answered", 20, 180, None, "SIP/8001"),
            (40, "1212368440.6", Q, 1, "transferred", 4, 60, None, "SIP/8002"),
            (60, "1212368460.9", Q, 1, "timeout", 30, None, None, ""),
            (70, "1212368470.12", Q, 1, "exit_key", 12, None, None, ""),
            (92, "1212368460.9", R, 1, "answered", 5, 60, None, "SIP/8003"),  # overflowed into repairs
            (95, "1212368470.12", Q, 2, "abandoned", 4, None, None, ""),
            (120, "1212368520.15", R, 1, "exit_empty", 1, None, None, ""),
            (200, "1212368600.18", Q, 1, "abandoned", 40, None, None, ""),
            (400, "1212368800.21", Q, 1, "answered", 3, 60, None, "SIP/8001"),
        ],
        transfers={("1212368440.6", Q, 1): ("transfer", "8200", "from-internal", "")},
        figures={"records": 9, "offered": 7, "answered": 4, "answered_within": 3, "abandoned": 2,
                 "short_abandons": 1},
        service_level=0.5, asa_seconds=8.0, pickup_within_rate=None),
    "asterisk-1.6": Expected(
        day=date(2010, 5, 10), base=1273456800, lines=28,
        records=[
            (10, "1273456810.103", Q, 1, "answered", 20, 120, 5, "SIP/8001"),
            (20, "1273456820.106", Q, 1, "answered", 6, 60, 6, "SIP/8002"),
            (30, "1273456830.109", Q, 1, "timeout", 60, None, None, ""),  # the long form
            (40, "1273456840.112", Q, 1, "exit_key", 12, None, None, ""),
            (50, "1273456850.115", Q, 1, "abandoned", 2, None, None, ""),
            (95, "1273456830.109", Q, 2, "timeout", 60, None, None, ""),  # the short form
            (160, "1273456830.109", Q, 3, "transferred", 8, 60, 3, "SIP/8001"),
            (300, "1273457100.118", R, 1, "exit_empty", 0, None, None, ""),
            (310, "1273457110.121", R, 1, "answered", 26, 60, 24, "SIP/8003"),
        ],
        transfers={("1273456830.109", Q, 3): ("transfer", "8300", "from-internal", "")},
        figures={"records": 9, "offered": 7, "answered": 4, "answered_within": 2, "abandoned": 1,
                 "short_abandons": 1},
        service_level=0.3333, asa_seconds=15.0, pickup_within_rate=0.75),
    "asterisk-1.8": Expected(
        day=date(2012, 9, 17), base=1347843600, lines=27,
        records=[
            (20, "1347843620.203", Q, 1, "answered", 7, 300, 7, "SIP/8001"),
            (25, "1347843625.206", Q, 1, "exit_key", 30, None, None, ""),  # key|position|origposition|wait
            (30, "1347843630.209", Q, 1, "timeout", 20, None, None, ""),
            (51, "1347843630.209", R, 1, "abandoned", 8, None, None, ""),
            (60, "1347843625.206", Q, 2, "answered", 4, 60, 4, "SIP/8002"),
            (100, "1347843700.212", R, 1, "transferred", 18, 60, 17, "SIP/8003"),
            (180, "1347843700.212", Q, 1, "answered", 3, 60, 3, "SIP/8001"),  # transferred into the hotline
            (200, "1347843800.215", Q, 1, "abandoned", 1, None, None, ""),
            (210, "1347843810.218", R, 1, "exit_empty", 2, None, None, ""),
        ],
        transfers={("1347843700.212", R, 1): ("transfer", "95598", "from-queue", "")},
        figures={"records": 9, "offered": 6, "answered": 4, "answered_within": 3, "abandoned": 2,
                 "short_abandons": 1},
        service_level=0.6, asa_seconds=8.0, pickup_within_rate=0.75),
    "asterisk-10": Expected(
        day=date(2012, 3, 5), base=1330909200, lines=20,
        records=[
            (10, "1330909210.303", Q, 1, "answered", 5, 80, 5, "SIP/8001"),
            (12, "1330909212.306", Q, 1, "exit_key", 28, None, None, ""),  # key|position again
            (20, "1330909220.309", Q, 1, "answered", 20, 60, 4, "SIP/8003"),
            (45, "1330909212.306", Q, 2, "timeout", 60, None, None, ""),
            (50, "1330909250.312", R, 1, "transferred", 12, 60, 10, "SIP/8004"),
            (60, "1330909260.315", R, 1, "timeout", 15, None, None, ""),
            (108, "1330909212.306", Q, 3, "abandoned", 2, None, None, ""),
        ],
        transfers={("1330909250.312", R, 1): ("transfer", "8500", "from-internal", "")},
        figures={"records": 7, "offered": 5, "answered": 3, "answered_within": 2, "abandoned": 1,
                 "short_abandons": 1},
        service_level=0.5, asa_seconds=12.3, pickup_within_rate=1.0),
    "asterisk-11": Expected(
        day=date(2014, 4, 7), base=1396832400, lines=21,
        records=[
            (10, "1396832410.403", Q, 1, "answered", 3, 60, 3, "SIP/8001"),
            (11, "1396832411.406", Q, 1, "exit_key", 20, None, None, ""),
            (12, "1396832412.409", Q, 1, "timeout", 60, None, None, ""),
            (75, "1396832412.409", Q, 2, "transferred", 5, 120, 5, "SIP/8002"),
            (100, "1396832500.412", Q, 1, "abandoned", 30, None, None, ""),
            (101, "1396832501.415", R, 1, "exit_empty", 0, None, None, ""),
            (110, "1396832510.418", Q, 1, "answered", 18, 60, 2, "SIP/8001"),
        ],
        transfers={("1396832412.409", Q, 2): ("transfer", "8600", "from-internal", "")},
        figures={"records": 7, "offered": 6, "answered": 3, "answered_within": 2, "abandoned": 1,
                 "short_abandons": 0},
        service_level=0.3333, asa_seconds=8.7, pickup_within_rate=1.0),
    "asterisk-12-13": Expected(
        day=date(2016, 10, 17), base=1476666000, lines=28,
        records=[
            (10, "1476666010.503", Q, 1, "transferred", 6, 60, 5, "Agent/1001"),
            (20, "1476666020.506", Q, 1, "transferred", 4, 120, 4, "PJSIP/8002"),
            (30, "1476666030.509", Q, 1, "transferred", 12, 60, 11, "PJSIP/8003"),
            (40, "1476666040.512", Q, 1, "transferred", 17, 60, 6, "PJSIP/8002"),  # LINK: hold 17, talk 60
            (50, "1476666050.515", Q, 1, "timeout", 30, None, None, ""),  # 12's short form
            (60, "1476666060.518", Q, 1, "exit_key", 10, None, None, ""),
            (61, "1476666061.521", Q, 1, "abandoned", 5, None, None, ""),
            (82, "1476666050.515", Q, 2, "timeout", 60, None, None, ""),  # 13's long form
            (145, "1476666050.515", Q, 3, "answered", 5, 60, 5, "Agent/1001"),
            (300, "1476666300.524", R, 1, "exit_empty", 0, None, None, ""),
        ],
        transfers={
            ("1476666010.503", Q, 1): ("blind", "8700", "from-internal", ""),
            ("1476666020.506", Q, 1): ("attended", "", "", "bridge 2d5c1f1e-6f1a-4b8e-9a8a-3c1f0e4c8b21"),
            ("1476666030.509", Q, 1): ("attended", "", "", "app VoiceMail"),
            ("1476666040.512", Q, 1): ("attended", "", "", "link Local/8800@from-internal-00000004;1 "
                                                           "Local/8800@from-internal-00000004;2"),
        },
        figures={"records": 10, "offered": 8, "answered": 5, "answered_within": 4, "abandoned": 1,
                 "short_abandons": 1},
        service_level=0.5714, asa_seconds=8.8, pickup_within_rate=1.0),
    "asterisk-16": Expected(
        day=date(2022, 6, 13), base=1655082000, lines=26,
        records=[
            (10, "1655082010.603", Q, 1, "answered", 8, 240, 7, "PJSIP/8001"),
            (20, "1655082020.606", Q, 1, "abandoned", 22, None, None, ""),  # while ringing (RINGCANCELED)
            (30, "1655082030.609", Q, 1, "withdrawn", 60, None, None, ""),
            (40, "1655082040.612", Q, 1, "exit_key", 8, None, None, ""),
            (50, "1655082040.612", Q, 2, "transferred", 3, 120, 3, "PJSIP/8002"),
            (60, "1655082060.615", R, 1, "exit_empty", 0, None, None, ""),
            (70, "1655082070.618", R, 1, "transferred", 4, 60, 4, "PJSIP/8004"),
            (80, "1655082080.621", Q, 1, "abandoned", 2, None, None, ""),
            (136, "1655082070.618", Q, 1, "timeout", 60, None, None, ""),  # transferred into the hotline
        ],
        transfers={
            ("1655082040.612", Q, 2): ("attended", "", "", "bridge a3c9e0d2-77b1-4c55-8f0e-6d2b9a1c4e70"),
            ("1655082070.618", R, 1): ("blind", "95598", "from-queue", ""),
        },
        figures={"records": 9, "offered": 7, "answered": 3, "answered_within": 3, "abandoned": 2,
                 "short_abandons": 1},
        service_level=0.5, asa_seconds=5.0, pickup_within_rate=1.0),
    "asterisk-18": Expected(
        day=date(2023, 5, 8), base=1683507600, lines=23,
        records=[
            (10, "1683507609.703", Q, 1, "answered", 11, 120, 9, "PJSIP/8001"),
            (12, "1683507612.706", Q, 1, "transferred", 18, 60, 6, "PJSIP/8002"),
            (20, "1683507620.709", Q, 1, "timeout", 30, None, None, ""),
            (25, "1683507625.712", Q, 1, "dropped", 3, None, None, ""),
            (52, "1683507620.709", Q, 2, "exit_key", 8, None, None, ""),
            (65, "1683507620.709", Q, 3, "abandoned", 5, None, None, ""),
            (100, "1683507700.715", R, 1, "withdrawn", 30, None, None, ""),
            (110, "1683507710.718", R, 1, "answered", 3, 60, 3, "PJSIP/8004"),
        ],
        transfers={("1683507612.706", Q, 1): ("attended", "", "", "link Local/6000@from-internal-0000001a;1 "
                                                                   "Local/6000@from-internal-0000001a;2")},
        figures={"records": 8, "offered": 6, "answered": 3, "answered_within": 2, "abandoned": 1,
                 "short_abandons": 1},
        service_level=0.4, asa_seconds=10.7, pickup_within_rate=1.0),
    "asterisk-20": Expected(
        day=date(2025, 6, 9), base=1749430800, lines=24,
        records=[
            (10, "1749430810.803", Q, 1, "answered", 4, 180, 4, "PJSIP/8001"),
            (11, "1749430811.806", Q, 1, "transferred", 20, 60, 5, "PJSIP/8003"),
            (12, "1749430812.809", Q, 1, "abandoned", 3, None, None, ""),
            (13, "1749430813.812", Q, 1, "timeout", 60, None, None, ""),
            (75, "1749430813.812", Q, 2, "transferred", 5, 60, 5, "PJSIP/8002"),
            (100, "1749430900.815", R, 1, "exit_empty", 0, None, None, ""),
            (110, "1749430910.818", Q, 1, "withdrawn", 30, None, None, ""),
            (120, "1749430920.821", Q, 1, "exit_key", 12, None, None, ""),
        ],
        transfers={
            ("1749430811.806", Q, 1): ("blind", "8001", "from-internal", ""),
            ("1749430813.812", Q, 2): ("attended", "", "", "bridge 4e6f2a10-9c3d-4f7b-b1a2-8d5e3c7f9a01"),
        },
        figures={"records": 8, "offered": 7, "answered": 3, "answered_within": 2, "abandoned": 1,
                 "short_abandons": 1},
        service_level=0.3333, asa_seconds=9.7, pickup_within_rate=1.0),
}


def test_there_is_a_log_for_every_version_family_and_no_other():
    assert sorted(p.name for p in LOGS.glob("*.queue_log")) == sorted(f"{name}.queue_log" for name in VERSIONS)


def imported(name: str):
    text = (LOGS / f"{name}.queue_log").read_text(encoding="utf-8")
    return call_import_run(import_id=call_import_create(name=name, content=text, fmt="queue_log").pk)


@pytest.mark.parametrize("name", VERSIONS)
def test_every_line_imports_with_its_exact_records(name):
    expected = VERSIONS[name]
    job = imported(name)
    assert (job.status, job.lines, job.errors) == ("done", expected.lines, [])
    assert (job.imported, job.duplicates) == (len(expected.records), 0)
    base = datetime.fromtimestamp(expected.base, tz=UTC)
    rows = CallRecord.objects.order_by("enqueued_at", "queue", "attempt").values_list(
        "enqueued_at", "call_id", "queue", "attempt", "outcome", "wait_seconds", "talk_seconds", "ring_seconds",
        "agent")
    assert [((at - base).total_seconds(), *rest) for at, *rest in rows] == [
        (float(offset), *rest) for offset, *rest in expected.records]
    transfers = {(r.call_id, r.queue, r.attempt): (r.transfer_kind, r.transfer_exten, r.transfer_context,
                                                   r.transfer_target)
                 for r in CallRecord.objects.exclude(transfer_kind="")}
    assert transfers == expected.transfers
    assert set(CallRecord.objects.filter(outcome="transferred").values_list("call_id", "queue", "attempt")) == set(
        expected.transfers)
    # answered and transferred calls know when they were answered: after their wait
    for record in CallRecord.objects.filter(outcome__in=["answered", "transferred"]):
        assert record.answered_at == record.enqueued_at + timedelta(seconds=record.wait_seconds)


@pytest.mark.parametrize("name", VERSIONS)
def test_the_figures_of_each_version(name):
    expected = VERSIONS[name]
    imported(name)
    row = service_level(date_from=expected.day, date_to=expected.day)["results"][0]
    assert {k: row[k] for k in expected.figures} == expected.figures
    assert (row["service_level"], row["asa_seconds"], row["pickup_within_rate"]) == (
        expected.service_level, expected.asa_seconds, expected.pickup_within_rate)
    outcomes = dict(CallRecord.objects.values_list("outcome").annotate(n=Count("id")))
    assert outcomes == Counter(record[4] for record in expected.records)


@pytest.mark.parametrize("name", VERSIONS)
def test_importing_a_version_log_again_adds_nothing(name):
    first, again = imported(name), imported(name)
    assert (again.imported, again.duplicates, again.errors) == (0, first.imported, [])
    assert CallRecord.objects.count() == first.imported


def test_all_versions_together_keep_every_attempt():
    """The ten logs in one center: 86 attempts of 68 calls, each stored once."""
    jobs = [imported(name) for name in VERSIONS]
    assert sum(job.imported for job in jobs) == CallRecord.objects.count() == 86
    assert CallRecord.objects.values("call_id").distinct().count() == 68
    assert dict(CallRecord.objects.filter(attempt__gt=1).values_list("attempt").annotate(n=Count("id"))) == {
        2: 10, 3: 4}
