"""Parsers for call logs: Asterisk's ``queue_log`` and a plain CSV.

``queue_log`` lines are ``epoch|uniqueid|queue|agent|EVENT|data1|data2|…``. A call's record in a
queue is built from its events: ENTERQUEUE opens it; CONNECT answers it (hold time, ring time);
ABANDON, EXITWITHTIMEOUT, EXITWITHKEY and EXITEMPTY end it unanswered (with the wait);
COMPLETEAGENT, COMPLETECALLER and TRANSFER give the talk time; RINGNOANSWER is an agent who let it
ring. Lines about agents and queues rather than calls (AGENTLOGIN, QUEUESTART, …) are skipped. A
line that cannot be read is reported by number with the reason, and the rest is kept.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

CALL_EVENTS = {"ENTERQUEUE", "CONNECT", "ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY",
               "COMPLETEAGENT", "COMPLETECALLER", "RINGNOANSWER", "TRANSFER", "RINGCANCELED", "ATTENDEDTRANSFER",
               "BLINDTRANSFER"}
ENDED_UNANSWERED = {"ABANDON": "abandoned", "EXITWITHTIMEOUT": "timeout", "EXITWITHKEY": "exit_key",
                    "EXITEMPTY": "exit_empty"}
# Where the wait time sits among the data fields of each unanswered ending.
WAIT_FIELD = {"ABANDON": 2, "EXITWITHTIMEOUT": 2, "EXITWITHKEY": 3, "EXITEMPTY": 2}


@dataclass
class Call:
    call_id: str
    queue: str
    enqueued_at: datetime
    caller: str = ""
    outcome: str = ""
    answered_at: datetime | None = None
    wait_seconds: int = 0
    ring_seconds: int | None = None
    talk_seconds: int | None = None
    agent: str = ""


@dataclass
class Parsed:
    calls: list[Call] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    lines: int = 0


def _int(value: str, what: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} is not a whole number: {value!r}") from None
    if number < 0:
        raise ValueError(f"{what} is negative: {number}")
    return number


def parse_queue_log(text: str) -> Parsed:
    result = Parsed()
    open_calls: dict[tuple[str, str], Call] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        result.lines = number
        parts = line.split("|")
        try:
            if len(parts) < 5:
                raise ValueError("fewer than 5 fields")
            epoch, call_id, queue, agent, event, *data = parts
            moment = datetime.fromtimestamp(_int(epoch, "the time"), tz=UTC)
            if event not in CALL_EVENTS:
                continue  # agent and queue events, and events this center does not use
            if call_id in ("", "NONE") or queue in ("", "NONE"):
                raise ValueError(f"{event} without a call id or queue")
            key = (call_id, queue)
            if event == "ENTERQUEUE":
                caller = data[1] if len(data) > 1 else ""
                open_calls[key] = Call(call_id=call_id, queue=queue, enqueued_at=moment, caller=caller[:40])
                continue
            call = open_calls.get(key)
            if call is None:
                raise ValueError(f"{event} for a call that never entered queue {queue}")
            if event == "CONNECT":
                call.wait_seconds = _int(data[0] if data else "", "the hold time")
                call.ring_seconds = _int(data[2], "the ring time") if len(data) > 2 and data[2] != "" else None
                call.outcome, call.answered_at, call.agent = "answered", moment, agent[:80]
            elif event in ENDED_UNANSWERED:
                position = WAIT_FIELD[event]
                if len(data) <= position:
                    raise ValueError(f"{event} without its wait time")
                call.wait_seconds = _int(data[position], "the wait time")
                call.outcome = ENDED_UNANSWERED[event]
                result.calls.append(open_calls.pop(key))
            elif event in ("COMPLETEAGENT", "COMPLETECALLER"):
                call.talk_seconds = _int(data[1] if len(data) > 1 else "", "the talk time")
                result.calls.append(open_calls.pop(key))
            elif event in ("TRANSFER", "ATTENDEDTRANSFER", "BLINDTRANSFER"):
                call.talk_seconds = _int(data[3], "the talk time") if len(data) > 3 and data[3].isdigit() else None
                call.outcome = "transferred"
                result.calls.append(open_calls.pop(key))
            # RINGNOANSWER / RINGCANCELED: an agent let it ring; the call goes on.
        except ValueError as error:
            result.errors.append({"line": number, "reason": str(error)})
    # Calls still open at the end of the file (answered but not yet completed) are kept as they are.
    result.calls.extend(c for c in open_calls.values() if c.outcome)
    return result


CSV_COLUMNS = ("call_id", "queue", "enqueued_at", "outcome", "wait_seconds", "ring_seconds", "talk_seconds", "agent")


def parse_csv(text: str) -> Parsed:
    """A header row naming at least call_id, queue, enqueued_at (ISO 8601), outcome and wait_seconds."""
    result = Parsed()
    reader = csv.DictReader(io.StringIO(text))
    missing = {"call_id", "queue", "enqueued_at", "outcome", "wait_seconds"} - set(reader.fieldnames or [])
    if missing:
        result.errors.append({"line": 1, "reason": f"missing columns: {', '.join(sorted(missing))}"})
        return result
    outcomes = {"answered", "abandoned", "timeout", "exit_key", "exit_empty", "transferred"}
    for row in reader:
        number = reader.line_num
        result.lines = number
        try:
            moment = datetime.fromisoformat(row["enqueued_at"])
            if moment.tzinfo is None:
                raise ValueError("enqueued_at has no time zone offset")
            outcome = row["outcome"].strip()
            if outcome not in outcomes:
                raise ValueError(f"unknown outcome {outcome!r}")
            wait = _int(row["wait_seconds"], "wait_seconds")
            call = Call(call_id=row["call_id"].strip(), queue=row["queue"].strip(), enqueued_at=moment,
                        outcome=outcome, wait_seconds=wait, agent=(row.get("agent") or "").strip()[:80])
            if not call.call_id or not call.queue:
                raise ValueError("call_id and queue are required")
            for name in ("ring_seconds", "talk_seconds"):
                if (row.get(name) or "").strip():
                    setattr(call, name, _int(row[name], name))
            if outcome in ("answered", "transferred"):
                call.answered_at = moment + timedelta(seconds=wait)
            result.calls.append(call)
        except (ValueError, KeyError) as error:
            result.errors.append({"line": number, "reason": str(error)})
    return result
