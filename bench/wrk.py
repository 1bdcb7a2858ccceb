"""wrk's summary read into numbers (no Django here: the tests import it)."""

import re


def parse_wrk(out: str) -> dict:
    """wrk's summary as numbers; a figure wrk did not print is None, never a crash."""

    def ms(text: str | None) -> float | None:
        found = re.match(r"([\d.]+)(us|ms|s|m|h)\b", text or "")
        if not found:
            return None
        return float(found[1]) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}[found[2]]

    def first(pattern: str) -> str | None:
        found = re.search(pattern, out, re.MULTILINE)
        return found[1] if found else None

    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = first(r"Non-2xx or 3xx responses:\s+(\d+)")
    rps, total = first(r"Requests/sec:\s+([\d.]+)"), first(r"(\d+) requests in")
    return {"rps": float(rps) if rps else 0.0, "p50": ms(first(r"^\s*50%\s+(\S+)")),
            "p99": ms(first(r"^\s*99%\s+(\S+)")), "requests": int(total) if total else 0,
            "errors": (int(non2xx) if non2xx else 0) + (sum(int(x) for x in socket.groups()) if socket else 0)}
