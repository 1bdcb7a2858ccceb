"""Parsers for call logs: Asterisk's ``queue_log`` and a plain CSV.

``queue_log`` lines are ``epoch|uniqueid|queue|agent|EVENT|data1|data2|…`` (``main/logger.c``, the same
from Asterisk 1.2 to 22). Each time a caller enters a queue is one *attempt*, a record of its own: a
caller who leaves a queue (a timeout, a key) and is sent back into it by the dialplan has two
attempts with one call id, and the figures offer that call once.

The events, as ``apps/app_queue.c`` writes them in each version (fields after the event name):

=================  =====================================================================  ==========
event              fields                                                                 versions
=================  =====================================================================  ==========
ENTERQUEUE         url|callerid                                                           1.2–1.6
                   url|callerid|position                                                  1.8–
                   url|callerid|position|callername                                       20.x, 21+
CONNECT            holdtime                                                               1.2
                   holdtime|bridged channel uniqueid                                      1.4
                   holdtime|bridged channel uniqueid|ringtime                             1.6–
ABANDON            position|origposition|waittime                                         all
EXITEMPTY          position|origposition|waittime                                         all
EXITWITHTIMEOUT    position                                                               1.2–1.4, and
                                                                                          some paths
                                                                                          up to 12
                   position|origposition|waittime                                         1.6–
EXITWITHKEY        key|position                                                           1.2–1.6, 10, 12
                   key|position|origposition|waittime                                     1.8, 11, 13–
WITHDRAW           position|origposition|waittime|info                                    16–
SYSCOMPAT          (none: the channels could not be bridged; the call is dropped)         all
COMPLETEAGENT,     holdtime|calltime|origposition                                         all
COMPLETECALLER
TRANSFER           extension|context                                                      1.2
                   extension|context|holdtime|calltime                                    1.4
                   extension|context|holdtime|calltime|origposition                       1.6–11
BLINDTRANSFER      extension|context|holdtime|calltime|origposition                       12–
ATTENDEDTRANSFER   BRIDGE|bridge id|holdtime|calltime|origposition                        12–
                   APP|application|holdtime|calltime|origposition
                   LINK|channel|channel|holdtime|calltime|origposition
=================  =====================================================================  ==========

A wait that a short form does not carry (EXITWITHTIMEOUT, EXITWITHKEY of old versions, SYSCOMPAT) is
the time between entering the queue and the event; so is the talk time of a 1.2 TRANSFER (from the
CONNECT). Transfers keep where the call went and the hold and talk times in their own fields.

Skipped, not errors (they are about agents and queues, or say nothing the records keep): RINGNOANSWER
and RINGCANCELED (an agent let it ring; the call goes on), AGENTDUMP (the agent hung up during the
announcement; the caller waits on), QUEUESTART, CONFIGRELOAD, ADDMEMBER, REMOVEMEMBER, PAUSE,
UNPAUSE, PAUSEALL, UNPAUSEALL, PENALTY, RINGINUSE, AGENTLOGIN, AGENTLOGOFF, AGENTCALLBACKLOGIN,
AGENTCALLBACKLOGOFF, OUTCALL, and what the dialplan writes with ``QueueLog()`` (DID, INFO, …).

A line that cannot be read is reported by number with the reason, and the rest is kept. An attempt
still open at the end of the file (the caller was waiting when the log was copied) is not stored:
it comes with the next, longer copy of the log.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# The endings of an attempt that was not answered, and where each form keeps the wait: (outcome,
# index of the wait among the data fields, how many fields the form with the wait has).
ENDED_UNANSWERED = {
    "ABANDON": ("abandoned", 2, 3),
    "EXITEMPTY": ("exit_empty", 2, 3),
    "EXITWITHTIMEOUT": ("timeout", 2, 3),
    "EXITWITHKEY": ("exit_key", 3, 4),
    "WITHDRAW": ("withdrawn", 2, 3),
    "SYSCOMPAT": ("dropped", None, 0),
}
COMPLETED = {"COMPLETEAGENT", "COMPLETECALLER"}
TRANSFERS = {"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
CALL_EVENTS = {"ENTERQUEUE", "CONNECT", *ENDED_UNANSWERED, *COMPLETED, *TRANSFERS}
OUTCOMES = {"answered", "abandoned", "timeout", "exit_key", "exit_empty", "transferred", "withdrawn", "dropped"}


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
    attempt: int = 1
    transfer_kind: str = ""  # transfer (1.2–11, blind or attended), blind, attended
    transfer_exten: str = ""
    transfer_context: str = ""
    transfer_target: str = ""  # attended (12+): "bridge <id>", "app <name>" or "link <channel> <channel>"


@dataclass
class Parsed:
    calls: list[Call] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    lines: int = 0


class LineError(ValueError):
    """A line that cannot be read. ``str()`` is the reason in English (the API's ``reason``); ``code``,
    ``field`` and ``value`` let a page say it in the reader's language (``calls.import_errors``)."""

    def __init__(self, reason: str, *, code: str, field: str = "", value: object = ""):
        super().__init__(reason)
        self.code, self.field, self.value = code, field, "" if value is None else str(value)[:80]


def line_error(number: int, error: ValueError) -> dict:
    """An error as an import stores it: the line, the English reason, and what a page translates."""
    entry: dict = {"line": number, "reason": str(error)}
    if isinstance(error, LineError):
        entry.update(code=error.code, field=error.field, value=error.value)
    return entry


def _int(value: str, what: str) -> int:
    field = what.removeprefix("the ").replace(" ", "_")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise LineError(f"{what} is not a whole number: {value!r}", code="number", field=field,
                        value=value) from None
    if number < 0:
        raise LineError(f"{what} is negative: {number}", code="negative", field=field, value=number)
    return number


def _since(start: datetime | None, moment: datetime) -> int:
    return max(int((moment - start).total_seconds()), 0) if start else 0


def _transfer(call: Call, event: str, data: list[str], moment: datetime) -> None:
    """Where the call went, and the hold and talk times of the transfer's own fields."""
    if event == "ATTENDEDTRANSFER":
        if len(data) < 5 or data[0] not in ("BRIDGE", "APP", "LINK"):
            raise LineError("ATTENDEDTRANSFER without its destination and times", code="incomplete",
                            value=event)
        *target, hold, talk, _position = data
        call.transfer_kind = "attended"
        call.transfer_target = " ".join([target[0].lower(), *target[1:]])[:255]
    else:
        if len(data) < 2:
            raise LineError(f"{event} without its extension and context", code="incomplete", value=event)
        call.transfer_kind = "blind" if event == "BLINDTRANSFER" else "transfer"
        call.transfer_exten, call.transfer_context = data[0][:80], data[1][:80]
        hold, talk = (data[2], data[3]) if len(data) >= 4 else (None, None)  # 1.2: extension|context only
    if hold is not None:
        call.wait_seconds = _int(hold, "the hold time")
    if talk is not None:
        call.talk_seconds = _int(talk, "the talk time")
    elif call.answered_at is not None:
        call.talk_seconds = _since(call.answered_at, moment)
    if call.answered_at is None:  # no CONNECT seen: answered after the hold time
        call.answered_at = call.enqueued_at + timedelta(seconds=call.wait_seconds)
    call.outcome = "transferred"


def parse_queue_log(text: str) -> Parsed:
    result = Parsed()
    open_calls: dict[tuple[str, str], Call] = {}
    entries: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        result.lines = number
        try:
            _queue_log_line(line, open_calls, entries, result.calls)
        except ValueError as error:
            result.errors.append(line_error(number, error))
    # Attempts still open at the end of the file: answered ones are kept as they are; those still
    # waiting come with the next copy of the log.
    result.calls.extend(c for c in open_calls.values() if c.outcome)
    return result


def _queue_log_line(line: str, open_calls: dict[tuple[str, str], Call], entries: dict[tuple[str, str], int],
                    calls: list[Call]) -> None:
    """One line of the log: it opens an attempt, updates one, or ends one (then into ``calls``)."""
    parts = line.split("|")
    if len(parts) < 5:
        raise LineError("fewer than 5 fields", code="fields")
    epoch, call_id, queue, agent, event, *data = parts
    while data and data[-1] == "":  # "EVENT|" with nothing, or a table's empty data4|data5
        data.pop()
    moment = datetime.fromtimestamp(_int(epoch, "the time"), tz=UTC)
    if event not in CALL_EVENTS:
        return  # agent and queue events, rings, and what the dialplan logs
    if call_id in ("", "NONE") or queue in ("", "NONE"):
        raise LineError(f"{event} without a call id or queue", code="required", field="call_id", value=event)
    key = (call_id, queue)
    if event == "ENTERQUEUE":
        _enter_queue(key, data, moment, open_calls, entries, calls)
        return
    call = open_calls.get(key)
    if call is None:
        raise LineError(f"{event} for a call that never entered queue {queue}", code="unknown_call", value=event)
    if event == "CONNECT":
        call.wait_seconds = _int(data[0] if data else "", "the hold time")
        call.ring_seconds = _int(data[2], "the ring time") if len(data) > 2 and data[2] != "" else None
        call.outcome, call.answered_at, call.agent = "answered", moment, agent[:80]
        return
    if event in ENDED_UNANSWERED:
        _ended_unanswered(call, event, data, moment)
    elif event in COMPLETED:
        _completed(call, event, data, agent)
    else:  # TRANSFER, BLINDTRANSFER, ATTENDEDTRANSFER
        _transfer(call, event, data, moment)
        call.agent = call.agent or agent[:80]
    calls.append(open_calls.pop(key))


def _enter_queue(key: tuple[str, str], data: list[str], moment: datetime, open_calls: dict[tuple[str, str], Call],
                 entries: dict[tuple[str, str], int], calls: list[Call]) -> None:
    """A new attempt of the call in the queue (numbered); an earlier one answered but not ended is kept."""
    call_id, queue = key
    earlier = open_calls.pop(key, None)
    if earlier is not None and earlier.outcome:  # answered, its end not logged: keep what is known
        calls.append(earlier)
    entries[key] = entries.get(key, 0) + 1
    caller = data[1] if len(data) > 1 else ""
    open_calls[key] = Call(call_id=call_id, queue=queue, enqueued_at=moment, caller=caller[:40], attempt=entries[key])


def _ended_unanswered(call: Call, event: str, data: list[str], moment: datetime) -> None:
    outcome, position, width = ENDED_UNANSWERED[event]
    if position is not None and len(data) >= width:
        call.wait_seconds = _int(data[position], "the wait time")
    else:  # the short forms of old versions: the wait from the timestamps
        call.wait_seconds = _since(call.enqueued_at, moment)
    call.outcome = outcome


def _completed(call: Call, event: str, data: list[str], agent: str) -> None:
    if len(data) < 2:
        raise LineError(f"{event} without its talk time", code="incomplete", value=event)
    call.talk_seconds = _int(data[1], "the talk time")
    if call.answered_at is None:  # no CONNECT seen: the hold time is the first field
        call.wait_seconds = _int(data[0], "the hold time")
        call.answered_at = call.enqueued_at + timedelta(seconds=call.wait_seconds)
    call.outcome, call.agent = "answered", call.agent or agent[:80]


CSV_COLUMNS = ("call_id", "queue", "enqueued_at", "outcome", "wait_seconds", "ring_seconds", "talk_seconds", "agent")


def _moment(value: str) -> datetime:
    """A CSV row's ``enqueued_at``: ISO 8601 with its offset from UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise LineError(f"enqueued_at is not an ISO 8601 date and time: {value!r}", code="time",
                        field="enqueued_at", value=value) from None
    if moment.tzinfo is None:
        raise LineError("enqueued_at has no time zone offset", code="offset", field="enqueued_at", value=value)
    return moment


def parse_csv(text: str) -> Parsed:
    """A header row naming at least call_id, queue, enqueued_at (ISO 8601), outcome and wait_seconds.
    Rows of one call in one queue are its attempts, numbered by the time they entered it."""
    result = Parsed()
    reader = csv.DictReader(io.StringIO(text))
    missing = {"call_id", "queue", "enqueued_at", "outcome", "wait_seconds"} - set(reader.fieldnames or [])
    if missing:
        columns = ", ".join(sorted(missing))
        result.errors.append(line_error(1, LineError(f"missing columns: {columns}", code="columns", value=columns)))
        return result
    for row in reader:
        number = reader.line_num
        result.lines = number
        try:
            moment = _moment(row.get("enqueued_at") or "")
            outcome = (row.get("outcome") or "").strip()
            if outcome not in OUTCOMES:
                raise LineError(f"unknown outcome {outcome!r}", code="outcome", field="outcome", value=outcome)
            wait = _int(row.get("wait_seconds"), "wait_seconds")
            call = Call(call_id=(row.get("call_id") or "").strip(), queue=(row.get("queue") or "").strip(),
                        enqueued_at=moment, outcome=outcome, wait_seconds=wait,
                        agent=(row.get("agent") or "").strip()[:80])
            for name in ("call_id", "queue"):
                if not getattr(call, name):
                    raise LineError("call_id and queue are required", code="required", field=name)
            for name in ("ring_seconds", "talk_seconds"):
                if (row.get(name) or "").strip():
                    setattr(call, name, _int(row[name], name))
            if outcome in ("answered", "transferred"):
                call.answered_at = moment + timedelta(seconds=wait)
            result.calls.append(call)
        except ValueError as error:
            result.errors.append(line_error(number, error))
    entries: dict[tuple[str, str], int] = {}
    for call in sorted(result.calls, key=lambda c: c.enqueued_at):  # stable: rows at the same moment keep their order
        key = (call.call_id, call.queue)
        entries[key] = call.attempt = entries.get(key, 0) + 1
    return result
