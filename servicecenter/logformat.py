"""Log lines as ``key=value`` pairs (logfmt), for the runs that report counts and durations.

A record's ``extra={...}`` fields follow the fixed ones, in the order given::

    time=2026-11-03T09:31:00.123+00:00 level=INFO logger=sla.sweep msg="sweep done" warned=1 breached=0 ...

Values with spaces, quotes, ``=`` or nothing in them are quoted, with ``"`` and ``\\`` escaped and line
breaks written as ``\\n``, so one record is always one line that a log shipper can split.
"""

import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def _value(value: object) -> str:
    text = "" if value is None else str(value)
    if text and not any(c in text for c in ' "=\\\n\r\t'):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        pairs = [("time", stamp), ("level", record.levelname), ("logger", record.name),
                 ("msg", record.getMessage())]
        pairs += [(key, value) for key, value in vars(record).items() if key not in _STANDARD]
        if record.exc_info:
            pairs.append(("exc", self.formatException(record.exc_info)))
        return " ".join(f"{key}={_value(value)}" for key, value in pairs)
