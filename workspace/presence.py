"""Who else has a ticket open, and whether they are typing: a few seconds of memory in the shared cache
(Redis in production; the one web process's memory in embedded mode).

Each open ticket page reports every few seconds (``viewing`` or ``typing``); an entry older than
``FRESH`` seconds is gone. One cache key per ticket holds the people on it; two reports at the same
instant may drop one of them until its next report, which is a few seconds later.
"""

import time

from django.core.cache import cache

FRESH = 10  # seconds an entry lasts without a new report
STATES = ("viewing", "typing")


def _key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}"


def presence_report(*, ticket_id: int, user_id: int, name: str, state: str) -> list[dict]:
    """Record that ``user_id`` is on the ticket; answer the others there now, typing ones first."""
    now = time.time()
    people = {uid: entry for uid, entry in (cache.get(_key(ticket_id)) or {}).items() if now - entry["at"] < FRESH}
    people[user_id] = {"name": name, "state": state if state in STATES else "viewing", "at": now}
    cache.set(_key(ticket_id), people, timeout=FRESH * 3)
    others = [entry for uid, entry in people.items() if uid != user_id]
    return sorted(others, key=lambda entry: (entry["state"] != "typing", entry["name"]))

